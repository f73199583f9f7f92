"""Many repaints of a Python-painted item, cheaply.

PySide6 6.12.0 leaked a reference to ``None`` on every call of a Python ``paint`` override
and aborted after about 5,000 repaints (``Fatal Python error: none_dealloc``). This test
makes well over that many paints of one tiny pyqtgraph item in a small view, so such a
release fails here in a few seconds. The full-window soak (every panel, thousands of
animation frames) is ``tests/gui/test_soak.py``, marked ``slow``: ``python -m pytest -m slow``.
"""

from __future__ import annotations

import sys

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from sheafviz.cli.bench.soak import rss_kib

REPAINTS = 6500


class CountingItem(pg.GraphicsObject):
    """A square whose Python ``paint`` counts its calls and draws a moving bar."""

    def __init__(self) -> None:
        super().__init__()
        self.paints = 0
        self.phase = 0

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt API
        return QtCore.QRectF(0.0, 0.0, 40.0, 40.0)

    def paint(self, painter, option, widget=None) -> None:
        self.paints += 1
        painter.setPen(pg.mkPen("w"))
        painter.drawRect(QtCore.QRectF(1.0, 1.0, 38.0, 38.0))
        painter.fillRect(QtCore.QRectF(self.phase % 36 + 2, 2.0, 2.0, 36.0), QtGui.QColor("red"))


def test_thousands_of_python_paints_neither_abort_nor_leak(qtbot):
    scene = QtWidgets.QGraphicsScene()
    item = CountingItem()
    scene.addItem(item)
    view = QtWidgets.QGraphicsView(scene)
    qtbot.addWidget(view)
    view.resize(80, 80)
    view.show()
    qtbot.waitExposed(view)
    qtbot.waitUntil(lambda: item.paints > 0)  # the first paint after the view is exposed
    viewport = view.viewport()

    def repaint_once() -> None:
        item.phase += 1
        item.update()
        viewport.repaint()  # synchronous: one paintEvent → one call of item.paint

    for _ in range(200):  # warm-up: pixmap caches, the first paint's allocations
        repaint_once()
    start_paints = item.paints
    start_rss = rss_kib()
    start_none_refs = sys.getrefcount(None)
    for _ in range(REPAINTS):
        repaint_once()
    paints = item.paints - start_paints
    none_growth = sys.getrefcount(None) - start_none_refs
    rss_growth_mib = (rss_kib() - start_rss) / 1024

    assert paints == REPAINTS  # every repaint reached the Python override exactly once
    # the bad release leaked one reference to None per paint; allow unrelated churn
    assert none_growth < REPAINTS // 10, f"None gained {none_growth} references"
    assert rss_growth_mib < 30, f"RSS grew by {rss_growth_mib:.1f} MiB over {paints} paints"
