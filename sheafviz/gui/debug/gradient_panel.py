"""Sheaf vs backprop: per layer, the cosine and the norm ratio ‖sheaf‖/‖backprop‖ of the
parameter gradients over training (docs/mathematics.md). Hover reads the values at the nearest step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from .. import style
from ..theme import or_light
from ..widgets import (FLOOR, EmptyNote, ReadOut, hover_scene_pos, layer_color, legend,
                      make_plot, title_label)


class GradientPanel(QtWidgets.QWidget):
    """Two plots side by side sharing the step axis: cosine (linear, −1..1) and ratio (log).

    Side by side because a bottom dock is wide and short: stacked, each plot was ~30 px tall
    at 1280×720 and its tick labels overlapped.
    """

    def __init__(self, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)
        self.cos_plot = make_plot(theme=self.theme, left="cosine", bottom="step")
        self.ratio_plot = make_plot(theme=self.theme, left="norm ratio", bottom="step", log_y=True)
        self.ratio_plot.setXLink(self.cos_plot)
        self.cos_plot.plotItem.vb.setYRange(-1.05, 1.05, padding=0)
        legend(self.cos_plot, theme=self.theme, offset=(-10, -10))
        self.one_line = one = pg.InfiniteLine(pos=0.0, angle=0, pen=pg.mkPen("#888888", width=1.5,
                                                             style=QtCore.Qt.PenStyle.DashLine))
        self.ratio_plot.addItem(one)  # log axis: y = 0 is a ratio of 1
        self.cos_curves: list = []
        self.ratio_curves: list = []
        why = "Fills when the joint flow trains (Joint mode, then Play)"
        self.cos_note = EmptyNote(self.cos_plot, why, theme=self.theme)
        self.ratio_note = EmptyNote(self.ratio_plot, why, theme=self.theme)
        self.readout = ReadOut("Hover to read the values at a step.", theme=self.theme)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(title_label("Sheaf gradient vs backprop, per layer: cosine (left) and "
                                  "norm ratio ‖sheaf‖ / ‖backprop‖ (right)"))
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.cos_plot, 1)
        row.addWidget(self.ratio_plot, 1)
        lay.addLayout(row, 1)
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
        empty = steps.size == 0 or n_layers == 0
        self.cos_note.set_empty(empty)
        self.ratio_note.set_empty(empty)
        self.one_line.setVisible(not empty)  # a lone dashed line would cross the note
        shown = ratio[self.data["ratio_ok"]] if n_layers else np.zeros(0)
        if shown.size:
            # keep the dashed ratio-1 line in view
            lo, hi = max(float(shown.min()), FLOOR), float(shown.max())
            self.ratio_plot.plotItem.vb.setYRange(np.log10(min(lo, 0.5)),
                                                  np.log10(max(hi, 2.0)), padding=0.05)

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
