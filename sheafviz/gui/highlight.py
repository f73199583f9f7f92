"""A highlight drawn over the path graph view: a vertex, an edge or one neuron, by name.

Lessons and the guided tour point at a part of the graph with it (``Viewer.highlight``).
It uses the graph view's documented geometry only (vertex ``k`` at ``x = k``, its neurons
in ``y ∈ [−1, 1]``, the labels above): one translucent rectangle or ring added to the
view's plot, replaced by the next highlight and removed by ``clear``.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from . import style
from .graph_geometry import LABEL_Y, dot_positions, strip_positions

#: Half width of a vertex's highlight box (data units; vertices are 1 apart).
VERTEX_HALF = 0.32
#: Box height: from below the lowest neuron to above the label.
Y_LOW, Y_HIGH = -1.15, LABEL_Y + 0.18
#: Diameter of a neuron's ring (screen pixels, whatever the zoom).
RING_PX = 34
Z_VALUE = 20


def parse_name(layout, name: str) -> tuple[str, int | None]:
    """``"y"`` → ("y", None); ``"a1[0]"`` → ("a1", 0); ValueError naming a bad name."""
    try:
        return layout.parse_neuron(str(name).strip())
    except (KeyError, IndexError) as exc:
        raise ValueError(str(exc).strip("'\"")) from None


def target_box(layout, name: str) -> tuple[str, QtCore.QRectF]:
    """What ``name`` is and the rectangle (data coordinates) that highlights it.

    Parameters
    ----------
    layout : SheafLayout
    name : a vertex (``"a1"``), an edge (``"relu1"``, ``"aff2"``, ``"out"``) or a neuron
        (``"a1[0]"``)

    Returns
    -------
    (kind, rect) with kind in ``"vertex"``, ``"edge"``, ``"neuron"`` (for a neuron the
    rect is empty, at the neuron's centre: its ring has a size in pixels)

    Raises
    ------
    ValueError naming an unknown vertex, edge or coordinate.
    """
    edges = {e.name: e for e in layout.edges}
    if name in edges:
        k = edges[name].position
        return "edge", QtCore.QRectF(k + 0.15, Y_LOW, 0.7, Y_HIGH - Y_LOW)
    try:
        vertex, index = parse_name(layout, name)
    except ValueError:
        raise ValueError(f"nothing called {name!r} to highlight; give a vertex "
                         f"({', '.join(layout.vertex_names)}), an edge "
                         f"({', '.join(edges)}) or a neuron like 'a1[0]'") from None
    v = layout.vertex(vertex)
    if index is None:
        return "vertex", QtCore.QRectF(v.position - VERTEX_HALF, Y_LOW, 2 * VERTEX_HALF,
                                       Y_HIGH - Y_LOW)
    ys = strip_positions(v.dim) if v.dim > style.MAX_DOTS else dot_positions(v.dim)
    y = float(ys[index])
    return "neuron", QtCore.QRectF(float(v.position), y, 0.0, 0.0)


class Highlighter:
    """One highlight at a time in a pyqtgraph PlotWidget (the path graph view).

    Parameters
    ----------
    plot_widget : the path graph view
    color : callable returning the highlight colour now (the theme's selection colour)
    """

    def __init__(self, plot_widget: pg.PlotWidget, color) -> None:
        self._plot = plot_widget
        self._color = color
        self._item: QtWidgets.QGraphicsItem | None = None
        self.target: str | None = None

    def show(self, layout, name: str) -> None:
        """Highlight ``name`` (see :func:`target_box`); replaces the previous highlight."""
        kind, rect = target_box(layout, name)
        self.clear()
        color = QtGui.QColor(self._color())
        pen = QtGui.QPen(color, 3)
        pen.setCosmetic(True)
        fill = QtGui.QColor(color)
        fill.setAlpha(60)
        if kind == "neuron":
            item = pg.ScatterPlotItem([rect.x()], [rect.y()], size=RING_PX, symbol="o",
                                      pen=pen, brush=QtGui.QBrush(fill), pxMode=True)
        else:
            item = QtWidgets.QGraphicsRectItem(rect)
            item.setPen(pen)
            item.setBrush(QtGui.QBrush(fill))
        item.setZValue(Z_VALUE)
        self._plot.addItem(item)
        self._item, self.target = item, name

    def clear(self) -> None:
        if self._item is not None:
            self._plot.removeItem(self._item)
        self._item, self.target = None, None
