"""A pyqtgraph ViewBox whose mouse handling is delegated to the view that owns it.

The graph and drape views hit-test clicks, drags and hovers themselves (in pixels, so small
dots remain easy targets on a projector), so the ViewBox neither pans nor zooms.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg


class DelegatingViewBox(pg.ViewBox):
    """Forwards ``mouseClickEvent``, ``mouseDragEvent`` and ``hoverEvent`` to ``handler``.

    ``handler`` must provide ``on_click(ev)``, ``on_drag(ev)`` and ``on_hover(ev)``; each
    accepts or ignores the pyqtgraph event itself.
    """

    def __init__(self, handler=None, **kwargs) -> None:
        super().__init__(enableMenu=False, **kwargs)
        self.handler = handler
        self.setMouseEnabled(x=False, y=False)

    def mouseClickEvent(self, ev) -> None:  # noqa: N802 - pyqtgraph API
        if self.handler is not None:
            self.handler.on_click(ev)
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None) -> None:  # noqa: N802
        if self.handler is not None:
            self.handler.on_drag(ev)
        else:
            ev.ignore()

    def hoverEvent(self, ev) -> None:  # noqa: N802
        if self.handler is not None:
            self.handler.on_hover(ev)

    def wheelEvent(self, ev, axis=None) -> None:  # noqa: N802 - a fixed view: no zooming
        ev.ignore()


class PassiveScatter(pg.ScatterPlotItem):
    """A scatter that never consumes clicks, so the ViewBox's hit test sees every click."""

    def mouseClickEvent(self, ev) -> None:  # noqa: N802
        ev.ignore()


def nearest_point(items, vb: pg.ViewBox, scene_pos, max_px: float):
    """The identity (the ``data=`` field) of the point nearest to ``scene_pos`` among the
    scatter ``items``, if it is within ``max_px`` pixels; else None.

    Points carry their identity as pyqtgraph's CustomGraphItem example does, so a hit test
    reads it off the point instead of parsing a label. Distances are in pixels (small dots
    stay easy targets on a projector).
    """
    p = vb.mapSceneToView(scene_pos)
    pw, ph = vb.viewPixelSize()
    best, best_d = None, float(max_px)
    for item in items:
        d = item.data
        if not item.isVisible() or d.size == 0:
            continue
        dist = np.hypot((d["x"] - p.x()) / pw, (d["y"] - p.y()) / ph)
        j = int(np.argmin(dist))
        if dist[j] <= best_d:
            best, best_d = d["data"][j], float(dist[j])
    return best


def move_points(item: pg.ScatterPlotItem, x, y) -> None:
    """New positions for a scatter's points, shape (n,) each, keeping their number, style
    and identities (``data``): in place when the number is the same (``setData`` would
    rebuild every spot's symbol key, ~10 µs a point in Python: 20–40 ms for a drape of
    2000 coordinates on every frame), else through ``setData``; unchanged positions are
    left alone (no new bounds, no repaint)."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    d = item.data
    if d.size != x.size:
        item.setData(x, y)
        return
    if np.array_equal(d["x"], x) and np.array_equal(d["y"], y):
        return
    d["x"] = x
    d["y"] = y
    # what ScatterPlotItem.addPoints invalidates after new positions (sizes, symbols,
    # pens and brushes are the points' own and stay)
    item.prepareGeometryChange()
    item.informViewBoundsChanged()
    item.bounds = [None, None]
    item.invalidate()
    item.sigPlotChanged.emit(item)
