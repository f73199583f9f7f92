"""Data panel: the data set over the network's current predictions.

2-D inputs: a heatmap of the learned function (regression: ŷ; binary: P(class 1) with the
0.5 contour as the decision boundary; multiclass: the winning class, shaded by confidence),
the training points on top, coloured by target. 1-D inputs: the curve ŷ(x) over the points.
Clicking a point emits ``exampleClicked(index)`` — the intent "make this the pinned pair".
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from sheafviz.core.diagnostics import PredictionGrid
from .. import style
from ..theme import or_light
from ..widgets import CLASS_COLORS, EmptyNote, ReadOut, hover_scene_pos, make_plot, title_label

POINT_SIZE = 11
PINNED_SIZE = 26


def _diverging(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """RGBA rows (n, 4) uint8 of the value colour map for ``values``, centred: 0 is the
    neutral white and ±max(|lo|, |hi|) the two ends (a range that is not centred would
    colour 0 as a value of one sign)."""
    lut = style.value_lut()
    half = len(lut) // 2
    scale = max(abs(lo), abs(hi))
    scale = scale if scale > 0 else 1.0
    idx = np.rint(np.clip(np.asarray(values, float) / scale, -1.0, 1.0) * half).astype(int)
    return lut[idx + half]


class DataPanel(QtWidgets.QWidget):
    """Signals: ``exampleClicked(int)`` — a training point was clicked."""

    exampleClicked = QtCore.Signal(int)

    def __init__(self, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)
        self.plot = make_plot(theme=self.theme, left="x₂", bottom="x₁")
        pi = self.plot.plotItem
        # the input plane keeps its shape: a unit of x₁ is as long as a unit of x₂ (the
        # [−2, 2]² square was stretched 6:1 in a wide, short dock)
        pi.vb.setAspectLocked(True, ratio=1.0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        pi.addItem(self.image)
        self.boundary = pg.IsocurveItem(level=0.5, pen=pg.mkPen("#111111", width=3))
        pi.addItem(self.boundary)
        self.curve = pi.plot(pen=pg.mkPen("#1a1a8c", width=3))
        self.points = pg.ScatterPlotItem(size=POINT_SIZE, pen=pg.mkPen("#111111", width=1),
                                         hoverable=False)
        self.points.sigClicked.connect(self._on_click)
        pi.addItem(self.points)
        self.pinned = pg.ScatterPlotItem(size=PINNED_SIZE, symbol="o",
                                         pen=pg.mkPen(self.theme.SELECT_COLOR, width=4),
                                         brush=pg.mkBrush(0, 0, 0, 0))
        self.pinned.setZValue(10)
        pi.addItem(self.pinned)
        self.note = EmptyNote(self.plot, "This session has no data set: open a task preset "
                                         "(blobs, circular, …) or load data in “Own model”",
                              theme=self.theme)
        self.readout = ReadOut("Click a point to pin that training pair.", theme=self.theme)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.title = title_label("Data and predictions")
        lay.addWidget(self.title)
        row = QtWidgets.QHBoxLayout()  # the square plot centred, not stretched to the width
        row.addStretch(1)
        row.addWidget(self.plot, 100)
        row.addStretch(1)
        lay.addLayout(row, 1)
        lay.addWidget(self.readout)
        hover_scene_pos(self.plot, self._on_hover)
        self.X = np.zeros((0, 2))
        self.Y = np.zeros((0, 1))
        self.output = "identity"
        self.grid: PredictionGrid | None = None
        self.pinned_index: int | None = None

    def resizeEvent(self, ev) -> None:  # noqa: N802 - a square plane needs a square plot
        super().resizeEvent(ev)
        pi = self.plot.plotItem
        axis = pi.getAxis("left").width() + 16
        self.plot.setMaximumWidth(max(160, int(self.plot.height() - pi.getAxis("bottom").height()
                                               + axis)))

    # -- views' inputs -------------------------------------------------------------------
    def set_data(self, X: np.ndarray | None, Y: np.ndarray | None, output: str) -> None:
        """The training set (None or 0 rows: nothing to show)."""
        if X is None or len(X) == 0:
            X, Y = np.zeros((0, 2)), np.zeros((0, 1))
        self.X, self.Y, self.output = np.asarray(X, float), np.asarray(Y, float), output
        self.pinned_index = None
        self.pinned.setData([], [])
        self.note.set_empty(len(self.X) == 0)
        n0 = self.X.shape[1]
        pi = self.plot.plotItem
        pi.setLabel("left", "x₂" if n0 == 2 else "y", **{"font-size": f"{style.base_pt():.0f}pt"})
        pos = self._positions()
        brushes = [pg.mkBrush(*rgba) for rgba in self._point_colors()]
        self.points.setData(pos=pos, brush=brushes, data=np.arange(len(pos)))
        if len(pos):
            lo, hi = pos.min(axis=0), pos.max(axis=0)
            pad = 0.08 * np.maximum(hi - lo, 1e-6)
            pi.vb.setRange(xRange=(lo[0] - pad[0], hi[0] + pad[0]),
                           yRange=(lo[1] - pad[1], hi[1] + pad[1]), padding=0)

    def _positions(self) -> np.ndarray:
        if len(self.X) == 0:
            return np.zeros((0, 2))
        if self.X.shape[1] == 2:
            return self.X[:, :2].copy()
        return np.column_stack([self.X[:, 0], self.Y[:, 0]])

    def _point_colors(self) -> np.ndarray:
        n = len(self.X)
        if n == 0:
            return np.zeros((0, 4), dtype=np.uint8)
        if self.output == "identity":
            if self.X.shape[1] == 1:
                return np.tile(np.array([[40, 40, 40, 230]], dtype=np.uint8), (n, 1))
            y = self.Y[:, 0]
            return _diverging(y, float(y.min()), float(y.max()))
        cls = (self.Y[:, 0] >= 0.5).astype(int) if self.Y.shape[1] == 1 else \
            np.argmax(self.Y, axis=1)
        out = np.zeros((n, 4), dtype=np.uint8)
        for k in range(int(cls.max()) + 1):
            col = pg.mkColor(CLASS_COLORS[k % len(CLASS_COLORS)])
            out[cls == k] = [col.red(), col.green(), col.blue(), 255]
        return out

    def set_prediction(self, grid: PredictionGrid | None) -> None:
        """The network's function on a grid (2-D) or curve (1-D); None clears it."""
        self.grid = grid
        if grid is None:
            self.image.clear()
            self.curve.setData([], [])
            self.boundary.setData(None)
            return
        if grid.kind == "curve":
            self.image.clear()
            self.boundary.setData(None)
            self.curve.setData(grid.xs, grid.values[:, 0])
            return
        self.curve.setData([], [])
        rgba = self._image_rgba(grid)
        self.image.setImage(rgba, autoLevels=False, levels=(0, 255))
        dx = grid.xs[1] - grid.xs[0] if grid.xs.size > 1 else 1.0
        dy = grid.ys[1] - grid.ys[0] if grid.ys.size > 1 else 1.0
        self.image.setRect(QtCore.QRectF(grid.xs[0] - dx / 2, grid.ys[0] - dy / 2,
                                         dx * grid.xs.size, dy * grid.ys.size))
        # the 0.5 contour of P(class 1) is the decision boundary of a binary classifier;
        # the contour's coordinates are (i, j) grid indices, so map index → (xs[i], ys[j])
        tr = QtGui.QTransform()
        tr.translate(grid.xs[0], grid.ys[0])
        tr.scale(dx, dy)
        self.boundary.setTransform(tr)
        self.boundary.setData(grid.values if self.output == "sigmoid" else None)

    def _image_rgba(self, grid: PredictionGrid) -> np.ndarray:
        v = grid.values.T  # row-major image: rows are y
        if self.output == "softmax":
            conf = grid.confidence.T
            out = np.zeros(v.shape + (4,), dtype=np.uint8)
            for k in range(int(v.max()) + 1):
                col = pg.mkColor(CLASS_COLORS[k % len(CLASS_COLORS)])
                mask = v == k
                w = 0.15 + 0.45 * np.clip((conf[mask] - 0.25) / 0.75, 0, 1)
                for ch, c in enumerate((col.red(), col.green(), col.blue())):
                    out[..., ch][mask] = np.round(255 * (1 - w) + c * w).astype(np.uint8)
            out[..., 3] = 255
            return out
        if self.output == "sigmoid":
            lo, hi = 0.0, 1.0
        else:
            y = self.Y[:, 0] if len(self.Y) else v.ravel()
            lo = float(min(v.min(), y.min()))
            hi = float(max(v.max(), y.max()))
        rgba = _diverging(v.ravel(), lo, hi).reshape(v.shape + (4,))
        # lighten, so the points stay readable on top
        rgba[..., :3] = (255 - 0.55 * (255 - rgba[..., :3].astype(float))).astype(np.uint8)
        return rgba

    def show_plane(self, box) -> None:
        """Frame the input box (u_min, u_max, v_min, v_max) and drop the "no data" note:
        the plane has something to show without data (items added over it, e.g. the
        activation regions)."""
        u0, u1, v0, v1 = (float(b) for b in box)
        self.note.set_empty(False)
        self.plot.plotItem.vb.setRange(xRange=(u0, u1), yRange=(v0, v1), padding=0.02)

    def set_pinned(self, index: int | None) -> None:
        """Ring the pinned training pair (None: no pair of this data set is pinned)."""
        self.pinned_index = None if index is None else int(index)
        pos = self._positions()
        if index is None or not 0 <= int(index) < len(pos):
            self.pinned.setData([], [])
            return
        self.pinned.setData(pos=pos[[int(index)]])
        self.readout.setText(self._describe(int(index)))

    # -- intents -----------------------------------------------------------------------------
    def _on_click(self, _item, points, ev) -> None:
        if not len(points):
            return
        # several points under the cursor: take the one nearest to it
        vb = self.plot.plotItem.vb
        where = vb.mapSceneToView(ev.scenePos())
        best = min(points, key=lambda p: (p.pos().x() - where.x()) ** 2 +
                   (p.pos().y() - where.y()) ** 2)
        ev.accept()
        self.exampleClicked.emit(int(best.data()))

    def _describe(self, i: int) -> str:
        x = ", ".join(style.fmt(v, 3) for v in self.X[i])
        y = ", ".join(style.fmt(v, 3) for v in self.Y[i])
        return f"example {i}: x = ({x}), y = ({y})"

    def _on_hover(self, p) -> None:
        if p is None or self.grid is None:
            return
        g = self.grid
        if g.kind == "curve":
            i = int(np.argmin(np.abs(g.xs - p.x())))
            self.readout.setText(f"x = {style.fmt(g.xs[i], 3)}: ŷ = {style.fmt(g.values[i, 0], 4)}")
            return
        i = int(np.argmin(np.abs(g.xs - p.x())))
        j = int(np.argmin(np.abs(g.ys - p.y())))
        value = g.values[i, j]
        text = (f"class {int(value)} (p = {style.fmt(g.confidence[i, j], 3)})"
                if self.output == "softmax" else f"{g.label} = {style.fmt(value, 4)}")
        self.readout.setText(f"at ({style.fmt(g.xs[i], 3)}, {style.fmt(g.ys[j], 3)}): {text}")
