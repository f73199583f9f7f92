"""Exports for slides and notes: PNG / SVG of a panel or the window, GIF / MP4 of the
animation, CSV / JSON of the energy and discord histories.

SVG: pyqtgraph 0.14's SVGExporter fails with PySide6 ≥ 6.11 (pyqtgraph issue #3485), so
widgets are painted into a :class:`QtSvg.QSvgGenerator` directly, with its resolution set to
the widget's logical DPI (at the default 72 dpi the axes come out misplaced).

MP4 needs the optional ``imageio`` + ``imageio-ffmpeg`` packages; without them
:func:`export_mp4` raises :class:`ExportUnavailable` (and the menu entry is disabled).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
from PySide6 import QtCore, QtGui, QtSvg, QtWidgets


class ExportError(ValueError):
    """An export that cannot be written; the message names the problem."""


class ExportUnavailable(ExportError):
    """An optional export whose packages are not installed."""


def _check_suffix(path, suffixes: tuple[str, ...]) -> Path:
    path = Path(path)
    if path.suffix.lower() not in suffixes:
        raise ExportError(f"{path}: expected a {' or '.join(suffixes)} file")
    if not path.parent.exists():
        raise ExportError(f"{path.parent}: no such folder")
    return path


def _atomic_bytes(path: Path, data: bytes) -> None:
    """Temporary file beside ``path``, then rename; the umask applies to the mode."""
    from sheafviz.core.data.atomic import atomic_write_bytes

    atomic_write_bytes(path, data)


# -- still pictures --------------------------------------------------------------------------
def export_png(widget: QtWidgets.QWidget, path, *, scale: float = 1.0) -> tuple[int, int]:
    """Grab ``widget`` (a panel or the whole window) into a PNG; returns (w, h) in pixels."""
    path = _check_suffix(path, (".png",))
    pix = widget.grab()
    if scale != 1.0:
        pix = pix.scaled(int(pix.width() * scale), int(pix.height() * scale),
                         QtCore.Qt.AspectRatioMode.KeepAspectRatio,
                         QtCore.Qt.TransformationMode.SmoothTransformation)
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    if not pix.save(buffer, "PNG"):
        raise ExportError(f"{path}: cannot be written")
    _atomic_bytes(path, bytes(buffer.data()))
    return pix.width(), pix.height()


def export_svg(widget: QtWidgets.QWidget, path, *, title: str = "sheafviz") -> None:
    """Paint ``widget`` into an SVG file (the QSvgGenerator route, see the module notes)."""
    path = _check_suffix(path, (".svg",))
    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    gen = QtSvg.QSvgGenerator()
    gen.setOutputDevice(buffer)
    size = widget.size()
    gen.setSize(size)
    gen.setViewBox(QtCore.QRect(0, 0, size.width(), size.height()))
    gen.setResolution(int(widget.logicalDpiX()))
    gen.setTitle(title)
    painter = QtGui.QPainter(gen)
    try:
        # QWidget.render, not a QGraphicsView's own render(): the view's children and
        # frame come along, and the signature is the same for every widget
        QtWidgets.QWidget.render(widget, painter, QtCore.QPoint(0, 0), QtGui.QRegion(),
                      QtWidgets.QWidget.RenderFlag.DrawChildren
                      | QtWidgets.QWidget.RenderFlag.DrawWindowBackground)
    finally:
        painter.end()
    buffer.close()
    _atomic_bytes(path, bytes(buffer.data()))


# -- animations ------------------------------------------------------------------------------
def _to_pil(image: QtGui.QImage):
    from PIL import Image

    buffer = QtCore.QBuffer()
    buffer.open(QtCore.QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGB")


def grab_frames(widget: QtWidgets.QWidget, window, *, frames: int, steps_per_frame: int,
                redraw=None) -> list:
    """Pause ``window``'s player and step its session ``steps_per_frame`` steps between
    grabs; the first frame is the state before any step. Returns PIL RGB images (all the
    widget's size)."""
    if int(frames) < 1:
        raise ExportError(f"frames must be at least 1, got {frames}")
    if int(steps_per_frame) < 1:
        raise ExportError(f"steps per frame must be at least 1, got {steps_per_frame}")
    window.player.pause()
    app = QtWidgets.QApplication.instance()
    images = []
    for i in range(int(frames)):
        if i:
            window.session.step(int(steps_per_frame))  # the views redraw on its event
        if redraw is not None:
            redraw()
        app.processEvents()
        images.append(_to_pil(widget.grab().toImage()))
    return images


def write_gif(images, path, *, frame_ms: int = 80) -> int:
    """Write PIL images (a list or any iterable, consumed one at a time) as a looping GIF
    with one shared palette; returns the frame count.

    Frames are streamed to disk (:class:`~sheafviz.core.data.gif_writer.GifWriter`), never
    all held; consecutive identical frames stay separate frames.
    """
    from sheafviz.core.data.gif_writer import GifError, GifWriter

    path = _check_suffix(path, (".gif",))
    try:
        with GifWriter(path, frame_ms=frame_ms) as writer:
            for image in images:
                writer.add(image)
            return writer.close()
    except GifError as exc:
        raise ExportError(str(exc)) from None


def export_gif(widget, window, path, *, frames: int = 40, steps_per_frame: int = 5,
               frame_ms: int = 80, redraw=None) -> int:
    """Animate ``window``'s session and write a GIF of ``widget``; returns the frame
    count."""
    _check_suffix(path, (".gif",))
    return write_gif(grab_frames(widget, window, frames=frames,
                                 steps_per_frame=steps_per_frame, redraw=redraw),
                     path, frame_ms=frame_ms)


def mp4_available() -> bool:
    """Whether imageio and imageio-ffmpeg are installed; looked up without importing them
    (the File menu asks at start-up, and imageio with its imports costs ~0.1 s)."""
    from importlib.util import find_spec

    return all(find_spec(name) is not None for name in ("imageio", "imageio_ffmpeg"))


def export_mp4(widget, window, path, *, frames: int = 120, steps_per_frame: int = 5,
               fps: int = 25, redraw=None) -> int:
    """Like :func:`export_gif` but an H.264 MP4 (needs imageio + imageio-ffmpeg)."""
    path = _check_suffix(path, (".mp4",))
    if not mp4_available():
        raise ExportUnavailable("MP4 export needs the optional packages imageio and "
                                "imageio-ffmpeg (pip install 'sheafviz[mp4]')")
    try:
        import imageio.v2 as imageio
        import imageio_ffmpeg  # noqa: F401
    except ImportError as exc:  # installed but broken
        raise ExportUnavailable(f"MP4 export cannot load imageio-ffmpeg: {exc}") from None

    images = grab_frames(widget, window, frames=frames, steps_per_frame=steps_per_frame,
                         redraw=redraw)
    # H.264 wants even sizes
    w, h = images[0].size
    w2, h2 = w - w % 2, h - h % 2
    with imageio.get_writer(str(path), fps=int(fps), codec="libx264",
                            macro_block_size=1) as writer:
        for im in images:
            writer.append_data(np.asarray(im)[:h2, :w2])
    return len(images)


# -- histories -------------------------------------------------------------------------------
def history_table(session) -> tuple[list[str], np.ndarray]:
    """Column names and rows (n, 2 + n_edges) of the session's recorded history:
    ``t``, ``energy`` and ``d_<edge>`` for every edge (docs/mathematics.md: d_e = ‖r_e‖²)."""
    h = session.history
    names = ["t", "energy"] + [f"d_{e.name}" for e in session.layout.edges]
    rows = np.column_stack([h.t[: h.n], h.energy[: h.n], h.discords[: h.n]])
    return names, rows


def export_history_csv(session, path) -> int:
    """CSV with a header row; returns the number of data rows."""
    path = _check_suffix(path, (".csv",))
    names, rows = history_table(session)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([repr(float(v)) for v in row])
    _atomic_bytes(path, text.getvalue().encode("utf-8"))
    return int(rows.shape[0])


def export_history_json(session, path) -> int:
    """JSON ``{"columns", "t", "energy", "discords": {edge: [...]}, "switch_events"}``."""
    path = _check_suffix(path, (".json",))
    names, rows = history_table(session)
    h = session.history
    edges = [e.name for e in session.layout.edges]
    doc = {"format": "sheafviz-history", "version": 1, "title": session.title,
           "columns": names, "t": rows[:, 0].tolist(), "energy": rows[:, 1].tolist(),
           "discords": {name: rows[:, 2 + k].tolist() for k, name in enumerate(edges)},
           "switch_events": {"t": list(h.events_t), "energy": list(h.events_e)}}
    _atomic_bytes(path, json.dumps(doc, allow_nan=False).encode("utf-8"))
    return int(rows.shape[0])
