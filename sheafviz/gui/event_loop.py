"""The Qt application and its event loop for scripted use (:class:`~.viewer.Viewer`).

Three ways a Viewer runs, as in napari:

* **IPython / Jupyter**: creating a Viewer starts IPython's Qt event-loop integration
  (``enable_gui("qt")``, what ``%gui qt`` does) unless a GUI loop is already active, so the
  cell returns at once and the window stays live between cells.
* **A script**: :func:`run` blocks in Qt's event loop until the last window closes.
* **A loop in a script** (training while watching): :func:`process_events` lets the windows
  redraw and handle input between two steps.
"""

from __future__ import annotations

import os
import sys

#: Set on the QApplication once :func:`get_app` has given it sheafviz's fonts.
_PREPARED = "sheafviz_prepared"
#: Window size of a new Viewer when none is given (fits a 1366×768 laptop screen).
DEFAULT_SIZE = (1280, 720)


def _headless() -> bool:
    return (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY"))


def get_app(size: tuple[int, int] = DEFAULT_SIZE):
    """The one QApplication (created on first use), given sheafviz's fonts once.

    Parameters
    ----------
    size : (width, height) the first window will have; sets the base font size.

    Raises
    ------
    RuntimeError
        On Linux without a display and without ``QT_QPA_PLATFORM`` (Qt would abort the
        whole process instead).
    """
    from PySide6 import QtWidgets

    from .app import prepare_app

    app = QtWidgets.QApplication.instance()
    created = app is None
    if created:
        if _headless() and not os.environ.get("QT_QPA_PLATFORM"):
            raise RuntimeError("no display to open a window on (DISPLAY is not set); set "
                               "QT_QPA_PLATFORM=offscreen or run under xvfb-run")
        app = QtWidgets.QApplication([sys.argv[0] if sys.argv and sys.argv[0] else "sheafviz"])
    if not app.property(_PREPARED):
        # Also an application someone else made (IPython's %gui qt, a host program): our
        # fonts and pyqtgraph options; Qt's messages only where we own the application.
        prepare_app(app, size, forward_messages=created)
        app.setProperty(_PREPARED, True)
    return app


def _ipython_shell():
    """The running IPython shell, or None (IPython is never imported by us: a script that
    did not load it is not running in it)."""
    if "IPython" not in sys.modules:
        return None
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - a broken IPython install
        return None
    return get_ipython()


def ipython_event_loop() -> str | None:
    """The GUI event loop IPython integrates (``"qt"``, ``"qt6"``, ``"tk"``…), or None
    (no IPython, or no GUI loop active)."""
    shell = _ipython_shell()
    return getattr(shell, "active_eventloop", None) if shell is not None else None


def ensure_ipython_qt() -> bool:
    """Start IPython's Qt event-loop integration if we run in IPython and no GUI loop is
    active (napari's convention); return True when a Qt loop is active afterwards.

    A different GUI loop (e.g. ``%gui tk``) is left alone: two loops cannot both run.
    """
    shell = _ipython_shell()
    if shell is None:
        return False
    active = getattr(shell, "active_eventloop", None)
    if active is None:
        try:
            shell.enable_gui("qt")
        except Exception as exc:  # noqa: BLE001 - the window still works via run()/process_events
            sys.stderr.write(f"sheafviz: could not start IPython's Qt event loop ({exc}); "
                             f"run %gui qt yourself\n")
            return False
        active = getattr(shell, "active_eventloop", None) or "qt"
    return str(active).startswith("qt")


def process_events() -> None:
    """Let every window redraw and handle pending input now (in a loop of a script)."""
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is not None:
        app.processEvents()


def run(*, force: bool = False) -> int:
    """Block in Qt's event loop until the last window closes; return its exit code.

    In IPython with the Qt integration active the loop already runs between cells: then
    this returns 0 at once (unless ``force``), so a script works unchanged in ``%run``.
    Without any open window it returns 0 at once too (nothing would ever end the loop).
    """
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    if app is None:
        return 0
    loop = ipython_event_loop()
    if not force and loop is not None and str(loop).startswith("qt"):
        return 0
    if not any(w.isVisible() for w in app.topLevelWidgets()):
        return 0
    app.setQuitOnLastWindowClosed(True)
    return int(app.exec())
