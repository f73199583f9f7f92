"""How big is the text on screen? Every visible text item of a window, with its pixel size.

A lecture hall reads pixels, so presentation mode is judged by the size at which each piece
of text is actually drawn: Qt widgets (labels, buttons, fields, combo and spin boxes, tab and
menu bars, the status line, dock and group titles) and the pyqtgraph scenes inside them (tick
labels of every axis, axis labels, plot titles, legends, ``TextItem`` / ``LabelItem`` and any
other ``QGraphicsTextItem`` / ``QGraphicsSimpleTextItem``).

Two heights are recorded per item, both in device-independent pixels:

* ``pixel_size``: the em size of the font the text is drawn with (what CSS calls the font
  size in px). Rich text (``<span style="font-size: …">``) is read fragment by fragment.
* ``ink_height``: the height of the tight bounding box of the drawn characters, which is
  what an OCR engine reports as a word box (about 0.7–1.0 of the em size, depending on
  ascenders and descenders).

:func:`ocr_word_heights` reads the word boxes of a screenshot with the ``tesseract`` program
(when it is installed) to cross-check the font metrics on real pixels.
"""

from __future__ import annotations

import csv
import io
import shutil
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets


@dataclass(frozen=True)
class TextSample:
    """One visible piece of text.

    Attributes
    ----------
    description : str, what it is and where ("QLabel 'Path graph'", "ticks bottom of …")
    text : str, the text drawn (one tick label, one label, …)
    pixel_size : float, em size of its font in pixels
    ink_height : float, height of the drawn characters' tight bounding box in pixels
    """

    description: str
    text: str
    pixel_size: float
    ink_height: float


def font_pixel_size(font: QtGui.QFont) -> float:
    """Em size of ``font`` in pixels (a point size is converted at the screen's DPI)."""
    if font.pixelSize() > 0:
        return float(font.pixelSize())
    return float(QtGui.QFontInfo(font).pixelSize())


def _sample(description: str, text: str, font: QtGui.QFont) -> TextSample | None:
    """A sample of ``text`` in ``font``; None for text without a letter or digit (a legend
    swatch such as "━" or "■" is a symbol, not something to read)."""
    text = " ".join(text.split())
    if not any(ch.isalnum() for ch in text):
        return None
    ink = QtGui.QFontMetricsF(font).tightBoundingRect(text).height()
    return TextSample(description, text, font_pixel_size(font), float(ink))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 30 else text[:29] + "…"


# -- rich text ------------------------------------------------------------------------------
_SCRIPT_ALIGNMENTS = (QtGui.QTextCharFormat.VerticalAlignment.AlignSubScript,
                      QtGui.QTextCharFormat.VerticalAlignment.AlignSuperScript)


def _document_runs(doc: QtGui.QTextDocument) -> list[tuple[str, QtGui.QFont]]:
    """(text, font) of every fragment of a rich-text document (empty fragments skipped)."""
    runs = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid() and frag.text().strip():
                fmt = frag.charFormat()
                font = QtGui.QFont(fmt.font())
                if fmt.verticalAlignment() in _SCRIPT_ALIGNMENTS:
                    # Qt draws sub- and superscripts at 2/3 of the surrounding size
                    font.setPixelSize(max(1, round(font_pixel_size(font) * 2 / 3)))
                runs.append((frag.text(), font))
            it += 1
        block = block.next()
    return runs


def _text_runs(text: str, font: QtGui.QFont, rich: bool) -> list[tuple[str, QtGui.QFont]]:
    """Plain text → one run in ``font``; rich text → its fragments' own fonts."""
    if not rich:
        return [(text, font)]
    doc = QtGui.QTextDocument()
    doc.setDefaultFont(font)
    doc.setHtml(text)
    return _document_runs(doc)


def _runs_samples(kind: str, runs) -> list[TextSample]:
    out = []
    for text, font in runs:
        s = _sample(f"{kind} '{_short(text)}'", text, font)
        if s is not None:
            out.append(s)
    return out


# -- widgets --------------------------------------------------------------------------------
def _widget_runs(w: QtWidgets.QWidget) -> tuple[str, list]:
    """(kind, [(text, font), ...]) of the text a widget draws itself; ([]) for none."""
    f = w.font()
    kind = type(w).__name__
    if isinstance(w, QtWidgets.QLabel):
        if w.pixmap() is not None and not w.pixmap().isNull():
            return kind, []
        rich = w.textFormat() == QtCore.Qt.TextFormat.RichText or (
            w.textFormat() == QtCore.Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(w.text()))
        return kind, _text_runs(w.text(), f, rich)
    if isinstance(w, QtWidgets.QAbstractButton):
        return kind, [(w.text(), f)]
    if isinstance(w, QtWidgets.QLineEdit):
        if isinstance(w.parentWidget(), (QtWidgets.QAbstractSpinBox, QtWidgets.QComboBox)):
            return kind, []  # counted once, as the spin or combo box
        return kind, [(w.text() or w.placeholderText(), f)]
    if isinstance(w, QtWidgets.QComboBox):
        return kind, [(w.currentText(), f)]
    if isinstance(w, QtWidgets.QAbstractSpinBox):
        return kind, [(w.text(), f)]
    if isinstance(w, QtWidgets.QTabBar):
        return kind, [(w.tabText(i), f) for i in range(w.count())]
    if isinstance(w, QtWidgets.QMenuBar):
        return kind, [(a.text().replace("&", ""), f) for a in w.actions() if a.isVisible()]
    if isinstance(w, QtWidgets.QStatusBar):
        return kind, [(w.currentMessage(), f)]
    if isinstance(w, QtWidgets.QGroupBox):
        return kind, [(w.title(), f)]
    if isinstance(w, QtWidgets.QDockWidget) and not w.isFloating():
        return kind, [(w.windowTitle(), f)]
    return kind, []


def widget_samples(root: QtWidgets.QWidget) -> list[TextSample]:
    """Text of ``root`` and of its visible descendant widgets (graphics views excluded:
    see :func:`scene_samples`)."""
    out = []
    for w in [root, *root.findChildren(QtWidgets.QWidget)]:
        if not w.isVisible() or w.width() <= 0 or w.height() <= 0:
            continue
        kind, runs = _widget_runs(w)
        out.extend(_runs_samples(kind, runs))
    return out


# -- pyqtgraph scenes -----------------------------------------------------------------------
def _view_name(view: QtWidgets.QGraphicsView) -> str:
    """A short name for a graphics view: its object name, its plot's title, or its class."""
    if view.objectName():
        return view.objectName()
    plot = getattr(view, "plotItem", None)
    title = getattr(getattr(plot, "titleLabel", None), "text", "") if plot else ""
    if title:
        doc = QtGui.QTextDocument()
        doc.setHtml(title)
        return _short(doc.toPlainText())
    return type(view).__name__


def _on_screen(view: QtWidgets.QGraphicsView, item: QtWidgets.QGraphicsItem) -> bool:
    rect = view.mapFromScene(item.sceneBoundingRect()).boundingRect()
    return rect.intersects(view.viewport().rect())


def axis_tick_samples(axis: pg.AxisItem, where: str) -> list[TextSample]:
    """One sample per tick label the axis draws now, in its tick font (pyqtgraph draws tick
    labels with the axis's ``tickFont`` style, else with the axis's own font)."""
    if not axis.isVisible() or not axis.style.get("showValues", True):
        return []
    font = axis.style.get("tickFont") or axis.font()
    image = QtGui.QImage(4, 4, QtGui.QImage.Format.Format_ARGB32)
    painter = QtGui.QPainter(image)
    try:
        painter.setFont(font)
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    if specs is None:
        return []
    out = []
    for _rect, _flags, text in specs[2]:
        s = _sample(f"tick {axis.orientation} of {where} '{_short(text)}'", text, font)
        if s is not None:
            out.append(s)
    return out


def _graphics_text_samples(item, where: str) -> list[TextSample]:
    kind = type(item.parentItem()).__name__ if item.parentItem() is not None else "scene"
    label = f"{kind} text in {where}"
    if isinstance(item, QtWidgets.QGraphicsTextItem):
        return _runs_samples(label, _document_runs(item.document()))
    return _runs_samples(label, [(item.text(), item.font())])


def scene_samples(view: QtWidgets.QGraphicsView) -> list[TextSample]:
    """Text drawn in a graphics view's scene: tick labels, titles, legends, text items."""
    scene = view.scene()
    if scene is None or not view.isVisible():
        return []
    where = _view_name(view)
    out = []
    for item in scene.items():
        if not item.isVisible() or item.effectiveOpacity() <= 0.01:
            continue
        if isinstance(item, pg.AxisItem):
            if _on_screen(view, item):
                out.extend(axis_tick_samples(item, where))
        elif isinstance(item, (QtWidgets.QGraphicsTextItem, QtWidgets.QGraphicsSimpleTextItem)):
            if _on_screen(view, item):
                out.extend(_graphics_text_samples(item, where))
    return out


# -- the whole window -----------------------------------------------------------------------
def measure_text(root: QtWidgets.QWidget) -> list[TextSample]:
    """Every visible text item of ``root`` (widgets and the scenes of its graphics views)."""
    samples = widget_samples(root)
    views = [root] if isinstance(root, QtWidgets.QGraphicsView) else []
    views += root.findChildren(QtWidgets.QGraphicsView)
    for view in views:
        samples.extend(scene_samples(view))
    return samples


def summary(samples: list[TextSample]) -> dict:
    """Median and smallest of the pixel sizes (and ink heights) of ``samples``.

    Returns
    -------
    dict with n, median_px, min_px, smallest (the description of a smallest item),
    median_ink, min_ink; the numbers are NaN when there are no samples.
    """
    if not samples:
        nan = float("nan")
        return dict(n=0, median_px=nan, min_px=nan, smallest="", median_ink=nan, min_ink=nan)
    px = [s.pixel_size for s in samples]
    ink = [s.ink_height for s in samples]
    smallest = min(samples, key=lambda s: s.pixel_size)
    return dict(n=len(samples), median_px=statistics.median(px), min_px=min(px),
                smallest=smallest.description, median_ink=statistics.median(ink),
                min_ink=min(ink))


# -- OCR cross-check ------------------------------------------------------------------------
def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_word_heights(image: QtGui.QImage | str | Path, *, upscale: int = 2,
                     min_confidence: float = 60.0) -> list[tuple[str, float]]:
    """Word boxes read by ``tesseract`` from a screenshot: [(word, height in pixels)].

    The image is enlarged ``upscale`` times first (tesseract misses text under ~10 px) and
    the heights are divided back. Only words with a letter or digit read with at least
    ``min_confidence`` are kept. Raises FileNotFoundError when tesseract is not installed.
    """
    exe = shutil.which("tesseract")
    if exe is None:
        raise FileNotFoundError("tesseract is not installed (Debian: apt-get install "
                                "tesseract-ocr)")
    img = QtGui.QImage(str(image)) if isinstance(image, (str, Path)) else QtGui.QImage(image)
    if upscale > 1:
        img = img.scaled(img.width() * upscale, img.height() * upscale,
                         QtCore.Qt.AspectRatioMode.IgnoreAspectRatio,
                         QtCore.Qt.TransformationMode.SmoothTransformation)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shot.png"
        img.save(str(path), "PNG")
        proc = subprocess.run([exe, str(path), "stdout", "--psm", "11", "tsv"],
                              capture_output=True, text=True, timeout=300, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"tesseract failed: {proc.stderr.strip().splitlines()[-1:]}")
    words = []
    for row in csv.DictReader(io.StringIO(proc.stdout), delimiter="\t",
                              quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        try:
            conf, height = float(row["conf"]), float(row["height"])
        except (KeyError, TypeError, ValueError):
            continue
        if text and conf >= min_confidence and any(ch.isalnum() for ch in text):
            words.append((text, height / upscale))
    return words
