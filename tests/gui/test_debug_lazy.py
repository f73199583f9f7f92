"""Debug panels are built the first time their dock opens (sheafviz/gui/debug/lazy.py), and
a panel built late still gets what the hub said before it existed, and its intents."""

import numpy as np

from sheafviz.gui.debug.lazy import PendingPanel


def test_no_panel_is_built_until_its_dock_opens(qtbot, window):
    assert window.load_preset("paraboloid")  # a session with data, pushed to the stand-ins
    docks = window.debug_docks
    assert not any(d.built() for d in docks)
    assert all(isinstance(p, PendingPanel) for p in window.debug_hub.p.values())
    data_dock = [d for d in docks if d.objectName() == "debug-data"][0]
    data_dock.toggleViewAction().trigger()  # what the Debug menu does
    assert data_dock.built() and not any(d.built() for d in docks if d is not data_dock)
    panel = window.debug_hub.p["data"]
    assert panel is data_dock.widget()
    qtbot.waitUntil(panel.isVisible)
    # the data the hub pushed at load_preset, before the panel existed, are drawn
    X = window.session.data.X
    assert np.array_equal(panel.X, X)
    xs, ys = panel.points.getData()
    assert np.array_equal(np.column_stack([xs, ys]), X[:, :2])
    # and the panel's intent reaches the session (the connection was replayed)
    panel.exampleClicked.emit(2)
    assert window.session.shown_example == 2


def test_pending_panel_replays_the_last_call_per_method_and_every_connection():
    calls = []

    class Sig:
        def connect(self, fn):
            calls.append(("connect", fn))

    class Panel:
        clicked = Sig()

        def set_value(self, v):
            calls.append(("set_value", v))

        def set_other(self, v):
            calls.append(("set_other", v))

    p = PendingPanel()
    assert not p.isVisible()
    p.set_value(1)
    p.clicked.connect(len)
    p.set_other("a")
    p.clicked.connect(abs)
    p.set_value(2)
    p.flag = True
    real = Panel()
    p.replay(real)
    assert calls == [("connect", len), ("set_other", "a"), ("connect", abs), ("set_value", 2)]
    assert real.flag is True
