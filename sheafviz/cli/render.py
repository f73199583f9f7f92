"""``sheafviz render --out FILE.gif``: an animated GIF of the main window, headless.

The window is driven exactly as a user would drive it: open the preset, optionally switch to
the joint flow, then repeatedly advance the flow by ``steps_per_frame`` steps and grab the
window. Frames are grabbed with ``QWidget.grab`` and written by Pillow (DESIGN / ENV.md).
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
    is no display) whose controller's error messages are collected in the list."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from sheafviz.gui.app import prepare_app
    from sheafviz.gui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    prepare_app(app, size)
    window = MainWindow()
    errors: list[str] = []
    window.controller.message.connect(
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
               steps_per_frame: int = 5, frame_ms: int = 80, joint: bool = False) -> int:
    """Write an animated GIF of the window relaxing (or training, ``joint=True``).

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

    Returns
    -------
    int, 0 on success; raises ValueError for a preset the window cannot open.
    """
    app, window, errors = _offscreen_window(size)
    ctl = window.controller
    if not ctl.load_preset(preset, pins=pins):
        raise ValueError(errors[-1] if errors else f"cannot open preset {preset!r}")
    if joint:
        if getattr(ctl, "dataset", None) is None:
            raise ValueError(f"preset {preset!r} has no data set to train on")
        ctl.set_mode("joint")
    window.resize(*size)
    window.show()
    _settle(app, SETTLE_MS)
    images = []
    for i in range(frames):
        if i:
            ctl.advance(steps_per_frame)
            ctl.frameChanged.emit()
        window.redraw()
        app.processEvents()
        images.append(_qimage_to_pil(window.grab().toImage()))
        if errors:
            break
    window.close()
    if errors:
        raise ValueError(errors[-1])
    # One shared adaptive palette keeps colours stable from frame to frame.
    palette = images[0].quantize(colors=255)
    frames_p = [im.quantize(palette=palette) for im in images]
    frames_p[0].save(out, save_all=True, append_images=frames_p[1:], duration=frame_ms,
                     loop=0, optimize=False)
    return 0


def render_session(path: str, *, png: str | None = None, gif: str | None = None,
                   steps: int | None = None, size=(1280, 720), frames: int = 60,
                   steps_per_frame: int = 5, frame_ms: int = 80) -> int:
    """Render a saved session file headless: the same picture the GUI shows when it
    reopens the file (state, pins, history, and the flow's own state, so the animation
    takes the same steps as it would have in the saved window).

    Parameters
    ----------
    path : a session .json file (``sheafviz.core.data.session_file`` format)
    png : write the window after ``steps`` more steps to this .png
    gif : then animate ``frames`` frames of ``steps_per_frame`` steps into this .gif
    steps : flow steps taken before the PNG (and before the GIF starts)

    Returns
    -------
    int, 0 on success; raises ValueError (SessionError, ...) naming the problem.
    """
    if png is None and gif is None:
        raise ValueError("give --png FILE and/or --gif FILE")
    from sheafviz.core.data.session_file import load_session
    from sheafviz.gui.lecture import export
    from sheafviz.gui.lecture.session_io import restore

    session = load_session(path)  # SessionError (a ValueError) before any window
    app, window, errors = _offscreen_window(size)
    ctl = window.controller
    restore(ctl, session, name=os.path.splitext(os.path.basename(path))[0])
    window.resize(*size)
    window.show()
    _settle(app, SETTLE_MS)
    try:
        if steps:
            done = 0
            while done < int(steps) and not errors:
                k = min(ctl.steps_per_frame, int(steps) - done)
                ctl.advance(k)
                done += k
            ctl.frameChanged.emit()
        if errors:
            raise ValueError(errors[-1])
        if png:
            window.redraw()
            _settle(app, 150)
            export.export_png(window, png)
        if gif:
            export.export_gif(window, ctl, gif, frames=frames, steps_per_frame=steps_per_frame,
                              frame_ms=frame_ms, redraw=window.redraw)
        if errors:
            raise ValueError(errors[-1])
    finally:
        window.close()
    return 0
