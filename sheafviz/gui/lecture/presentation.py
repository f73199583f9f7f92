"""Presentation mode and full screen (F5, F11, Esc) on top of the window's looks
(:mod:`.looks`).

Presentation mode (F5) = full screen + the presentation font scale + thick lines + the
presentation theme (high contrast by default); Esc or F5 leaves it and restores the window
look from the preferences. F11 is plain full screen.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from .looks import Look
from .panels import PanelHider


class Presentation(QtCore.QObject):
    """F5 presentation mode, F11 full screen, Esc leaves; teacher-hideable controls.

    Parameters
    ----------
    look : Look
    prefs : Preferences (theme, palette, font scales, presentation theme)
    """

    modeChanged = QtCore.Signal(bool)

    def __init__(self, look: Look, prefs, parent=None) -> None:
        super().__init__(parent)
        self.look, self.prefs = look, prefs
        self.window = look.window
        self.active = False
        self.controls_hidden = False
        self._was_maximized = False
        #: hides the secondary panels on F5 and puts the window back on Esc
        self.panels = PanelHider(self.window)

    # -- looks -------------------------------------------------------------------------
    def apply_window_look(self) -> None:
        p = self.prefs
        self.look.apply(theme=p.get("theme"), palette=p.get("palette"),
                        font_scale=p.get("font_scale"), line_scale=1.0)

    def apply_presentation_look(self) -> None:
        p = self.prefs
        self.look.apply(theme=p.get("presentation_theme"), palette=p.get("palette"),
                        font_scale=p.get("presentation_font_scale"),
                        line_scale=p.get("presentation_line_scale"))

    # -- modes -------------------------------------------------------------------------
    def enter(self, *, fullscreen: bool = True) -> None:
        """Presentation look (+ full screen unless ``fullscreen=False``, e.g. for a
        screenshot at a given size)."""
        if self.active:
            return
        self.active = True
        self._was_maximized = self.window.isMaximized()
        # first: it records the splitters' sizes, which full screen changes
        self.panels.hide(self.prefs.get("presentation_hide_panels"))
        if fullscreen:
            self._fullscreen()
        self.window.legend_hints = False  # no mouse hints: a line of height for the graph
        self.apply_presentation_look()
        self.set_controls_hidden(self.prefs.get("presentation_hide_controls"))
        self.modeChanged.emit(True)

    def leave(self) -> None:
        if not self.active:
            return
        self.active = False
        self._restore_window()
        self.set_controls_hidden(False)
        self.window.legend_hints = True
        self.apply_window_look()
        # after the text is small again: splitters clamp sizes to the large text's minima
        self.panels.restore()
        self.modeChanged.emit(False)

    def toggle(self) -> None:
        self.leave() if self.active else self.enter()

    def toggle_fullscreen(self) -> None:
        if self.window.isFullScreen():
            self._restore_window()
        else:
            self._was_maximized = self.window.isMaximized()
            self._fullscreen()

    def escape(self) -> None:
        """Esc: leave presentation mode, else leave full screen."""
        if self.active:
            self.leave()
        elif self.window.isFullScreen():
            self._restore_window()

    def _fullscreen(self) -> None:
        w = self.window
        if not w.isFullScreen():
            self._normal_geometry = w.geometry()
        # Without a window manager (a bare X server, a kiosk) nothing honours the
        # full-screen state: take the screen's geometry first (then set the state, which a
        # geometry change would clear).
        screen = w.screen()
        if screen is not None and w.geometry() != screen.geometry():
            w.setGeometry(screen.geometry())
        w.showFullScreen()

    def _restore_window(self) -> None:
        if self._was_maximized:
            self.window.showMaximized()
        else:
            self.window.showNormal()
            geo = getattr(self, "_normal_geometry", None)
            if geo is not None and self.window.geometry() != geo:
                self.window.setGeometry(geo)

    # -- hideable controls ---------------------------------------------------------------
    def controls(self) -> list[QtWidgets.QWidget]:
        """The side panel's input widgets a teacher may hide (not the transport buttons,
        not the plots)."""
        panel = getattr(self.window, "panel", None)
        if panel is None:
            return []
        keep = [getattr(panel, n, None) for n in ("play", "step", "reset", "jump")]
        boxes = [pw.parentWidget() for pw in panel.findChildren(pg.PlotWidget)]
        out = []
        for w in panel.findChildren(QtWidgets.QWidget):
            if w in keep or w in boxes or isinstance(w, pg.PlotWidget):
                continue
            if any(b is not None and (b is w or b.isAncestorOf(w)) for b in boxes):
                continue
            if w.parentWidget() is panel and isinstance(w, (QtWidgets.QAbstractButton,
                                                            QtWidgets.QComboBox,
                                                            QtWidgets.QAbstractSpinBox,
                                                            QtWidgets.QLabel,
                                                            QtWidgets.QSlider)):
                out.append(w)
        return out

    def set_controls_hidden(self, hidden: bool) -> None:
        hidden = bool(hidden)
        if hidden == self.controls_hidden:
            return  # hiding twice would record the hidden state as the one to go back to
        for w in self.controls():
            if hidden:
                w.setProperty("_lecture_was_visible", w.isVisibleTo(self.window.panel))
                w.hide()
            elif w.property("_lecture_was_visible") is not False:
                w.show()
        self.controls_hidden = hidden
