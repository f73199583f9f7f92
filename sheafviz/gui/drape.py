"""The drape panel: the cochain as a string along the path, with clamps, ghost and springs.

x = position along the path (vertex ``k`` at ``x = k``, its coordinates spread a little
around it), y = value. Each edge's discrepancy ``r_e = head − mapped tail`` is drawn as a
zig-zag spring just left of the head column, from the mapped-tail value (a short dark
"anchor" tick: where the edge pulls the head to) to the head value, so its length *is*
|r_e[j]|; a thin arm joins it to the head coordinate. The string joins coordinates
one-to-one along relu and output edges; along a small affine edge, thin "feeds" run from
each tail coordinate to the anchors it determines, so the picture reads from clamp to clamp.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from . import style
from .lines import LineBundle
from .theme import Theme
from .viewbox import DelegatingViewBox, PassiveScatter, move_points, nearest_point
from .widgets import ShrinkLater

SPRING_OFFSET = 0.3
SPRING_AMP = 0.035
SPRING_POINTS = 13
#: Most springs drawn per edge (the largest |r| first) and most string segments per edge.
MAX_SPRINGS = 48
MAX_FAN = 64
HIT_PX = 14
MAX_CLAMP_BARS = 64
#: Feed lines are drawn for affine edges with at most this many (tail, head) pairs.
MAX_FEEDS = 32


def spread(dim: int) -> np.ndarray:
    """Horizontal offsets of a stalk's coordinates around its column, shape (dim,)."""
    if dim == 1:
        return np.zeros(1)
    width = min(0.5, 0.05 * dim)
    return ((np.arange(dim) + 0.5) / dim - 0.5) * width


def spring_polyline(x: np.ndarray, y0: np.ndarray, y1: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zig-zags from ``y0`` to ``y1`` at ``x`` (all shape (m,)), NaN-separated for
    ``connect="finite"``; returns flat ``(xs, ys)`` of length ``m·(SPRING_POINTS+1)``."""
    m = x.size
    s = np.linspace(0.0, 1.0, SPRING_POINTS)
    wiggle = np.zeros(SPRING_POINTS)
    wiggle[1:-1] = np.where(np.arange(1, SPRING_POINTS - 1) % 2 == 1, 1.0, -1.0)
    xs = np.full((m, SPRING_POINTS + 1), np.nan)
    ys = np.full((m, SPRING_POINTS + 1), np.nan)
    xs[:, :-1] = x[:, None] + SPRING_AMP * wiggle[None, :]
    ys[:, :-1] = y0[:, None] + (y1 - y0)[:, None] * s[None, :]
    return xs.ravel(), ys.ravel()


class DrapePanel(pg.PlotWidget):
    """Signals: ``neuronClicked(str, int)``, ``pinDragged(str, int, float)``,
    ``dragStarted()`` / ``dragFinished()`` (a drag of a clamp begins / ends)."""

    neuronClicked = QtCore.Signal(str, int)
    pinDragged = QtCore.Signal(str, int, float)
    dragStarted = QtCore.Signal()
    dragFinished = QtCore.Signal()

    def __init__(self, parent=None, *, theme: Theme | None = None) -> None:
        #: the colours this view draws with (:class:`~.theme.Theme`; read at each rebuild)
        self.theme = theme if theme is not None else Theme()
        self.vb = DelegatingViewBox(self)
        super().__init__(parent, viewBox=self.vb)
        self.setBackground(self.theme.BACKGROUND)
        self.plotItem.hideButtons()
        style.style_plot(self.plotItem, theme=self.theme, left="value", fixed_axes=True)
        # value ticks thinned to the plot's height (large text on a short drape overlapped)
        style.use_log_axis(self.plotItem, log=False)
        self.layout_ = None
        self._items: list = []
        self._yr = None
        self._shrink = ShrinkLater(self, self._shrink_if_still_loose)
        self._drag = None
        self._pin_flat = np.zeros(0, dtype=int)
        self._points_stale = True  # the next frame sets the points with their identities

    def _add(self, item, z: float):
        item.setZValue(z)
        self.vb.addItem(item)
        self._items.append(item)
        return item

    def set_session(self, layout) -> None:
        """Create every item once per architecture (or look), in :attr:`theme`'s colours."""
        self.setBackground(self.theme.BACKGROUND)
        for it in self._items:
            self.vb.removeItem(it)
        self._items = []
        self.layout_ = layout
        self._yr = None
        self._points_stale = True
        xs = np.empty(layout.size)
        for v in layout.vertices:
            xs[v.slice] = v.position + spread(v.dim)
        self.xs = xs
        ax = self.plotItem.getAxis("bottom")
        ax.setTicks([[(v.position, v.name) for v in layout.vertices], []])
        self.vb.setXRange(-0.6, len(layout.vertices) - 0.4, padding=0)
        zero_pen = pg.mkPen(self.theme.GRID_LINE_COLOR, width=1.5,
                            style=QtCore.Qt.PenStyle.DashLine)
        self._add(pg.InfiniteLine(pos=0, angle=0, pen=zero_pen), 0)
        self._build_string_index(layout)
        self._build_ids(layout)
        # Every line set of the drape is one layer of one item (see .lines: nine curve items
        # cost nine paints and nine bounds updates per frame); drawn in this order.
        self.lines = self._add(LineBundle(), 3)
        # Thin feeds from each tail coordinate of a small affine edge to the anchors it
        # determines (the mapped tail W a + b), so the string reads continuously x → y.
        self.feeds = self.lines.add_layer(pg.mkPen(self.theme.FEED_COLOR, width=1))
        self.ghost_line = self.lines.add_layer(pg.mkPen(self.theme.GHOST_COLOR, width=1.5))
        # Qt's raster engine antialiases each segment slowly (~0.05–0.2 ms): only small strings.
        self.string = self.lines.add_layer(pg.mkPen(self.theme.STRING_COLOR, width=2.5),
                                           antialias=self.pair_idx.size <= 64)
        self.springs = {etype: self.lines.add_layer(pg.mkPen(color, width=3), connect="finite")
                        for etype, color in self.theme.EDGE_COLORS.items()}
        # The mapped-tail end of each spring ("where the edge pulls the head to") and a thin
        # arm from the spring's head end to the head coordinate it pulls on.
        self.anchors = self.lines.add_layer(pg.mkPen(self.theme.ANCHOR_COLOR, width=3))
        self.arms = self.lines.add_layer(pg.mkPen(self.theme.ARM_COLOR, width=1))
        # The slowest mode of L_free added to the state (the spectrum panel's ghost, docs/mathematics.md).
        self.mode_ghost = self._add(PassiveScatter(pxMode=True, symbol="x", size=self._size,
                                                   brush=pg.mkBrush(self.theme.GHOST_COLOR),
                                                   pen=pg.mkPen(self.theme.GHOST_COLOR,
                                                                width=2)), 2)
        self.mode_ghost.setVisible(False)
        self.ghost = self._add(PassiveScatter(pxMode=True, symbol="o", size=self._size + 4,
                                              brush=None,
                                              pen=pg.mkPen(self.theme.GHOST_COLOR, width=2)), 2)
        self.points = self._add(PassiveScatter(pxMode=True, symbol="o", size=self._size,
                                               brush=pg.mkBrush(self.theme.VALUE_COLOR),
                                               pen=pg.mkPen(self.theme.BACKGROUND, width=1)), 6)
        self.flip_marks = self._add(PassiveScatter(pxMode=True, symbol="o", size=self._size + 12,
                                                   brush=None,
                                                   pen=pg.mkPen(self.theme.FLIP_COLOR, width=3)),
                                    5)
        self.boundary_marks = self._add(PassiveScatter(
            pxMode=True, symbol="d", size=self._size + 10, brush=None,
            pen=pg.mkPen(self.theme.BOUNDARY_COLOR, width=3)), 5)
        self.clamp_bars = self._add(pg.PlotCurveItem(
            connect="pairs", segmentedLineMode="on", antialias=False,
            pen=pg.mkPen(self.theme.PIN_COLOR, width=5)), 7)
        self.clamps = self._add(PassiveScatter(pxMode=True, symbol="s", size=self._size + 5,
                                               brush=pg.mkBrush(self.theme.PIN_COLOR),
                                               pen=pg.mkPen(self.theme.BACKGROUND, width=1.5)), 8)

    def set_mode_ghost(self, cochain) -> None:
        """Draw ``cochain`` (shape (size,)) as ghost crosses along the path, or clear it."""
        if self.layout_ is None:
            return
        # hidden when empty: an empty scatter still costs a paint on every frame
        self.mode_ghost.setVisible(cochain is not None)
        if cochain is None:
            self.mode_ghost.setData([], [])
        else:
            self.mode_ghost.setData(self.xs, np.asarray(cochain, dtype=float))

    def _build_ids(self, layout) -> None:
        """(vertex name, coordinate) of each flat index: what a point's identity means."""
        self._ids = [(v.name, j) for v in layout.vertices for j in range(v.dim)]

    def _build_string_index(self, layout) -> None:
        """Which coordinate pairs the string joins: one-to-one on relu/out edges (an affine
        edge mixes every coordinate, so its tension is shown by its springs only)."""
        pairs = []
        for edge in layout.edges:
            t, h = layout.vertex(edge.tail), layout.vertex(edge.head)
            if edge.type != "affine":
                step = max(1, h.dim // MAX_FAN)
                pairs += [(t.offset + j, h.offset + j) for j in range(0, h.dim, step)]
        self.pair_idx = np.array(pairs, dtype=int).reshape(-1)
        self._size = 13 if layout.size <= 60 else (8 if layout.size <= 400 else 4)

    def set_pins(self, pins) -> None:
        res = pins.resolve(self.layout_)
        pin_flat = np.concatenate([res.hard_index, res.soft_index]).astype(int)
        if not self._points_stale and np.array_equal(pin_flat, self._pin_flat):
            return  # the same coordinates pinned (a dragged value): the points stay
        self._points_stale = True  # other points: their identities are set anew
        self._pin_flat = pin_flat
        free = np.ones(self.layout_.size, dtype=bool)
        free[self._pin_flat] = False
        self._free_flat = np.flatnonzero(free)
        self.clamps.setSize(self._size + 5 if self._pin_flat.size <= MAX_CLAMP_BARS
                            else max(4, self._size))

    def set_frame(self, snap) -> None:
        lay = self.layout_
        if lay is None:
            return
        c, f, xs = snap.cochain, snap.forward, self.xs
        free, p = self._free_flat, self._pin_flat
        if self._points_stale:  # new pins: points and clamps carry new identities
            self._points_stale = False
            self.points.setData(xs[free], c[free], data=free)
            self.clamps.setData(xs[p], c[p], data=p)
        else:  # a frame moves the same points
            move_points(self.points, xs[free], c[free])
            move_points(self.clamps, xs[p], c[p])
        move_points(self.ghost, xs, f)  # unchanged while x stays: nothing to do
        self.ghost_line.setData(xs[self.pair_idx], f[self.pair_idx])
        self.string.setData(xs[self.pair_idx], c[self.pair_idx])
        if p.size <= MAX_CLAMP_BARS:  # a wall of 784 vise bars says nothing more than squares
            bars_x = np.repeat(xs[p], 2) + np.tile([-0.09, 0.09], p.size)
            self.clamp_bars.setData(bars_x, np.repeat(c[p], 2))
        else:
            self.clamp_bars.setData([], [])
        for item, mask in ((self.flip_marks, snap.flipped), (self.boundary_marks, snap.boundary)):
            idx = np.flatnonzero(mask)
            item.setVisible(idx.size > 0)  # an empty scatter still costs a paint
            if idx.size or item.data.size:
                item.setData(xs[idx], c[idx])
        lo, hi = self._draw_springs(snap)
        both = np.concatenate([c, f]) if c.size < 5000 else c
        self._autorange(min(lo, float(both.min())), max(hi, float(both.max())))

    def _draw_springs(self, snap) -> tuple[float, float]:
        lay, xs = self.layout_, self.xs
        per_type = {t: ([], [], []) for t in self.theme.EDGE_COLORS}
        mx, my, hy, hxs = [], [], [], []
        fx, fy = [], []
        lo, hi = np.inf, -np.inf
        for edge, r, mapped in zip(lay.edges, snap.residuals, snap.mapped):
            h = lay.vertex(edge.head)
            idx = np.arange(h.dim)
            if h.dim > MAX_SPRINGS:
                idx = np.argpartition(-np.abs(r), MAX_SPRINGS)[:MAX_SPRINGS]
            head = snap.cochain[h.offset + idx]
            x = xs[h.offset + idx] - SPRING_OFFSET
            acc = per_type[edge.type]
            acc[0].append(x)
            acc[1].append(mapped[idx])
            acc[2].append(head)
            mx.append(x)
            my.append(mapped[idx])
            hy.append(head)
            hxs.append(xs[h.offset + idx])
            t = lay.vertex(edge.tail)
            if edge.type == "affine" and t.dim * idx.size <= MAX_FEEDS:
                tx = np.repeat(xs[t.slice], idx.size)
                ty = np.repeat(snap.cochain[t.slice], idx.size)
                ax_ = np.tile(x - 0.05, t.dim)
                ay = np.tile(mapped[idx], t.dim)
                seg_x = np.empty(2 * tx.size)
                seg_y = np.empty(2 * tx.size)
                seg_x[0::2], seg_x[1::2] = tx, ax_
                seg_y[0::2], seg_y[1::2] = ty, ay
                fx.append(seg_x)
                fy.append(seg_y)
            if idx.size:
                lo = min(lo, float(mapped[idx].min()))
                hi = max(hi, float(mapped[idx].max()))
        for etype, (x, y0, y1) in per_type.items():
            if x:
                px, py = spring_polyline(np.concatenate(x), np.concatenate(y0), np.concatenate(y1))
                self.springs[etype].setData(px, py)
            else:
                self.springs[etype].setData([], [])
        x = np.concatenate(mx)
        y0 = np.concatenate(my)
        y1 = np.concatenate(hy)
        hx = np.concatenate(hxs)
        self.anchors.setData(np.repeat(x, 2) + np.tile([-0.05, 0.05], x.size), np.repeat(y0, 2))
        arms_x = np.empty(2 * x.size)
        arms_x[0::2], arms_x[1::2] = x, hx
        arms_y = np.repeat(y1, 2)
        self.arms.setData(arms_x, arms_y)
        if fx:
            self.feeds.setData(np.concatenate(fx), np.concatenate(fy))
        else:
            self.feeds.setData([], [])
        return lo, hi

    def _autorange(self, lo: float, hi: float) -> None:
        """Keep every value in view without jitter: grow at once, with room to spare on the
        growing side (a drag outward would otherwise grow it at every move); shrink, later
        (:class:`~.widgets.ShrinkLater`), once the data use less than half the range."""
        if not (np.isfinite(lo) and np.isfinite(hi)):
            return
        pad = 0.08 * max(hi - lo, 0.5)
        want = (lo - pad, hi + pad)
        self._want = want
        cur = self._yr
        if cur is None:
            self._set_yrange(want)
        elif want[0] < cur[0] or want[1] > cur[1]:
            room = 0.15 * (want[1] - want[0])
            self._set_yrange((min(cur[0], want[0] - room) if want[0] < cur[0] else cur[0],
                              max(cur[1], want[1] + room) if want[1] > cur[1] else cur[1]))
        elif (want[1] - want[0]) < 0.5 * (cur[1] - cur[0]):
            self._shrink.small()
        else:
            self._shrink.reset()

    def _set_yrange(self, yr: tuple[float, float]) -> None:
        self._shrink.reset()
        self._yr = yr
        self.vb.setYRange(*yr, padding=0)

    def _shrink_if_still_loose(self) -> None:
        want, cur = getattr(self, "_want", None), self._yr
        if want is not None and cur is not None and \
                (want[1] - want[0]) < 0.5 * (cur[1] - cur[0]):
            self._set_yrange(want)

    # -- mouse ---------------------------------------------------------------------------
    def hit(self, scene_pos) -> tuple[int, bool] | None:
        """(flat index, pinned) of the point under ``scene_pos`` or None: the identity the
        nearest free point or clamp carries (its ``data`` field, a flat index)."""
        if self.layout_ is None or not hasattr(self, "xs"):
            return None
        j = nearest_point((self.points, self.clamps), self.vb, scene_pos, HIT_PX)
        if j is None:
            return None
        return int(j), bool(np.isin(j, self._pin_flat))

    def on_click(self, ev) -> None:
        h = self.hit(ev.scenePos()) if ev.button() == QtCore.Qt.MouseButton.LeftButton else None
        if h is None:
            ev.ignore()
            return
        ev.accept()
        name, i = self._ids[h[0]]
        self.neuronClicked.emit(name, i)

    def on_drag(self, ev) -> None:
        if ev.button() != QtCore.Qt.MouseButton.LeftButton:
            ev.ignore()
            return
        if ev.isStart():
            h = self.hit(ev.buttonDownScenePos())
            self._drag = self._ids[h[0]] if h is not None and h[1] else None
            if self._drag is not None:
                self.dragStarted.emit()
        if self._drag is None:
            ev.ignore()
            return
        ev.accept()
        y = self.vb.mapSceneToView(ev.scenePos()).y()
        self.pinDragged.emit(self._drag[0], self._drag[1], float(y))
        if ev.isFinish():
            self._drag = None
            self.dragFinished.emit()

    def on_hover(self, ev) -> None:
        pass
