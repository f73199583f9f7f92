"""Fitting the path graph to its pixels: dot sizes, vertex-label height, value labels and
the view range are computed from the graph view's size in pixels, so that no two markers of
a column merge and no two labels overlap at any window size, text size or layer width
(issue 11: the two input squares merged at 1280×720 or with a dock open; with 16 inputs the
value labels piled up).

Vertically the dots fill ``[−Y, Y]`` (data units) and the margins are pixels: the vertex
labels' height above, half a marker below. A column whose dots are closer than a value label
is tall shows every k-th label only.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui

from . import style
from .graph_geometry import STRIP_TOP

#: A pinned dot is drawn up to this many pixels larger, with an outline up to PIN_PEN wide
#: (both smaller for small dots: see :func:`pin_extra`).
PIN_EXTRA, PIN_PEN = 6, 4
#: Smallest dot drawn (px), however crowded a column.
MIN_DOT = 3
#: Pixels kept free between two markers of a column, and between a marker and a label.
MARKER_GAP = 3


def pin_extra(dot: int) -> int:
    """Pixels a pinned dot of size ``dot`` is drawn larger than a free one."""
    return int(min(PIN_EXTRA, round(0.2 * dot)))


def pin_pen_px(dot: int) -> float:
    """Outline width of a pinned dot of size ``dot``."""
    return float(min(PIN_PEN, max(1.0, 0.15 * dot)))


def marker_px(dot: int) -> float:
    """Outer size in pixels of a pinned dot (the largest marker) of size ``dot``."""
    return dot + pin_extra(dot) + pin_pen_px(dot)


def column_gaps_px(view, ph: float) -> list[float]:
    """Smallest distance in pixels between two dots of each dotted column (inf: one)."""
    return [float(np.min(-np.diff(ys))) / ph if ys.size > 1 and not strip else np.inf
            for ys, strip in zip(view.ys, view.is_strip)]


def dot_size_for(view, ph: float) -> int:
    """The dot size (px) at ``ph`` data units per pixel: the look's size, smaller when a
    column's dots would otherwise touch (a short view, a dock open, 16 inputs)."""
    gap = min(column_gaps_px(view, ph), default=np.inf)
    for dot in range(int(view._base_dot_size), MIN_DOT, -1):
        if marker_px(dot) + MARKER_GAP <= gap:
            return dot
    return MIN_DOT


def fixed_px(view) -> float:
    """Pixels of the view box the dots cannot use at the current text size: the vertex
    labels' row above them, a value label's height split above and below, the gaps."""
    if not getattr(view, "labels", None):
        return 0.0
    label_h = max(t.boundingRect().height() for t in view.labels)
    value_h = max([t.boundingRect().height() for t in view.value_texts] + [0.0])
    return label_h + max(marker_px(MIN_DOT), value_h) + MARKER_GAP + 4


def _dots_top(view) -> float:
    """The dots' extent ``Y`` (a strip's when there is one; some height for one-neuron
    paths)."""
    return max([float(np.max(np.abs(ys))) for ys in view.ys if ys.size] +
               [STRIP_TOP if any(view.is_strip) else 0.3])


def _margins_px(view, dot: int) -> tuple[float, float]:
    """Pixels above and below the dots for dots of size ``dot``: the vertex labels' row
    above, half a marker or half a value label (centred on its dot) on both sides."""
    label_h = max(t.boundingRect().height() for t in view.labels)
    value_half = max([t.boundingRect().height() / 2 for t in view.value_texts] + [0.0])
    half = max(marker_px(dot) / 2, value_half)
    return half + MARKER_GAP + label_h + 2, half + 2


def height_for_dot(view, dot: int) -> float:
    """Height in pixels the view box needs for :func:`fit_to_pixels` to draw dots of size
    ``dot`` (0 when nothing is built): the margins plus the columns' dots, each
    ``marker + MARKER_GAP`` pixels from the next."""
    if view.layout_ is None or not view.labels:
        return 0.0
    m_top, m_bot = _margins_px(view, dot)
    gaps = [float(np.min(-np.diff(ys))) for ys, strip in zip(view.ys, view.is_strip)
            if ys.size > 1 and not strip]
    pitch = marker_px(dot) + MARKER_GAP
    span = 2 * _dots_top(view) * pitch / min(gaps) if gaps else pitch
    return m_top + m_bot + span + 1  # +1: the fit rounds nothing up


def fit_to_pixels(view) -> None:
    """Size the dots, place the vertex labels and the value labels, and set the range,
    from the view's size in pixels, so that no two markers merge and no two labels
    overlap at any window size, text size or layer width.

    Vertically the dots fill ``[−Y, Y]`` and the margins are pixels: the vertex labels'
    height above, half a marker below. Value labels that would overlap their neighbour
    in a column are hidden (every k-th is kept)."""
    if view.layout_ is None or not view.labels:
        return
    h_px, w_px = view.vb.height(), view.vb.width()
    if h_px < 20 or w_px < 20:
        return
    top = _dots_top(view)
    label_h = max(t.boundingRect().height() for t in view.labels)
    dot = view._base_dot_size
    for _ in range(3):  # the dot size and the scale depend on each other; settles fast
        m_top, m_bot = _margins_px(view, dot)
        ph = 2 * top / max(h_px - m_top - m_bot, 10.0)
        dot = dot_size_for(view, ph)
    marker = marker_px(dot)
    view.label_y = top + (_margins_px(view, dot)[0] - label_h / 2 - 2) * ph
    n = len(view.layout_.vertices)
    texts_w = [t.boundingRect().width() for t in view.value_texts]
    value_w = max(texts_w + [QtGui.QFontMetricsF(style.font(0.9)).horizontalAdvance(
        "-0.000") + 8])
    left_px = max(marker / 2, max(t.boundingRect().width() for t in view.labels[:1]) / 2) + 2
    right_px = max(marker / 2 + value_w + MARKER_GAP,
                   view.labels[-1].boundingRect().width() / 2) + 2
    pw = (n - 1) / max(w_px - left_px - right_px, 10.0) if n > 1 else 1.0 / w_px
    view.vb.setRange(xRange=(-left_px * pw, n - 1 + right_px * pw),
                     yRange=(-top - m_bot * ph, top + m_top * ph), padding=0)
    for k, label in enumerate(view.labels):
        label.setPos(k, view.label_y)
    _fit_value_labels(view, ph, pw, dot)
    if dot != view.dot_size:
        view.set_dot_size(dot)


def _fit_value_labels(view, ph: float, pw: float, dot: int) -> None:
    """Value labels beside their dots; in a column whose dots are closer than a label
    is tall, only every k-th label shows."""
    if not view.value_texts:
        return
    label_h = max(t.boundingRect().height() for t in view.value_texts)
    gaps = column_gaps_px(view, ph)
    dx = marker_px(dot) / 2 * pw + MARKER_GAP * pw
    for t, k, j, x, y in zip(view.value_texts, view.dot_vertex, view.dot_coord,
                             view.dot_x, view.dot_y):
        every = max(1, int(np.ceil((label_h + 1) / gaps[k]))) if np.isfinite(gaps[k]) else 1
        t.setPos(x + dx, y)
        t.setVisible(bool(j % every == 0))
