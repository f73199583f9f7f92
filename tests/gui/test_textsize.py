"""``sheafviz.gui.textsize``: every visible text item and the pixel size it is drawn at,
against sizes set explicitly in the test; the OCR cross-check when tesseract is installed."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6 import QtGui, QtWidgets

from sheafviz.gui import textsize


def _px_font(px: int) -> QtGui.QFont:
    f = QtGui.QFont()
    f.setPixelSize(px)
    return f


def _settle(qtbot, widget) -> None:
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.wait(50)


@pytest.fixture
def panel(qtbot):
    """A widget with text of known pixel sizes in widgets and in a pyqtgraph plot."""
    root = QtWidgets.QWidget()
    lay = QtWidgets.QVBoxLayout(root)
    label = QtWidgets.QLabel("Residual energy")
    label.setFont(_px_font(20))
    button = QtWidgets.QPushButton("Play")
    button.setFont(_px_font(13))
    hidden = QtWidgets.QLabel("hidden words")
    hidden.setFont(_px_font(40))
    rich = QtWidgets.QLabel('<span style="font-size: 30px">big</span> small d<sub>e</sub>')
    rich.setFont(_px_font(18))
    plot = pg.PlotWidget()
    plot.setTitle("Discord", size="17px")
    for name in ("left", "bottom"):
        plot.getAxis(name).setTickFont(_px_font(11))
    plot.setLabel("bottom", "time", **{"font-size": "15px"})
    plot.addLegend(labelTextSize="12px")
    plot.plot([0, 1, 2], [0, 1, 4], name="energy")
    text = pg.TextItem("z1")
    text.setFont(_px_font(25))
    text.setPos(1, 2)
    plot.addItem(text)
    for w in (label, button, hidden, rich, plot):
        lay.addWidget(w)
    root.resize(640, 520)
    qtbot.addWidget(root)
    _settle(qtbot, root)
    hidden.hide()
    return root


def _sizes(samples, *, where=None, text=None) -> set[float]:
    return {s.pixel_size for s in samples
            if (where is None or where in s.description) and (text is None or s.text == text)}


def test_every_kind_of_text_is_measured_at_its_set_size(panel):
    samples = textsize.measure_text(panel)
    assert _sizes(samples, text="Residual energy") == {20.0}
    assert _sizes(samples, text="Play") == {13.0}
    assert _sizes(samples, text="big") == {30.0} and _sizes(samples, text="small d") == {18.0}
    assert _sizes(samples, text="e") == {12.0}  # a subscript: 2/3 of 18 px
    assert _sizes(samples, text="Discord") == {17.0}  # the plot title
    assert _sizes(samples, text="time") == {15.0}  # the axis label
    assert _sizes(samples, text="energy") == {12.0}  # the legend
    assert _sizes(samples, text="z1") == {25.0}  # a TextItem
    ticks = [s for s in samples if s.description.startswith("tick")]
    assert len(ticks) >= 4 and {s.pixel_size for s in ticks} == {11.0}
    assert not _sizes(samples, text="hidden words")  # hidden widgets are not on screen


def test_summary_is_median_and_smallest(panel):
    samples = textsize.measure_text(panel)
    s = textsize.summary(samples)
    sizes = sorted(t.pixel_size for t in samples)
    n = len(sizes)
    median = sizes[n // 2] if n % 2 else (sizes[n // 2 - 1] + sizes[n // 2]) / 2
    assert s["n"] == n and s["median_px"] == median and s["min_px"] == 11.0
    assert s["smallest"].startswith("tick")
    # ink boxes are smaller than the em size but not tiny
    assert all(0.3 * t.pixel_size <= t.ink_height <= 1.3 * t.pixel_size for t in samples)


def test_the_main_window_has_every_kind(window):
    samples = textsize.measure_text(window)
    kinds = " ".join(s.description for s in samples)
    for kind in ("tick left", "tick bottom", "QLabel", "QPushButton", "QMenuBar",
                 "TextItem text", "QDoubleSpinBox"):
        assert kind in kinds, kind
    assert textsize.summary(samples)["min_px"] >= 7


@pytest.mark.skipif(not textsize.tesseract_available(), reason="tesseract is not installed")
def test_ocr_word_boxes_match_the_font_size(qtbot):
    label = QtWidgets.QLabel("Heat flow relaxes quickly")
    label.setFont(_px_font(40))
    label.setStyleSheet("background: white; color: black; padding: 20px")
    qtbot.addWidget(label)
    _settle(qtbot, label)
    words = dict(textsize.ocr_word_heights(label.grab().toImage()))
    assert {"Heat", "flow", "relaxes"} <= set(words), words
    metrics = QtGui.QFontMetricsF(_px_font(40))
    for word in ("Heat", "flow", "relaxes"):
        ink = metrics.tightBoundingRect(word).height()
        assert abs(words[word] - ink) <= 3, (word, words[word], ink)
