"""Colours, fonts and number formatting shared by every view.

Chosen for a projector in a lit lecture hall: a white background, near-black text, saturated
edge-type colours that stay distinct for the common colour-vision deficiencies
(Okabe–Ito palette), and nothing thinner than 2 px that carries meaning.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

BACKGROUND = "#ffffff"
FOREGROUND = "#111111"
GRID = "#d0d0d0"
#: Okabe–Ito: blue / bluish green / vermillion for affine / relu / output edges.
EDGE_COLORS = {"affine": "#0072B2", "relu": "#009E73", "output": "#D55E00"}
PIN_COLOR = "#000000"
SELECT_COLOR = "#F0B400"
FLIP_COLOR = "#E69F00"
BOUNDARY_COLOR = "#CC0099"
#: Opaque colours throughout: Qt's raster engine blends translucent pens several times slower.
GHOST_COLOR = "#a8a8a8"
ARM_COLOR = "#9a9a9a"
FEED_COLOR = "#d2d2d2"
VALUE_COLOR = "#222266"
ENVELOPE_COLOR = "#7a7a7a"

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


def configure_pyqtgraph() -> None:
    pg.setConfigOptions(background=BACKGROUND, foreground=FOREGROUND, antialias=True,
                        useNumba=False)


def style_plot(plot: pg.PlotItem, *, left: str | None = None, bottom: str | None = None,
               title: str | None = None, grid: bool = False, fixed_axes: bool = False) -> None:
    """Readable axes: tick fonts at 0.95× base, labels at base size.

    ``fixed_axes`` gives the axes a fixed size: tick labels of changing width ("0.002" →
    "0.1") would otherwise re-lay out the whole plot (a full repaint) when the range moves,
    which matters for plots redrawn every animation frame.
    """
    size = f"{base_pt():.0f}pt"
    for name in ("left", "bottom"):
        ax = plot.getAxis(name)
        ax.setTickFont(font(0.95))
        ax.setPen(pg.mkPen(FOREGROUND, width=1.5))
        ax.setTextPen(pg.mkPen(FOREGROUND))
        ax.enableAutoSIPrefix(False)  # "(x0.001)" on an axis confuses a class
    if fixed_axes:
        line = base_pt() * 96 / 72
        plot.getAxis("left").setWidth(int(line * 4.6))
        # Room for descenders ("y") and, when there is one, the axis label under the ticks.
        plot.getAxis("bottom").setHeight(int(line * (2.9 if bottom else 1.9)))
    if left:
        plot.setLabel("left", left, **{"font-size": size})
    if bottom:
        plot.setLabel("bottom", bottom, **{"font-size": size})
    if title:
        plot.setTitle(title, size=size, color=FOREGROUND)
    if grid:
        plot.showGrid(x=True, y=True, alpha=0.25)


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


def value_lut(n: int = 256) -> np.ndarray:
    """Diverging blue–white–red lookup table (n, 4) uint8 for neuron values."""
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
    """64 QBrushes spanning :func:`value_lut` (reused every frame, never re-created)."""
    global _BRUSHES
    if _BRUSHES is None:
        lut = value_lut(64)
        _BRUSHES = [pg.mkBrush(int(r), int(g), int(b)) for r, g, b, _ in lut]
    return _BRUSHES


def brush_index(values: np.ndarray, scale: float) -> np.ndarray:
    """Index into :func:`value_brushes` for ``values`` mapped from [−scale, scale]."""
    scale = scale if scale > 0 else 1.0
    t = np.clip(values / scale, -1.0, 1.0)
    return np.rint((t + 1.0) * 31.5).astype(int)
