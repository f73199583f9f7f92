"""Spectrum panel (docs/mathematics.md): ``L_free`` as an image, its eigenvalues, λ_1 / λ_max / κ over
training (median with the 25–75 % band across inputs), and the block energies of the
slowest and fastest modes. The slowest mode can be drawn as a ghost on the drape: the panel
emits ``ghostToggled(bool)``; the data is :meth:`SpectrumPanel.ghost_cochain`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from sheafviz.core.diagnostics import SpectrumDetail, mode_ghost
from .. import style
from ..theme import or_light
from ..widgets import (EmptyNote, ReadOut, finite_or_floor, hover_scene_pos, make_plot,
                      title_label)

SERIES = (("lambda_min", "λ₁", "#0072B2"), ("lambda_max", "λₘₐₓ", "#D55E00"),
          ("condition", "κ", "#111111"))


#: What the summary's numbers are (the status line's λmin / λmax are the same quantity).
SHOWN_TIP = ("<p>At the shown state: the eigenvalues of L<sub>free</sub>, the sheaf "
             "Laplacian on the values that are not pinned (while training: the shown example "
             "with x and y pinned), at the state's ReLU pattern and the current weights. The "
             "status line's λmin and λmax are these two.</p>")
#: What the curves over training are (a different quantity from the summary's).
SERIES_TIP = ("<p>Over training: for up to 16 fixed training inputs, L<sub>free</sub> with "
              "only the input x pinned, at the forward pass's ReLU pattern and the weights of "
              "that step; the curves are the median over those inputs and the band their "
              "25–75 % range. Not the status line's λ (that one is for the shown state and "
              "its pins).</p>")


def _diverging_lut() -> np.ndarray:
    return style.value_lut()


class SpectrumPanel(QtWidgets.QWidget):
    """Signals: ``ghostToggled(bool)`` — show / hide the slowest mode on the drape."""

    ghostToggled = QtCore.Signal(bool)

    def __init__(self, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)
        # L_free image
        self.matrix_plot = make_plot(theme=self.theme)
        mp = self.matrix_plot.plotItem
        mp.showGrid(x=False, y=False)
        mp.vb.invertY(True)
        mp.vb.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(_diverging_lut())
        mp.addItem(self.image)
        # eigenvalues
        self.eig_plot = make_plot(theme=self.theme, left="λ", bottom="index", log_y=True)
        self.eig = self.eig_plot.plotItem.plot(pen=None, symbol="o", symbolSize=9,
                                               symbolBrush=pg.mkBrush("#1a1a8c"),
                                               symbolPen=pg.mkPen("#1a1a8c"))
        # over training
        self.series_plot = make_plot(theme=self.theme, left="λ₁, λₘₐₓ, κ", bottom="step",
                                     log_y=True)
        sp = self.series_plot.plotItem
        # no legend box: on a plot this short it covered the curves; the box title names them
        self.series_note = EmptyNote(self.series_plot, "Fills when the joint flow trains "
                                                       "(Joint mode, then Play)", theme=self.theme)
        self.curves, self.bands = {}, {}
        for key, name, color in SERIES:
            c = pg.mkColor(color)
            lo = sp.plot(pen=pg.mkPen(c, width=1))
            hi = sp.plot(pen=pg.mkPen(c, width=1))
            fill = pg.FillBetweenItem(lo, hi, brush=pg.mkBrush(c.red(), c.green(), c.blue(), 50))
            sp.addItem(fill)
            self.bands[key] = (lo, hi)
            self.curves[key] = sp.plot(pen=pg.mkPen(c, width=3), name=f"{name} median")
        # block energies
        self.block_plot = make_plot(theme=self.theme, left="share of ‖v‖²")
        bp = self.block_plot.plotItem
        self.slow_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush="#0072B2")
        self.fast_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush="#D55E00")
        bp.addItem(self.slow_bars)
        bp.addItem(self.fast_bars)
        bp.vb.setYRange(0, 1.05, padding=0)
        self.ghost_box = QtWidgets.QCheckBox("slowest mode as a ghost on the drape")
        self.ghost_box.toggled.connect(self.ghostToggled)
        self.summary = QtWidgets.QLabel("")
        self.summary.setFont(style.font(0.95))
        self.summary.setToolTip(SHOWN_TIP)
        self.readout = ReadOut("Hover the matrix or the plots to read values.", theme=self.theme)
        self.readout.setTextFormat(QtCore.Qt.TextFormat.RichText)  # L<sub>free</sub>[i, j]
        grid = QtWidgets.QGridLayout()
        # one row: a bottom dock is wide and short (it must fit under the main view)
        grid.addWidget(self._boxed("L<sub>free</sub> at the shown state", self.matrix_plot), 0, 0)
        grid.addWidget(self._boxed("Eigenvalues", self.eig_plot), 0, 1)
        swatches = " ".join(f"<span style='color:{c}'>━</span>&nbsp;{n}" for _k, n, c in SERIES)
        series_box = self._boxed(f"Over training: up to 16 training inputs, only x pinned, "
                                 f"forward σ<br>{swatches} median, band 25–75 %",
                                 self.series_plot)
        series_box.setToolTip(SERIES_TIP)
        grid.addWidget(series_box, 0, 2)
        grid.addWidget(self._boxed("Block energy of the slowest (blue)\nand fastest (red) mode",
                                   self.block_plot), 0, 3)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(title_label("Spectrum of L<sub>free</sub>"))
        top.addWidget(self.summary, 1)
        top.addWidget(self.ghost_box)
        lay.addLayout(top)
        lay.addLayout(grid, 1)
        lay.addWidget(self.readout)
        hover_scene_pos(self.matrix_plot, self._hover_matrix)
        hover_scene_pos(self.eig_plot, self._hover_eig)
        hover_scene_pos(self.series_plot, self._hover_series)
        self.detail: SpectrumDetail | None = None
        self.cochain: np.ndarray | None = None
        self.series: dict | None = None

    @staticmethod
    def _boxed(title: str, w: QtWidgets.QWidget) -> QtWidgets.QWidget:
        box = QtWidgets.QWidget()
        lay = QtWidgets.QVBoxLayout(box)
        lay.setContentsMargins(0, 0, 0, 0)
        lab = QtWidgets.QLabel(title)
        lab.setFont(style.font(0.9))
        lay.addWidget(lab)
        lay.addWidget(w, 1)
        return box

    # -- inputs ------------------------------------------------------------------------------
    def set_detail(self, detail: SpectrumDetail | None, cochain: np.ndarray | None = None) -> None:
        """``L_free`` and its modes at the shown state (``cochain`` anchors the ghost)."""
        self.detail, self.cochain = detail, None if cochain is None else np.array(cochain)
        if detail is None:
            self.image.clear()
            self.eig.setData([], [])
            self.summary.setText("")
            return
        if detail.matrix is not None:
            m = detail.matrix
            scale = float(np.max(np.abs(m))) or 1.0
            self.image.setImage(m, autoLevels=False, levels=(-scale, scale))
            self.image.setRect(QtCore.QRectF(0, 0, m.shape[1], m.shape[0]))
            ticks = [((a + b) / 2, name) for name, a, b in detail.blocks]
            for ax in ("left", "bottom"):
                self.matrix_plot.plotItem.getAxis(ax).setTicks([ticks, []])
            self.matrix_plot.plotItem.vb.setRange(xRange=(0, m.shape[1]), yRange=(0, m.shape[0]),
                                                  padding=0.02)
        else:
            self.image.clear()
        ev = finite_or_floor(detail.eigenvalues)
        self.eig.setData(np.arange(ev.size), ev)
        ep = self.eig_plot.plotItem
        ep.getAxis("bottom").setTicks(None if ev.size > 12 else
                                      [[(k, str(k)) for k in range(ev.size)], []])
        names = list(detail.block_energy_min)
        x = np.arange(len(names), dtype=float)
        self.slow_bars.setOpts(x=x - 0.2, height=[detail.block_energy_min[n] for n in names])
        self.fast_bars.setOpts(x=x + 0.2, height=[detail.block_energy_max[n] for n in names])
        bp = self.block_plot.plotItem
        bp.getAxis("bottom").setTicks([[(i, n) for i, n in enumerate(names)], []])
        bp.vb.setXRange(-0.6, len(names) - 0.4, padding=0)
        kappa = style.fmt(detail.condition, 4) if detail.condition_defined else "∞ (singular)"
        self.summary.setText(f"at the shown state: λ₁ = {style.fmt(detail.lambda_min, 4)}   "
                             f"λₘₐₓ = {style.fmt(detail.lambda_max, 4)}   κ = {kappa}")

    def set_series(self, series: dict | None) -> None:
        """Over-training statistics: keys "spectrum_step" (m,), "lambda_min", "lambda_max",
        "condition" (m, 3) as (median, q25, q75) and "condition_defined" (m,) bool (the
        dictionary of :func:`~sheafviz.core.diagnostics.history_series`)."""
        self.series = series
        steps = np.zeros(0) if series is None else np.asarray(series["spectrum_step"], float)
        lo_all, hi_all = np.inf, 0.0
        for key, _name, _color in SERIES:
            if steps.size == 0:
                vals, ok = np.zeros((0, 3)), np.zeros(0, dtype=bool)
            else:
                vals = series[key]
                ok = series["condition_defined"] if key == "condition" else \
                    np.ones(steps.size, dtype=bool)
            s, v = steps[ok], finite_or_floor(vals[ok]) if vals.size else vals
            if v.size:
                lo_all = min(lo_all, float(v.min()))
                hi_all = max(hi_all, float(v.max()))
            self.curves[key].setData(s, v[:, 0] if v.size else [])
            lo, hi = self.bands[key]
            lo.setData(s, v[:, 1] if v.size else [])
            hi.setData(s, v[:, 2] if v.size else [])
        self.series_note.set_empty(hi_all <= 0)

    def ghost_cochain(self, *, amplitude: float | None = None) -> np.ndarray | None:
        """The shown state displaced along the slowest mode (shape (size,)), for the drape."""
        if self.detail is None or self.cochain is None:
            return None
        return mode_ghost(self.cochain, self.detail.slow_mode, amplitude=amplitude)

    # -- read-outs ---------------------------------------------------------------------------
    def _hover_matrix(self, p) -> None:
        d = self.detail
        if p is None or d is None or d.matrix is None:
            return
        i, j = int(np.floor(p.y())), int(np.floor(p.x()))
        n = d.matrix.shape[0]
        if 0 <= i < n and 0 <= j < n:
            self.readout.setText(f"L<sub>free</sub>[{d.free_labels[i]}, {d.free_labels[j]}] = "
                                 f"{style.fmt(d.matrix[i, j], 4)}")

    def _hover_eig(self, p) -> None:
        d = self.detail
        if p is None or d is None or d.eigenvalues.size == 0:
            return
        k = int(np.clip(round(p.x()), 0, d.eigenvalues.size - 1))
        self.readout.setText(f"eigenvalue {k}: λ = {style.fmt(d.eigenvalues[k], 5)}")

    def _hover_series(self, p) -> None:
        s = self.series
        if p is None or s is None or len(s["spectrum_step"]) == 0:
            return
        steps = np.asarray(s["spectrum_step"])
        k = int(np.argmin(np.abs(steps - p.x())))
        parts = [f"step {int(steps[k])}:"]
        for key, name, _c in SERIES:
            ok = key != "condition" or bool(s["condition_defined"][k])
            parts.append(f"{name} {style.fmt(s[key][k, 0], 4) if ok else '∞'}")
        self.readout.setText("  ".join(parts))
