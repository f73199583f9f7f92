"""A pyqtgraph ViewBox whose mouse handling is delegated to the view that owns it.

The graph and drape views hit-test clicks, drags and hovers themselves (in pixels, so small
dots remain easy targets on a projector), so the ViewBox neither pans nor zooms.
"""

from __future__ import annotations

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
