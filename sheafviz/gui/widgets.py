"""Shared pieces of the views: a styled plot, a hover read-out, colour maps, the deferred
axis shrink (ShrinkLater)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from . import style
from .theme import Theme, or_light

#: Values below this are drawn as this on log scales (a discord of exactly 0 is common).
FLOOR = 1e-16
#: Layer colours for per-layer curves (Okabe–Ito, after the three edge-type colours).
LAYER_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
                "#F0E442"]
#: Class colours of the data panel (same palette, light enough to see points on top).
CLASS_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"]


def layer_color(l: int) -> str:
    return LAYER_COLORS[(int(l) - 1) % len(LAYER_COLORS)]


def make_plot(*, left: str | None = None, bottom: str | None = None, log_y: bool = False,
              view_box: pg.ViewBox | None = None, theme: Theme | None = None) -> pg.PlotWidget:
    """A fixed (no pan / zoom / menu) PlotWidget with the project's readable axes, in
    ``theme``'s colours (default light)."""
    theme = or_light(theme)
    w = pg.PlotWidget(background=theme.BACKGROUND, viewBox=view_box)
    pi = w.plotItem
    pi.hideButtons()
    pi.setMenuEnabled(False)
    pi.vb.setMouseEnabled(x=False, y=False)
    pi.vb.setMenuEnabled(False)
    style.style_plot(pi, theme=theme, left=left, bottom=bottom)
    # tick labels thinned to the plot's height (they overlapped on short plots)
    style.use_log_axis(pi, log=log_y)
    style.label_headroom(pi)
    w.setMinimumSize(160, 70)  # docks must fit under the main view at 1280×720
    return w


class ReadOut(QtWidgets.QLabel):
    """A one-line (or few-line) label under a plot that says what the mouse points at."""

    def __init__(self, placeholder: str = "", parent=None, *, theme: Theme | None = None) -> None:
        super().__init__(placeholder, parent)
        self.placeholder = placeholder
        self.setFont(style.font(0.95))
        self.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.setMinimumHeight(int(style.base_pt() * 1.8))
        self._theme = or_light(theme)
        self._restyle()
        if theme is not None:  # follow the window's look (docks are built before it is set)
            theme.changed.connect(self._restyle)

    def _restyle(self) -> None:
        try:
            self.setStyleSheet(f"color: {self._theme.FOREGROUND};")
        except RuntimeError:  # the label was deleted before its theme
            pass

    def clear_text(self) -> None:
        self.setText(self.placeholder)


def title_label(text: str) -> QtWidgets.QLabel:
    lab = QtWidgets.QLabel(f"<b>{text}</b>")
    lab.setTextFormat(QtCore.Qt.TextFormat.RichText)
    lab.setFont(style.font(1.0))
    return lab


def viridis_lut(n: int = 256) -> np.ndarray:
    return pg.colormap.get("viridis").getLookupTable(nPts=n, alpha=True)


def hover_scene_pos(view: pg.PlotWidget, callback) -> None:
    """Call ``callback(view_point: QPointF | None)`` on every mouse move over ``view``
    (``None`` when the pointer leaves the plotting area)."""
    vb = view.plotItem.vb

    def moved(scene_pos):
        if vb.sceneBoundingRect().contains(scene_pos):
            callback(vb.mapSceneToView(scene_pos))
        else:
            callback(None)

    view.scene().sigMouseMoved.connect(moved)


def brush(color) -> QtGui.QBrush:
    return pg.mkBrush(color)


def finite_or_floor(values: np.ndarray, floor: float = FLOOR) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v), np.maximum(v, floor), floor)


def log_ticks(lo: float, hi: float) -> list:
    """Major ticks for a log axis (positions in log10) at 1-2-5 steps, or decades only when
    the span is wide: pyqtgraph's own minor labels overlap on short axes."""
    lo, hi = max(float(lo), FLOOR), max(float(hi), FLOOR)
    d0, d1 = int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi)))
    steps = (1, 2, 5) if d1 - d0 <= 3 else (1,)
    every = max(1, (d1 - d0) // 6)
    ticks = []
    for d in range(d0, d1 + 1, every if steps == (1,) else 1):
        for m in steps:
            v = m * 10.0 ** d
            if lo / 1.0001 <= v <= hi * 1.0001 or (m == 1 and d in (d0, d1)):
                ticks.append((np.log10(v), f"{v:g}"))
    return ticks


def legend(plot: pg.PlotWidget, *, offset=(-10, 10), theme: Theme | None = None):
    """A readable legend: dark text on a mostly opaque white box."""
    return plot.plotItem.addLegend(offset=offset, labelTextColor=or_light(theme).FOREGROUND,
                                   brush=pg.mkBrush(255, 255, 255, 220),
                                   pen=pg.mkPen("#999999"),
                                   labelTextSize=f"{style.base_pt() * 0.85:.0f}pt")


def _leading_parts(text: str) -> list[str]:
    """``text``, then ever shorter leading parts of it, cut after a sentence (". ") or
    before a colon outside parentheses ("Press Space to relax (S: one step): E is …" →
    "Press Space to relax (S: one step)"), longest first."""
    cuts, depth = [], 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and text.startswith(". ", i):
            cuts.append(text[:i + 1])
        elif depth == 0 and text.startswith(": ", i):
            cuts.append(text[:i])
    return [text] + cuts[::-1]


class EmptyNote:
    """A centred sentence over a plot that has nothing to draw yet ("runs when the joint flow
    trains"). While it shows, the plot's tick values, grid and legend are hidden: an axis
    over nothing only shows meaningless numbers.

    ``note.shown`` says whether it is visible; ``note.item`` is the text item (a child of
    the view box, in its pixel coordinates, so it stays centred when the plot resizes).
    """

    def __init__(self, plot: pg.PlotWidget, text: str, *, theme: Theme | None = None) -> None:
        self.plot = plot
        self._theme = or_light(theme)
        vb = plot.plotItem.vb
        self.item = pg.TextItem(anchor=(0.5, 0.5))
        self.item.setParentItem(vb)
        self.item.setZValue(1000)
        self._pt = None
        self._shown = None
        self.set_text(text)
        vb.sigResized.connect(self._place)
        self.shown = False
        self.set_empty(True)
        if theme is not None:  # a new look (F5, Ctrl++, a theme): its text size and colour
            theme.changed.connect(self._restyle)

    def set_text(self, text: str) -> None:
        self.text = text
        self._restyle()

    def _restyle(self) -> None:
        """The text at the current base size, in the theme's foreground."""
        try:
            self._pt = style.base_pt()
            self.item.setFont(style.font(1.0))
        except RuntimeError:  # the plot was deleted before its theme
            return
        self._shown = None
        self._place()

    def _place(self, *_) -> None:
        if self._pt != style.base_pt():  # the text size changed since: follow it
            self._restyle()
            return
        r = self.plot.plotItem.vb.rect()
        self.item.setTextWidth(max(120.0, r.width() * 0.9))
        # the whole text when it fits the plot, else its first sentences (large text in a
        # small plot ran out of the picture)
        for text in _leading_parts(self.text):
            self._show(text)
            if self.item.boundingRect().height() <= r.height():
                break
        self.item.setPos(r.center())

    def _show(self, text: str) -> None:
        if text != self._shown:
            self._shown = text
            self.item.setHtml(f"<div style='text-align:center; color:{self._theme.FOREGROUND}'>"
                              f"{text}</div>")

    def set_empty(self, empty: bool) -> None:
        """Show the note (and hide the tick values and the legend) when ``empty``."""
        empty = bool(empty)
        if empty == self.shown:
            return
        self.shown = empty
        self.item.setVisible(empty)
        pi = self.plot.plotItem
        for name in ("left", "bottom"):
            ax = pi.getAxis(name)
            ax.setStyle(showValues=not empty)
            # no tick marks either (a zero-length tick still paints a dot with the pen's cap)
            if empty:
                ax.setTickPen(None)  # Qt.NoPen
            else:
                ax.setTickPen()  # back to the axis pen
        if pi.legend is not None:
            pi.legend.setVisible(not empty)
        self._place()


#: A value axis shrinks only after its data stayed small this long (ms), or for this many
#: updates in a row (a headless render draws frames faster than the clock): ShrinkLater.
SHRINK_DELAY_MS = 400
SHRINK_AFTER_UPDATES = 12


class ShrinkLater:
    """When a value axis that is too big for its data may shrink: once the data stayed
    small for SHRINK_DELAY_MS, or for SHRINK_AFTER_UPDATES updates in a row.

    A range change re-lays out the axis and repaints the whole panel (several ms), so a drag
    must not shrink and regrow it at every move; growing is the caller's, at once.

    Parameters
    ----------
    parent : QObject owning the timer
    shrink : callable () -> None
        Re-checks the data and shrinks the axis if it is still too big.
    """

    def __init__(self, parent, shrink) -> None:
        self.count = 0
        self.timer = QtCore.QTimer(parent, singleShot=True, interval=SHRINK_DELAY_MS)
        self.timer.timeout.connect(shrink)
        self.shrink = shrink

    def small(self) -> None:
        """This update's data would fit a smaller axis."""
        self.count += 1
        if self.count >= SHRINK_AFTER_UPDATES:  # frames faster than the clock: a render
            self.shrink()
        elif not self.timer.isActive():
            self.timer.start()

    def reset(self) -> None:
        """The data fill the axis again, or the axis was just set."""
        self.count = 0
