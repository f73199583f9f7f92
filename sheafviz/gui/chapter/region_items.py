"""The activation-region map of an input plane as a pyqtgraph item: exact polygons.

:class:`RegionMapItem` draws a :class:`~sheafviz.core.diagnostics.RegionMap` in plane
coordinates (for 2-D inputs, the input coordinates themselves): every region filled with a
pale colour chosen by its forward pattern (the same pattern keeps its colour while training),
the pinned input's region in the highlight colour, a message in the box's corner when the
region cap stopped the refinement. Hovering a region shows its pattern as a tooltip.

Inputs: :meth:`set_region_map`, :meth:`set_highlight` (a region index) or
:meth:`set_pinned_input` (an input, located by the map). It emits nothing: the data panel it
is added to keeps its own clicks. Redraw it while training through
:class:`sheafviz.gui.chapter.rate_limit.RateLimiter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from sheafviz.gui.chapter import look

if TYPE_CHECKING:  # the data class only; its module is imported where it is computed
    from sheafviz.core.diagnostics import RegionMap

EMPTY_TEXT = ("Activation regions need 2-D inputs, or a plane through the input space "
              "(an origin and two directions).")


def pattern_color_index(key: bytes) -> int:
    """A colour index that depends on the pattern only (stable while the weights move)."""
    import hashlib  # loads OpenSSL (~5 ms): at the first region map, not at start-up

    return int.from_bytes(hashlib.blake2b(key, digest_size=4).digest(), "little")


def pattern_text(region) -> str:
    """The pattern as "layer 1: 1 0 1 · layer 2: 0 1"."""
    return " · ".join(f"layer {l + 1}: " + " ".join(str(int(s)) for s in sigma)
                      for l, sigma in enumerate(region.sigma))


class RegionMapItem(pg.GraphicsObject):
    """Exact activation regions; z below the data points (−5)."""

    def __init__(self, *, theme=None) -> None:
        super().__init__()
        self._palette = look.Palette.from_theme(theme)
        self.region_map: RegionMap | None = None
        self.highlight: int | None = None
        self._scale = 1.0
        self._picture = QtGui.QPicture()
        self._bounds = QtCore.QRectF()
        self.note = pg.TextItem(anchor=(0, 0))
        self.note.setParentItem(self)
        self.note.setZValue(10)
        self.setZValue(-5)
        self.setAcceptHoverEvents(True)
        self.set_region_map(None)

    # -- inputs ------------------------------------------------------------------------
    def set_region_map(self, region_map: RegionMap | None, *, highlight: int | None = None,
                       empty_text: str = EMPTY_TEXT) -> None:
        """The regions to draw (None: nothing, and ``empty_text`` at the last box's centre)."""
        self.region_map, self.highlight = region_map, highlight
        self._where = "centre"
        if region_map is not None:
            u0, u1, v0, v1 = region_map.box
            self._bounds = QtCore.QRectF(u0, v0, u1 - u0, v1 - v0)
        if region_map is None:
            self._show_note(empty_text, where="centre")
        elif region_map.capped:
            self._show_note(region_map.message, where="corner")
        else:
            self.note.setVisible(False)
        self._rebuild()

    def set_highlight(self, index: int | None) -> None:
        """Highlight the region with this index (None: none)."""
        if index is not None and (self.region_map is None
                                  or not 0 <= index < len(self.region_map.regions)):
            raise ValueError(f"no region {index} in the map")
        self.highlight = index
        self._rebuild()

    def set_pinned_input(self, x) -> int | None:
        """Highlight the region of an input (n0,) (projected onto the plane); returns its
        index, None when it lies outside the box or no map is shown."""
        rmap = self.region_map
        # a map the cap stopped before layer 1 is one region: highlighting it says nothing
        index = None if rmap is None or rmap.depth == 0 else rmap.region_of_input(x)
        self.set_highlight(index)
        return index

    def set_scale(self, factor: float) -> None:
        """Outline widths and the message's text at ``factor`` × normal (presentation)."""
        self._scale = float(factor)
        self.note.setFont(look.font(0.9 * self._scale))
        self._rebuild()

    def set_theme(self, theme) -> None:
        """Redraw in a theme's colours (call on the theme's change event)."""
        self._palette = look.Palette.from_theme(theme)
        self._rebuild()

    # -- what is drawn (tests read these) ---------------------------------------------
    @property
    def region_count(self) -> int:
        return 0 if self.region_map is None else len(self.region_map.regions)

    def fill_color(self, index: int) -> QtGui.QColor:
        """The colour region ``index`` is painted in."""
        if index == self.highlight:
            return QtGui.QColor(self._palette.highlight)
        return look.region_fill(pattern_color_index(self.region_map.regions[index].key))

    def region_at(self, point) -> int | None:
        """The region under a plane point (2,), None outside."""
        return None if self.region_map is None else self.region_map.region_of(point)

    # -- painting ----------------------------------------------------------------------
    def _rebuild(self) -> None:
        self.prepareGeometryChange()
        self._picture = QtGui.QPicture()
        painter = QtGui.QPainter(self._picture)
        rmap = self.region_map
        self.note.setColor(self._palette.foreground)
        self.note.fill = pg.mkBrush(self._palette.background)
        if rmap is not None:
            edge = look.pen(look.region_fill(0).darker(135), 1.0 * self._scale)
            for i, region in enumerate(rmap.regions):
                if i == self.highlight:
                    continue  # on top, after the others
                self._paint_region(painter, region, self.fill_color(i), edge)
            if self.highlight is not None:
                self._paint_region(painter, rmap.regions[self.highlight],
                                   self.fill_color(self.highlight),
                                   look.pen(self._palette.outline, 2.5 * self._scale))
            u0, u1, v0, v1 = rmap.box
            self._bounds = QtCore.QRectF(u0, v0, u1 - u0, v1 - v0)
        painter.end()
        self.update()

    @staticmethod
    def _paint_region(painter, region, color, edge_pen) -> None:
        painter.setPen(edge_pen)
        painter.setBrush(pg.mkBrush(color))
        painter.drawPolygon(QtGui.QPolygonF([QtCore.QPointF(float(u), float(v))
                                             for u, v in region.polygon]))

    def _show_note(self, text: str, *, where: str) -> None:
        self.note.setText(text)
        self.note.setFont(look.font(0.9 * self._scale))
        self.note.setVisible(bool(text))
        self.note.setAnchor((0, 0) if where == "corner" else (0.5, 0.5))
        self._where = where
        if self.region_map is not None:
            u0, u1, v0, v1 = self._visible_box()
            inset_u, inset_v = 0.01 * (u1 - u0), 0.01 * (v1 - v0)  # clear of the frame
            self.note.setPos(*((u0 + inset_u, v1 - inset_v) if where == "corner"
                               else ((u0 + u1) / 2, (v0 + v1) / 2)))
        elif self._bounds.isValid():
            self.note.setPos(self._bounds.center())
        else:
            self.note.setPos(0.0, 0.0)
        self._wrap_note()

    def _wrap_note(self) -> None:
        """Wrap the message to the box's width on screen (most of it), 320 px unknown."""
        width = 320.0 * self._scale
        if self._bounds.isValid():
            rect = self.mapRectToDevice(self._bounds)
            if rect is not None and rect.width() > 40:
                width = rect.width() * 0.92
        self.note.setTextWidth(width)

    def _visible_box(self) -> tuple[float, float, float, float]:
        """The map's box cut to the visible range (the note must not hang off the view)."""
        u0, u1, v0, v1 = self.region_map.box
        vb = self.getViewBox()
        if vb is None:
            return u0, u1, v0, v1
        r = vb.viewRect()
        lo_u, hi_u = sorted((r.left(), r.right()))
        lo_v, hi_v = sorted((r.top(), r.bottom()))
        if min(u1, hi_u) <= max(u0, lo_u) or min(v1, hi_v) <= max(v0, lo_v):
            return u0, u1, v0, v1
        return max(u0, lo_u), min(u1, hi_u), max(v0, lo_v), min(v1, hi_v)

    def viewTransformChanged(self) -> None:
        super().viewTransformChanged()
        if self.note.isVisible() and self.region_map is not None:
            self._show_note(self.note.textItem.toPlainText(), where=self._where)
        elif self.note.isVisible():
            self._wrap_note()

    def paint(self, painter, *args) -> None:
        self._picture.play(painter)

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(self._bounds)

    def hoverEvent(self, ev) -> None:
        if ev.isExit() or self.region_map is None:
            self.setToolTip("")
            return
        pos = ev.pos()
        index = self.region_at(np.array([pos.x(), pos.y()]))
        if index is None:
            self.setToolTip("")
            return
        region = self.region_map.regions[index]
        pinned = " (the pinned input's region)" if index == self.highlight else ""
        self.setToolTip(f"Region {index + 1} of {self.region_count}{pinned}: every input "
                        f"here has the forward pattern {pattern_text(region)}")
