"""Fonts, axes and number formatting shared by every view.

Colours are not here: they are a :class:`~sheafviz.gui.theme.Theme` object the window hands
to each view, with a change event.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

#: Largest stalk drawn as a column of separate dots; wider stalks become a strip.
MAX_DOTS = 24

_FONT_PT = 14.0


def set_base_point_size(pt: float) -> None:
    """Base text size for every view (14 pt at 1920×1080, scaled down for smaller windows)."""
    global _FONT_PT
    _FONT_PT = float(pt)


def base_pt() -> float:
    return _FONT_PT


def font(scale: float = 1.0, *, bold: bool = False) -> QtGui.QFont:
    f = QtGui.QFont()
    f.setPointSizeF(max(7.0, _FONT_PT * scale))
    f.setBold(bold)
    return f


def configure_pyqtgraph(theme=None) -> None:
    """pyqtgraph's defaults (background and foreground of new plots: ``theme``'s, else
    light)."""
    from .theme import LIGHT

    colors = theme.colors if theme is not None else LIGHT
    pg.setConfigOptions(background=colors["BACKGROUND"], foreground=colors["FOREGROUND"],
                        antialias=True, useNumba=False)


def style_plot(plot: pg.PlotItem, *, theme, left: str | None = None, bottom: str | None = None,
               title: str | None = None, grid: bool = False, fixed_axes: bool = False) -> None:
    """Readable axes in ``theme``'s foreground: tick fonts at 0.95× base, labels at base size.

    ``fixed_axes`` gives the axes a fixed size: tick labels of changing width ("0.002" →
    "0.1") would otherwise re-lay out the whole plot (a full repaint) when the range moves,
    which matters for plots redrawn every animation frame.
    """
    size = f"{base_pt():.0f}pt"
    for name in ("left", "bottom"):
        ax = plot.getAxis(name)
        ax.setTickFont(font(0.95))
        ax.setPen(pg.mkPen(theme.FOREGROUND, width=1.5))
        ax.setTextPen(pg.mkPen(theme.FOREGROUND))
        ax.enableAutoSIPrefix(False)  # "(x0.001)" on an axis confuses a class
    if fixed_axes:
        line = base_pt() * 96 / 72
        plot.getAxis("left").setWidth(left_axis_width(font(0.95), font(1.0), bool(left)))
        # Room for descenders ("y") and, when there is one, the axis label under the ticks.
        plot.getAxis("bottom").setHeight(int(line * (2.9 if bottom else 1.9)))
    if left:
        plot.setLabel("left", left, **{"font-size": size})
    if bottom:
        plot.setLabel("bottom", bottom, **{"font-size": size})
    if title:
        plot.setTitle(title, size=size, color=theme.FOREGROUND)
    if grid:
        plot.showGrid(x=True, y=True, alpha=0.25)


#: The widest tick labels a left axis draws (log: "5·10⁻⁸"; linear: "-0.25", "2e-10").
WIDEST_TICKS = ("5·10⁻⁸", "-0.25", "2e-10", "0.004")


def left_axis_width(tick_font: QtGui.QFont, label_font: QtGui.QFont, labelled: bool) -> int:
    """Pixels a fixed-width left axis needs so that its widest tick label and its rotated
    title never touch: text, pyqtgraph's tick length and text offset, the title's line."""
    ticks = QtGui.QFontMetricsF(tick_font)
    text = max(ticks.horizontalAdvance(t) for t in WIDEST_TICKS)
    title = QtGui.QFontMetricsF(label_font).height() + 4 if labelled else 0.0
    return int(math.ceil(text + 5 + 5 + 6 + title))


def label_headroom(plot: pg.PlotItem) -> None:
    """Room above ``plot`` for half a tick label: the top label is centred on the top tick,
    which sits at the frame when the range ends on a whole decade (it was cut in half)."""
    plot.layout.setContentsMargins(1, int(base_pt() * 96 / 72 * 0.55), 4, 1)
    plot.label_headroom = True  # a new text size sets it again (lecture.looks)


def fmt(value, digits: int = 3) -> str:
    """A number for display; anything missing or non-finite is shown as an em dash."""
    if value is None:
        return "—"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return "—"
    if not math.isfinite(v):
        return "—"
    if abs(v) < 1e-14:  # round-off, not a value: "4.3e-30" would only distract
        return "0"
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e4):
        return f"{v:.{digits - 1}e}"
    return f"{v:.{digits}g}" if abs(v) >= 1 else f"{v:.{digits}f}".rstrip("0").rstrip(".") \
        if v != 0 else "0"


def faded(color: str, q: float) -> QtGui.QColor:
    """``color`` mixed with white: q = 1 full colour, q = 0 a light tint (opaque)."""
    c = QtGui.QColor(color)
    w = 0.78 * (1.0 - q)
    return QtGui.QColor(int(c.red() + (255 - c.red()) * w), int(c.green() + (255 - c.green()) * w),
                        int(c.blue() + (255 - c.blue()) * w))


def value_lut(n: int = 257) -> np.ndarray:
    """Diverging blue–white–red lookup table (n, 4) uint8 for neuron values, centred: for
    an odd ``n`` (the default) the middle entry is exactly the neutral white of 0 (an even
    ``n`` is made odd, so no table lacks its 0)."""
    n = int(n) | 1
    t = np.linspace(-1.0, 1.0, n)
    blue = np.array([33, 102, 172], dtype=float)
    red = np.array([178, 24, 43], dtype=float)
    white = np.array([247, 247, 247], dtype=float)
    rgb = np.where(t[:, None] < 0, white + (-t[:, None]) * (blue - white),
                   white + t[:, None] * (red - white))
    lut = np.empty((n, 4), dtype=np.ubyte)
    lut[:, :3] = np.clip(rgb, 0, 255)
    lut[:, 3] = 255
    return lut


_BRUSHES: list | None = None


def value_brushes() -> list:
    """65 QBrushes spanning :func:`value_lut`, the middle one 0's white (reused every frame,
    never re-created)."""
    global _BRUSHES
    if _BRUSHES is None:
        lut = value_lut(65)
        _BRUSHES = [pg.mkBrush(int(r), int(g), int(b)) for r, g, b, _ in lut]
    return _BRUSHES


def brush_index(values: np.ndarray, scale: float) -> np.ndarray:
    """Index into :func:`value_brushes` for ``values`` mapped from [−scale, scale]."""
    scale = scale if scale > 0 else 1.0
    t = np.clip(values / scale, -1.0, 1.0)
    return np.rint((t + 1.0) * 32.0).astype(int)


# -- log axes whose labels never overlap -----------------------------------------------------
#: Labelled ticks on a log axis, densest first: mantissas within a decade, then decades.
_LOG_LABEL_STEPS = ((1.0, 2.0, 5.0), (1.0, 3.0), (1.0,))
#: Smallest gap between two tick labels, in label heights (1.0 would let them touch).
LABEL_GAP = 1.3


def _sup(n: int) -> str:
    table = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return str(n).translate(table)


def log_label(v: float) -> str:
    """A tick label for the value ``v`` > 0 of a log axis: "0.02", "500", "10⁻⁶", "2·10⁵",
    "3.5·10⁻⁶" (two significant digits at most in the mantissa, never a rounded lie)."""
    if not (math.isfinite(v) and v > 0):
        return "—"
    if 1e-3 <= v < 1e4:
        return f"{v:.6g}"
    e = int(math.floor(math.log10(v) + 1e-9))
    m = float(f"{v / 10.0 ** e:.2g}")
    if m >= 10.0:
        m, e = m / 10.0, e + 1
    return f"10{_sup(e)}" if m == 1 else f"{m:g}·10{_sup(e)}"


#: Fewest labelled ticks a log axis shows when its length has room for them.
MIN_LOG_LABELS = 3


def _prev_125(step: float) -> float:
    """The next smaller of 1, 2, 5 × 10^k before ``step`` (a 1-2-5 value)."""
    k = math.floor(math.log10(step) + 1e-9)
    m = round(step / 10.0 ** k)
    return {1: 0.5, 2: 1.0, 5: 2.0}.get(m, 1.0) * 10.0 ** k


def _fine_log_values(lo: float, hi: float, need: float) -> list[float]:
    """Labelled positions (log10) for a log axis spanning too little for decades and
    1-2-5 mantissas: the coarsest linear 1-2-5 grid of the range with at least
    :data:`MIN_LOG_LABELS` values whose neighbours are ``need`` decades apart ([] if none)."""
    a, b = 10.0 ** lo, 10.0 ** hi
    if not (math.isfinite(a) and math.isfinite(b)) or b <= a:
        return []
    step = nice_125_ceiling((b - a) / 2.0)
    for _ in range(12):
        first, last = math.ceil(a / step - 1e-9), math.floor(b / step + 1e-9)
        if last - first > 60:
            break
        grid = [k * step for k in range(int(first), int(last) + 1) if k > 0]
        logs = [math.log10(v) for v in grid]
        if len(logs) >= MIN_LOG_LABELS and min(np.diff(logs)) >= need - 1e-12:
            return logs
        step = _prev_125(step)
    return []


def nice_125_ceiling(v: float) -> float:
    """Smallest of 1, 2, 5 × 10^k that is ≥ v (v > 0)."""
    k = math.floor(math.log10(v))
    for m in (1.0, 2.0, 5.0, 10.0):
        if m * 10.0 ** k >= v * (1 - 1e-12):
            return m * 10.0 ** k
    return 10.0 ** (k + 1)


def log_label_values(lo: float, hi: float, pixels: float, label_px: float) -> list[float]:
    """Positions (log10) of the labelled ticks of a log axis showing log10 range [lo, hi]
    on ``pixels`` pixels, with labels ``label_px`` tall: the densest of 1-2-5, decades, every
    2nd / 5th / 10th … decade whose neighbours are at least ``LABEL_GAP`` label heights apart.
    A range too short for :data:`MIN_LOG_LABELS` of those (under a decade or two) gets finer
    mantissas or a linear 1-2-5 grid, as long as the labels still keep their gap.
    """
    lo, hi = sorted((float(lo), float(hi)))
    span = max(hi - lo, 1e-12)
    px_per_decade = pixels / span
    need = LABEL_GAP * label_px / max(px_per_decade, 1e-12)  # decades between labels
    vals = _coarse_log_values(lo, hi, need)
    if len(vals) < MIN_LOG_LABELS:
        fine = _fine_log_values(lo, hi, need)
        if len(fine) > len(vals):
            vals = fine
    return vals


def _coarse_log_values(lo: float, hi: float, need: float) -> list[float]:
    d0, d1 = int(math.floor(lo)) - 1, int(math.ceil(hi)) + 1
    for mants in _LOG_LABEL_STEPS:
        gaps = np.diff(np.log10(np.array(mants + (10.0,))))
        if gaps.min() >= need:
            vals = [d + math.log10(m) for d in range(d0, d1 + 1) for m in mants]
            return [v for v in vals if lo - 1e-9 <= v <= hi + 1e-9]
    every = 1
    for k in (2, 3, 5, 10, 20, 50, 100):
        every = k
        if k >= need:
            break
    start = int(math.ceil(lo / every - 1e-9)) * every
    vals = [float(d) for d in range(start, int(math.floor(hi)) + 1, every)]
    first, last = math.ceil(lo - 1e-9), math.floor(hi + 1e-9)
    if len(vals) < 2 and last - first >= need:
        vals = [float(first), float(last)]  # at least the two end decades, when they fit
    return vals


def _next_125(step: float) -> float:
    """The next larger of 1, 2, 5 × 10^k after ``step``."""
    k = math.floor(math.log10(step) + 1e-9)
    m = step / 10.0 ** k
    for nxt in (2.0, 5.0, 10.0):
        if nxt > m + 1e-9:
            return nxt * 10.0 ** k
    return 20.0 * 10.0 ** k


class LogAxis(pg.AxisItem):
    """An axis whose tick labels never overlap, chosen from the axis length in pixels and
    the tick font. Log mode: 1-2-5 when tall, decades when short, every k-th decade when
    tiny; unlabelled minor marks at 2…9 only when they are at least 3 px apart. Linear mode:
    pyqtgraph's spacing, widened to the next 1-2-5 step until the labels are
    ``LABEL_GAP`` label heights apart.

    pyqtgraph's own log ticks label every 2…9 whenever fewer than three major levels fit,
    which on a short plot is a stack of overlapping "0.9 0.8 0.7 …".
    """

    def __init__(self, orientation: str = "left", **kwargs) -> None:
        super().__init__(orientation, **kwargs)
        self.setStyle(maxTextLevel=0)  # labels on the first level only; level 1 = marks

    def resizeEvent(self, ev=None) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        self._title_if_it_fits()

    def showLabel(self, show: bool = True) -> None:  # noqa: N802 - pyqtgraph API
        super().showLabel(show)
        if show:
            self._title_if_it_fits()

    def _title_if_it_fits(self) -> None:
        # a title longer than its axis would be cut at both ends: leave it out until the
        # axis is long enough again (the tick labels still say what the values are)
        if self.orientation in ("left", "right") and self.labelText:
            m = self.label.document().documentMargin()
            need = self.label.boundingRect().width() - 2 * m
            self.label.setVisible(self.height() >= need + 2)

    def label_height(self) -> float:
        f = self.style.get("tickFont") or self.font()
        fm = QtGui.QFontMetricsF(f)
        vertical = self.orientation in ("left", "right")
        # along a horizontal axis the labels' widths are what must not overlap
        return fm.height() * 0.8 if vertical else fm.horizontalAdvance("2·10⁻⁸") + 4

    def tickSpacing(self, minVal, maxVal, size):
        levels = super().tickSpacing(minVal, maxVal, size)
        if self.logMode or not levels or self._tickSpacing is not None or size <= 0:
            return levels
        px_per_unit = size / max(abs(maxVal - minVal), 1e-300)
        major = levels[0][0]
        need = LABEL_GAP * self.label_height()
        while major * px_per_unit < need:
            major = _next_125(major)
        minor = major / 5.0 if major / 5.0 * px_per_unit >= 4 else major
        return [(major, 0.0), (minor, 0.0)]

    def tickValues(self, minVal, maxVal, size):
        if not self.logMode:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = sorted((float(minVal), float(maxVal)))
        if not (math.isfinite(lo) and math.isfinite(hi)) or size <= 0:
            return []
        major = log_label_values(lo, hi, float(size), self.label_height())
        minor: list[float] = []
        px_per_decade = size / max(hi - lo, 1e-12)
        if px_per_decade * math.log10(10 / 9) >= 3.0:
            for d in range(int(math.floor(lo)), int(math.ceil(hi)) + 1):
                minor += [d + math.log10(m) for m in range(1, 10)]
        elif px_per_decade >= 3.0:
            minor = [float(d) for d in range(int(math.floor(lo)), int(math.ceil(hi)) + 1)]
        minor = [v for v in minor if lo <= v <= hi and min((abs(v - m) for m in major),
                                                          default=1.0) > 1e-6]
        return [(None, major), (None, minor)]

    def tickStrings(self, values, scale, spacing):
        if not self.logMode:
            return super().tickStrings(values, scale, spacing)
        return [log_label(10.0 ** v * scale) for v in values]


def use_log_axis(plot: pg.PlotItem, name: str = "left", *, log: bool = True) -> LogAxis:
    """Replace ``plot``'s ``name`` axis by a :class:`LogAxis` (keeping its label and style)
    and, if ``log``, put that axis in log mode. Call before adding items to the plot."""
    old = plot.getAxis(name)
    axis = LogAxis(name)
    axis.setTickFont(old.style.get("tickFont"))
    axis.setPen(old.pen())
    axis.setTextPen(old.textPen())
    axis.enableAutoSIPrefix(False)
    if old.labelText:
        axis.setLabel(old.labelText, **old.labelStyle)
    if old.fixedWidth is not None:
        axis.setWidth(old.fixedWidth)
    plot.setAxisItems({name: axis})
    if log:
        plot.setLogMode(**{"x" if name in ("bottom", "top") else "y": True})
    return axis
