"""``sheafviz render --out FILE.gif``: an animated GIF of the main window, headless.

The window is driven exactly as a user would drive it: open the preset, optionally switch to
the joint flow, then repeatedly advance the flow by ``steps_per_frame`` steps and grab the
window. Frames are grabbed with ``QWidget.grab`` and appended to the file one at a time
(:class:`~sheafviz.core.data.gif_writer.GifWriter`), so a long animation is never held.
Imports Qt; only the ``render`` command imports this module.
"""

from __future__ import annotations

import io
import os
import sys

#: Time to let a freshly shown window settle its layout before the first grab (ms).
SETTLE_MS = 600


def _offscreen_window(size):
    """``(app, main window, error list)``: a window sized for ``size`` (offscreen when there
    is no display) whose error messages (on its status line) are collected in the list."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from sheafviz.gui.app import prepare_app
    from sheafviz.gui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    prepare_app(app, size)
    window = MainWindow()
    errors: list[str] = []
    window.messageShown.connect(
        lambda text, level: errors.append(text) if level == "error" else None)
    return app, window, errors


def _qimage_to_pil(image):
    """QImage → PIL RGB image (through an in-memory PNG: simple and format-safe)."""
    from PIL import Image
    from PySide6 import QtCore

    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")


def _settle(app, ms: int) -> None:
    from PySide6 import QtCore

    deadline = QtCore.QDeadlineTimer(ms)
    while not deadline.hasExpired():
        app.processEvents()


def render_gif(preset: str, *, out: str, pins=None, size=(1280, 720), frames: int = 60,
               steps_per_frame: int = 5, frame_ms: int = 80, joint: bool = False,
               steps: int = 0, presentation: bool = False) -> int:
    """Write an animated GIF of the window relaxing (or training, ``joint=True``), starting
    after ``steps`` flow steps (the state a ``--png`` of the same command shows).

    Parameters
    ----------
    preset : shipped preset name
    out : path of the .gif
    pins : PinSet replacing the preset's pins, optional
    size : (w, h) of the window in pixels
    frames : number of frames (the first shows the state before any step)
    steps_per_frame : flow steps between two frames
    frame_ms : display time of one frame
    joint : animate the joint flow (training) instead of the heat flow
    presentation : render in presentation mode (large text, thick lines)

    Returns
    -------
    int, 0 on success; raises ValueError for a preset the window cannot open.
    """
    app, window, errors = _offscreen_window(size)
    if not window.load_preset(preset, pins=pins):
        raise ValueError(errors[-1] if errors else f"cannot open preset {preset!r}")
    if joint:
        if window.session.data is None:
            raise ValueError(f"preset {preset!r} has no data set to train on")
        window.session.set_mode("joint")
    _show(app, window, size, presentation=presentation)
    try:
        _advance(window.session, steps, errors)
        stream_gif(app, window, out, frames=frames, steps_per_frame=steps_per_frame,
                   frame_ms=frame_ms, errors=errors)
    finally:
        window.close()
    return 0


def _show(app, window, size, *, presentation: bool) -> None:
    """Put ``window`` on the offscreen screen at ``size`` (in presentation mode when asked)
    and let its layout settle."""
    if presentation:
        from sheafviz.gui.app import enter_presentation

        enter_presentation(window)
    window.resize(*size)
    window.show()
    _settle(app, SETTLE_MS)


def _advance(session, steps: int | None, errors: list) -> None:
    """Take ``steps`` flow steps in frame-sized chunks, drawn once at the end; ValueError
    on the first error."""
    from sheafviz.gui.app import advance

    if steps:
        advance(session, int(steps), stop_when_converged=False)
    if errors:
        raise ValueError(errors[-1])


def stream_gif(app, window, out: str, *, frames: int, steps_per_frame: int,
               frame_ms: int, errors: list) -> int:
    """Grab ``frames`` frames of ``window``, ``steps_per_frame`` flow steps of its session
    apart, each appended to the GIF ``out`` as soon as it is grabbed (never all held in
    memory).

    Returns the frame count; raises ValueError with the window's last error message
    (and writes nothing) when the flow fails on the way.
    """
    from sheafviz.core.data.gif_writer import GifWriter

    with GifWriter(out, frame_ms=frame_ms) as writer:
        for i in range(frames):
            if i:
                window.session.step(steps_per_frame)  # the views redraw on its event
            window.redraw()
            app.processEvents()
            if errors:
                raise ValueError(errors[-1])
            writer.add(_qimage_to_pil(window.grab().toImage()))
        return writer.close()


def render_session(path: str, *, png: str | None = None, gif: str | None = None,
                   steps: int | None = None, size=(1280, 720), frames: int = 60,
                   steps_per_frame: int = 5, frame_ms: int = 80,
                   presentation: bool = False) -> int:
    """Render a saved session file headless: the same picture the GUI shows when it
    reopens the file (state, pins, history, and the flow's own state, so the animation
    takes the same steps as it would have in the saved window).

    Parameters
    ----------
    path : a session .json file (``sheafviz.core.data.session_file`` format)
    png : write the window after ``steps`` more steps to this .png
    gif : then animate ``frames`` frames of ``steps_per_frame`` steps into this .gif
    steps : flow steps taken before the PNG (and before the GIF starts)
    presentation : render in presentation mode (large text, thick lines)

    Returns
    -------
    int, 0 on success; raises ValueError (SessionError, ...) naming the problem.
    """
    if png is None and gif is None:
        raise ValueError("give --png FILE and/or --gif FILE")
    from sheafviz.core.data.session_file import load_session
    from sheafviz.gui.app import save_png
    from sheafviz.gui.lecture.session_io import restore

    session = load_session(path)  # SessionError (a ValueError) before any window
    app, window, errors = _offscreen_window(size)
    restore(window, session, name=os.path.splitext(os.path.basename(path))[0])
    _show(app, window, size, presentation=presentation)
    try:
        _advance(window.session, steps, errors)
        if png:
            window.redraw()
            _settle(app, 150)
            if not save_png(window.grab(), png):
                raise ValueError(f"cannot write {png}")
        if gif:
            window.player.pause()
            stream_gif(app, window, gif, frames=frames, steps_per_frame=steps_per_frame,
                       frame_ms=frame_ms, errors=errors)
        if errors:
            raise ValueError(errors[-1])
    finally:
        window.close()
    return 0


def save_preset_session(preset: str, *, out: str, pins=None, steps: int = 0,
                        size=(1280, 720)) -> int:
    """Open ``preset`` in an offscreen window, take ``steps`` flow steps, and save the
    window's session (network, pins, data, flow state and history) to ``out``: the file
    ``sheafviz gui FILE`` and ``sheafviz render FILE`` open.

    Returns
    -------
    int, 0 on success; raises ValueError naming the problem.
    """
    from sheafviz.core.data.session_file import save_session
    from sheafviz.gui.lecture.session_io import capture

    app, window, errors = _offscreen_window(size)
    try:
        if not window.load_preset(preset, pins=pins):
            raise ValueError(errors[-1] if errors else f"cannot open preset {preset!r}")
        _advance(window.session, steps, errors)
        save_session(capture(window), out)
    finally:
        window.close()
    return 0
