"""Modal questions and file choosers, passed into the window rather than called directly.

The desktop app passes :class:`QtDialogs` (real message boxes and file dialogs); a window
built without one gets :class:`NoDialogs`, which answers at once without asking (a
headless render, a script, a test), so nothing ever blocks on a box nobody can see. Tests
substitute their own object with the same four methods.
"""

from __future__ import annotations

from PySide6 import QtWidgets

#: Answers of :meth:`Dialogs.ask_save_changes`.
SAVE, DISCARD, CANCEL = "save", "discard", "cancel"


class NoDialogs:
    """Answers every question without showing anything: no file chosen, "no", and unsaved
    changes are discarded (the caller asked to drop them; nobody is there to say otherwise).
    """

    interactive = False

    def ask_open(self, title: str, directory: str, pattern: str) -> str:
        """A file to open, or "" (cancelled)."""
        return ""

    def ask_save(self, title: str, default: str, pattern: str) -> str:
        """A file to write, or "" (cancelled)."""
        return ""

    def ask_yes_no(self, title: str, text: str) -> bool:
        return False

    def ask_save_changes(self, title: str, text: str) -> str:
        """One of SAVE, DISCARD, CANCEL."""
        return DISCARD

    def message(self, title: str, text: str) -> None:
        """Tell the user something that needs no answer."""


class QtDialogs(NoDialogs):
    """The real dialogs, parented to ``parent`` (the main window).

    Parameters
    ----------
    parent : QWidget, optional
        Default: the application's active window when a dialog opens.
    """

    interactive = True

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        self._parent = parent

    @property
    def parent(self) -> QtWidgets.QWidget | None:
        return self._parent or QtWidgets.QApplication.activeWindow()

    def ask_open(self, title: str, directory: str, pattern: str) -> str:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self.parent, title, directory, pattern)
        return path

    def ask_save(self, title: str, default: str, pattern: str) -> str:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self.parent, title, default, pattern)
        return path

    def ask_yes_no(self, title: str, text: str) -> bool:
        res = QtWidgets.QMessageBox.question(self.parent, title, text)
        return res == QtWidgets.QMessageBox.StandardButton.Yes

    def ask_save_changes(self, title: str, text: str) -> str:
        box = QtWidgets.QMessageBox(self.parent)
        box.setWindowTitle(title)
        box.setText(text)
        std = QtWidgets.QMessageBox.StandardButton
        box.setStandardButtons(std.Save | std.Discard | std.Cancel)
        box.setDefaultButton(std.Save)
        res = box.exec()
        return {std.Save: SAVE, std.Discard: DISCARD}.get(std(res), CANCEL)

    def message(self, title: str, text: str) -> None:
        QtWidgets.QMessageBox.information(self.parent, title, text)
