"""Presentation mode gives the path graph its height (issue 11, lecture hall): its dots are
drawn at least as large in pixels as in the normal window of the same size, with every value
label shown; the notes banner shows whole lines only.

References: the normal window's own drawing at the same size, the markers' pixel rectangles
(they must not meet), and the banner's text positions read through the text cursor."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtGui

from test_lecture_common import close_window, make_window
from test_present_layout import assert_apart, marker_rects, settle

from sheafviz.gui.column_split import column_sizes


def drawn_dots(w) -> dict:
    """Sizes (px) of the free dots as the scatter draws them, the x column's marker
    rectangles, and the value labels shown with their pixel heights."""
    g = w.graph
    sizes = np.asarray(g.dots.data["size"], dtype=float)
    free = sizes[sizes == sizes.min()]
    shown = [t for t in g.value_texts if t.isVisible() and t.toPlainText()]
    heights = [g.mapFromScene(t.sceneBoundingRect()).boundingRect().height() for t in shown]
    return {"dot": float(free.min()), "x": marker_rects(g, "x"), "values": len(shown),
            "value_h": min(heights), "all_values": len(g.value_texts)}


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 720)])
def test_presentation_dots_are_at_least_as_large_as_in_the_window(qtbot, tmp_path, size):
    w, feats = make_window(qtbot, tmp_path, size=size)
    try:
        settle(qtbot, w, 400)
        normal = drawn_dots(w)
        feats.presentation.enter(fullscreen=False)
        settle(qtbot, w, 400)
        assert (w.width(), w.height()) == size
        shown = drawn_dots(w)
        assert shown["dot"] >= normal["dot"] >= 15, (shown, normal)
        assert len(shown["x"]) == 2
        assert_apart(shown["x"], "presentation x")
        # every value label shows, at least as tall as in the window (readable)
        assert shown["values"] == shown["all_values"] == normal["values"]
        assert shown["value_h"] > normal["value_h"]
        feats.presentation.leave()
        settle(qtbot, w, 400)
        assert drawn_dots(w)["dot"] == normal["dot"]  # Esc gives the window back
    finally:
        close_window(w, feats)


def test_presentation_leaves_the_mouse_hint_out_of_the_graph_legend(qtbot, tmp_path):
    w, feats = make_window(qtbot, tmp_path, size=(1920, 1080))
    try:
        title = w._titles["Path graph"]
        assert "click: pin" in title.text()
        feats.presentation.enter(fullscreen=False)
        settle(qtbot, w, 200)
        assert "click: pin" not in title.text() and "pinned" in title.text()
        line = QtGui.QFontMetrics(title.font()).lineSpacing()
        assert title.height() < 1.5 * line  # one line: the height is the graph's
        feats.presentation.leave()
        settle(qtbot, w, 200)
        assert "click: pin" in title.text()
    finally:
        close_window(w, feats)


def cut_lines(text) -> tuple[int, int]:
    """(lines fully shown, lines cut by the viewport's bottom), from the cursor rectangle
    of every character of the banner's notes (viewport pixels)."""
    doc = text.document()
    cursor = QtGui.QTextCursor(doc)
    bottom = text.viewport().height()
    rows = set()
    for pos in range(doc.characterCount() - 1):
        cursor.setPosition(pos)
        r = text.cursorRect(cursor)
        rows.add((r.top(), r.bottom()))
    whole = sum(1 for top, bot in rows if bot < bottom)
    cut = sum(1 for top, bot in rows if top < bottom <= bot)
    return whole, cut


@pytest.mark.parametrize("height", [720, 745, 770, 1080])
def test_notes_banner_shows_whole_lines_only(qtbot, tmp_path, height):
    w, feats = make_window(qtbot, tmp_path, size=(1280, height))
    try:
        settle(qtbot, w, 300)
        text = w.notes_banner.text
        assert text.isVisible() and text.verticalScrollBar().value() == 0
        whole, cut = cut_lines(text)
        assert whole >= 1 and cut == 0, (height, whole, cut)
        # the rest is there to scroll to: the scroll bar shows it
        assert text.verticalScrollBar().isVisible() and text.verticalScrollBar().maximum() > 0
    finally:
        close_window(w, feats)


def test_column_sizes_give_the_graph_its_wish_from_the_others_shares():
    # shares alone: heads plus 600 · share
    assert column_sizes(700, [40, 30, 30], [0.3, 0.44, 0.26]) == [220, 294, 186]
    # a hidden panel (share 0) gets nothing; the others split its share
    assert column_sizes(700, [40, 30, 0], [0.3, 0.44, 0.0]) == \
        [int(40 + 630 * 0.3 / 0.74), int(30 + 630 * 0.44 / 0.74), 0]
    # the graph wants 300 (80 more than its share): taken from the others' 264 and 156
    # in proportion
    sizes = column_sizes(700, [40, 30, 30], [0.3, 0.44, 0.26], first_wants=300)
    assert sizes[0] == 300
    assert sizes[1:] == [int(30 + 264 - 80 * 264 / 420), int(30 + 156 - 80 * 156 / 420)]
    # capped at 55 % of the column; never below the others' heads
    assert column_sizes(700, [40, 30, 30], [0.3, 0.44, 0.26], first_wants=690)[0] == 385
    assert column_sizes(200, [40, 80, 70], [0.3, 0.44, 0.26], first_wants=190)[1:] == [80, 70]
