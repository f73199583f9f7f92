"""The phase plane: the heat flow's field in a 2-D slice of the state, and the live path.

Two combo boxes pick the free state coordinates u and v. The plot shows the field of
:func:`~sheafviz.core.diagnostics.phase_field` as arrows on its grid (length proportional
to the speed, scaled so the longest spans most of a grid cell), the switching lines
(dashed), the lines where a downstream prediction changes sign (dotted), the current state
and the trajectory so far. The field is that of the slice through the current state; the
trajectory moves in every coordinate, so it can cross the arrows — the caption says so.

Inputs: :meth:`PhaseView.set_coordinates`, :meth:`PhaseView.set_field`,
:meth:`PhaseView.append_trajectory` / :meth:`PhaseView.clear_trajectory`.
Intents: ``coordinatesChanged(str, str)``, ``perturbRequested(float)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from sheafviz.gui.chapter import look
from sheafviz.gui.chapter.fitted_text import FittedText

if TYPE_CHECKING:  # the data class only; its module is imported where it is computed
    from sheafviz.core.diagnostics import PhaseField

#: The longest arrow spans this share of a grid cell.
ARROW_FILL = 0.85
#: Arrow heads: barbs of this share of the arrow's length, at ±25°.
HEAD_SHARE, HEAD_ANGLE = 0.32, np.deg2rad(25.0)
#: Trajectory points kept (the oldest are dropped).
MAX_TRAJECTORY = 4000
#: The plot's least height, in lines of the current text (ticks, axis title, the field).
PLOT_MIN_LINES = 6
EMPTY_TEXT = ("Pick two free state coordinates (u and v) above to see the heat flow's "
              "field in their plane through the current state.")


def arrow_segments(field: PhaseField) -> tuple[np.ndarray, np.ndarray, float]:
    """Tails (n, 2), arrow vectors (n, 2) and the scale k (arrow = k · (u̇, v̇)).

    k makes the longest arrow ``ARROW_FILL`` of a grid cell, measured in cells on each axis
    (so arrows look right whatever the two axes' units); a zero field gives k = 0.
    """
    uu, vv = np.meshgrid(field.u, field.v)
    tails = np.column_stack([uu.ravel(), vv.ravel()])
    vec = np.column_stack([field.du.ravel(), field.dv.ravel()])
    # a diverged state can give inf / nan: draw no arrow there rather than a wild one
    vec = np.where(np.all(np.isfinite(vec), axis=1, keepdims=True), vec, 0.0)
    cell = np.array([field.u[1] - field.u[0], field.v[1] - field.v[0]])
    longest = float(np.max(np.hypot(*(vec / cell).T), initial=0.0))
    k = ARROW_FILL / longest if longest > 0 and np.isfinite(longest) else 0.0
    return tails, k * vec, k


def arrow_path(tails: np.ndarray, vectors: np.ndarray, cell: np.ndarray) -> np.ndarray:
    """Points (6n, 2) for a ``connect="pairs"`` curve: shaft and two head barbs per arrow
    (the barbs are turned in cell units, so they look alike on both axes)."""
    tips = tails + vectors
    in_cells = vectors / cell
    out = [tails, tips]
    for sign in (1.0, -1.0):
        c, s = np.cos(sign * HEAD_ANGLE), np.sin(sign * HEAD_ANGLE)
        back = -HEAD_SHARE * in_cells
        turned = np.column_stack([c * back[:, 0] - s * back[:, 1],
                                  s * back[:, 0] + c * back[:, 1]]) * cell
        out += [tips, tips + turned]
    shaft, tip, b1, e1, b2, e2 = out
    return np.stack([shaft, tip, b1, e1, b2, e2], axis=1).reshape(-1, 2)


def line_path(lines) -> np.ndarray:
    """Points (2n, 2) of a list of PhaseLine segments, for ``connect="pairs"``."""
    if not lines:
        return np.zeros((0, 2))
    return np.concatenate([line.segment for line in lines])


class PhaseView(QtWidgets.QWidget):
    """Signals: ``coordinatesChanged(str, str)`` — the user picked u and v;
    ``pickInGraphToggled(bool)`` — "pick u and v by clicking neurons in the path graph" on
    or off (the host routes the next two clicks here and calls :meth:`set_picking`);
    ``perturbRequested(float)`` — nudge the state (and θ in joint mode) by this size."""

    coordinatesChanged = QtCore.Signal(str, str)
    perturbRequested = QtCore.Signal(float)
    pickInGraphToggled = QtCore.Signal(bool)

    def __init__(self, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self._scale = 1.0
        self._palette = look.Palette.from_theme(theme)
        self.field: PhaseField | None = None
        self.arrow_tails = np.zeros((0, 2))
        self.arrow_vectors = np.zeros((0, 2))
        self._trajectory = np.zeros((0, 2))
        self._line_labels: list = []
        self._build_controls()
        self.plot = look.make_plot(left="v", bottom="u")
        self.plot.setToolTip("The heat flow's field in the plane of u and v through the "
                             "current state; the red path is the state's own trajectory")
        self._build_items()
        # the explanation takes the lines left over (a short dock elides it); the legend
        # of the lines' styles stays whole
        self.caption = FittedText()
        self.legend = QtWidgets.QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.note = FittedText(EMPTY_TEXT)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        for row in self.controls:
            lay.addLayout(row)
        lay.addWidget(self.note)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.caption)
        lay.addWidget(self.legend)
        lay.addStretch(0)  # takes the room only while the plot is hidden (empty state)
        self.set_field(None)
        self.set_scale(1.0)

    def _build_controls(self) -> None:
        self.title = FittedText("Phase plane of the heat flow", min_lines=0)
        self.combo_u, self.combo_v = QtWidgets.QComboBox(), QtWidgets.QComboBox()
        self.combo_u.setToolTip("The free state coordinate on the horizontal axis")
        self.combo_v.setToolTip("The free state coordinate on the vertical axis")
        for combo in (self.combo_u, self.combo_v):
            combo.activated.connect(self._on_pick)
        self.size_box = QtWidgets.QDoubleSpinBox()
        self.size_box.setRange(0.001, 100.0)
        self.size_box.setDecimals(3)
        self.size_box.setValue(0.5)
        self.size_box.setSingleStep(0.1)
        self.size_box.setToolTip("Size of the nudge: the norm of the state's change (and of "
                                 "θ's, in joint mode)")
        self.perturb_button = QtWidgets.QPushButton("Perturb")
        self.perturb_button.setToolTip("Nudge the state (and θ in joint mode) in a random "
                                       "direction by the size beside, then watch it return")
        self.perturb_button.clicked.connect(
            lambda: self.perturbRequested.emit(float(self.size_box.value())))
        self.labels = [QtWidgets.QLabel("u"), QtWidgets.QLabel("v"), QtWidgets.QLabel("size")]
        self.pick_button = QtWidgets.QPushButton("Pick in graph")
        self.pick_button.setCheckable(True)
        self.pick_button.setToolTip("Click two free neurons in the path graph: the first "
                                    "becomes u, the second v (the clicks pin nothing)")
        self.pick_button.toggled.connect(self.pickInGraphToggled.emit)
        # two rows: in one, large text made the dock wider than a third of 1920 px
        self.controls = (QtWidgets.QHBoxLayout(), QtWidgets.QHBoxLayout())
        for widget in (self.labels[0], self.combo_u, self.labels[1], self.combo_v):
            self.controls[0].addWidget(widget)
        self.controls[0].addStretch(1)
        for widget in (self.pick_button, self.perturb_button, self.labels[2], self.size_box):
            self.controls[1].addWidget(widget)
        self.controls[1].addStretch(1)

    def _build_items(self) -> None:
        pi = self.plot.plotItem
        self.arrows = pg.PlotDataItem(connect="pairs")
        self.switching = pg.PlotDataItem(connect="pairs")
        self.predictions = pg.PlotDataItem(connect="pairs")
        self.trajectory = pg.PlotDataItem()
        self.current = pg.ScatterPlotItem(symbol="o")
        for item in (self.predictions, self.switching, self.arrows, self.trajectory,
                     self.current):
            pi.addItem(item)

    # -- inputs ------------------------------------------------------------------------
    def set_coordinates(self, names, u: str | None = None, v: str | None = None) -> None:
        """The free coordinates to offer (e.g. ["z1[0]", "a1[0]", …]) and the chosen pair;
        emits nothing."""
        names = list(names)
        for combo, pick in ((self.combo_u, u), (self.combo_v, v)):
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(names)
            if pick is not None:
                if pick not in names:
                    raise ValueError(f"{pick!r} is not among the free coordinates")
                combo.setCurrentIndex(names.index(pick))
            combo.blockSignals(False)

    def set_picking(self, on: bool, prompt: str = "") -> None:
        """Show whether graph clicks pick u and v now (without emitting), and what to click."""
        self.pick_button.blockSignals(True)
        self.pick_button.setChecked(bool(on))
        self.pick_button.blockSignals(False)
        self.pick_button.setText(prompt if on and prompt else "Pick in graph")

    def set_field(self, field: PhaseField | None) -> None:
        """The field through the current state (None: the empty note)."""
        new_axes = field is not None and (self.field is None or field.coords != self.field.coords)
        if field is None or new_axes:
            self.clear_trajectory()
        self.field = field
        empty = field is None
        self.plot.setVisible(not empty)
        self.caption.setVisible(not empty)
        self.legend.setVisible(not empty)
        self.note.setVisible(empty)
        if empty:
            return
        cell = np.array([field.u[1] - field.u[0], field.v[1] - field.v[0]])
        self.arrow_tails, self.arrow_vectors, _ = arrow_segments(field)
        path = arrow_path(self.arrow_tails, self.arrow_vectors, cell)
        self.arrows.setData(path[:, 0], path[:, 1])
        for item, lines in ((self.switching, field.switching_lines),
                            (self.predictions, field.prediction_lines)):
            pts = line_path(lines)
            item.setData(pts[:, 0], pts[:, 1])
        self.current.setData([{"pos": tuple(field.center), "data": "current state"}])
        pi = self.plot.plotItem
        if new_axes:  # labels and caption only when the pair changes (this runs per frame)
            pi.setLabel("bottom", field.coords[0])
            pi.setLabel("left", field.coords[1])
            look.style_axes(self.plot, self._palette, self._scale)
            self._caption(field)
        # room for the arrows of the outer grid points (up to ARROW_FILL of a cell out)
        pi.setRange(xRange=(field.u[0] - cell[0], field.u[-1] + cell[0]),
                    yRange=(field.v[0] - cell[1], field.v[-1] + cell[1]), padding=0.0)
        self._label_lines(field.switching_lines + field.prediction_lines)

    def append_trajectory(self, u: float, v: float) -> None:
        """One more point of the state's path (call once per frame)."""
        point = np.array([[float(u), float(v)]])
        if not np.all(np.isfinite(point)):
            return  # a diverged step: the path keeps its last finite point
        self._trajectory = np.vstack([self._trajectory, point])[-MAX_TRAJECTORY:]
        self.trajectory.setData(self._trajectory[:, 0], self._trajectory[:, 1])

    def clear_trajectory(self) -> None:
        self._trajectory = np.zeros((0, 2))
        self.trajectory.setData([], [])

    def set_scale(self, factor: float) -> None:
        """Text, pens and the state's dot at ``factor`` × normal (presentation mode)."""
        self._scale = s = float(factor)
        for widget in [self.note, self.caption, self.legend, self.combo_u, self.combo_v,
                       self.size_box, self.perturb_button, self.pick_button] + self.labels:
            widget.setFont(look.font(s))
        self.title.setFont(look.font(s, bold=True))
        line = QtGui.QFontMetrics(look.font(s)).lineSpacing()
        self.plot.setMinimumHeight(PLOT_MIN_LINES * line)
        self._apply_look()

    def set_theme(self, theme) -> None:
        """Redraw in a theme's colours (call on the theme's change event)."""
        self._palette = look.Palette.from_theme(theme)
        self._apply_look()

    def _apply_look(self) -> None:
        s, p = self._scale, self._palette
        self.arrows.setPen(look.pen(p.arrow, 1.5 * s))
        self.switching.setPen(look.pen(p.switching, 2.5 * s, dash=True))
        self.predictions.setPen(look.pen(p.prediction, 2.0 * s, dot=True))
        self.trajectory.setPen(look.pen(p.trajectory, 2.5 * s))
        self.current.setSize(13 * s)
        self.current.setPen(look.pen(p.outline, 1.5 * s))
        self.current.setBrush(pg.mkBrush(p.trajectory))
        look.style_axes(self.plot, p, s)
        if self.field is not None:
            self._caption(self.field)
            self._label_lines(self.field.switching_lines + self.field.prediction_lines)

    # -- internals ---------------------------------------------------------------------
    def _caption(self, field: PhaseField) -> None:
        u, v = field.coords
        p = self._palette
        swatch = "<span style='color:{c}; white-space:nowrap'><b>{t}</b></span>"
        self.caption.setText(
            f"Arrows: heat-flow field in the ({u}, {v}) slice through the current state "
            f"(every other coordinate held). The path moves in every coordinate, so it can "
            f"cross them.")
        self.legend.setText(
            swatch.format(c=p.switching, t="– – switching line z&nbsp;=&nbsp;0") + " &nbsp; "
            + swatch.format(c=p.prediction, t="··· a&nbsp;prediction changes&nbsp;sign") + " &nbsp; "
            + swatch.format(c=p.trajectory, t="—&nbsp;trajectory"))

    def _label_lines(self, lines) -> None:
        """Name each line's neuron at its far end (text items reused frame to frame)."""
        while len(self._line_labels) < len(lines):
            label = pg.TextItem(anchor=(1, 1))
            self.plot.plotItem.addItem(label)
            self._line_labels.append(label)
        p = self._palette
        for label, line in zip(self._line_labels, lines):
            look_key = (line.neuron, line.kind, self._scale, look.base_pt(), p)
            if getattr(label, "look_key", None) != look_key:  # text layout is the slow part
                label.look_key = look_key
                label.setColor(p.switching if line.kind == "switching" else p.prediction)
                label.fill = pg.mkBrush(p.background)
                label.setFont(look.font(0.85 * self._scale))
                label.setText(f"{line.neuron} = 0" if line.kind == "switching" else
                              f"{line.neuron} prediction = 0")
            end = line.segment[np.argmax(line.segment[:, 0] + line.segment[:, 1])]
            # text towards the middle: a label at the left or top edge must not be cut off
            mid_u = 0.5 * (self.field.u[0] + self.field.u[-1])
            mid_v = 0.5 * (self.field.v[0] + self.field.v[-1])
            label.setAnchor((1 if end[0] > mid_u else 0, 0 if end[1] > mid_v else 1))
            label.setPos(float(end[0]), float(end[1]))
            label.setVisible(True)
        for label in self._line_labels[len(lines):]:
            label.setVisible(False)

    def _on_pick(self, _index: int) -> None:
        u, v = self.combo_u.currentText(), self.combo_v.currentText()
        if u and v:
            self.coordinatesChanged.emit(u, v)
