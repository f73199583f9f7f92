"""The real main window for the "explains itself" tests (issue 11): preferences in a
temporary INI file, no autosave, questions answered by the test (an unexpected
unsaved-changes prompt fails it). It uses only the window's own surface: ``open_preset``,
``session``, ``player``, its widgets and keys."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from sheafviz.gui.dialogs import NoDialogs

K = QtCore.Qt.Key


class AskedDialogs(NoDialogs):
    """``save_changes`` answers the unsaved-changes prompt (default: fail the test);
    ``asked`` counts the prompts."""

    def __init__(self) -> None:
        self.asked = 0
        self.save_changes = lambda: pytest.fail("unexpected unsaved-changes prompt")

    def ask_save_changes(self, title, text):
        self.asked += 1
        return self.save_changes()


def make_window(qtbot, tmp_path, preset: str = "running-241", size=(1280, 720)):
    from sheafviz.gui.app import prepare_app
    from sheafviz.gui.main_window import MainWindow

    prepare_app(QtWidgets.QApplication.instance(), size)
    w = MainWindow(dialogs=AskedDialogs())
    feats = w.lecture
    feats.prefs.settings = QtCore.QSettings(str(tmp_path / "settings.ini"),
                                            QtCore.QSettings.Format.IniFormat)
    feats.sessions.set_autosave_seconds(0)
    feats.presentation.apply_window_look()
    assert w.open_preset(preset)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    # window shortcuts need the window active (offscreen too): wait for it, no fixed time
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is w, timeout=3000)
    w.setFocus()
    return w


def close_window(w) -> None:
    w.player.pause()
    w.dialogs.save_changes = lambda: "discard"
    w.close()
    w.deleteLater()


@pytest.fixture
def win(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    yield w
    close_window(w)


def press(qtbot, w, key, mod=QtCore.Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed as the keyboard would: to the focused widget (or the window), so a
    field with focus gets the first say, as it does for a real key."""
    target = QtWidgets.QApplication.focusWidget() or w
    qtbot.keyClick(target, key, mod)


def wait_text(qtbot, w, fragment: str) -> None:
    """Wait for the status line's deferred refresh (at most TEXT_HZ a second)."""
    qtbot.waitUntil(lambda: fragment in w.metrics.text(), timeout=3000)
