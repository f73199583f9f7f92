"""The look of the pictures as one data object with a change event (napari's evented theme).

A :class:`Theme` holds the colour of every role a view draws (``PIN_COLOR``,
``BACKGROUND``, …, upper-case role names) and the edge-type palette (``EDGE_COLORS``). The
window owns one and hands it to each view it builds; a view reads its colours from the theme
it was given. :meth:`Theme.update` replaces colours and fires :attr:`Theme.changed` once,
and the wiring rebuilds the views' items from it.

The light look is chosen for a projector in a lit lecture hall: a white background,
near-black text, saturated edge-type colours that stay distinct for the common colour-vision
deficiencies (Okabe–Ito palette), and nothing thinner than 2 px that carries meaning.
Opaque colours throughout: Qt's raster engine blends translucent pens several times slower.
"""

from __future__ import annotations

from psygnal import Signal

#: The light theme: every colour role a view reads, and its value.
LIGHT = {
    "BACKGROUND": "#ffffff", "FOREGROUND": "#111111", "GRID": "#d0d0d0",
    "PIN_COLOR": "#000000", "SELECT_COLOR": "#F0B400", "FLIP_COLOR": "#E69F00",
    "BOUNDARY_COLOR": "#CC0099",
    "GHOST_COLOR": "#a8a8a8", "ARM_COLOR": "#9a9a9a", "FEED_COLOR": "#d2d2d2",
    "VALUE_COLOR": "#222266", "ENVELOPE_COLOR": "#7a7a7a",
    # the drape's string, its springs' anchor ticks, the energy curve
    "STRING_COLOR": "#444444", "ANCHOR_COLOR": "#555555", "ENERGY_COLOR": "#1a1a8c",
    "GRID_LINE_COLOR": "#888888",  # the zero line of the drape
    # outlines of dots, strips and labels; small text; the bars' outline; switch-tick outline
    "OUTLINE_COLOR": "#333333", "TEXT_COLOR": "#222222", "BAR_OUTLINE": "#222222",
    "TICK_OUTLINE": "#7a4a00",
    # fills behind text (with alpha): a free stalk's label, value labels, the hover card;
    # and the text on a pinned stalk's label (drawn on PIN_COLOR)
    "LABEL_FILL": "#ffffffe6", "TEXT_FILL": "#ffffffc8", "CARD_FILL": "#fffff0eb",
    "PINNED_TEXT": "#ffffff",
    # status-bar message colours by level
    "MESSAGE_COLORS": {"error": "#b00020", "warn": "#8a5a00", "info": "#1a4d1a"},
}

#: Okabe–Ito: blue / bluish green / vermillion for affine / relu / output edges.
LIGHT_EDGES = {"affine": "#0072B2", "relu": "#009E73", "output": "#D55E00"}


class Theme:
    """Colours of every picture, with a change event.

    Parameters
    ----------
    colors : dict, optional
        Colour roles to set (upper-case names of :data:`LIGHT`); the rest are light.
    edge_colors : dict, optional
        ``{"affine": …, "relu": …, "output": …}`` (default: Okabe–Ito).

    Attributes
    ----------
    changed : psygnal Signal, fired once by each :meth:`update`
    EDGE_COLORS : dict, edge type → colour
    <ROLE> : str, each colour role of :data:`LIGHT` (``theme.PIN_COLOR``, …)
    """

    changed = Signal()

    def __init__(self, colors: dict | None = None, edge_colors: dict | None = None) -> None:
        self._colors = dict(LIGHT)
        self.EDGE_COLORS = dict(LIGHT_EDGES)
        self._set(colors, edge_colors)

    def __getattr__(self, name: str):
        colors = self.__dict__.get("_colors", {})
        if name in colors:
            return colors[name]
        raise AttributeError(f"{type(self).__name__} has no colour role {name!r}")

    @property
    def colors(self) -> dict:
        """A copy of every colour role (without the edge palette)."""
        return dict(self._colors)

    def _set(self, colors: dict | None, edge_colors: dict | None) -> None:
        unknown = sorted(set(colors or {}) - set(LIGHT))
        if unknown:
            raise ValueError(f"unknown colour role(s) {', '.join(unknown)}; expected some of "
                             f"{', '.join(LIGHT)}")
        if edge_colors is not None and set(edge_colors) != set(LIGHT_EDGES):
            raise ValueError(f"edge colours need exactly {', '.join(LIGHT_EDGES)}, got "
                             f"{', '.join(edge_colors)}")
        self._colors.update(colors or {})
        if edge_colors is not None:
            self.EDGE_COLORS.clear()  # same dict: a view that kept it sees the new colours
            self.EDGE_COLORS.update(edge_colors)

    def update(self, *, colors: dict | None = None, edge_colors: dict | None = None) -> None:
        """Replace some colour roles and/or the edge palette; fires :attr:`changed` once
        (also when nothing differs: a new text size needs the same rebuild)."""
        self._set(colors, edge_colors)
        self.changed.emit()


def or_light(theme: Theme | None) -> Theme:
    """``theme``, or a light theme when none was handed over."""
    return theme if theme is not None else Theme()
