"""The path graph view: vertex columns of neurons, coloured edges, pins, hover card.

Geometry (data coordinates, :mod:`.graph_geometry`): vertex ``k`` of the path sits at
``x = k``; its neurons fill ``y ∈ [−1, 1]`` top to bottom; vertex labels sit above at
``y = LABEL_Y``. Stalks wider than
``style.MAX_DOTS`` are drawn as a strip (an ImageItem, one pixel row per coordinate) in
which any coordinate can still be picked by its height.
"""

from __future__ import annotations

import time

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from . import edge_widths, style
from .graph_fit import fit_to_pixels, fixed_px, height_for_dot, pin_extra, pin_pen_px
from .graph_items import (add_strip, show_hover_card, show_pin_count, value_text,
                          vertex_label)
from .graph_geometry import (LABEL_Y, STRIP_HALF, STRIP_TOP, dot_positions, edge_segments,
                             strip_positions)
from .lines import LineBundle
from .theme import Theme
from .viewbox import DelegatingViewBox, PassiveScatter, nearest_point

HIT_PX = 16
#: The row of the plot's layout (under the hidden bottom axis) holding the legend.
LEGEND_ROW = 4
#: Value labels next to the dots refresh at most this often while animating (readable).
TEXT_PERIOD_S = 0.1


class GraphView(pg.PlotWidget):
    """The path graph. Emits intents; redraws only through ``set_*`` methods, and holds
    nothing but what they pushed (the hover card's text included: see ``hoverChanged``).

    Signals
    -------
    neuronClicked(str, int), stalkClicked(str), pinDragged(str, int, float)
    dragStarted(), dragFinished() : a drag of a pin begins / ends (its moves are one edit)
    hoverChanged(object) : the neuron under the pointer, ``(name, index)``, or None; the
        owner answers with :meth:`set_hover_text` (and again whenever the text changes)
    """

    neuronClicked = QtCore.Signal(str, int)
    stalkClicked = QtCore.Signal(str)
    pinDragged = QtCore.Signal(str, int, float)
    dragStarted = QtCore.Signal()
    dragFinished = QtCore.Signal()
    hoverChanged = QtCore.Signal(object)

    def __init__(self, parent=None, *, theme: Theme | None = None) -> None:
        #: the colours this view draws with (:class:`~.theme.Theme`; read at each rebuild)
        self.theme = theme if theme is not None else Theme()
        self.vb = DelegatingViewBox(self)
        super().__init__(parent, viewBox=self.vb)
        self.setBackground(self.theme.BACKGROUND)
        self.plotItem.hideAxis("left")
        self.plotItem.hideAxis("bottom")
        self.plotItem.hideButtons()
        self.setMinimumHeight(110)
        self.layout_ = None
        self._items: list = []
        self._hover: tuple[str, int] | None = None
        self._drag = None
        self._text_timer = QtCore.QTimer(self, singleShot=True,
                                         interval=int(TEXT_PERIOD_S * 1000))
        self._text_timer.timeout.connect(lambda: self.layout_ is not None and self._set_texts())
        self._last_c = np.zeros(0)
        #: height of the vertex labels (data units): just above the top marker, in pixels
        self.label_y = LABEL_Y
        self.vb.sigResized.connect(lambda *_: self.fit_to_pixels())

    # -- building ------------------------------------------------------------------------
    def _clear(self) -> None:
        for it in self._items:
            self.vb.removeItem(it)
        self._items = []
        legend = getattr(self, "legend", None)
        if legend is not None:  # not a view item: a row of the plot's layout
            self.plotItem.layout.removeItem(legend)
            if legend.scene() is not None:
                legend.scene().removeItem(legend)
        self.legend = None

    def _add(self, item, z: float = 0.0):
        item.setZValue(z)
        self.vb.addItem(item)
        self._items.append(item)
        return item

    def set_session(self, layout) -> None:
        """Build every item for a new architecture (once per preset or look, never per
        frame), in the colours of :attr:`theme`."""
        self.setBackground(self.theme.BACKGROUND)
        self._clear()
        self.layout_ = layout
        self._hover, self._drag = None, None
        self._pins_key = None
        self._build_geometry(layout)
        self._build_edges(layout)
        self._build_neurons(layout)
        self._build_labels(layout)
        self.hover_card = self._add(pg.TextItem("", color=self.theme.FOREGROUND,
                                                fill=pg.mkBrush(self.theme.CARD_FILL),
                                                border=pg.mkPen(self.theme.OUTLINE_COLOR,
                                                                width=1.5)), 50)
        self.hover_card.setFont(style.font(0.9))
        self.hover_card.hide()
        n = len(layout.vertices)
        self.vb.setRange(xRange=(-0.55, n - 0.45), yRange=(-1.12, LABEL_Y + 0.22), padding=0)
        self._base_dot_size = self.dot_size
        self.fit_to_pixels()

    def _build_geometry(self, layout) -> None:
        self.is_strip = [v.dim > style.MAX_DOTS for v in layout.vertices]
        self.ys = [strip_positions(v.dim) if s else dot_positions(v.dim)
                   for v, s in zip(layout.vertices, self.is_strip)]
        dots = [(k, j) for k, v in enumerate(layout.vertices) if not self.is_strip[k]
                for j in range(v.dim)]
        #: (vertex name, coordinate) of each dot: the identity its scatter point carries
        self.dot_ids = [(layout.vertices[k].name, j) for k, j in dots]
        self.dot_vertex = np.array([k for k, _ in dots], dtype=int)
        self.dot_coord = np.array([j for _, j in dots], dtype=int)
        self.dot_flat = np.array([layout.vertices[k].offset + j for k, j in dots], dtype=int)
        self.dot_x = self.dot_vertex.astype(float)
        self.dot_y = np.array([self.ys[k][j] for k, j in dots]) if dots else np.zeros(0)
        n_dots_max = max([v.dim for v, s in zip(layout.vertices, self.is_strip) if not s] or [1])
        # Scaled with the text size, so 1280×720 keeps the dots of a column apart.
        scale = style.base_pt() / 14.0
        base = 30 if n_dots_max <= 6 else (22 if n_dots_max <= 12 else 15)
        self.dot_size = int(round(base * max(0.7, min(scale, 1.3))))

    def _build_edges(self, layout) -> None:
        bundle = self._add(LineBundle(), 1)
        # Cached as a picture of the view's pixels: a frame that leaves every edge at its
        # level repaints the neurons over the edges by copying the picture, not by drawing
        # hundreds of long lines again (it is redrawn when a level or the view changes).
        bundle.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        #: the edges, one layer per (type, thickness level): see .edge_widths
        self.edges = edge_widths.EdgeLayers(
            bundle, layout.edges, [edge_segments(self.ys, e.position, e.type)
                                   for e in layout.edges], self.theme.EDGE_COLORS)
        self.legend = edge_widths.make_legend(color=self.theme.OUTLINE_COLOR,
                                              text_color=self.theme.FOREGROUND,
                                              width_of=self.edges.width)
        # under the view box, in the plot's own layout: it covers no neuron
        edge_widths.place_legend(self.legend, self.plotItem.layout, LEGEND_ROW, 1)

    def _build_neurons(self, layout) -> None:
        self.dots = self._add(PassiveScatter(pxMode=True), 10)
        self.halo = self._add(PassiveScatter(pxMode=True), 9)
        self.strips, self.strip_pins, self.strip_sel = {}, {}, {}
        for k, v in enumerate(layout.vertices):
            if self.is_strip[k]:
                self.strips[k], self.strip_pins[k] = add_strip(self._add, k, v.dim, self.theme)
        self.value_texts = []
        if self.dot_flat.size <= 40:
            self.value_texts = [self._add(value_text(x, y, self.theme), 11)
                                for x, y in zip(self.dot_x, self.dot_y)]
        self._last_texts = [""] * len(self.value_texts)
        self._texts_at = 0.0

    def _build_labels(self, layout) -> None:
        self.labels = [self._add(vertex_label(k, self.theme), 12)
                       for k in range(len(layout.vertices))]
        self._label_state = [None] * len(self.labels)

    def fit_to_pixels(self) -> None:
        """Dot size, label places and range from the view's pixels (:mod:`.graph_fit`)."""
        fit_to_pixels(self)

    def fixed_px(self) -> float:
        """Pixels of the view box kept for labels, not dots (:func:`.graph_fit.fixed_px`)."""
        return fixed_px(self)

    def wanted_px(self) -> float:
        """Height in pixels at which this view draws its dots at the look's own size (its
        legend row included; 0 before a session is shown)."""
        if self.layout_ is None:
            return 0.0
        return self.height() - self.vb.height() + height_for_dot(self, self._base_dot_size)

    def set_dot_size(self, dot: int) -> None:
        """Draw the dots ``dot`` pixels wide (the pin markers' sizes and outlines follow)."""
        self.dot_size = dot
        if getattr(self, "_pins", None) is not None:
            self._pins_key = None  # the pins are the same, their markers' sizes are not
            self.set_pins(self._pins, self._selected)

    # -- drawing -------------------------------------------------------------------------
    def set_pins(self, pins, selected) -> None:
        """Pin markers, clamped symbols, stalk labels (when pins or selection change)."""
        lay = self.layout_
        if lay is None:
            return
        self._pins = pins
        # what is drawn here depends on which neurons are pinned, not on their values: a
        # dragged value changes nothing (and rebuilds no dot on the next frame)
        key = (frozenset(pins.hard), frozenset(pins.soft), selected)
        if key == self._pins_key:
            return
        self._pins_key = key
        self._selected = selected
        pinned = np.array([pins.is_pinned(lay.vertices[k].name, j)
                           for k, j in zip(self.dot_vertex, self.dot_coord)], dtype=bool)
        self._dot_pinned = pinned
        self._symbols = np.where(pinned, "s", "o").tolist()
        free_pen = pg.mkPen(self.theme.OUTLINE_COLOR, width=1.5)
        pin_pen = pg.mkPen(self.theme.PIN_COLOR, width=pin_pen_px(self.dot_size))
        self._pens = [pin_pen if p else free_pen for p in pinned]
        self._sizes = np.where(pinned, self.dot_size + pin_extra(self.dot_size), self.dot_size)
        self._dots_stale = True
        for k, img in self.strips.items():
            v = lay.vertices[k]
            idx = [j for j in range(v.dim) if pins.is_pinned(v.name, j)]
            ys = self.ys[k][idx]
            self.strip_pins[k].setData(np.full(len(idx), k + STRIP_HALF + 0.035), ys)
        for k, (v, label) in enumerate(zip(lay.vertices, self.labels)):
            n_pin = sum(pins.is_pinned(v.name, j) for j in range(v.dim))
            state = (n_pin == v.dim, n_pin)
            if state == self._label_state[k]:
                continue
            self._label_state[k] = state
            show_pin_count(label, v, n_pin, self.theme)
        self._draw_halo()

    def _pens_with(self, flip: np.ndarray) -> list:
        pens = list(self._pens)
        if flip.any():
            flip_pen = pg.mkPen(self.theme.FLIP_COLOR, width=4)
            for j in np.flatnonzero(flip):
                pens[j] = flip_pen
        return pens

    def _draw_halo(self) -> None:
        sel = self._selected
        xs, ys = [], []
        if sel is not None and self.layout_ is not None:
            k = self.layout_.vertex(sel[0]).position
            if sel[1] < len(self.ys[k]):
                xs, ys = [k], [self.ys[k][sel[1]]]
        size = self.dot_size + 18 if xs and not self.is_strip[xs[0]] else 26
        self.halo.setData(xs, ys, symbol="o", size=size, brush=pg.mkBrush(240, 180, 0, 120),
                          pen=pg.mkPen(self.theme.SELECT_COLOR, width=3))

    def set_frame(self, snap) -> None:
        """Redraw values and discords of one frame (called every animation frame)."""
        if self.layout_ is None:
            return
        c = snap.cochain
        self._last_c = c
        scale = float(np.max(np.abs(c))) if c.size else 1.0
        brushes = style.value_brushes()
        if self.dot_flat.size:
            vals = c[self.dot_flat]
            idx = style.brush_index(vals, scale)
            flip = (snap.flipped[self.dot_flat] | snap.boundary[self.dot_flat]) & ~self._dot_pinned
            # Positions, symbols and sizes are set with the pins; a frame only restyles, and
            # only what changed (setData per frame would rebuild every spot).
            if self._dots_stale:
                self._dots_stale = False
                self.dots.setData(self.dot_x, self.dot_y, symbol=self._symbols,
                                  size=self._sizes, brush=[brushes[i] for i in idx],
                                  pen=self._pens_with(flip), data=np.arange(self.dot_x.size))
                self._last_idx, self._last_flip = idx, flip
            else:
                if not np.array_equal(idx, self._last_idx):
                    self.dots.setBrush([brushes[i] for i in idx])
                    self._last_idx = idx
                if not np.array_equal(flip, self._last_flip):
                    self.dots.setPen(self._pens_with(flip))
                    self._last_flip = flip
            self._vals = vals
            now = time.perf_counter()
            if now - self._texts_at >= TEXT_PERIOD_S:
                self._set_texts()
            elif not self._text_timer.isActive():  # a drag or the animation: catch up later
                self._text_timer.start()
        for k, img in self.strips.items():
            v = self.layout_.vertices[k]
            img.setImage(c[v.slice][::-1][:, None], levels=(-scale, scale), autoLevels=False)
        self.edges.draw(snap.discords)

    def _set_texts(self) -> None:
        """Value labels beside the dots (at most every TEXT_PERIOD_S: readable, and each
        text change re-lays out a text item)."""
        self._texts_at = time.perf_counter()
        for j, t in enumerate(self.value_texts):
            s = style.fmt(self._vals[j], 3)
            if s != self._last_texts[j]:
                self._last_texts[j] = s
                t.setText(s)

    # -- hit testing and mouse -----------------------------------------------------------
    def hit(self, scene_pos) -> tuple | None:
        """("neuron", name, i), ("stalk", name) or None for a scene position."""
        lay = self.layout_
        if lay is None:
            return None
        if self.dot_flat.size:
            j = nearest_point((self.dots,), self.vb, scene_pos,
                              max(HIT_PX, self.dot_size / 2 + 4))
            if j is not None:
                return ("neuron", *self.dot_ids[int(j)])
        p = self.vb.mapSceneToView(scene_pos)
        pw, ph = self.vb.viewPixelSize()
        for k in self.strips:
            if abs(p.x() - k) <= STRIP_HALF + 6 * pw and abs(p.y()) <= STRIP_TOP + 2 * ph:
                dim = lay.vertices[k].dim
                j = int(np.clip((STRIP_TOP - p.y()) / (2 * STRIP_TOP) * dim, 0, dim - 1))
                return ("neuron", lay.vertices[k].name, j)
        if p.y() >= self.label_y - 0.12:
            k = int(round(p.x()))
            if 0 <= k < len(lay.vertices) and abs(p.x() - k) <= 0.42:
                return ("stalk", lay.vertices[k].name)
        return None

    def on_click(self, ev) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        h = self.hit(ev.scenePos())
        if h is None:
            ev.ignore()
            return
        ev.accept()
        if h[0] == "neuron":
            self.neuronClicked.emit(h[1], h[2])
        else:
            self.stalkClicked.emit(h[1])

    def on_drag(self, ev) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            h = self.hit(ev.buttonDownScenePos())
            if (h is None or h[0] != "neuron" or self._last_c.size == 0
                    or not self._pins.is_pinned(h[1], h[2])):
                self._drag = None
                ev.ignore()
                return
            c = self._last_c
            v0 = float(c[self.layout_.index(h[1], h[2])])
            # 100 px of drag move the value by the largest |value| shown (at least 0.5).
            self._drag = (h[1], h[2], v0, max(0.5, float(np.max(np.abs(c)))) / 100.0)
            if self._hover is not None:  # the card of the neuron grabbed goes too
                self._hover = None
                self.hover_card.hide()
                self.hoverChanged.emit(None)
            self.dragStarted.emit()
        if self._drag is None:
            ev.ignore()
            return
        ev.accept()
        name, i, v0, per_px = self._drag
        dy = ev.scenePos().y() - ev.buttonDownScenePos().y()
        self.pinDragged.emit(name, i, v0 - dy * per_px)
        if ev.isFinish():
            self._drag = None
            self.dragFinished.emit()

    @property
    def hovered(self) -> tuple[str, int] | None:
        """The neuron under the pointer, ``(name, index)``, or None."""
        return self._hover

    def on_hover(self, ev) -> None:
        if ev.isExit() or self._drag is not None:
            h = None  # no card during a drag: the pointer passes over the neighbours
        else:
            h = self.hit(ev.scenePos())
            h = (h[1], h[2]) if h is not None and h[0] == "neuron" else None
        if h != self._hover:
            self._hover = h
            if h is None:
                self.hover_card.hide()
            self.hoverChanged.emit(h)

    def set_hover_text(self, html: str) -> None:
        """Show ``html`` (rich text) beside the hovered neuron; "" hides the card."""
        if self._hover is None or not html or self.layout_ is None:
            self.hover_card.hide()
            return
        name, i = self._hover
        k = self.layout_.vertex(name).position
        show_hover_card(self.hover_card, html, k, self.ys[k][i],
                        right=k > len(self.layout_.vertices) / 2)
