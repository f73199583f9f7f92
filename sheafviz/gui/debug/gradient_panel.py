"""Sheaf vs backprop: per layer, the cosine and the norm ratio ‖sheaf‖/‖backprop‖ of the
parameter gradients over training (SPEC §10). Hover reads the values at the nearest step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from .. import style
from ._common import (FLOOR, ReadOut, hover_scene_pos, layer_color, legend, log_ticks,
                      make_plot, title_label)


class GradientPanel(QtWidgets.QWidget):
    """Two stacked plots sharing the step axis: cosine (linear, −1..1) and ratio (log)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.cos_plot = make_plot(left="cosine")
        self.ratio_plot = make_plot(left="‖sheaf‖ / ‖backprop‖", bottom="step", log_y=True)
        self.ratio_plot.setXLink(self.cos_plot)
        self.cos_plot.plotItem.vb.setYRange(-1.05, 1.05, padding=0)
        legend(self.cos_plot, offset=(-10, -10))
        one = pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen("#888888", width=1.5,
                                                             style=QtCore.Qt.PenStyle.DashLine))
        self.ratio_plot.addItem(one)  # log axis: y = 0 is a ratio of 1
        self.cos_curves: list = []
        self.ratio_curves: list = []
        self.readout = ReadOut("Hover to read the values at a step.")
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(title_label("Sheaf gradient vs backprop, per layer"))
        lay.addWidget(self.cos_plot, 1)
        lay.addWidget(self.ratio_plot, 1)
        lay.addWidget(self.readout)
        hover_scene_pos(self.cos_plot, self._on_hover)
        hover_scene_pos(self.ratio_plot, self._on_hover)
        self.data: dict | None = None

    def _ensure_curves(self, n_layers: int) -> None:
        if len(self.cos_curves) == n_layers:
            return
        for c in self.cos_curves:
            self.cos_plot.removeItem(c)
        for c in self.ratio_curves:
            self.ratio_plot.removeItem(c)
        self.cos_curves, self.ratio_curves = [], []
        for l in range(1, n_layers + 1):
            pen = pg.mkPen(layer_color(l), width=3)
            self.cos_curves.append(self.cos_plot.plot(pen=pen, name=f"W{l}, b{l}",
                                                      connect="finite"))
            self.ratio_curves.append(self.ratio_plot.plot(pen=pen, connect="finite"))

    def set_series(self, steps, cosine, cosine_defined, ratio, ratio_defined) -> None:
        """``steps`` (n,), the other arrays (n, L) (see ``history_series``); undefined values
        (a zero gradient) leave gaps."""
        steps = np.asarray(steps, dtype=float)
        cosine, ratio = np.asarray(cosine, float), np.asarray(ratio, float)
        self.data = {"step": steps, "cos": cosine, "cos_ok": np.asarray(cosine_defined, bool),
                     "ratio": ratio, "ratio_ok": np.asarray(ratio_defined, bool)}
        n_layers = cosine.shape[1] if cosine.ndim == 2 else 0
        self._ensure_curves(n_layers)
        for l in range(n_layers):
            ok_c, ok_r = self.data["cos_ok"][:, l], self.data["ratio_ok"][:, l]
            # gaps: pyqtgraph's connect="finite" breaks the line at NaN, which stays inside
            # the view (never a number shown to the user)
            self.cos_curves[l].setData(steps, np.where(ok_c, cosine[:, l], np.nan))
            self.ratio_curves[l].setData(steps, np.where(ok_r, np.maximum(ratio[:, l], FLOOR),
                                                         np.nan))
        shown = ratio[self.data["ratio_ok"]] if n_layers else np.zeros(0)
        if shown.size:
            lo, hi = max(float(shown.min()), FLOOR), float(shown.max())
            self.ratio_plot.plotItem.getAxis("left").setTicks(
                [log_ticks(min(lo, 0.5), max(hi, 1.0)), []])

    def describe(self, k: int) -> str:
        d = self.data
        parts = [f"step {int(d['step'][k])}:"]
        for l in range(d["cos"].shape[1]):
            c = style.fmt(d["cos"][k, l], 4) if d["cos_ok"][k, l] else "—"
            r = style.fmt(d["ratio"][k, l], 3) if d["ratio_ok"][k, l] else "—"
            parts.append(f"layer {l + 1}: cos {c}, ratio {r}")
        return "   ".join(parts)

    def _on_hover(self, p) -> None:
        d = self.data
        if p is None or d is None or d["step"].size == 0:
            return
        k = int(np.argmin(np.abs(d["step"] - p.x())))
        self.readout.setText(self.describe(k))
