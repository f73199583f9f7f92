"""``sheafviz.Viewer``: screenshots as the session stands, panels, highlight, presentation."""

from __future__ import annotations

import time

import numpy as np
import pytest
from PIL import Image
from PySide6 import QtCore, QtWidgets

from sheafviz.core.model.pins import PinSet
from sheafviz.gui.viewer import Viewer, qimage_to_array


@pytest.fixture
def viewer(qapp):
    v = Viewer(show=False, size=(1280, 720))
    yield v
    v.close()


def region(v, widget) -> tuple[slice, slice]:
    """Rows and columns of ``widget`` inside a screenshot of the whole window."""
    top_left = widget.mapTo(v.window, QtCore.QPoint(0, 0))
    return (slice(top_left.y(), top_left.y() + widget.height()),
            slice(top_left.x(), top_left.x() + widget.width()))


def settle(ms: int) -> None:
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        QtWidgets.QApplication.processEvents()
        time.sleep(0.005)


def test_screenshot_after_step_200_shows_step_200(viewer):
    s = viewer.session
    before = viewer.screenshot()
    # Two redraws in quick succession: the second one's numbers wait behind the views'
    # text throttles, which a screenshot must not miss.
    s.step(1)
    s.step(199)
    after = viewer.screenshot()
    assert s.steps == 200
    status = region(viewer, viewer.window.statusBar())
    graph = region(viewer, viewer.window.graph)
    assert not np.array_equal(before[status], after[status])
    assert not np.array_equal(before[graph], after[graph])
    # The same picture once every throttle has long fired on its own.
    settle(350)
    settled = qimage_to_array(viewer.window.grab().toImage())
    np.testing.assert_array_equal(after[status], settled[status])
    np.testing.assert_array_equal(after[graph], settled[graph])


def test_screenshot_shape_size_and_file(viewer, tmp_path):
    img = viewer.screenshot()
    assert img.shape == (720, 1280, 4) and img.dtype == np.uint8
    assert img[..., :3].std() > 20 and (img[..., 3] == 255).all()
    path = tmp_path / "shot.png"
    small = viewer.screenshot(path, size=(800, 600))
    assert small.shape == (600, 800, 4)
    np.testing.assert_array_equal(np.asarray(Image.open(path).convert("RGBA")), small)
    assert (viewer.window.width(), viewer.window.height()) == (1280, 720)
    with pytest.raises(ValueError, match=r"\.png"):
        viewer.screenshot(tmp_path / "shot.gif")
    with pytest.raises(ValueError, match="out of range"):
        viewer.screenshot(size=(10, 10))


def test_pin_through_the_session_redraws_the_clamp(viewer):
    s = viewer.session
    before = viewer.screenshot()
    s.pin("a1[0]", 0.75)
    s.pin("y", [3.0], stiffness=0.1)
    expected = (PinSet().pin(s.layout, "x", [1.0, 0.5])
                .pin(s.layout, "a1", 0.75, 0).pin_soft(s.layout, "y", [3.0], 0.1))
    assert s.pins.hard == expected.hard and s.pins.soft == expected.soft
    after = viewer.screenshot()
    graph = region(viewer, viewer.window.graph)
    assert (before[graph] != after[graph]).any(axis=-1).sum() > 50
    s.unpin("a1[0]")
    assert ("a1", 0) not in s.pins.hard
    with pytest.raises((ValueError, KeyError), match="a9"):
        s.pin("a9[0]", 1.0)
    with pytest.raises(ValueError, match="sideways"):
        s.mode = "sideways"


def test_highlight_draws_over_its_target_only(viewer):
    graph = viewer.window.graph
    rows, cols = region(viewer, graph)
    plain = viewer.screenshot()
    viewer.highlight("relu1")  # the edge between z1 (x = 1) and a1 (x = 2)
    lit = viewer.screenshot()
    changed = (plain[rows, cols] != lit[rows, cols]).any(axis=-1)
    ys, xs = np.nonzero(changed)
    vb = graph.plotItem.vb
    left = graph.mapFromScene(vb.mapViewToScene(QtCore.QPointF(1.0, 0.0))).x()
    right = graph.mapFromScene(vb.mapViewToScene(QtCore.QPointF(2.0, 0.0))).x()
    assert xs.size > 1000
    assert left < xs.min() and xs.max() < right
    assert viewer.highlighted == "relu1"
    viewer.highlight(None)
    np.testing.assert_array_equal(viewer.screenshot()[rows, cols], plain[rows, cols])
    with pytest.raises(ValueError, match="nope"):
        viewer.highlight("nope")


def test_show_panel_and_presentation(viewer):
    assert "spectrum" in viewer.panels()
    dock = viewer.window.findChild(QtWidgets.QDockWidget, "debug-spectrum")
    assert not dock.isVisible()
    viewer.show_panel("spectrum")
    assert dock.isVisible()
    viewer.show_panel("Spectrum", visible=False)  # the title works too
    assert not dock.isVisible()
    with pytest.raises(ValueError, match="no panel called 'nope'"):
        viewer.show_panel("nope")
    size = viewer.window.font().pointSizeF()
    viewer.presentation = True
    assert viewer.presentation and viewer.window.font().pointSizeF() > size
    viewer.presentation = False
    assert not viewer.presentation and viewer.window.font().pointSizeF() == size


def test_bad_input_and_close(qapp):
    before = len(QtWidgets.QApplication.topLevelWidgets())
    with pytest.raises(ValueError, match="no-such-preset"):
        Viewer(preset="no-such-preset", show=False)
    with pytest.raises(ValueError, match="not both"):
        Viewer(object(), preset="running-241", show=False)
    assert len(QtWidgets.QApplication.topLevelWidgets()) == before
    v = Viewer(preset="course-221", show=False)
    assert "course" in v.window.windowTitle().lower() or v.session.layout.vertex("x").dim == 2
    assert v.window.testAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen)
    v.show()
    assert v.is_open and not v.window.testAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen)
    v.close()
    v.close()
    assert not v.is_open
    with pytest.raises(RuntimeError, match="closed"):
        v.screenshot()


def test_a_given_session_is_the_live_one(qapp):
    """Viewer(session) shows that very object."""
    from sheafviz.session import Session

    s = Session.from_preset("course-221")
    v = Viewer(s, show=False)
    try:
        assert v.session is s
        before = v.screenshot()
        s.pin("y", [5.0])
        assert (before != v.screenshot()).any(axis=-1).sum() > 200
    finally:
        v.close()
