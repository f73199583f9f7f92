"""The inverse family on an input plane: the inputs whose forward pass hits the pins.

:class:`InverseFamilyItem` draws an :class:`~sheafviz.core.diagnostics.InverseFamily` in
plane coordinates: its polygons filled, its segments as thick lines, its points as dots. A
click within :data:`PICK_RADIUS_PX` pixels of it emits ``inputPicked(x)`` with the input
(n0,) of the family's point nearest the click (``InverseFamily.nearest``) — the intent "pin
x there". Clicks farther away are left to the items below (the data panel's points).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from sheafviz.gui.chapter import look

if TYPE_CHECKING:  # the data class only; its module is imported where it is computed
    from sheafviz.core.diagnostics import InverseFamily

#: A click this close to the family (screen pixels) picks it.
PICK_RADIUS_PX = 12.0
NO_PIECES_TEXT = "No input in this box reaches the pins."
TOOLTIP = ("Inputs whose forward pass has exactly the pinned values. Click to pin x at the "
           "nearest such input.")


class InverseFamilyItem(pg.GraphicsObject):
    """Signals: ``inputPicked(object)`` — an ndarray (n0,), an input on the family."""

    inputPicked = QtCore.Signal(object)

    def __init__(self, *, theme=None) -> None:
        super().__init__()
        self._palette = look.Palette.from_theme(theme)
        self.family: InverseFamily | None = None
        self._scale = 1.0
        self._picture = QtGui.QPicture()
        self._bounds = QtCore.QRectF()
        self.points = pg.ScatterPlotItem(symbol="o")
        self.points.setParentItem(self)
        self.note = pg.TextItem(anchor=(0.5, 0.5))
        self.note.setParentItem(self)
        self.setZValue(5)
        self.setAcceptHoverEvents(True)
        self.set_scale(1.0)

    # -- inputs ------------------------------------------------------------------------
    def set_family(self, family: InverseFamily | None) -> None:
        """The family to draw (None: nothing)."""
        self.family = family
        self._rebuild()

    def set_scale(self, factor: float) -> None:
        """Line widths, dot sizes and text at ``factor`` × normal (presentation mode)."""
        self._scale = float(factor)
        self._rebuild()

    def set_theme(self, theme) -> None:
        """Redraw in a theme's colours (call on the theme's change event)."""
        self._palette = look.Palette.from_theme(theme)
        self._rebuild()

    # -- picking -----------------------------------------------------------------------
    def pick(self, plane_point) -> np.ndarray | None:
        """The input (n0,) of the family point nearest ``plane_point`` (2,) if that point
        lies within :data:`PICK_RADIUS_PX` screen pixels of it, else None."""
        if self.family is None or not self.family.pieces:
            return None
        nearest = self.family.nearest(plane_point)
        here = self.mapToDevice(QtCore.QPointF(*map(float, plane_point)))
        there = self.mapToDevice(QtCore.QPointF(*map(float, nearest.point)))
        if here is None or there is None:
            return None
        if np.hypot(here.x() - there.x(), here.y() - there.y()) > PICK_RADIUS_PX * self._scale:
            return None
        return nearest.x

    def mouseClickEvent(self, ev) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            return
        pos = ev.pos()
        x = self.pick(np.array([pos.x(), pos.y()]))
        if x is None:
            ev.ignore()  # not on the family: the items below get the click
            return
        ev.accept()
        self.inputPicked.emit(x)

    def hoverEvent(self, ev) -> None:
        if ev.isExit():
            self.setToolTip("")
            return
        pos = ev.pos()
        near = self.pick(np.array([pos.x(), pos.y()])) is not None
        self.setToolTip(TOOLTIP if near else "")

    # -- painting ----------------------------------------------------------------------
    def _rebuild(self) -> None:
        self.prepareGeometryChange()
        self._picture = QtGui.QPicture()
        painter = QtGui.QPainter(self._picture)
        family, dots, p = self.family, [], self._palette
        self.note.setFont(look.font(0.9 * self._scale))
        self.note.setColor(p.foreground)
        self.note.fill = pg.mkBrush(p.background)
        self.points.setPen(look.pen(p.outline, 1.5 * self._scale))
        self.points.setBrush(pg.mkBrush(p.family))
        if family is not None:
            fill = pg.mkBrush(look.faded(p.family, 0.45))
            for index, piece in enumerate(family.pieces):
                if piece.kind == "point":
                    dots.append({"pos": tuple(piece.vertices[0]), "data": index})
                elif piece.kind == "segment":
                    painter.setPen(look.pen(p.family, 4.0 * self._scale))
                    (u0, v0), (u1, v1) = piece.vertices
                    painter.drawLine(QtCore.QPointF(u0, v0), QtCore.QPointF(u1, v1))
                else:
                    painter.setPen(look.pen(p.family, 2.0 * self._scale))
                    painter.setBrush(fill)
                    painter.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(float(u), float(v))
                                                         for u, v in piece.vertices]))
            u0, u1, v0, v1 = family.region_map.box
            self._bounds = QtCore.QRectF(u0, v0, u1 - u0, v1 - v0)
        painter.end()
        self.points.setData(dots, size=12 * self._scale)
        self._place_note()
        self.update()

    def _place_note(self) -> None:
        family = self.family
        text = "" if family is None else (family.message if not family.complete else
                                          "" if family.pieces else NO_PIECES_TEXT)
        self.note.setText(text)
        self.note.setVisible(bool(text))
        if text:
            self.note.setPos(self._bounds.center())
            rect = self.mapRectToDevice(self._bounds)
            width = rect.width() * 0.8 if rect is not None and rect.width() > 40 else 320.0
            self.note.setTextWidth(width * (1.0 if rect is not None else self._scale))

    def paint(self, painter, *args) -> None:
        self._picture.play(painter)

    def boundingRect(self) -> QtCore.QRectF:
        # The whole box: a click near (not on) a thin segment must reach mouseClickEvent;
        # clicks that miss the family are ignored there and pass to the items below.
        return QtCore.QRectF(self._bounds)
