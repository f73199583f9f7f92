"""ReLU switching timeline: one row per hidden neuron, a bar where it is active, a marker at
every switch (▲ on, ▼ off, ◆ a run of chatter), and a scrubber. Moving the scrubber (drag it,
or click anywhere in the plot) emits ``timeChanged(t)`` so the main window can show the
drape at that time.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from sheafviz.core.diagnostics import SwitchTimeline
from .. import style
from ..theme import or_light
from ..widgets import EmptyNote, ReadOut, make_plot, title_label

ACTIVE = "#009E73"
ON, OFF, CHATTER = "#0072B2", "#D55E00", "#CC79A7"


class _ClickBox(pg.ViewBox):
    """A fixed ViewBox that reports left clicks (in view coordinates) to ``on_click``."""

    def __init__(self) -> None:
        super().__init__(enableMenu=False)
        self.setMouseEnabled(x=False, y=False)
        self.on_click = None

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        if ev.button() == QtCore.Qt.MouseButton.LeftButton and self.on_click is not None:
            ev.accept()
            self.on_click(self.mapSceneToView(ev.scenePos()))
        else:
            ev.ignore()


class SwitchTimelinePanel(QtWidgets.QWidget):
    """Signals: ``timeChanged(float)`` — the scrubber moved to flow time t."""

    timeChanged = QtCore.Signal(float)

    def __init__(self, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)
        self.vb = _ClickBox()
        self.vb.on_click = self._clicked
        self.plot = make_plot(theme=self.theme, bottom="flow time t", view_box=self.vb)
        pi = self.plot.plotItem
        pi.showGrid(x=True, y=False, alpha=0.12)
        self.vb.invertY(True)
        self.bars = pi.plot(pen=pg.mkPen(ACTIVE, width=9), connect="pairs")
        # a chatter run (Euler flipping a neuron on a sliding surface): σ is undecided there
        self.chatter = pi.plot(pen=pg.mkPen(CHATTER, width=5, style=QtCore.Qt.PenStyle.DotLine),
                               connect="pairs")
        self.markers = pg.ScatterPlotItem(size=15, pen=pg.mkPen("#111111", width=1))
        # markers must not swallow the click that moves the scrubber
        self.markers.setAcceptedMouseButtons(QtCore.Qt.MouseButton.NoButton)
        pi.addItem(self.markers)
        self.scrubber = pg.InfiniteLine(pos=0.0, angle=90, movable=True,
                                        pen=pg.mkPen(self.theme.SELECT_COLOR, width=4),
                                        hoverPen=pg.mkPen("#b08000", width=6))
        self.scrubber.setZValue(20)
        self.scrubber.sigPositionChanged.connect(self._moved)
        pi.addItem(self.scrubber)
        self.note = EmptyNote(self.plot, "Fills when the heat flow runs (Relax mode, then Play)",
                              theme=self.theme)
        self.readout = ReadOut("Drag the yellow line (or click) to pick a time.", theme=self.theme)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        head = QtWidgets.QHBoxLayout()
        head.addWidget(title_label("ReLU switching"))
        legend = QtWidgets.QLabel(
            f"<span style='color:{ACTIVE}'>━</span> active &nbsp;"
            f"<span style='color:{ON}'>▲</span> on &nbsp;<span style='color:{OFF}'>▼</span> off"
            f" &nbsp;<span style='color:{CHATTER}'>◆┅</span> chatter")
        legend.setFont(style.font(0.9))
        head.addStretch(1)
        head.addWidget(legend)
        lay.addLayout(head)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.readout)
        self.timeline: SwitchTimeline | None = None

    # -- inputs ------------------------------------------------------------------------------
    def set_timeline(self, tl: SwitchTimeline | None) -> None:
        self.timeline = tl
        pi = self.plot.plotItem
        if tl is None or not tl.neurons:
            self.bars.setData([], [])
            self.chatter.setData([], [])
            self.markers.setData([], [])
            pi.getAxis("left").setTicks([[], []])
            why = ("No relaxation to show: the timeline follows the heat flow "
                   "(Relax mode, then Play)." if tl is None else
                   "This network has no hidden ReLU neurons.")
            self.readout.setText(why)
            self.note.set_text(why)
            self.note.set_empty(True)
            self.scrubber.setVisible(False)
            return
        self.note.set_empty(False)
        self.scrubber.setVisible(True)
        xs, ys = self._active_segments(tl)
        self.bars.setData(xs, ys)
        runs = np.flatnonzero(tl.count > 1)
        self.chatter.setData(np.column_stack([tl.time[runs], tl.t_last[runs]]).ravel(),
                             np.repeat(tl.row[runs], 2).astype(float))
        spots = []
        for k in range(tl.time.size):
            chatter = tl.count[k] > 1
            symbol = "d" if chatter else ("t1" if tl.direction[k] > 0 else "t")
            color = CHATTER if chatter else (ON if tl.direction[k] > 0 else OFF)
            spots.append({"pos": (tl.time[k], tl.row[k]), "symbol": symbol,
                          "brush": pg.mkBrush(color), "data": k})
        self.markers.setData(spots)
        n = len(tl.neurons)
        every = max(1, int(np.ceil(n / 30)))
        pi.getAxis("left").setTicks([[(i, name) for i, name in enumerate(tl.neurons)
                                      if i % every == 0], []])
        span = max(tl.t_end - tl.t_start, 1e-9)
        pi.vb.setRange(xRange=(tl.t_start, tl.t_start + span), yRange=(-0.7, n - 0.3),
                       padding=0.01)
        self.scrubber.setBounds((tl.t_start, tl.t_start + span))
        self._describe(self.time)

    @staticmethod
    def _active_segments(tl: SwitchTimeline) -> tuple[np.ndarray, np.ndarray]:
        """Pairs (t0, t1) per active interval of each row, for ``connect="pairs"``."""
        xs, ys = [], []
        for row in range(len(tl.neurons)):
            k = np.flatnonzero(tl.row == row)
            k = k[np.argsort(tl.time[k], kind="stable")]
            t, active = tl.t_start, bool(tl.initial_active[row])
            for e in k:
                if active:
                    xs += [t, tl.time[e]]
                    ys += [row, row]
                t, active = tl.t_last[e], tl.final[e] > 0
            if active:
                xs += [t, tl.t_end]
                ys += [row, row]
        return np.asarray(xs, float), np.asarray(ys, float)

    def set_time(self, t: float) -> None:
        """Move the scrubber without emitting ``timeChanged``."""
        with QtCore.QSignalBlocker(self.scrubber):
            self.scrubber.setValue(float(t))
        self._describe(float(t))

    @property
    def time(self) -> float:
        return float(self.scrubber.value())

    # -- intents -----------------------------------------------------------------------------
    def _clicked(self, p) -> None:
        self.scrubber.setValue(p.x())  # emits through _moved (bounded to the run)

    def _moved(self) -> None:
        t = self.time
        self._describe(t)
        self.timeChanged.emit(t)

    def _describe(self, t: float) -> None:
        tl = self.timeline
        if tl is None or not tl.neurons:
            return
        active = tl.active_at(t)
        switched = int(np.sum(tl.time <= t))
        # the scrubber's smallest span is 1e-9: a time that close to the start is the start
        shown = tl.t_start if abs(t - tl.t_start) <= 1e-6 * max(abs(tl.t_end), 1.0) else t
        self.readout.setText(f"t = {style.fmt(shown, 4)}: {int(active.sum())} of {active.size} "
                             f"neurons active; {switched} switch event(s) so far")
