"""What presentation mode hides to give the room large text, and how it puts it back.

Presentation mode doubles every text size; on a 1920×1080 projector the window then has
room for the main pictures only. The panels named in the preference
``presentation_hide_panels`` (a subset of :data:`PANELS`) are hidden on F5 and shown again
on Esc, with the window's dock and tool-bar state and every splitter's sizes as they were,
so that Esc returns exactly to the window before F5.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

#: Panels presentation mode can hide: the window's titled panels, every dock, the rewind bar.
PANELS = ("Path graph", "Drape", "Discord now", "Discord over time", "Residual energy",
          "docks", "rewind bar")
#: Hidden by default: the secondary plots and the docks (debugging panels, notes, weights);
#: at twice the text size a 1280×720 projector has height for the graph and the drape only.
DEFAULT_HIDDEN = ["Discord now", "Discord over time", "docks"]


def check_panel_names(names) -> list[str]:
    """``names`` as a list; ValueError naming any that is not one of :data:`PANELS`."""
    names = [str(n) for n in names]
    bad = [n for n in names if n not in PANELS]
    if bad:
        raise ValueError(f"unknown panel(s) {', '.join(map(repr, bad))}; expected some of "
                         f"{', '.join(PANELS)}")
    return names


def panel_widgets(window: QtWidgets.QMainWindow, name: str) -> list[QtWidgets.QWidget]:
    """The widgets that make up panel ``name`` of ``window`` (none if it has no such panel)."""
    if name == "docks":
        return [d for d in window.findChildren(QtWidgets.QDockWidget)
                if d.parentWidget() is window]
    if name == "rewind bar":
        bar = window.findChild(QtWidgets.QToolBar, "lecture-rewind")
        return [bar] if bar is not None else []
    label = getattr(window, "_titles", {}).get(name)
    return [label.parentWidget()] if label is not None else []


class PanelHider:
    """Hides named panels of one window and restores the window as it was."""

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        self.window = window
        self._hidden: list[QtWidgets.QWidget] = []
        self._state: QtCore.QByteArray | None = None
        self._splitters: list[tuple[QtWidgets.QSplitter, list[int]]] = []

    @property
    def hidden(self) -> list[QtWidgets.QWidget]:
        """The widgets hidden now."""
        return list(self._hidden)

    def hide(self, names) -> None:
        """Hide the panels ``names`` (see :data:`PANELS`), remembering the window's state."""
        names = check_panel_names(names)
        self.restore()
        w = self.window
        self._state = w.saveState()
        self._splitters = [(s, s.sizes()) for s in w.findChildren(QtWidgets.QSplitter)]
        for name in names:
            for widget in panel_widgets(w, name):
                if widget.isVisibleTo(w) or (widget.isVisible() and widget.isWindow()):
                    widget.hide()
                    self._hidden.append(widget)

    def restore(self) -> None:
        """Show what :meth:`hide` hid, with the docks, tool bars and splitters as before."""
        for widget in self._hidden:
            widget.show()
        self._hidden = []
        if self._state is not None:
            self.window.restoreState(self._state)
            self._state = None
        saved, self._splitters = self._splitters, []
        # the layouts take the small text's minimum sizes first: a splitter clamps the sizes
        # it is given to the minima it knows, which would still be the large text's
        QtWidgets.QApplication.sendPostedEvents(None, QtCore.QEvent.Type.LayoutRequest)
        self._set_sizes(saved)
        # and again once the window is back at its old size (leaving full screen)
        QtCore.QTimer.singleShot(0, self.window, lambda: self._set_sizes(saved))

    @staticmethod
    def _set_sizes(saved) -> None:
        for splitter, sizes in saved:
            try:
                splitter.setSizes(sizes)
            except RuntimeError:  # the splitter was deleted meanwhile
                pass

