"""How thick the graph view draws an edge: a fixed map from its discord to pixels, the
edge layers drawn with it (:class:`EdgeLayers`), and the legend that says so.

The thickness is absolute, the same for every network and every frame: an edge whose
discord ``d_e = ‖r_e‖²`` is at or below ``DISCORD_FLOOR`` is in agreement and drawn at
``WIDTH_FLOOR_PX`` (so an equilibrium, whose discords are round-off of ~1e-12, is drawn
thin), one at or above ``DISCORD_CAP`` at ``WIDTH_CAP_PX``, and in between the width grows
with ``log10 d_e``, in ``LEVELS`` steps of one decade each (an edge changes width when its
discord changes tenfold, and the edges of one step are drawn together). The colour fades
with the same step, from a light tint (agreement) to the edge type's full colour.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from . import style

#: d_e at or below this is "in agreement": the thinnest, faintest line.
DISCORD_FLOOR = 1e-6
#: d_e at or above this is drawn at the cap.
DISCORD_CAP = 10.0
WIDTH_FLOOR_PX = 1.5
WIDTH_CAP_PX = 7.0
#: Steps from floor to cap: one per decade of d_e (1e-6, 1e-5, …, 10).
LEVELS = int(round(np.log10(DISCORD_CAP / DISCORD_FLOOR))) + 1
#: The levels the legend shows (floor, every other decade, cap).
LEGEND_LEVELS = (0, 2, 4, 6, LEVELS - 1)


def discord_level(d) -> np.ndarray:
    """Step of each discord, ``0`` (≤ floor, also 0 and NaN) … ``LEVELS − 1`` (≥ cap).

    Parameters
    ----------
    d : array_like (n,), discords ``d_e ≥ 0``

    Returns
    -------
    ndarray of int (n,): ``round(log10(d / DISCORD_FLOOR))`` clipped to the levels
    """
    d = np.asarray(d, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        decades = np.log10(np.where(d > DISCORD_FLOOR, d, DISCORD_FLOOR) / DISCORD_FLOOR)
    decades = np.where(np.isfinite(decades), decades, 0.0)  # NaN: nothing to show
    return np.clip(np.rint(decades), 0, LEVELS - 1).astype(int)


def level_width(level) -> np.ndarray | float:
    """Pen width in pixels of a level (linear in the level, i.e. in ``log10 d_e``)."""
    return WIDTH_FLOOR_PX + (WIDTH_CAP_PX - WIDTH_FLOOR_PX) * np.asarray(level) / (LEVELS - 1)


def level_discord(level: int) -> float:
    """The discord a level stands for: ``DISCORD_FLOOR · 10**level``."""
    return float(DISCORD_FLOOR * 10.0 ** level)


def level_fade(level: int) -> float:
    """Colour strength of a level for :func:`style.faded` (0 light tint … 1 full colour)."""
    return float(level) / (LEVELS - 1)


def level_label(level: int) -> str:
    """The legend's text for a level: its discord, "≤" at the floor and "≥" at the cap."""
    v = level_discord(level)
    text = f"{v:g}" if 1e-3 <= v < 1e4 else f"1e{int(round(np.log10(v)))}"
    if level == 0:
        return "≤ " + text
    return "≥ " + text if level == LEVELS - 1 else text


def level_pen(color: str, level: int):
    """The pen of an edge of colour ``color`` drawn at ``level``."""
    return pg.mkPen(style.faded(color, level_fade(level)), width=float(level_width(level)))


class EdgeLayers:
    """The graph view's edges as layers of one :class:`~.lines.LineBundle`: one layer per
    (edge type, level) with a fixed pen, holding the segments of the edges at that level.
    A frame restyles nothing; it moves an edge to another layer when its level changes.

    Parameters
    ----------
    bundle : LineBundle
    edges : list of the layout's edges (``.type``)
    segments : list of ndarray (2m, 2), each edge's line segments (pairs of points)
    colors : dict edge type -> colour
    """

    def __init__(self, bundle, edges, segments, colors: dict) -> None:
        self.edges, self.segments = list(edges), list(segments)
        self.types = list(dict.fromkeys(edge.type for edge in self.edges))
        #: {(edge type, level): LineLayer}, thin to thick (thick ones drawn on top)
        self.layers = {(t, level): bundle.add_layer(level_pen(colors[t], level))
                       for level in range(LEVELS) for t in self.types}
        #: level of each edge, shape (n_edges,) (−1 before the first frame)
        self.levels = np.full(len(self.edges), -1)

    def draw(self, d) -> None:
        """Draw the edges for discords ``d``, shape (n_edges,)."""
        levels = discord_level(d)
        if np.array_equal(levels, self.levels):
            return  # no edge changed its thickness: nothing to redraw
        self.levels = levels
        members: dict = {key: [] for key in self.layers}
        for e, edge in enumerate(self.edges):
            members[(edge.type, int(levels[e]))].append(self.segments[e])
        for key, layer in self.layers.items():
            seg = np.concatenate(members[key]) if members[key] else np.zeros((0, 2))
            layer.setData(seg[:, 0], seg[:, 1])  # unchanged data: no repaint

    def pen(self, e: int):
        """The pen edge ``e`` is drawn with now (its type's colour at its level)."""
        return self.layers[(self.edges[e].type, int(self.levels[e]))].opts["pen"]

    def width(self, level: int) -> float:
        """The pen width (pixels) of the edges at ``level`` now (the presentation mode
        thickens the layers' pens)."""
        return float(self.layers[(self.types[0], level)].opts["pen"].widthF())


class _Sample(pg.ItemSample):
    """A legend line drawn as wide as the edges of its level are drawn now (presentation
    mode thickens the edges' pens; the legend follows), and only a picture: a click hides
    nothing."""

    LENGTH, HEIGHT = 30.0, 20.0

    def __init__(self, item) -> None:
        super().__init__(item)
        self.width_of = None  # set by make_legend: level -> the edges' pen width now
        self.setFixedWidth(self.LENGTH + 4)
        self.setFixedHeight(self.HEIGHT)

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt API
        return QtCore.QRectF(0, 0, self.LENGTH + 4, self.HEIGHT)

    def drawn_width(self) -> float:
        """The pen width this sample draws with (pixels)."""
        return float(self.width_of(self.item.level))

    def paint(self, p, *args) -> None:
        if getattr(self.item, "level", None) is None:
            return  # the title entry: text only
        pen = QtGui.QPen(self.item.opts["pen"])
        pen.setWidthF(self.drawn_width())
        pen.setCapStyle(QtCore.Qt.PenCapStyle.FlatCap)
        p.setPen(pen)
        y = self.HEIGHT / 2
        p.drawLine(QtCore.QPointF(2, y), QtCore.QPointF(2 + self.LENGTH, y))

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - Qt API
        ev.ignore()


def make_legend(*, color: str, text_color: str, width_of=None) -> pg.LegendItem:
    """The thickness legend, one row: a title and the lines of ``LEGEND_LEVELS`` (in
    ``color``, faded like the edges) with their d_e. The caller places it (the graph view
    puts it in its plot's layout, under the view box, so it never covers a neuron).

    Parameters
    ----------
    color, text_color : colours of the lines and of the text
    width_of : callable level -> pen width in pixels, optional (default :func:`level_width`):
        where the edges of a level get their width now

    Each entry's item carries ``level`` (int, None for the title) and ``discord`` (float or
    None); each sample's :meth:`_Sample.drawn_width` is the width it draws.
    """
    legend = pg.LegendItem(colCount=len(LEGEND_LEVELS) + 1, sampleType=_Sample,
                           labelTextColor=text_color,
                           labelTextSize=f"{style.base_pt() * 0.8:.0f}pt", horSpacing=6)
    title = pg.PlotDataItem(pen=None)
    title.level, title.discord = None, None
    legend.addItem(title, "edge discord dₑ:")
    for level in LEGEND_LEVELS:
        item = pg.PlotDataItem(pen=level_pen(color, level))
        item.level, item.discord = level, level_discord(level)
        legend.addItem(item, level_label(level))
    for sample, _label in legend.items:
        sample.width_of = width_of or (lambda level: float(level_width(level)))
    return legend


def place_legend(legend: pg.LegendItem, grid, row: int, col: int) -> None:
    """Put ``legend`` into cell (row, col) of a QGraphicsGridLayout at its own size,
    left-aligned (the layout gives it its height; it covers nothing)."""
    legend.setSizePolicy(QtWidgets.QSizePolicy.Policy.Fixed,
                         QtWidgets.QSizePolicy.Policy.Fixed)
    legend.setPreferredSize(legend.geometry().size())
    grid.addItem(legend, row, col)
    grid.setAlignment(legend, QtCore.Qt.AlignmentFlag.AlignLeft)
