"""Entry point of the GUI: ``run_gui`` opens the main window (or renders a screenshot)."""

from __future__ import annotations

import gc
import os
import sys

from sheafviz.core.threads import use_gui_policy

# parse_size, apply_pin_specs and session_preset are imported from here by scripts and tests.
from .app_inputs import (apply_pin_specs, extend_pins, network_session, parse_size,
                         resolve_session, session_preset)


def _base_point_size(w: int, h: int) -> float:
    """14 pt at 1920×1080 (readable from the back of a lecture hall), scaled, ≥ 9 pt."""
    return max(9.0, 14.0 * min(w / 1920.0, h / 1080.0))


def advance(session, steps: int, *, stop_when_converged: bool = True) -> int:
    """Take ``steps`` flow steps of ``session`` in chunks of its steps per frame, as the
    animation would (the history holds every frame), drawn once at the end (one event of
    each kind). Stops early when the flow refused (its message says why) and, with
    ``stop_when_converged``, when a relaxation converged. Returns the steps taken."""
    done = 0
    with session.batch():
        while done < int(steps):
            k = min(max(1, session.rates.steps_per_frame), int(steps) - done)
            before = session.steps
            converged = session.step(k)
            done += session.steps - before
            if session.steps == before or (converged and stop_when_converged):
                break
    return done


def run_gui(preset: str | None = None, pins=None, steps: int | None = None,
            screenshot: str | None = None, size=None, session: str | None = None, *,
            network=None, dataset=None, data_spec=None, presentation: bool = False) -> int:
    """Open the main window on a preset; return the process exit code.

    Parameters
    ----------
    preset : str, optional
        Preset name (``None`` → ``DEFAULT_PRESET``).
    pins : list of str or PinSet, optional
        CLI pin strings added to the preset's pins, or a PinSet replacing them.
    steps : int, optional
        Advance the flow by this many steps before showing (or before the screenshot).
    screenshot : str, optional
        Render offscreen (when there is no display), save a PNG to this path and exit.
    size : "WxH" or (w, h), optional
        Window size (default: 85 % of the screen; 1920x1080 for screenshots).
    session : str, optional
        A saved session file (.json) to open instead of a preset (``pins`` then add to or
        replace its pins like a preset's).
    network : Network, optional
        Open this network instead of the preset's (the preset's pins and rates are kept when
        ``preset`` is given too; otherwise nothing is pinned unless ``pins`` says so).
    dataset : Dataset, optional
        The data set of the session (replaces the preset's); ``data_spec`` says where it
        came from, so that a saved session names it again.
    presentation : bool
        Start in presentation mode (what F5 turns on; not full screen for a screenshot).

    Raises
    ------
    ValueError (PinError, NetworkError, ...) for a bad preset, pin or size — before any
    window opens, so the CLI can report it as one line with exit code 2.
    """
    wh = parse_size(size)
    use_gui_policy()  # one BLAS thread unless --threads / set_threads chose otherwise
    if steps is not None and int(steps) < 0:
        raise ValueError(f"steps must be non-negative, got {steps}")
    if screenshot is not None and not str(screenshot).lower().endswith(".png"):
        raise ValueError(f"screenshot {screenshot!r} must be a .png file")
    headless = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if screenshot and headless:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    elif headless and not os.environ.get("QT_QPA_PLATFORM") and sys.platform.startswith("linux"):
        # Qt would abort the process ("could not connect to display"): say it in one line.
        raise ValueError("no display to open the window on (DISPLAY is not set); use "
                         "--screenshot FILE.png, or run under xvfb-run")
    if session is not None and preset is not None:
        raise ValueError("give a session file or a preset, not both")
    if session is not None and (network is not None or dataset is not None):
        raise ValueError("a session file has its own network and data; give one or the other")
    spf = None
    if session is not None:
        preset_obj, dataset, spf = session_preset(session)
        pinset = extend_pins(preset_obj, pins)
    elif network is not None:
        preset_obj, pinset = network_session(preset, network, pins, dataset)
    else:
        preset_obj, pinset = resolve_session(preset, pins)
        if dataset is not None:
            dataset.check_network(preset_obj.network.arch)

    QtWidgets, MainWindow = _import_window()
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    if wh is None:
        if screenshot:
            wh = (1920, 1080)
        else:
            geo = app.primaryScreen().availableGeometry()
            wh = (int(geo.width() * 0.85), int(geo.height() * 0.85))
    prepare_app(app, wh, forward_messages=True)
    first = None
    if session is None and network is None and dataset is None:
        # The window starts on the preset itself: built on the default preset and then
        # switched to this one, it solved and drew everything twice (~20 ms of start-up).
        from sheafviz import Session

        first = Session.from_preset(preset_obj.name, pins=pinset)
    if screenshot:  # a render asks nothing and leaves no autosave behind
        window = MainWindow(session=first)
    else:
        from .dialogs import QtDialogs
        from .lecture.sessions import default_autosave_path

        window = MainWindow(dialogs=QtDialogs(), autosave_path=default_autosave_path(),
                            session=first)
    if session is not None and not pins:
        # The whole session: its flow state and history too, so the next steps are the
        # saved ones bit for bit (the file was validated by session_preset above).
        from sheafviz.core.data.session_file import load_session
        from .lecture.session_io import restore

        ok = restore(window, load_session(session), name=os.path.basename(session))
    elif session is not None:  # extra pins change the problem: start afresh from its settings
        ok = window.open_preset_object(preset_obj, dataset=dataset, pins=pinset)
        if ok and spf:
            window.session.set_rates(steps_per_frame=max(1, int(spf)))
    elif network is not None or dataset is not None:
        ok = window.open_preset_object(preset_obj, dataset=dataset, pins=pinset,
                                       data_spec=data_spec)
    else:
        ok = True  # the window was built on it
    if not ok:
        return 2
    if presentation:
        enter_presentation(window, fullscreen=not screenshot)
    window.resize(*wh)
    if steps:
        advance(window.session, int(steps))
    if screenshot:
        return 0 if save_screenshot(window, screenshot) else 1
    window.show()
    previous = sys.excepthook
    sys.excepthook = _status_excepthook(window)
    restore_sigint = _close_on_sigint(window)
    try:
        return app.exec()
    finally:
        restore_sigint()
        sys.excepthook = previous


def _import_window():
    """Qt's widgets module and the MainWindow class, imported with the garbage collector
    paused the first time.

    The first import of Qt and pyqtgraph creates ~10⁵ objects that live as long as the
    process (Qt's enum classes, the modules' functions); each of the collector's passes
    meanwhile walks them all again, which cost ~30 ms of every start-up, and the passes
    find nothing to free. Once imported they are frozen (:func:`gc.freeze`): later full
    collections skip them too. A process that has imported pyqtgraph before (a test, a
    notebook) is left as it is.
    """
    pause = "pyqtgraph" not in sys.modules and gc.isenabled()
    if pause:
        gc.disable()
    try:
        from PySide6 import QtWidgets

        from .main_window import MainWindow
    finally:
        if pause:
            gc.freeze()
            gc.enable()
    return QtWidgets, MainWindow


def enter_presentation(window, *, fullscreen: bool = False) -> None:
    """Presentation mode (what F5 turns on), full screen only when asked: a screenshot or a
    render keeps the size it was given."""
    window.lecture.presentation.enter(fullscreen=fullscreen)


def _close_on_sigint(window):
    """Ctrl-C (SIGINT) closes the window as its close button would (so it can offer to
    save). Python runs signal handlers only between bytecodes, so a timer gives the
    interpreter a moment four times a second while Qt's event loop runs. Returns the
    function that puts the previous handler back."""
    import signal

    from PySide6 import QtCore

    previous = signal.signal(signal.SIGINT, lambda *_: QtCore.QTimer.singleShot(0, window.close))
    timer = QtCore.QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(250)

    def restore() -> None:
        timer.stop()
        signal.signal(signal.SIGINT, previous)

    return restore


def _status_excepthook(window):
    """An unexpected error inside a slot becomes a red status message and one stderr line
    (the session is untouched: every intent changes it only after the core succeeded)."""

    def hook(exc_type, exc, tb) -> None:
        text = f"Internal error ({exc_type.__name__}): {exc}"
        sys.stderr.write(f"sheafviz: {text}\n")
        try:
            window.show_message(text, "error")
        except RuntimeError:  # the window's C++ object may be deleted at exit; stderr has it
            pass

    return hook


#: Printed by Qt's offscreen platform for every top-level window; not a problem of ours.
_BENIGN_QT = ("This plugin does not support propagateSizeHints()",)


def _qt_messages(mode, context, message) -> None:
    """Forward Qt's messages to stderr, minus the offscreen plugin's benign notice."""
    if any(b in message for b in _BENIGN_QT):
        return
    sys.stderr.write(message + "\n")


def prepare_app(app, wh: tuple[int, int], *, forward_messages: bool = False) -> None:
    """Fonts and pyqtgraph options for a window of size ``wh``; ``forward_messages``: Qt's
    messages go to stderr without the offscreen plugin's benign notice (the app does this;
    a host that handles Qt's messages itself, e.g. pytest-qt, leaves it off)."""
    from PySide6 import QtCore, QtGui

    from . import style

    if forward_messages:
        QtCore.qInstallMessageHandler(_qt_messages)
    style.configure_pyqtgraph()
    style.set_base_point_size(_base_point_size(*wh))
    f = QtGui.QFont(app.font())
    f.setPointSizeF(style.base_pt())
    app.setFont(f)
    app.setApplicationName("sheafviz")


def save_screenshot(window, path: str) -> bool:
    """Show ``window``, let the layout settle (:mod:`.settle`: no fixed wait), grab it into
    ``path`` (PNG)."""
    from PySide6 import QtWidgets

    from .settle import settle

    window.show()
    app = QtWidgets.QApplication.instance()
    settle(app, window)
    window.redraw()
    settle(app, window)
    ok = save_png(window.grab(), path)
    window.close()
    return ok


#: Qt's PNG "quality" (lossless either way; it sets zlib's effort): 80 (zlib level 1)
#: writes a 1920×1080 window in ~0.7 of the default's time (34 against 47 ms) for a file
#: about as large (235 against 234 KB); 60 (level 3) took 43 ms for 226 KB.
PNG_QUALITY = 80


def save_png(pixmap, path) -> bool:
    """Write a QPixmap as a PNG atomically, with the umask applied (False on failure)."""
    from PySide6 import QtCore

    from sheafviz.core.data.atomic import atomic_write_bytes

    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not pixmap.save(buffer, "PNG", PNG_QUALITY):
        return False
    try:
        atomic_write_bytes(path, bytes(buffer.data()))
    except OSError as exc:
        sys.stderr.write(f"sheafviz: cannot write {path}: {exc.strerror or exc}\n")
        return False
    return True
