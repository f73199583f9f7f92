"""A lesson projected in presentation mode at 1920×1080 (issues 11/12): lesson "ep-limit"
at step 2 shows the equilibrium-propagation dock, and nothing may overlap or be cut.

Every check is geometry read back from the real window: widget rectangles in window
coordinates, the table's header sections against its viewport, the graph's dot size, the
window's least height against the screen's, the pixel size of every text.
"""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from test_lecture_common import close_window, make_window

from sheafviz.gui.settle import settle as settle_timers

SCREEN = (1920, 1080)
#: Smallest dot (px) a lecture hall can see, and smallest text (px) in presentation mode.
MIN_DOT_PX, MIN_TEXT_PX = 12, 20


def settle(qtbot, w, ms: int = 200) -> None:
    qtbot.wait(ms)
    settle_timers(QtWidgets.QApplication.instance(), w)
    qtbot.wait(50)


def window_rect(w, widget) -> QtCore.QRect:
    return QtCore.QRect(widget.mapTo(w, QtCore.QPoint(0, 0)), widget.size())


@pytest.fixture
def presenting(qtbot, tmp_path):
    """The window in presentation mode at the screen's size on lesson ep-limit, step 2."""
    w, feats = make_window(qtbot, tmp_path, size=SCREEN)
    driver = w.chapter.lessons
    assert driver.open("ep-limit")
    feats.presentation.enter(fullscreen=False)
    w.resize(*SCREEN)
    driver.next()
    settle(qtbot, w)
    w.resize(*SCREEN)  # what full screen does
    settle(qtbot, w)
    yield w
    feats.presentation.leave()
    close_window(w, feats)


def visible_texts(root) -> list[QtWidgets.QWidget]:
    kinds = (QtWidgets.QLabel, QtWidgets.QAbstractButton, QtWidgets.QTableWidget)
    return [x for x in root.findChildren(QtWidgets.QWidget)
            if isinstance(x, kinds) and x.isVisible()]


def test_ep_dock_table_and_plot_whole_and_apart(presenting):
    w = presenting
    view = w.chapter.ep_view
    assert w.chapter.docks["ep"].isVisible() and view.table.isVisible()
    assert view.plot.isVisible()
    table, plot = window_rect(w, view.table), window_rect(w, view.plot)
    assert not table.intersects(plot), (table, plot)
    parts = [view.slider, view.note, view.table, view.plot]
    for i in range(len(parts)):
        for j in range(i + 1, len(parts)):
            a, b = window_rect(w, parts[i]), window_rect(w, parts[j])
            assert not a.intersects(b), (i, j, a, b)
    dock = window_rect(w, w.chapter.docks["ep"])
    assert dock.contains(table) and dock.contains(plot)
    assert QtCore.QRect(0, 0, w.width(), w.height()).contains(dock)
    # every column whole: each header section inside the viewport
    header, port = view.table.horizontalHeader(), view.table.viewport()
    for j in range(header.count()):
        left = header.sectionViewportPosition(j)
        assert left >= 0 and left + header.sectionSize(j) <= port.width(), j
        text = view.table.horizontalHeaderItem(j).text()
        need = QtGui.QFontMetrics(header.font()).horizontalAdvance(text)
        assert header.sectionSize(j) >= need, (text, header.sectionSize(j), need)
    # every row whole
    last = view.table.rowCount() - 1
    assert view.table.rowCount() == 4  # three layers and "all" ([2, 8, 8, 1])
    assert view.table.rowViewportPosition(last) + view.table.rowHeight(last) <= port.height()
    # the plot is a plot: room for its axis titles and some curve
    line = QtGui.QFontMetrics(view.plot.font()).lineSpacing()
    assert view.plot.height() >= 4 * line
    assert view.plot.plotItem.vb.height() >= 2 * line


def test_window_fits_the_screen_and_the_graph_keeps_its_dots(presenting):
    w = presenting
    assert w.minimumSizeHint().height() <= SCREEN[1]
    assert (w.width(), w.height()) == SCREEN
    assert w.graph.dot_size >= MIN_DOT_PX
    assert not w.panel.isVisible()  # the dock took the flow panel's column
    bar = w.chapter.lessons.bar
    # the lesson's title once: in the bar, not in a dock title bar as well
    title = w.chapter.lessons.lesson.title
    assert bar.lesson_label.toolTip() == title
    assert w.chapter.lessons.dock.titleBarWidget() is not None
    assert w.chapter.lessons.dock.titleBarWidget().sizeHint().height() <= 0 or \
        w.chapter.lessons.dock.titleBarWidget().height() == 0
    assert bar.height() <= 0.2 * SCREEN[1]
    small = [(type(x).__name__, x.text() if hasattr(x, "text") else "", x.fontInfo().pixelSize())
             for root in (bar, w.chapter.ep_view) for x in visible_texts(root)
             if x.fontInfo().pixelSize() < MIN_TEXT_PX]
    assert small == []


def test_phase_dock_beside_the_ep_dock_fits_too(presenting, qtbot):
    w = presenting
    phase = w.chapter.docks["phase"]
    phase.setVisible(True)
    phase.raise_()
    for _ in range(10):
        w.session.step(2)
    settle(qtbot, w)
    assert w.minimumSizeHint().height() <= SCREEN[1]
    view = w.chapter.phase_view
    parts = [p for p in (view.plot, view.caption, view.legend) if p.isVisible()]
    assert len(parts) == 3
    for i in range(len(parts)):
        for j in range(i + 1, len(parts)):
            a, b = window_rect(w, parts[i]), window_rect(w, parts[j])
            assert not a.intersects(b), (i, j, a, b)
    line = QtGui.QFontMetrics(view.plot.font()).lineSpacing()
    assert view.plot.height() >= 4 * line
    assert w.graph.dot_size >= MIN_DOT_PX


def test_fitted_text_shows_what_fits_and_keeps_the_whole_text(qtbot):
    from sheafviz.gui.chapter.fitted_text import FittedText

    words = " ".join(f"word{i}" for i in range(60))
    label = FittedText(words)
    qtbot.addWidget(label)
    label.show()
    fm = QtGui.QFontMetrics(label.font())
    label.resize(20 * fm.averageCharWidth(), 2 * fm.lineSpacing() + 2)
    qtbot.wait(10)
    shown = label.shown_lines()
    assert len(shown) == 2 and shown[-1].endswith("…")
    assert all(fm.horizontalAdvance(s) <= label.width() for s in shown)
    assert label.text() == words and label.toolTip() == words
    assert label.minimumSizeHint().height() == fm.lineSpacing()
    label.resize(label.width(), 100 * fm.lineSpacing())
    qtbot.wait(10)
    assert " ".join(label.shown_lines()) == words and label.toolTip() == ""
    heading = FittedText("A heading", min_lines=0)
    qtbot.addWidget(heading)
    assert heading.minimumSizeHint().height() == 0
    heading.resize(200, 3)
    assert heading.shown_lines() == []
    with pytest.raises(ValueError, match="min_lines must be 0 or 1, got 2"):
        FittedText("x", min_lines=2)


def test_caption_is_larger_than_small_text_but_not_than_large_text():
    from sheafviz.gui.chapter.lesson_bar import caption_point_size

    assert caption_point_size(14.0) == pytest.approx(1.45 * 14.0)  # the window's text
    assert caption_point_size(28.0) == pytest.approx(28.0)  # presentation: the base size
    assert caption_point_size(18.0) == pytest.approx(24.0)  # capped in between
