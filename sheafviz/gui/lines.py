"""Many polylines with different pens drawn by one graphics item.

Every pyqtgraph item costs a Python ``paint`` call, a bounds computation and a geometry
notification per update, whatever it draws. The drape redraws nine sets of line segments
(string, ghost string, three spring colours, anchors, arms, feeds) on every frame and every
drag move; as nine ``PlotCurveItem``\\ s that overhead was most of its redraw time. A
:class:`LineBundle` paints all of them in one ``paint`` call, in the order they were added.

Each :class:`LineLayer` keeps the small part of the ``PlotCurveItem`` interface that the views,
the tests and the presentation mode use: ``setData``, ``getData``, ``opts["pen"]``,
``setPen``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph.graphicsItems.PlotCurveItem import arrayToLineSegments
from PySide6 import QtCore, QtGui

__all__ = ["BarSet", "LineBundle", "LineLayer"]


class LineLayer:
    """One pen's polyline(s) inside a :class:`LineBundle`.

    Parameters
    ----------
    bundle : LineBundle
    pen : anything ``pg.mkPen`` accepts
    connect : {"pairs", "finite", "all"}
        As for ``pg.arrayToQPath``: ``"pairs"`` draws segments (x[0],x[1]), (x[2],x[3]), …;
        ``"finite"`` breaks the line at NaN.
    antialias : bool
    """

    def __init__(self, bundle: "LineBundle", pen, *, connect: str, antialias: bool) -> None:
        self.bundle = bundle
        self.opts = {"pen": pg.mkPen(pen)}
        self.connect = connect
        self.antialias = bool(antialias)
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self._path: QtGui.QPainterPath | None = None
        self._segments = None
        self._rect: QtCore.QRectF | None = None

    def setData(self, x, y) -> None:  # noqa: N802 - the PlotCurveItem name
        """New vertices, shape (n,) each (n even for ``connect="pairs"``). The same
        vertices again change nothing (no new geometry, no repaint)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        if x.shape == self.x.shape and np.array_equal(x, self.x, equal_nan=True) \
                and np.array_equal(y, self.y, equal_nan=True):
            return
        self.x, self.y = x.copy(), y.copy()  # a caller's buffer may change under us
        # what paint() draws is built on the first paint after a change, once
        self._path, self._segments, self._rect = None, None, None
        self.bundle.changed()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802
        return self.x, self.y

    def setPen(self, pen) -> None:  # noqa: N802
        self.opts["pen"] = pg.mkPen(pen)
        self.bundle.changed()

    def data_rect(self) -> QtCore.QRectF | None:
        """The bounding rectangle of the finite vertices in data coordinates, or None."""
        if self._rect is None and self.x.size:
            ok = np.isfinite(self.x) & np.isfinite(self.y)
            if ok.any():
                x, y = self.x[ok], self.y[ok]
                x0, y0 = float(x.min()), float(y.min())
                self._rect = QtCore.QRectF(x0, y0, float(x.max()) - x0, float(y.max()) - y0)
        return self._rect

    def draw(self, painter: QtGui.QPainter) -> None:
        """Paint the layer with its pen. Lines wider than a pixel are drawn as one array of
        segments in device pixels: Qt's raster engine strokes a wide path's outline as a
        whole, ~5× slower than the same segments drawn one by one."""
        if self.x.size < 2:
            return
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, self.antialias)
        pen = self.opts["pen"]
        painter.setPen(pen)
        tr = painter.transform()
        if pen.widthF() > 1.0 and tr.m12() == 0.0 and tr.m21() == 0.0 and not tr.isRotating():
            # In pixels: Qt strokes a wide pen under a scaling transform ~3× slower than the
            # same lines given in device coordinates (measured at 1.5–3 px).
            key = (tr.m11(), tr.m22(), tr.dx(), tr.dy())
            if self._segments is None or self._segments[0] != key:
                self._segments = (key, arrayToLineSegments(key[0] * self.x + key[2],
                                                           key[1] * self.y + key[3],
                                                           self.connect, True))
            segments = self._segments[1]
            if len(segments):
                painter.save()
                painter.resetTransform()
                painter.drawLines(*segments.drawargs())
                painter.restore()
            return
        if self._path is None:
            self._path = pg.arrayToQPath(self.x, self.y, connect=self.connect)
        painter.drawPath(self._path)


class LineBundle(pg.GraphicsObject):
    """A graphics item that paints its :class:`LineLayer`\\ s in order (later on top)."""

    def __init__(self) -> None:
        super().__init__()
        self.layers: list[LineLayer] = []
        self._bounds: QtCore.QRectF | None = None

    def add_layer(self, pen, *, connect: str = "pairs", antialias: bool = False) -> LineLayer:
        layer = LineLayer(self, pen, connect=connect, antialias=antialias)
        self.layers.append(layer)
        return layer

    def changed(self) -> None:
        """A layer's vertices or pen changed: new bounds, one repaint."""
        self.prepareGeometryChange()
        self._bounds = None
        self.update()

    def viewTransformChanged(self) -> None:  # noqa: N802 - pyqtgraph hook
        # the pen padding is in pixels: its size in data units follows the view's scale
        self.prepareGeometryChange()
        self._bounds = None

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt API
        if self._bounds is None:
            rects = [(layer.data_rect(), layer.opts["pen"].widthF()) for layer in self.layers]
            rects = [(r, w) for r, w in rects if r is not None]
            if not rects:
                self._bounds = QtCore.QRectF()
                return self._bounds
            # min/max by hand: QRectF.united drops a zero-height rectangle (one level line)
            x0 = min(r.left() for r, _ in rects)
            x1 = max(r.right() for r, _ in rects)
            y0 = min(r.top() for r, _ in rects)
            y1 = max(r.bottom() for r, _ in rects)
            # a cosmetic pen reaches half its width (plus antialiasing) past the path
            pad = 0.5 * max(w for _, w in rects) + 2.0
            px, py = self.pixelVectors()
            dx = pad * (px.length() if px is not None else 0.0)
            dy = pad * (py.length() if py is not None else 0.0)
            rect = QtCore.QRectF(x0 - dx, y0 - dy, x1 - x0 + 2 * dx, y1 - y0 + 2 * dy)
            self._bounds = rect
        return self._bounds

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        for layer in self.layers:
            layer.draw(painter)


class BarSet(pg.GraphicsObject):
    """Vertical bars from 0, each filled with the brush of its group, in one ``paint`` call.

    Cheaper than one filled step curve per group: no fill path is built, and a new set of
    heights is one bounds update and one repaint.

    Parameters
    ----------
    x : ndarray, shape (n,)
        Bar centres.
    group : ndarray of int, shape (n,)
        Index into the brushes of each bar.
    half_width : float
        Half the width of a bar, in data units.
    """

    def __init__(self, x: np.ndarray, group: np.ndarray, *, half_width: float) -> None:
        super().__init__()
        self.x = np.asarray(x, dtype=float)
        self.group = np.asarray(group, dtype=int)
        self.half = float(half_width)
        self.heights = np.zeros(self.x.size)
        self.brushes: list[QtGui.QBrush] = []
        self.pen = pg.mkPen(None)

    def set_style(self, brushes: list, pen) -> None:
        self.brushes = [pg.mkBrush(b) for b in brushes]
        self.pen = pg.mkPen(pen)
        self.update()

    def set_heights(self, heights: np.ndarray) -> None:
        """New bar heights, shape (n,)."""
        self.prepareGeometryChange()
        self.heights = np.asarray(heights, dtype=float)
        self.update()

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt API
        if self.x.size == 0:
            return QtCore.QRectF()
        top = max(float(self.heights.max()), 0.0) if self.heights.size else 0.0
        bottom = min(float(self.heights.min()), 0.0) if self.heights.size else 0.0
        x0, x1 = float(self.x.min()) - self.half, float(self.x.max()) + self.half
        # generous: the 1 px outline must stay inside the repainted region at any scale
        pad_y = 0.02 * max(top - bottom, 1e-300)
        return QtCore.QRectF(x0 - 0.1, bottom - pad_y, x1 - x0 + 0.2, top - bottom + 2 * pad_y)

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, False)
        painter.setPen(self.pen)
        for g, brush in enumerate(self.brushes):
            mine = np.flatnonzero((self.group == g) & (self.heights != 0))
            if not mine.size:
                continue
            painter.setBrush(brush)
            painter.drawRects([QtCore.QRectF(self.x[i] - self.half, 0.0, 2 * self.half,
                                             self.heights[i]) for i in mine])
