"""The one place where the chapter views read the shared look: colours, fonts, a plot.

Colours come from a *theme*: any object with the project's colour roles as attributes
(``SELECT_COLOR``, ``FOREGROUND``, ``EDGE_COLORS``, ``MESSAGE_COLORS`` …). The window hands
one to each view (``theme=`` at construction, ``set_theme`` on a change); without one a view
uses :func:`default_theme`. :class:`Palette` turns a theme into the few colours these views
draw with, so a new colour role or a renamed one touches this file only. Fonts scale with
the base text size of :mod:`sheafviz.gui.style` times each view's presentation factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from sheafviz.gui import style

#: Pale fills of the activation regions, cycled by pattern (Okabe–Ito hues).
REGION_BASES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                "#F0E442", "#999999")
#: The inverse family: a hue of its own, dark enough over any pale region.
FAMILY = "#7B1FA2"


def default_theme():
    """The light theme: the evented theme object where it exists, else the colour
    constants of :mod:`sheafviz.gui.style` (the same roles, as module attributes)."""
    try:
        from sheafviz.gui.theme import Theme
    except ImportError:
        return style
    return Theme()


@dataclass(frozen=True)
class Palette:
    """The colours the chapter views draw with (hex strings), from one theme."""

    foreground: str
    background: str
    outline: str
    muted: str
    highlight: str
    family: str
    failure: str
    curve: str
    marker: str
    arrow: str
    switching: str
    prediction: str
    trajectory: str

    @classmethod
    def from_theme(cls, theme=None) -> "Palette":
        t = default_theme() if theme is None else theme
        edges = t.EDGE_COLORS
        return cls(foreground=t.FOREGROUND, background=t.BACKGROUND, outline=t.OUTLINE_COLOR,
                   muted=t.ENVELOPE_COLOR, highlight=t.SELECT_COLOR, family=FAMILY,
                   failure=t.MESSAGE_COLORS["error"], curve=t.ENERGY_COLOR,
                   marker=edges["output"], arrow=t.STRING_COLOR,
                   switching=t.BOUNDARY_COLOR, prediction=t.ENVELOPE_COLOR,
                   trajectory=edges["output"])


def font(scale: float = 1.0, *, bold: bool = False) -> QtGui.QFont:
    """The base font times ``scale`` (presentation mode passes its factor in ``scale``)."""
    return style.font(scale, bold=bold)


def base_pt() -> float:
    return style.base_pt()


def fmt(value, digits: int = 3) -> str:
    return style.fmt(value, digits)


def faded(color: str, q: float) -> QtGui.QColor:
    return style.faded(color, q)


def region_fill(index: int) -> QtGui.QColor:
    """The pale, opaque fill of the pattern with this colour index."""
    return style.faded(REGION_BASES[index % len(REGION_BASES)], 0.12)


def pen(color, width: float = 2.0, *, dash: bool = False, dot: bool = False) -> QtGui.QPen:
    p = pg.mkPen(color, width=width)
    if dash:
        p.setStyle(QtCore.Qt.PenStyle.DashLine)
    if dot:
        p.setStyle(QtCore.Qt.PenStyle.DotLine)
    p.setCosmetic(True)
    return p


def make_plot(*, left: str | None = None, bottom: str | None = None,
              log: bool = False) -> pg.PlotWidget:
    """A fixed (no pan / zoom / menu) plot whose log axes (``log``) never overlap labels;
    colour and fonts are applied by :func:`style_axes`."""
    w = pg.PlotWidget()
    pi = w.plotItem
    pi.hideButtons()
    pi.setMenuEnabled(False)
    pi.vb.setMouseEnabled(x=False, y=False)
    pi.vb.setMenuEnabled(False)
    style.use_log_axis(pi, "left", log=log)
    style.use_log_axis(pi, "bottom", log=log)
    for name in ("left", "bottom"):
        pi.getAxis(name).enableAutoSIPrefix(False)  # "(x0.001)" on an axis confuses a class
    if left:
        pi.setLabel("left", left)
    if bottom:
        pi.setLabel("bottom", bottom)
    style.label_headroom(pi)
    w.setMinimumSize(160, 90)
    return w


def style_axes(plot: pg.PlotWidget, palette: Palette, scale: float) -> None:
    """Background, axis pens and tick / label fonts of ``plot`` at ``scale`` × base size."""
    plot.setBackground(palette.background)
    for name in ("left", "bottom"):
        ax = plot.plotItem.getAxis(name)
        ax.setPen(pg.mkPen(palette.foreground, width=1.5))
        ax.setTextPen(pg.mkPen(palette.foreground))
        ax.setTickFont(font(0.95 * scale))
        if ax.labelText:
            ax.setLabel(ax.labelText, **{"font-size": f"{base_pt() * scale:.0f}pt",
                                         "color": palette.foreground})
