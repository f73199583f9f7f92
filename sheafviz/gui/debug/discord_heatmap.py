"""Discord space–time heatmap: one row per edge (or per edge coordinate), one column per
recorded step, colour = log10 of the discord; hover reads the exact value.

Rows come in path order, top to bottom (aff1, relu1, aff2, …, out: the order of the graph,
the drape and the bars); a strip at the left carries the type colour, darker and lighter by
alternating layer.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from sheafviz.core.diagnostics import DiscordMatrix
from .. import style
from ..theme import or_light
from ..widgets import (FLOOR, EmptyNote, ReadOut, hover_scene_pos, make_plot, title_label,
                      viridis_lut)

#: Colour range spans at most this many decades below the largest value.
DECADES = 8
#: Width of the type strip left of the image, in columns (at least STRIP_MIN).
STRIP_FRACTION = 0.025
STRIP_MIN = 0.2


class DiscordHeatmap(QtWidgets.QWidget):
    """Signals: ``expandToggled(bool)`` (one row per neuron), ``exampleChosen(int)``
    (−1 = batch mean)."""

    expandToggled = QtCore.Signal(bool)
    exampleChosen = QtCore.Signal(int)

    def __init__(self, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)
        self.plot = make_plot(theme=self.theme, bottom="recorded step")
        pi = self.plot.plotItem
        pi.showGrid(x=False, y=False)
        pi.vb.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(viridis_lut())
        pi.addItem(self.image)
        self.strip = pg.ImageItem(axisOrder="row-major")
        pi.addItem(self.strip)
        self.colorbar = pg.ColorBarItem(values=(-DECADES, 0), colorMap=pg.colormap.get("viridis"),
                                        interactive=False, width=18,
                                        colorMapMenu=False)
        self.colorbar.setImageItem(self.image, insert_in=pi)
        ax = self.colorbar.axis
        ax.setTickFont(style.font(0.9))
        ax.setTextPen(pg.mkPen(self.theme.FOREGROUND))
        ax.setPen(pg.mkPen(self.theme.FOREGROUND))
        self.colorbar.getAxis("left").setLabel(
            "log₁₀ discord", color=self.theme.FOREGROUND,
            **{"font-size": f"{style.base_pt() * 0.9:.0f}pt"})
        self.note = EmptyNote(self.plot, "Fills as the flow runs (Play or Step): one column "
                                         "per recorded step", theme=self.theme)
        self.expand_box = QtWidgets.QCheckBox("one row per neuron")
        self.expand_box.toggled.connect(self.expandToggled)
        self.example_box = QtWidgets.QComboBox()
        self.example_box.addItem("batch mean", -1)
        self.example_box.currentIndexChanged.connect(self._on_example)
        bar = QtWidgets.QHBoxLayout()
        bar.addWidget(title_label("Discord over time"))
        bar.addStretch(1)
        bar.addWidget(self.expand_box)
        bar.addWidget(self.example_box)
        self.readout = ReadOut("Hover a cell to read its discord.", theme=self.theme)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(bar)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.readout)
        hover_scene_pos(self.plot, self._on_hover)
        self.matrix: DiscordMatrix | None = None
        self._rows_key = None

    # -- inputs ------------------------------------------------------------------------------
    def set_examples(self, n: int) -> None:
        """Offer examples 0..n−1 besides the batch mean (n ≤ 1: only the mean)."""
        with QtCore.QSignalBlocker(self.example_box):
            current = self.example_box.currentData()
            self.example_box.clear()
            self.example_box.addItem("batch mean", -1)
            for i in range(n if n > 1 else 0):
                self.example_box.addItem(f"example {i}", i)
            k = self.example_box.findData(current)
            self.example_box.setCurrentIndex(max(k, 0))

    def set_expanded(self, on: bool) -> None:
        with QtCore.QSignalBlocker(self.expand_box):
            self.expand_box.setChecked(bool(on))

    def set_matrix(self, m: DiscordMatrix) -> None:
        """Draw a :class:`DiscordMatrix` (rows × recorded steps)."""
        self.matrix = m
        n_rows, n_cols = m.values.shape
        pi = self.plot.plotItem
        self.note.set_empty(n_cols == 0)
        if n_cols == 0:
            self.image.clear()
            return
        logv = np.log10(np.maximum(m.values, FLOOR))
        top = float(np.ceil(logv.max()))
        self.image.setImage(logv, autoLevels=False, levels=(top - DECADES, top))
        self.colorbar.setLevels((top - DECADES, top))
        self.image.setRect(QtCore.QRectF(0, 0, n_cols, n_rows))
        strip = max(STRIP_MIN, STRIP_FRACTION * n_cols)
        key = (tuple(m.rows.labels), strip)
        if key != self._rows_key:
            self._rows_key = key
            self._draw_rows(m, strip)
        ticks = self._step_ticks(m.steps)
        pi.getAxis("bottom").setTicks([ticks, []])
        pi.vb.setRange(xRange=(-1.3 * strip, n_cols), yRange=(0, n_rows), padding=0)

    def _draw_rows(self, m: DiscordMatrix, strip: float) -> None:
        rows = m.rows
        n_rows = len(rows)
        rgba = np.zeros((n_rows, 1, 4), dtype=np.uint8)
        for i, (t, layer) in enumerate(zip(rows.types, rows.layers)):
            c = pg.mkColor(self.theme.EDGE_COLORS[t])
            shade = 1.0 if layer % 2 else 0.65
            rgba[i, 0] = [int(c.red() * shade), int(c.green() * shade), int(c.blue() * shade), 255]
        self.strip.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.strip.setRect(QtCore.QRectF(-1.2 * strip, 0, strip, n_rows))
        # label every row when they fit, else one label per edge (its first row)
        every = n_rows <= 40
        ticks = [(i + 0.5, label) for i, label in enumerate(rows.labels)
                 if every or rows.coord[i] <= 0]
        ax = self.plot.plotItem.getAxis("left")
        ax.setTicks([ticks, []])
        ax.setTickFont(style.font(0.8 if n_rows > 12 else 0.9))

    @staticmethod
    def _step_ticks(steps: np.ndarray) -> list:
        n = steps.size
        if n == 0:
            return []
        k = max(1, int(np.ceil(n / 6)))
        return [(i + 0.5, str(int(steps[i]))) for i in range(0, n, k)]

    # -- read-out and intents ----------------------------------------------------------------
    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, column) of the cell under view point (x, y), or None outside the image."""
        m = self.matrix
        if m is None or m.values.size == 0:
            return None
        col, row = int(np.floor(x)), int(np.floor(y))
        if 0 <= row < m.values.shape[0] and 0 <= col < m.values.shape[1]:
            return row, col
        return None

    def describe(self, row: int, col: int) -> str:
        m = self.matrix
        what = "batch mean" if m.example is None else f"example {m.example}"
        kind = "d" if m.rows.coord[row] < 0 else "r²"
        return (f"{m.rows.labels[row]} · step {int(m.steps[col])} · {what}: "
                f"{kind} = {style.fmt(m.values[row, col], 4)}")

    def _on_hover(self, p) -> None:
        cell = None if p is None else self.cell_at(p.x(), p.y())
        if cell is None:
            return
        self.readout.setText(self.describe(*cell))

    def _on_example(self, _index: int) -> None:
        self.exampleChosen.emit(int(self.example_box.currentData()))
