"""Diagnostic plots: residual energy (log) with envelope and switch ticks, per-edge discord
bars (grouped by layer, coloured by type, with per-type totals), discord over time."""

from __future__ import annotations

import re

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from . import style
from .lines import BarSet
from .theme import Theme
from .widgets import EmptyNote, ShrinkLater

#: Energies are clamped to this floor before the log axis (E = 0 exactly is common).
FLOOR = 1e-16
#: Shortest time axis shown (before the flow has run, the axis would read "1e-09").
MIN_T = 1.0
#: A value below this fraction of its scale is round-off: it reads as 0 and the plot
#: marks "at equilibrium" (an axis never zooms into noise).
ZERO_RTOL = 1e-12
#: What the time plots say while no flow has run (a pin or a drag jumps straight to the
#: new equilibrium without a flow, so it adds no point in time).
ENERGY_HINT = ("Press Space to relax (S: one step): E is drawn over time while a flow runs. "
               "Pins and drags jump straight to the new equilibrium at the same time t, so "
               "on their own they draw no curve; R in the status line is that energy.")
DISCORD_HINT = ("Press Space to run the flow (S: one step): the discord of each edge type "
                "is drawn over time. Pins and drags jump straight to the new equilibrium at "
                "the same time t: see Discord now.")


def no_time_passed(history) -> bool:
    """True while the history spans no time: nothing has run (a pin or a drag adds a
    state at the same t), so a time plot has nothing to draw."""
    n = history.n
    return n < 2 or not history.t[n - 1] > history.t[0]


def _plot_widget(*, left: str, bottom: str | None = None, title: str | None = None,
                 log_y: bool = False, theme: Theme) -> pg.PlotWidget:
    # no menus (built at once and dropped cost ~2 ms a plot of the start-up)
    w = pg.PlotWidget(background=theme.BACKGROUND, enableMenu=False)
    w.plotItem.hideButtons()
    w.plotItem.vb.setMouseEnabled(x=False, y=False)
    style.style_plot(w.plotItem, theme=theme, left=left, bottom=bottom, title=title,
                     fixed_axes=True)
    # tick labels thinned to the plot's height (they overlapped on short plots)
    style.use_log_axis(w.plotItem, log=log_y)
    style.label_headroom(w.plotItem)
    # low enough that the drape keeps some height when a debug dock opens at 1280×720; the
    # log axes thin their labels to whatever height they get (style.LogAxis)
    w.setMinimumHeight(90)
    return w


def nice_ceiling(v: float) -> float:
    """Smallest of 1, 2, 5 × 10^k that is ≥ v (v > 0)."""
    k = np.floor(np.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10 ** k >= v:
            return float(m * 10 ** k)
    return float(10 ** (k + 1))


def equilibrium_mark(widget: pg.PlotWidget, text: str, *, color: str) -> pg.TextItem:
    """A small hidden note at the top of ``widget``'s view box ("at equilibrium ...")."""
    vb = widget.plotItem.vb
    item = pg.TextItem(text, anchor=(0.5, 0.0), color=color)
    item.setParentItem(vb)
    item.setFont(style.font(0.9))
    item.setZValue(1000)
    item.setVisible(False)

    def place(*_) -> None:
        r = vb.rect()
        item.setPos(r.center().x(), r.top() + 2)

    vb.sigResized.connect(place)
    place()
    return item


class StableRange:
    """Axis ranges that change rarely: time grows in 1.5× jumps, log y in whole decades.

    Re-laying out an axis costs more than drawing the curves, so a range that moved every
    frame would dominate the frame time.
    """

    def __init__(self, vb) -> None:
        self.vb = vb
        vb.disableAutoRange()
        self.x = None
        self.y = None

    def update(self, t_max: float, y_lo: float, y_hi: float) -> None:
        t_max = max(float(t_max), MIN_T)
        if self.x is None or t_max > self.x or t_max < 0.3 * self.x:
            self.x = t_max * 1.5
            self.vb.setXRange(0.0, self.x, padding=0.02)
        lo = np.floor(np.log10(max(y_lo, FLOOR)))
        hi = np.ceil(np.log10(max(y_hi, FLOOR)))
        hi = max(hi, lo + 1)
        if self.y != (lo, hi):
            self.y = (lo, hi)
            self.vb.setYRange(lo, hi, padding=0.02)


class EnergyPlot:
    """E(t) on a log axis, the predicted envelope E0·exp(−2αλ_min t), ReLU-switch ticks."""

    def __init__(self, *, theme: Theme | None = None) -> None:
        #: the colours this plot draws with (read at each rebuild)
        self.theme = theme if theme is not None else Theme()
        self.widget = _plot_widget(theme=self.theme, left="E", bottom="time t", log_y=True)
        pi = self.widget.plotItem
        self.envelope = pi.plot(name="envelope")
        self.curve = pi.plot(name="E")
        # At most a few points per pixel column reach the (antialiased) painter.
        self.curve.setDownsampling(auto=True, method="peak")
        self.curve.setClipToView(True)
        self.ticks = pi.plot(pen=None, symbol="t", symbolSize=14)
        self.range = StableRange(pi.vb)
        #: the hint shown while no flow has run
        self.note = EmptyNote(self.widget, ENERGY_HINT, theme=self.theme)
        #: shown when the latest E is below ZERO_RTOL of the run's largest
        self.mark = equilibrium_mark(self.widget, "at equilibrium: E = 0",
                                     color=self.theme.FOREGROUND)
        self.set_session()

    def set_session(self, layout=None) -> None:
        """Colours from :attr:`theme` (a new session or look)."""
        self.envelope.setPen(pg.mkPen(self.theme.ENVELOPE_COLOR, width=2.5,
                                      style=QtCore.Qt.PenStyle.DashLine))
        self.curve.setPen(pg.mkPen(self.theme.ENERGY_COLOR, width=3))
        self.ticks.setSymbolBrush(pg.mkBrush(self.theme.FLIP_COLOR))
        self.ticks.setSymbolPen(pg.mkPen(self.theme.TICK_OUTLINE, width=1))
        self.mark.setColor(self.theme.FOREGROUND)
        self.mark.setFont(style.font(0.9))  # the text size of the look

    def set_data(self, history, envelope: tuple[np.ndarray, np.ndarray]) -> None:
        te, ee = envelope
        key = (history.version, te.size, float(ee[0]) if ee.size else None,
               float(ee[-1]) if ee.size else None)
        if key == getattr(self, "_key", None):
            return  # nothing new: an unchanged plot is not repainted
        self._key = key
        n = history.n
        self.note.set_empty(no_time_passed(history))
        raw = history.energy[:n]
        # E below ZERO_RTOL of the run's largest is 0 (round-off): drawn on the floor
        floor = max(ZERO_RTOL * float(raw.max()), FLOOR) if n and raw.max() > 0 else ZERO_RTOL
        e = np.maximum(raw, floor)
        self.curve.setData(history.t[:n], e)
        if n:
            self.range.update(history.t[n - 1], float(e.min()), float(e.max()))
        self.mark.setVisible(not self.note.shown and float(raw[-1]) <= floor)
        self.envelope.setData(te, np.maximum(ee, floor))
        if history.events_t:
            self.ticks.setData(np.asarray(history.events_t),
                               np.maximum(np.asarray(history.events_e), floor))
        else:
            self.ticks.setData([], [])


class DiscordBars:
    """Bars of d_e now, in path order (grouped by layer), coloured by type, then the three
    per-type totals after a gap (one :class:`~sheafviz.gui.lines.BarSet` item)."""

    HALF = 0.35

    def __init__(self, *, theme: Theme | None = None) -> None:
        #: the colours this plot draws with (read at each rebuild)
        self.theme = theme if theme is not None else Theme()
        self.widget = _plot_widget(theme=self.theme, left="dₑ")
        self.item = None
        self.layout_ = None
        self.widget.plotItem.vb.sigResized.connect(lambda *_: self.fit_labels())
        self._shrink = ShrinkLater(self.widget, self._shrink_if_still_small)
        #: shown when every d_e is below ZERO_RTOL of the scale (drawn as 0)
        self.mark = equilibrium_mark(self.widget, "at equilibrium: every dₑ = 0",
                                     color=self.theme.FOREGROUND)

    def set_session(self, layout) -> None:
        pi = self.widget.plotItem
        # a new look rebuilds the same layout: the axis keeps its top (F5 and back must not
        # rescale it); a new network starts afresh
        restyle = layout is self.layout_
        self.layout_ = layout
        n = len(layout.edges)
        types = list(self.theme.EDGE_COLORS)
        self.x = np.concatenate([np.arange(n), n + 0.8 + np.arange(len(types))])
        self._type_of = np.array([types.index(e.type) for e in layout.edges])
        if self.item is not None:
            pi.vb.removeItem(self.item)
        self.item = BarSet(self.x, np.concatenate([self._type_of, np.arange(len(types))]),
                           half_width=self.HALF)
        # colours of the current palette and theme
        self.item.set_style([self.theme.EDGE_COLORS[t] for t in types],
                            pg.mkPen(self.theme.BAR_OUTLINE, width=1))
        pi.vb.addItem(self.item)
        self.mark.setColor(self.theme.FOREGROUND)
        self.mark.setFont(style.font(0.9))  # the text size of the look
        self._names = [e.name for e in layout.edges] + [f"Σ{t[:3]}" for t in types]
        self._labels_fit = None
        self.fit_labels()
        pi.vb.disableAutoRange()
        pi.vb.setXRange(-0.6, self.x[-1] + 0.6, padding=0)
        if not restyle:
            self._top = None
            self._shrink.reset()
            self.heights = np.zeros(self.x.size)

    def fit_labels(self) -> None:
        """Bar labels that fit the plot's width: full names ("relu1"), else names of at
        most three letters and the layer ("rel1", "Σrel"), else every k-th of those (a
        narrow plot, a wide network, large text). Never one-letter codes ("r1", "o"):
        nobody in the room can tell what they name."""
        if self.layout_ is None:
            return
        ax = self.widget.plotItem.getAxis("bottom")
        metrics = QtGui.QFontMetrics(ax.style.get("tickFont") or style.font(0.95))
        span = float(self.x[-1] - self.x[0]) + 1.2
        per_bar = self.widget.plotItem.vb.width() / span  # pixels per unit of x
        short = [re.sub(r"^(Σ?[a-z]{1,3})[a-z]*", r"\1", name) for name in self._names]
        every = 1
        names = self._names
        if max(metrics.horizontalAdvance(t) for t in names) > 0.9 * per_bar:
            names = short
            widest = max(metrics.horizontalAdvance(t) for t in short)
            every = max(1, int(np.ceil(widest / max(0.9 * per_bar, 1.0))))
        fit = (tuple(names), every)
        if fit == self._labels_fit:
            return
        self._labels_fit = fit
        ax.setTicks([[(float(x), t) for k, (x, t) in enumerate(zip(self.x, names))
                      if k % every == 0], []])

    def set_data(self, d: np.ndarray, *, scale: float = 1.0) -> None:
        """Bars of the discords ``d`` (n_edges,); ``scale`` is the size of a discord in
        this problem (the squared size of its values): a bar below ZERO_RTOL of it reads as
        0, and when all do, the axis spans 0 … ``scale`` and the plot says "at equilibrium"."""
        d = np.where(np.asarray(d, float) <= ZERO_RTOL * max(float(scale), 0.0), 0.0, d)
        totals = np.bincount(self._type_of, weights=d, minlength=3)
        h = np.concatenate([d, totals])
        self.heights = h
        self.item.set_heights(h)
        at_rest = not np.any(h > 0)
        self.mark.setVisible(bool(at_rest))
        if at_rest:  # nothing to scale to: the axis shows the problem's scale, not noise
            top = max(float(scale), 1e-300)
            if self._top != nice_ceiling(1.05 * top):
                self._set_top(top)
            return
        # Grow at once to the next 1-2-5 step; shrink (later: ShrinkLater) once the bars use
        # under a fifth of the axis (under a twentieth they read as empty on a projector).
        top = self._wanted_top()
        if self._top is None or top > self._top:
            self._set_top(top)
        elif top < 0.2 * self._top:
            self._shrink.small()
        else:
            self._shrink.reset()

    def _wanted_top(self) -> float:
        return max(float(self.heights.max()) if self.heights.size else 0.0, 1e-12)

    def _set_top(self, top: float) -> None:
        self._shrink.reset()
        self._top = nice_ceiling(1.05 * top)
        # a little headroom so the top tick label is not cut by the frame
        self.widget.plotItem.vb.setYRange(0, self._top * 1.04, padding=0)

    def _shrink_if_still_small(self) -> None:
        if not np.any(self.heights > 0):
            return  # at equilibrium: the axis stays at the problem's scale
        top = self._wanted_top()
        if self._top is not None and top < 0.2 * self._top:
            self._set_top(top)


class DiscordHistory:
    """Σ d_e per edge type over time (log axis)."""

    def __init__(self, *, theme: Theme | None = None) -> None:
        #: the colours this plot draws with (read at each rebuild)
        self.theme = theme if theme is not None else Theme()
        self.widget = _plot_widget(theme=self.theme, left="Σ dₑ", bottom="time t", log_y=True)
        pi = self.widget.plotItem
        self.curves = {t: pi.plot(name=t, antialias=False) for t in self.theme.EDGE_COLORS}
        for c in self.curves.values():
            c.setDownsampling(auto=True, method="peak")
            c.setClipToView(True)
        self._type_of = None
        self.range = StableRange(pi.vb)
        #: the hint shown while no flow has run
        self.note = EmptyNote(self.widget, DISCORD_HINT, theme=self.theme)

    def set_session(self, layout) -> None:
        for t, curve in self.curves.items():
            curve.setPen(pg.mkPen(self.theme.EDGE_COLORS[t], width=3))
        types = list(self.theme.EDGE_COLORS)
        self._type_of = np.array([types.index(e.type) for e in layout.edges])

    def set_data(self, history) -> None:
        if history.version == getattr(self, "_version", None):
            return
        self._version = history.version
        n = history.n
        self.note.set_empty(no_time_passed(history))
        if n == 0:
            for c in self.curves.values():
                c.setData([], [])
            return
        t = history.t[:n]
        d = history.discords[:n]
        lo, hi = np.inf, 0.0
        for k, (etype, curve) in enumerate(self.curves.items()):
            cols = self._type_of == k
            y = np.maximum(d[:, cols].sum(axis=1), FLOOR)
            curve.setData(t, y)
            lo, hi = min(lo, float(y.min())), max(hi, float(y.max()))
        # Decades below 1e-8 of the largest do not matter to the picture: keep the axis
        # readable (a 16-decade log axis is a wall of minor ticks).
        self.range.update(t[-1], max(lo, hi * 1e-8), hi)
