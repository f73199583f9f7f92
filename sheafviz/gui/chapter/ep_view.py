"""The equilibrium-propagation view: a soft pin on ``y`` as its stiffness γ goes to 0.

A slider sets γ on a log scale from 1e-4 to 1e2, with a last position "hard". Per layer a
table shows the sheaf weight gradient at the nudged equilibrium divided by γ against the
backprop gradient (their norms over ``[W_l, b_l]``, cosine and relative gap), and a log–log
plot shows the total gap against γ with the current γ marked: it falls like γ. At "hard" the
table shows the hard-pin sheaf gradient itself and says that the ratio is not defined.

Inputs: :meth:`EPView.set_comparison` (an :class:`~sheafviz.core.diagnostics.EPComparison`
or None), :meth:`EPView.set_gap_curve` (the arrays of ``ep_gap_curve``),
:meth:`EPView.set_stiffness`. Intent: ``stiffnessChanged(float)`` (``inf`` for hard).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from sheafviz.gui.chapter import look
from sheafviz.gui.chapter.fitted_text import FittedText

if TYPE_CHECKING:  # the data class only; its module is imported where it is computed
    from sheafviz.core.diagnostics import EPComparison

#: The slider's soft range, log10 γ, and its resolution.
LOG_MIN, LOG_MAX, STEPS_PER_DECADE = -4, 2, 10
#: The slider position of the hard pin (one past the largest soft stiffness).
HARD_POSITION = (LOG_MAX - LOG_MIN) * STEPS_PER_DECADE + 1

EMPTY_TEXT = ("Pin x to an example's input and y softly to its target (one example, not "
              "the whole batch) to compare the sheaf gradient with backprop.")
SOFT_NOTE = ("Per layer, the norm of the sheaf gradient at the nudged equilibrium ÷ γ and "
             "of the backprop gradient: the gap between them falls like γ.")
HARD_NOTE = ("Hard pin: the sheaf gradient is shown as it is. Dividing it by γ = ∞ is not "
             "defined, so there is no ratio and no gap here.")
COLUMNS = ("layer", "sheaf ÷ γ", "backprop", "cosine", "gap")
HARD_COLUMNS = ("layer", "sheaf (hard)", "backprop", "cosine", "gap")
COLUMN_TIPS = ("Layer l: the weights W_l and biases b_l taken together",
               "Norm of the sheaf weight gradient ρ_l a_{l−1}ᵀ (and ρ_l) at the nudged "
               "equilibrium, divided by the stiffness γ",
               "Norm of the backprop gradient of ½‖f(x) − t‖² for W_l and b_l",
               "Cosine of the angle between the two gradients (1 = same direction)",
               "‖sheaf ÷ γ − backprop‖ / ‖backprop‖: falls like γ as γ → 0")
#: The gap plot's least height, in lines of the current text: its tick labels, its axis
#: title and a few lines of curve (it is never squeezed under the table).
PLOT_MIN_LINES = 5


def gamma_for_position(position: int) -> float:
    """The stiffness at a slider position (``inf`` at :data:`HARD_POSITION`)."""
    position = int(position)
    if position >= HARD_POSITION:
        return math.inf
    return 10.0 ** (LOG_MIN + position / STEPS_PER_DECADE)


def position_for_gamma(gamma: float) -> int:
    """The nearest slider position of a stiffness (γ = ∞ → :data:`HARD_POSITION`)."""
    gamma = float(gamma)
    if math.isinf(gamma):
        return HARD_POSITION
    if not gamma > 0:
        raise ValueError(f"stiffness must be positive or inf, got {gamma}")
    pos = round((math.log10(gamma) - LOG_MIN) * STEPS_PER_DECADE)
    return int(min(max(pos, 0), HARD_POSITION - 1))


def gamma_text(gamma: float) -> str:
    return "hard" if math.isinf(gamma) else f"γ = {gamma:.3g}"


def number_text(value: float) -> str:
    """Three significant digits (a gap of 0.00458 must not read 0.005)."""
    return f"{value:.3g}" if math.isfinite(value) else "—"


def cosine_text(cosine: float) -> str:
    """Five decimals: a cosine of 0.99998 is not 1, and that difference is the point."""
    return f"{cosine:.5f}"


def layer_rows(comparison: EPComparison) -> list[tuple[str, str, str, str, str]]:
    """The table's text, one row per layer and a last row for all layers together."""
    rows = []
    stacked_s, stacked_b = [], []
    for l, (sw, sb, bw, bb) in enumerate(zip(comparison.sheaf_w, comparison.sheaf_b,
                                             comparison.backprop_w, comparison.backprop_b)):
        gs, gb = np.concatenate([sw.ravel(), sb]), np.concatenate([bw.ravel(), bb])
        stacked_s.append(gs)
        stacked_b.append(gb)
        cos = cosine_text(comparison.cosine[l]) if comparison.cosine_defined[l] else "—"
        gap = (number_text(comparison.relative_gap[l]) if comparison.gap_defined[l]
               else "not defined" if comparison.hard else "—")
        rows.append((f"{l + 1}", number_text(np.linalg.norm(gs)),
                     number_text(np.linalg.norm(gb)),
                     cos, gap))
    gs, gb = np.concatenate(stacked_s), np.concatenate(stacked_b)
    total = "not defined" if comparison.hard else (
        number_text(comparison.total_gap) if np.linalg.norm(gb) > 0 else "—")
    ns, nb = np.linalg.norm(gs), np.linalg.norm(gb)
    cos = cosine_text(float(gs @ gb / (ns * nb))) if ns > 0 and nb > 0 else "—"
    rows.append(("all", number_text(ns), number_text(nb), cos, total))
    return rows


class EPView(QtWidgets.QWidget):
    """Signals: ``stiffnessChanged(float)`` — the user moved the slider (``inf`` = hard)."""

    stiffnessChanged = QtCore.Signal(float)

    def __init__(self, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self._scale = 1.0
        self._palette = look.Palette.from_theme(theme)
        self.comparison: EPComparison | None = None
        self.title = FittedText("Equilibrium propagation: a soft pin on y", min_lines=0)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setRange(0, HARD_POSITION)
        self.slider.setPageStep(STEPS_PER_DECADE)
        self.slider.setToolTip("Stiffness γ of the soft pin on y, log scale from 1e-4 to "
                               "1e2; the right end pins y hard")
        self.slider.valueChanged.connect(self._on_slider)
        self.value_label = QtWidgets.QLabel()
        self.value_label.setMinimumWidth(90)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setToolTip("Per layer: the scaled sheaf gradient against backprop")
        self.table.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # the explanation takes the lines left over; the table and the plot keep theirs
        self.note = FittedText(EMPTY_TEXT)
        self.plot = look.make_plot(left="total gap", bottom="stiffness γ", log=True)
        self.plot.setToolTip("Total relative gap against γ (log–log); the dot is the "
                             "current γ. A slope of 1 means the gap falls like γ.")
        self.curve = pg.PlotDataItem()
        self.marker = pg.PlotDataItem(pen=None, symbol="o")
        self.plot.plotItem.addItem(self.curve)
        self.plot.plotItem.addItem(self.marker)
        # the slider's whole range, always: the marker moves, the axis does not
        self.plot.plotItem.setXRange(LOG_MIN, LOG_MAX, padding=0.06)
        self._layout_widgets()
        self.set_stiffness(1e-2)
        self.set_comparison(None)
        self.set_scale(1.0)

    def _layout_widgets(self) -> None:
        row = QtWidgets.QHBoxLayout()
        self.slider_caption = QtWidgets.QLabel("stiffness")
        row.addWidget(self.slider_caption)
        row.addWidget(self.slider, 1)
        row.addWidget(self.value_label)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addLayout(row)
        lay.addWidget(self.note)
        lay.addWidget(self.table, 2)
        lay.addWidget(self.plot, 3)
        lay.addStretch(0)

    # -- inputs ------------------------------------------------------------------------
    def set_stiffness(self, gamma: float) -> None:
        """Move the slider to γ (``inf`` = hard) without emitting ``stiffnessChanged``."""
        self.slider.blockSignals(True)
        self.slider.setValue(position_for_gamma(gamma))
        self.slider.blockSignals(False)
        self.value_label.setText(gamma_text(gamma_for_position(self.slider.value())))

    def stiffness(self) -> float:
        return gamma_for_position(self.slider.value())

    def set_comparison(self, comparison: EPComparison | None, *, reason: str = "") -> None:
        """The EP comparison at the current γ; None shows what to do instead (``reason``:
        what is missing, said first)."""
        self.comparison = comparison
        if comparison is None:
            self.table.setRowCount(0)
            self.table.setVisible(False)
            self.note.setText(f"{reason} {EMPTY_TEXT}".strip())
            self.marker.setData([], [])
            self._show_plot()
            return
        self.table.setVisible(True)
        self.note.setText(HARD_NOTE if comparison.hard else SOFT_NOTE)
        self.table.setHorizontalHeaderLabels(HARD_COLUMNS if comparison.hard else COLUMNS)
        for j, tip in enumerate(COLUMN_TIPS):
            self.table.horizontalHeaderItem(j).setToolTip(tip)
        rows = layer_rows(comparison)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row):
                item = QtWidgets.QTableWidgetItem(text)
                align = QtCore.Qt.AlignmentFlag.AlignRight if j else \
                    QtCore.Qt.AlignmentFlag.AlignCenter
                item.setTextAlignment(align | QtCore.Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(COLUMN_TIPS[j])
                self.table.setItem(i, j, item)
        self._fit_table()
        if comparison.hard or not comparison.total_gap > 0:
            self.marker.setData([], [])
        else:
            self.marker.setData([comparison.gamma], [comparison.total_gap])
        self._show_plot()

    def set_gap_curve(self, gammas, gaps) -> None:
        """The total gap at each finite γ (``ep_gap_curve``); zeros are left out (log axes)."""
        gammas, gaps = np.asarray(gammas, float), np.asarray(gaps, float)
        keep = (gammas > 0) & (gaps > 0) & np.isfinite(gammas) & np.isfinite(gaps)
        self.curve.setData(gammas[keep], gaps[keep])
        self._show_plot()

    def set_scale(self, factor: float) -> None:
        """Text, rows and marker at ``factor`` × their normal size (presentation mode)."""
        self._scale = float(factor)
        for label in (self.slider_caption, self.value_label, self.note):
            label.setFont(look.font(self._scale))
        self.title.setFont(look.font(self._scale, bold=True))
        line = QtGui.QFontMetrics(look.font(self._scale)).lineSpacing()
        self.plot.setMinimumHeight(PLOT_MIN_LINES * line)
        self.table.setFont(look.font(self._scale))
        self.table.horizontalHeader().setFont(look.font(0.9 * self._scale, bold=True))
        self._apply_look()
        self._fit_table()

    def set_theme(self, theme) -> None:
        """Redraw in a theme's colours (call on the theme's change event)."""
        self._palette = look.Palette.from_theme(theme)
        self._apply_look()

    def _apply_look(self) -> None:
        s, p = self._scale, self._palette
        self.marker.setSymbolSize(12 * s)
        self.marker.setSymbolBrush(pg.mkBrush(p.marker))
        self.marker.setSymbolPen(look.pen(p.outline, 1.5 * s))
        self.curve.setPen(look.pen(p.curve, 2.5 * s))
        look.style_axes(self.plot, p, s)

    # -- internals ---------------------------------------------------------------------
    def _fit_table(self) -> None:
        self.table.resizeRowsToContents()
        height = self.table.horizontalHeader().sizeHint().height() + 4
        height += sum(self.table.rowHeight(i) for i in range(self.table.rowCount()))
        self.table.setMinimumHeight(height)
        self.table.setMaximumHeight(height)
        # every column whole: the view is never narrower than the columns' contents
        header = self.table.horizontalHeader()
        width = sum(max(header.sectionSizeHint(j), self.table.sizeHintForColumn(j))
                    for j in range(header.count()))
        self.table.setMinimumWidth(width + 2 * self.table.frameWidth() + 2)

    def _show_plot(self) -> None:
        """The gap plot only when it has a curve (an empty log–log frame says nothing)."""
        has_curve = self.curve.xData is not None and len(self.curve.xData) > 0
        self.plot.setVisible(has_curve and self.comparison is not None)

    def _on_slider(self, position: int) -> None:
        gamma = gamma_for_position(position)
        self.value_label.setText(gamma_text(gamma))
        self.stiffnessChanged.emit(gamma)
