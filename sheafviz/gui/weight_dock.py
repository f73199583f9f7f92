"""The "Weights" dock of the window and its "Edit weights…" action, the editor built on demand."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from .feature_wiring import wire_weight_editor
from .weight_editor import WeightEditor

#: Width of the dock when it opens, as a share of the window width.
DOCK_SHARE = 0.27


class _EditorDock(QtWidgets.QDockWidget):
    """The "Weights" dock, whose editor is built the first time the dock is shown or its
    ``widget()`` asked for: most sessions never open it, and building its table and heat
    map cost ~20 ms of the window's start-up."""

    def __init__(self, title: str, parent, *, factory) -> None:
        super().__init__(title, parent)
        self._factory = factory

    def built(self) -> bool:
        """Whether the editor exists yet."""
        return self._factory is None

    def widget(self):  # noqa: D102 - QDockWidget.widget, built on demand
        if self._factory is not None:
            factory, self._factory = self._factory, None
            self.setWidget(factory())
        return super().widget()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt's virtual
        if visible:
            self.widget()
        super().setVisible(visible)


def install_weight_editor(window: QtWidgets.QMainWindow, *, undo=None,
                          menu: QtWidgets.QMenu | None = None) -> QtWidgets.QDockWidget:
    """Add the "Weights" dock (hidden) to ``window`` and an "Edit weights…" action.

    Parameters
    ----------
    undo : the lecture UndoRecorder (edits become undo steps), or None
    menu : where the action goes (the Edit menu); it is also a window action (its key
        works while the menu is closed)

    Returns
    -------
    QDockWidget; its editor is ``dock.widget()``, its action ``dock.open_action``. Also
    kept as ``window.weight_dock``.
    """
    def build() -> WeightEditor:
        editor = WeightEditor(window, undo, dock, theme=getattr(window, "theme", None))
        wire_weight_editor(window, editor)
        return editor

    dock = _EditorDock("Weights", window, factory=build)
    dock.setObjectName("weight-editor")
    window.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.setVisible(False)
    act = QtGui.QAction("Edit &weights…", window)
    # Ctrl+W is the platform's "close" key; Shift keeps "W for weights" without that clash.
    act.setShortcut(QtGui.QKeySequence("Ctrl+Shift+W"))
    act.setToolTip("Change one weight or bias; the drape shows the new equilibrium")

    def open_editor(*_) -> None:
        first = dock.isHidden()
        dock.show()
        dock.raise_()
        if first and not dock.isFloating():
            window.resizeDocks([dock], [int(DOCK_SHARE * window.width())],
                               QtCore.Qt.Orientation.Horizontal)
        editor = dock.widget()
        editor.value_edit.setFocus()
        editor.value_edit.selectAll()

    act.triggered.connect(open_editor)
    window.addAction(act)
    if menu is not None:
        menu.addAction(act)
    dock.open_action = act
    window.weight_dock = dock
    return dock
