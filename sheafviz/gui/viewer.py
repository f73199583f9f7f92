"""``sheafviz.Viewer``: the window, driven from a script or a notebook (napari's convention).

>>> import sheafviz
>>> v = sheafviz.Viewer(preset="running-241")   # in IPython/Jupyter the cell returns
>>> v.session.pin("y", [3.2])                    # the window follows
>>> img = v.screenshot()                         # (H, W, 4) uint8, as the session stands
>>> sheafviz.run()                               # in a script: block until it is closed

``import sheafviz`` stays Qt-free: ``sheafviz.Viewer`` and ``sheafviz.run`` load this
module on first use.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from .dialogs import DISCARD, QtDialogs
from .event_loop import DEFAULT_SIZE, ensure_ipython_qt, get_app, process_events, run

__all__ = ["Viewer", "run", "process_events"]

#: A single-shot timer this short is a throttled redraw (numbers, status line, debug docks),
#: which a screenshot waits for; longer ones (messages fading, axes shrinking) are not.
PENDING_REDRAW_MS = 250
#: Longest :meth:`Viewer.refresh` waits for throttled redraws.
REFRESH_WAIT_S = 1.0
#: Image formats ``screenshot(path)`` writes, by suffix.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def _check_size(size) -> tuple[int, int] | None:
    if size is None:
        return None
    from .app import parse_size

    return parse_size(size)


def qimage_to_array(image) -> np.ndarray:
    """A QImage as an (H, W, 4) uint8 RGBA array (a copy)."""
    from PySide6 import QtGui

    img = image.convertToFormat(QtGui.QImage.Format.Format_RGBA8888)
    h, w, stride = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=h * stride)
    return buf.reshape(h, stride)[:, : 4 * w].reshape(h, w, 4).copy()


class _ViewerDialogs(QtDialogs):
    """The real dialogs, except that a close the script asked for discards unsaved changes
    without asking (the user closing the window is still asked)."""

    quiet = False

    def ask_save_changes(self, title: str, text: str) -> str:
        return DISCARD if self.quiet else super().ask_save_changes(title, text)


class Viewer:
    """A sheafviz window on a live session, scriptable.

    Parameters
    ----------
    session : the model to show (default: a new one on ``preset``)
    preset : str, the preset to open (default: the default preset); not with ``session``
    show : bool, show the window now (else it renders off screen, e.g. for screenshots)
    size : (width, height) or ``"WxH"``, default 1280×720

    Raises
    ------
    ValueError (PresetError, …) for a bad preset or size, before any window opens.
    """

    def __init__(self, session=None, *, preset: str | None = None, show: bool = True,
                 size=None) -> None:
        if session is not None and preset is not None:
            raise ValueError("give a session or a preset, not both")
        wh = _check_size(size) or DEFAULT_SIZE
        from sheafviz.session import Session

        from .main_window import MainWindow

        if session is not None and not isinstance(session, Session):
            raise ValueError(f"session must be a sheafviz.Session, got {type(session).__name__}")
        if session is None:
            session = Session.from_preset(preset)  # a bad name fails here, before any window
        app = get_app(wh)
        ensure_ipython_qt()  # after the QApplication: IPython then drives this one
        self._app = app
        # A window on screen asks the user (unsaved changes, file choosers); one off screen
        # never shows a box nobody could answer.
        self._dialogs = _ViewerDialogs() if show else None
        self._window = MainWindow(dialogs=self._dialogs)
        self._window.set_session(session)
        self._highlighter = None
        self._window.resize(*wh)
        self._closed = False
        self._window.destroyed.connect(self._on_destroyed)
        self._set_on_screen(bool(show))

    def _set_on_screen(self, on: bool) -> None:
        from PySide6 import QtCore

        # Off screen the window is still laid out and painted like a shown one (screenshots
        # need that), it just never appears.
        self._window.hide()
        self._window.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, not on)
        self._window.show()
        process_events()

    def show(self) -> None:
        """Put the window on screen (after ``Viewer(show=False)``)."""
        self._require_open()
        self._set_on_screen(True)

    # -- what it shows ---------------------------------------------------------------------
    @property
    def session(self):
        """The live model the window shows; change it and the window follows."""
        return self._window.session

    @property
    def window(self):
        """The Qt main window (for what the scripting API does not cover)."""
        return self._window

    @property
    def is_open(self) -> bool:
        return not self._closed and self._window.isVisible()

    # -- pictures --------------------------------------------------------------------------
    def refresh(self) -> None:
        """Let pending redraws happen now.

        The views throttle what is costly or unreadable when redrawn every frame (numbers
        beside the dots, the status line, the debug panels) behind short single-shot timers;
        this processes events until none of those is pending (at most ``REFRESH_WAIT_S``).
        """
        self._require_open()
        from PySide6 import QtCore

        process_events()
        deadline = time.perf_counter() + REFRESH_WAIT_S
        while time.perf_counter() < deadline:
            pending = [t for t in self._window.findChildren(QtCore.QTimer)
                       if t.isActive() and t.isSingleShot()
                       and t.interval() <= PENDING_REDRAW_MS]
            if not pending:
                break
            time.sleep(0.002)
            process_events()
        process_events()

    def screenshot(self, path=None, size=None) -> np.ndarray:
        """The window as the session stands, as an (H, W, 4) uint8 RGBA array.

        Pending redraws happen first, so a screenshot right after ``session.step(200)``
        shows step 200.

        Parameters
        ----------
        path : str or Path, optional; also save the picture there (.png, .jpg or .bmp)
        size : (width, height) or ``"WxH"``, optional; render the window at that size
            (it is restored afterwards)

        Returns
        -------
        ndarray, shape (H, W, 4), dtype uint8
        """
        if path is not None and Path(path).suffix.lower() not in IMAGE_SUFFIXES:
            raise ValueError(f"screenshot path {str(path)!r} must end in one of "
                             f"{', '.join(IMAGE_SUFFIXES)}")
        wh = _check_size(size)
        self._require_open()
        old = self._window.size()
        if wh is not None:
            self._window.resize(*wh)
            for _ in range(3):  # resize → layout → the views' own resize handling
                process_events()
        try:
            self.refresh()
            image = self._window.grab().toImage()
        finally:
            if wh is not None:
                self._window.resize(old)
                process_events()
        if path is not None and not image.save(str(path)):
            raise OSError(f"could not write the screenshot to {str(path)!r}")
        return qimage_to_array(image)

    # -- lessons and tours -----------------------------------------------------------------
    def panels(self) -> list[str]:
        """Names :meth:`show_panel` accepts (the window's docks and tool bars; their
        window titles are accepted too)."""
        return sorted(self._panel_widgets(titles=False))

    def _panel_widgets(self, *, titles: bool = True) -> dict:
        from PySide6 import QtWidgets

        names, by_title = {}, {}
        for kind in (QtWidgets.QDockWidget, QtWidgets.QToolBar):
            for w in self._window.findChildren(kind):
                key = (w.objectName() or w.windowTitle()).strip().lower()
                for prefix in ("debug-", "lecture-", "chapter-"):
                    if key.startswith(prefix):
                        key = key[len(prefix):]
                if key:
                    names[key] = w
                title = w.windowTitle().strip().lower()
                if title:
                    by_title[title] = w
        return {**by_title, **names} if titles else names

    def show_panel(self, name: str, *, visible: bool = True) -> None:
        """Show (or with ``visible=False`` hide) the dock or tool bar called ``name``.

        Raises
        ------
        ValueError naming the unknown panel and the known ones.
        """
        self._require_open()
        widgets = self._panel_widgets()
        w = widgets.get(str(name).strip().lower())
        if w is None:
            raise ValueError(f"no panel called {name!r}; choose from {', '.join(self.panels())}")
        w.setVisible(bool(visible))
        if visible and hasattr(w, "raise_"):
            w.raise_()
        process_events()

    def highlight(self, target: str | None) -> None:
        """Draw attention to a vertex (``"a1"``), an edge (``"relu1"``) or a neuron
        (``"a1[0]"``) in the path graph; ``None`` removes the highlight."""
        self._require_open()
        from .highlight import Highlighter

        if self._highlighter is None:  # one highlight per window: the lessons' own
            chapter = getattr(self._window, "chapter", None)
            self._highlighter = (chapter.lessons.highlighter if chapter is not None else
                                 Highlighter(self._window.graph,
                                             lambda: self._window.theme.SELECT_COLOR))
        if target is None:
            self._highlighter.clear()
        else:
            self._highlighter.show(self.session.layout, str(target))

    @property
    def highlighted(self) -> str | None:
        return None if self._highlighter is None else self._highlighter.target

    @property
    def presentation(self) -> bool:
        """Presentation mode (the lecture look: big type, thick lines, optional hidden
        controls) on or off; the window keeps its size."""
        return bool(self._window.lecture.presentation.active)

    @presentation.setter
    def presentation(self, on: bool) -> None:
        self._require_open()
        p = self._window.lecture.presentation
        if bool(on):
            p.enter(fullscreen=False)
        else:
            p.leave()
        process_events()

    # -- ending ----------------------------------------------------------------------------
    def close(self) -> None:
        """Close the window (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        self._window.player.pause()
        if self._dialogs is not None:
            self._dialogs.quiet = True  # the script asked to close: no "save changes?" box
        self._window.close()
        self._window.deleteLater()
        process_events()

    def _on_destroyed(self, *_) -> None:
        self._closed = True

    def _require_open(self) -> None:
        if self._closed:
            raise RuntimeError("this Viewer is closed")

    def __repr__(self) -> str:
        state = "closed" if self._closed else f"{self._window.width()}x{self._window.height()}"
        return f"<sheafviz.Viewer {self._window.windowTitle()!r} {state}>"
