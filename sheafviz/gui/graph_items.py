"""The items the path graph view is built from, one function each: a wide stalk's strip
(an image, its border, its pin marks), a value label beside a dot, a vertex label. They are
made in the colours of a :class:`~.theme.Theme` and the current text size
(:mod:`.style`) and added with the view's ``add(item, z)``. Two more functions restyle
items the view holds: a vertex label by its number of pins, and the hover card beside a
neuron.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from . import style
from .graph_geometry import LABEL_Y, STRIP_HALF, STRIP_TOP
from .viewbox import PassiveScatter


def add_strip(add, k: int, dim: int, theme) -> tuple[pg.ImageItem, PassiveScatter]:
    """The strip of vertex ``k`` (``dim`` coordinates, one pixel row each) at x = k:
    ``(image, pin marks)``; its border is added too."""
    # row-major (dim, 1): the image is drawn scaled, never with swapped axes (Qt's slow
    # path for a transformed image: ~3× the drawing time per strip)
    img = pg.ImageItem(axisOrder="row-major")
    img.setLookupTable(style.value_lut())
    img.setImage(np.zeros((dim, 1)), levels=(-1, 1), autoLevels=False)
    img.setRect(QtCore.QRectF(k - STRIP_HALF, -STRIP_TOP, 2 * STRIP_HALF, 2 * STRIP_TOP))
    add(img, 5)
    border = pg.PlotCurveItem(
        [k - STRIP_HALF, k + STRIP_HALF, k + STRIP_HALF, k - STRIP_HALF, k - STRIP_HALF],
        [STRIP_TOP, STRIP_TOP, -STRIP_TOP, -STRIP_TOP, STRIP_TOP],
        pen=pg.mkPen(theme.OUTLINE_COLOR, width=1.5))
    add(border, 6)
    pins = add(PassiveScatter(pxMode=True, symbol="s", size=7,
                              brush=pg.mkBrush(theme.PIN_COLOR), pen=None), 7)
    return img, pins


def value_text(x: float, y: float, theme) -> pg.TextItem:
    """The (empty) value label of the dot at (x, y), left-anchored beside it."""
    t = pg.TextItem("", color=theme.TEXT_COLOR, anchor=(0.0, 0.5),
                    fill=pg.mkBrush(theme.TEXT_FILL))
    t.setFont(style.font(0.9))
    t.setPos(x + 0.07, y)
    return t


def vertex_label(k: int, theme) -> pg.TextItem:
    """The (empty) framed, bold label of vertex ``k``, above its column."""
    t = pg.TextItem("", anchor=(0.5, 0.5), border=pg.mkPen(theme.OUTLINE_COLOR, width=1.5))
    t.setFont(style.font(1.05, bold=True))
    t.setPos(k, LABEL_Y)
    return t


def show_pin_count(label: pg.TextItem, vertex, n_pin: int, theme) -> None:
    """Restyle a vertex label for ``n_pin`` pinned coordinates of ``vertex``: all pinned
    (pin colour, ▣), some (" · n pinned") or none."""
    text = vertex.name + (f" ({vertex.dim})" if vertex.dim > style.MAX_DOTS else "")
    if n_pin == vertex.dim:
        label.fill = pg.mkBrush(theme.PIN_COLOR)
        label.setColor(theme.PINNED_TEXT)
        text = "▣ " + text
    else:
        label.fill = pg.mkBrush(theme.LABEL_FILL)
        label.setColor(theme.FOREGROUND)
        if n_pin:
            text += f" · {n_pin} pinned"
    label.setText(text)
    label.update()


def show_hover_card(card: pg.TextItem, html: str, k: int, y: float, *, right: bool) -> None:
    """Show ``html`` in the hover card beside the neuron at (``k``, ``y``): to its left when
    ``right`` (the neuron is in the right half), else to its right."""
    card.setHtml(f"<div style='font-size:{style.base_pt() * 0.9:.0f}pt'>{html}</div>")
    card.setAnchor((1.0, 0.5) if right else (0.0, 0.5))
    # beside the neuron (and its value label), never on top of it
    card.setPos(k - 0.15 if right else k + 0.3, float(np.clip(y, -0.6, 0.6)))
    if not card.isVisible():
        card.show()
        # A TextItem created hidden has never taken its pixel-size transform.
        card.updateTransform(force=True)
