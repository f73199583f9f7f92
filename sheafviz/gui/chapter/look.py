"""The one place where the chapter views read the shared style: colours, fonts, a plot.

Every chapter view takes its colours and text sizes from here, so a theme change (or the
style module becoming a theme object) touches this file only.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from sheafviz.gui import style

#: Pale fills of the activation regions, cycled by pattern (Okabe–Ito tints, opaque).
REGION_BASES = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                "#F0E442", "#999999")
#: The pinned input's region: a saturated fill that no pale tint comes near.
HIGHLIGHT = style.SELECT_COLOR
#: The inverse family (a colour of its own, dark enough over any pale region).
FAMILY = "#7B1FA2"
#: Failed lesson checks.
FAILURE = style.MESSAGE_COLORS["error"]
#: Layers in the EP gap plot and the table's bars.
SHEAF = style.EDGE_COLORS["affine"]
BACKPROP = style.EDGE_COLORS["output"]
CURVE = style.ENERGY_COLOR
SWITCHING = style.BOUNDARY_COLOR
PREDICTION = style.ENVELOPE_COLOR
TRAJECTORY = style.EDGE_COLORS["output"]
ARROW = style.STRING_COLOR
OUTLINE = style.OUTLINE_COLOR
FOREGROUND = style.FOREGROUND
BACKGROUND = style.BACKGROUND
MUTED = "#555555"


def font(scale: float = 1.0, *, bold: bool = False) -> QtGui.QFont:
    """The base font times ``scale`` (presentation mode passes its factor in ``scale``)."""
    return style.font(scale, bold=bold)


def base_pt() -> float:
    return style.base_pt()


def fmt(value, digits: int = 3) -> str:
    return style.fmt(value, digits)


def region_fill(index: int) -> QtGui.QColor:
    """The pale, opaque fill of the pattern with this index."""
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
    """A fixed (no pan / zoom / menu) plot with the project's readable axes; ``log`` puts
    both axes in log mode with labels that never overlap."""
    w = pg.PlotWidget(background=BACKGROUND)
    pi = w.plotItem
    pi.hideButtons()
    pi.setMenuEnabled(False)
    pi.vb.setMouseEnabled(x=False, y=False)
    pi.vb.setMenuEnabled(False)
    style.style_plot(pi, left=left, bottom=bottom)
    style.use_log_axis(pi, "left", log=log)
    style.use_log_axis(pi, "bottom", log=log)
    style.label_headroom(pi)
    w.setMinimumSize(160, 90)
    return w


def restyle_axes(plot: pg.PlotWidget, scale: float) -> None:
    """Tick and label fonts of ``plot`` at ``scale`` × the base size."""
    for name in ("left", "bottom"):
        ax = plot.plotItem.getAxis(name)
        ax.setTickFont(font(0.95 * scale))
        if ax.labelText:
            ax.setLabel(ax.labelText, **{"font-size": f"{base_pt() * scale:.0f}pt"})
