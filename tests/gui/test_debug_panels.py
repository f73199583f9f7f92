"""Debug panels (issue 6) driven by real clicks and mouse moves on real pyqtgraph items.

Each value a hover shows is checked against an independent computation written here.
Set SHEAFVIZ_SCREENSHOTS=1 to also write resources/screenshots/debug-*.png.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore

from conftest import drag, send_mouse, settled_pixels, view_pixel
from sheafviz.core import diagnostics as D
from sheafviz.core.data.datasets import load_dataset
from sheafviz.core.flows.heat import HeatFlow, initial_state
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.data.presets import load_preset
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.flows.training import JointFlow
from sheafviz.gui import style
from sheafviz.gui.debug import (DataPanel, DiscordHeatmap, GradientPanel,
                                ImportPanel, SpectrumPanel, SwitchTimelinePanel)

LEFT = QtCore.Qt.MouseButton.LeftButton
NONE = QtCore.Qt.MouseButton.NoButton
SHOTS = Path(__file__).resolve().parents[2] / "resources" / "screenshots"


def show(qtbot, w, size=(1000, 600)):
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    return w


def hover(qtbot, view, x, y):
    (px,) = settled_pixels(qtbot, view, [(x, y)])
    send_mouse(view.viewport(), "move", px, NONE)
    return px


def forward_by_hand(net, x):
    a = np.asarray(x, float)
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        a = w @ a + b
        if l < len(net.weights) - 1:
            a = np.maximum(a, 0)
    if net.output == "sigmoid":
        a = 1 / (1 + np.exp(-a))
    return a


def grab_check(widget, name: str, tmp_path) -> None:
    """Render the widget; it must not be blank; optionally keep it as a screenshot."""
    img = widget.grab().toImage()
    assert img.width() > 100 and img.height() > 100
    ptr = img.convertToFormat(img.Format.Format_RGB32)
    arr = np.frombuffer(ptr.constBits(), dtype=np.uint8).reshape(img.height(), -1)
    assert arr.std() > 10, f"{name} looks empty"
    target = SHOTS if os.environ.get("SHEAFVIZ_SCREENSHOTS") else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(target / f"debug-{name}.png"))


# -- data panel ------------------------------------------------------------------------------
class StubController:
    """Applies the panel's intent the way the hub does: pin pair i."""

    def __init__(self, ds, panel):
        self.ds, self.panel, self.example, self.pins = ds, panel, 0, None

    def set_example(self, i):
        layout = SheafLayout([2, 3, 1])
        x, y = self.ds.example(i)
        self.example = i
        self.pins = PinSet().pin(layout, "x", x).pin(layout, "y", y)
        self.panel.set_pinned(i)


def isolated_point(X):
    d = np.linalg.norm(X[:, None] - X[None], axis=-1)
    np.fill_diagonal(d, np.inf)
    return int(np.argmax(d.min(axis=1)))


def test_data_panel_click_pins_the_pair_and_hover_reads_the_prediction(qtbot, tmp_path):
    ds = load_dataset("circular", n_train=120, n_test=0)
    flow = JointFlow(Network.he_init([2, 8, 1], seed=3, output="sigmoid"), ds.X, ds.Y,
                     mode="gd", lr=0.5, record_every=10**9)
    flow.advance(300)  # a partly trained classifier: a visible decision boundary
    net = flow.network
    panel = show(qtbot, DataPanel())
    panel.set_data(ds.X, ds.Y, net.output)
    grid = D.prediction_grid(net, ds.X, resolution=40)
    panel.set_prediction(grid)
    stub = StubController(ds, panel)
    panel.exampleClicked.connect(stub.set_example)
    i = isolated_point(ds.X)
    (px,) = settled_pixels(qtbot, panel.plot, [tuple(ds.X[i])])
    with qtbot.waitSignal(panel.exampleClicked) as sig:
        qtbot.mouseClick(panel.plot.viewport(), LEFT, pos=px)
    assert sig.args == [i]
    assert stub.example == i and stub.pins.hard[("x", 0)] == ds.X[i, 0]
    ring = panel.pinned.getData()
    assert (ring[0][0], ring[1][0]) == pytest.approx(tuple(ds.X[i]))
    assert f"example {i}" in panel.readout.text()
    # hover a grid cell: the read-out is the network's output there, computed by hand
    gi, gj = 7, 29
    hover(qtbot, panel.plot, grid.xs[gi], grid.ys[gj])
    want = forward_by_hand(net, [grid.xs[gi], grid.ys[gj]])[0]
    assert f"P(class 1) = {style.fmt(want, 4)}" in panel.readout.text()
    grab_check(panel, "data", tmp_path)


def test_data_panel_one_input_draws_a_curve(qtbot):
    ds = load_dataset("sine", n_train=40, n_test=0)
    net = Network.he_init([1, 6, 1], seed=0)
    panel = show(qtbot, DataPanel())
    panel.set_data(ds.X, ds.Y, "identity")
    panel.set_prediction(D.prediction_grid(net, ds.X, resolution=50))
    xs, ys = panel.curve.getData()
    assert ys[10] == pytest.approx(forward_by_hand(net, [xs[10]])[0])
    i = isolated_point(np.column_stack([ds.X[:, 0], ds.Y[:, 0]]))
    (px,) = settled_pixels(qtbot, panel.plot, [(ds.X[i, 0], ds.Y[i, 0])])
    with qtbot.waitSignal(panel.exampleClicked) as sig:
        qtbot.mouseClick(panel.plot.viewport(), LEFT, pos=px)
    assert sig.args == [i]


# -- discord heatmap -------------------------------------------------------------------------
def heatmap_history():
    p = load_preset("running-241")
    lay = SheafLayout(p.network.arch)
    rng = np.random.default_rng(1)
    hist = D.DiscordHistory(lay, 3)
    batches = [rng.normal(size=(3, lay.size)) for _ in range(5)]
    for k, c in enumerate(batches):
        hist.record(100 * k, p.network, c)
    return p.network, lay, hist, batches


def edge_discord_by_hand(net, c, name):
    """d of edge ``name`` (or r² of one coordinate ``name[j]``) for a [2,h,1] cochain."""
    h = net.weights[0].shape[0]
    x, z1, a1, z2, y = c[:2], c[2:2 + h], c[2 + h:2 + 2 * h], c[2 + 2 * h:3 + 2 * h], c[-1:]
    r = {"aff1": z1 - net.weights[0] @ x - net.biases[0], "relu1": a1 - np.maximum(z1, 0),
         "aff2": z2 - net.weights[1] @ a1 - net.biases[1], "out": y - z2}
    if "[" in name:
        edge, j = name[:-1].split("[")
        return float(r[edge][int(j)] ** 2)
    return float(np.sum(r[name] ** 2))


def test_heatmap_hover_shows_the_cell_value_for_mean_and_example(qtbot, tmp_path):
    net, lay, hist, batches = heatmap_history()
    panel = show(qtbot, DiscordHeatmap())
    panel.set_examples(3)
    state = {"expand": False, "example": -1}

    def redraw():
        ex = None if state["example"] < 0 else state["example"]
        panel.set_matrix(hist.matrix(example=ex, expand=state["expand"]))

    panel.expandToggled.connect(lambda on: (state.update(expand=on), redraw()))
    panel.exampleChosen.connect(lambda i: (state.update(example=i), redraw()))
    redraw()
    m = panel.matrix
    row, col = m.rows.labels.index("relu1"), 3
    hover(qtbot, panel.plot, col + 0.5, row + 0.5)
    want = np.mean([edge_discord_by_hand(net, c, "relu1") for c in batches[col]])
    assert panel.readout.text() == (f"relu1 · step 300 · batch mean: d = "
                                    f"{style.fmt(want, 4)}")
    # expand by a real click on the check box: one row per neuron
    qtbot.mouseClick(panel.expand_box, LEFT,
                     pos=QtCore.QPoint(8, panel.expand_box.height() // 2))
    assert state["expand"] and len(panel.matrix.rows) == lay.edge_size
    panel.example_box.setCurrentIndex(panel.example_box.findData(2))
    assert panel.matrix.example == 2
    m = panel.matrix
    row = m.rows.labels.index("aff1[3]")
    hover(qtbot, panel.plot, 1.5, row + 0.5)
    want = edge_discord_by_hand(net, batches[1][2], "aff1[3]")
    assert panel.readout.text() == f"aff1[3] · step 100 · example 2: r² = {style.fmt(want, 4)}"
    grab_check(panel, "heatmap", tmp_path)


# -- switching timeline ----------------------------------------------------------------------
def switching_run():
    p = load_preset("running-241")
    lay = SheafLayout(p.network.arch)
    c0 = initial_state(p.network, p.pins, init="random", state_seed=p.state_seed, layout=lay)
    flow = HeatFlow(p.network, p.pins, c0, dt=p.dt, layout=lay)
    flow.advance(300)
    names = D.hidden_neurons(lay)
    z = [lay.index("z1", j) for j in range(4)]
    return D.switching_timeline(flow.events, names, c0[z] >= 0, t_end=flow.time), c0, lay


def test_timeline_click_and_drag_move_the_scrubber_and_emit_the_time(qtbot, tmp_path):
    tl, c0, lay = switching_run()
    panel = show(qtbot, SwitchTimelinePanel())
    panel.set_timeline(tl)
    assert tl.time.size >= 2
    t_click = 0.5 * (tl.time[0] + tl.time[1])
    (px,) = settled_pixels(qtbot, panel.plot, [(t_click, 1.5)])
    with qtbot.waitSignal(panel.timeChanged) as sig:
        qtbot.mouseClick(panel.plot.viewport(), LEFT, pos=px)
    # one pixel of the view's width is the precision of a click
    px_dt = (tl.t_end - tl.t_start) / panel.plot.plotItem.vb.width()
    assert sig.args[0] == pytest.approx(t_click, abs=2 * px_dt)
    active = tl.active_at(sig.args[0])
    assert f"{int(active.sum())} of 4 neurons active" in panel.readout.text()
    # drag the line itself to a later time
    start = view_pixel(panel.plot, panel.time, 1.5)
    t_to = 0.8 * tl.t_end
    end = view_pixel(panel.plot, t_to, 1.5)
    seen = []
    panel.timeChanged.connect(seen.append)
    drag(qtbot, panel.plot.viewport(), start, end)
    assert seen and seen[-1] == pytest.approx(t_to, abs=3 * px_dt)
    # drawn: the active bars of z1[j] start where σ says so
    xs, ys = panel.bars.getData()
    for row in range(4):
        assert (row in ys) == bool(tl.initial_active[row] or np.any(tl.row == row))
    grab_check(panel, "timeline", tmp_path)


# -- spectrum ------------------------------------------------------------------------------
def dense_laplacian_221(net, sigma):
    """δᵀδ of a [2,2,1] identity-head sheaf, rows aff1, relu1, aff2, out (docs/mathematics.md, “Edges, restriction maps, discrepancies”);
    columns x(2), z1(2), a1(2), z2, y."""
    D = np.zeros((6, 8))
    D[0:2, 0:2], D[0:2, 2:4] = -net.weights[0], np.eye(2)      # z1 − W1 x
    D[2:4, 2:4], D[2:4, 4:6] = -np.diag(sigma), np.eye(2)      # a1 − σ z1
    D[4, 4:6], D[4, 6] = -net.weights[1][0], 1.0               # z2 − W2 a1
    D[5, 6], D[5, 7] = -1.0, 1.0                               # y − z2
    return D.T @ D


def test_spectrum_hover_reads_l_free_and_the_ghost_is_the_slow_mode(qtbot, tmp_path):
    p = load_preset("course-221")
    lay = SheafLayout(p.network.arch)
    c = initial_state(p.network, p.pins, layout=lay)
    det = D.spectrum_detail(p.network, p.pins, c, layout=lay)
    panel = show(qtbot, SpectrumPanel(), size=(1500, 460))
    panel.set_detail(det, c)
    ds = load_dataset("paraboloid", n_train=30, n_test=0)
    flow = JointFlow(Network.he_init([2, 5, 1], seed=0), ds.X, ds.Y, record_every=20,
                     spectrum_every=20)
    flow.advance(100)
    panel.set_series(D.history_series(flow.history))
    L = dense_laplacian_221(p.network, lay.sigma_of(c)[0])
    free = [2, 3, 4, 5, 6]  # z1, a1, z2 of [2,2,1] (x = 0,1 and y = 7 pinned)
    i, j = 1, 3  # z1[1] row, a1[1] column
    hover(qtbot, panel.matrix_plot, j + 0.5, i + 0.5)
    assert panel.readout.text() == (f"L<sub>free</sub>[z1[1], a1[1]] = "
                                    f"{style.fmt(L[free[i], free[j]], 4)}")
    hover(qtbot, panel.eig_plot, 0, np.log10(0.5))
    assert panel.readout.text() == f"eigenvalue 0: λ = {style.fmt((3 - 5 ** 0.5) / 2, 5)}"
    k = 3
    step = flow.history.spectrum_step[k]
    hover(qtbot, panel.series_plot, step, 0.0)
    assert f"step {step}:" in panel.readout.text()
    assert f"λ₁ {style.fmt(flow.history.lambda_min[k][0], 4)}" in panel.readout.text()
    with qtbot.waitSignal(panel.ghostToggled) as sig:
        qtbot.mouseClick(panel.ghost_box, LEFT,
                         pos=QtCore.QPoint(8, panel.ghost_box.height() // 2))
    assert sig.args == [True]
    ghost = panel.ghost_cochain(amplitude=1.0)
    w, v = np.linalg.eigh(L[np.ix_(free, free)])
    v0 = v[:, 0] * np.sign(v[np.argmax(np.abs(v[:, 0])), 0])
    assert ghost[free] - c[free] == pytest.approx(v0, abs=1e-10)
    assert ghost[[0, 1, 7]] == pytest.approx(c[[0, 1, 7]])
    grab_check(panel, "spectrum", tmp_path)


# -- sheaf vs backprop -----------------------------------------------------------------------
def test_gradient_panel_hover_reads_the_recorded_comparison(qtbot, tmp_path):
    ds = load_dataset("paraboloid", n_train=60, n_test=0)
    net = Network.he_init([2, 6, 4, 1], seed=1)
    flow = JointFlow(net, ds.X, ds.Y, dt=0.01, record_every=50)
    flow.advance(1000)
    s = D.history_series(flow.history)
    panel = show(qtbot, GradientPanel())
    panel.set_series(s["step"], s["grad_cosine"], s["grad_cosine_defined"], s["grad_ratio"],
                     s["grad_ratio_defined"])
    k = 8
    hover(qtbot, panel.cos_plot, s["step"][k], 0.0)
    text = panel.readout.text()
    # the comparison at that step recomputed independently from the same stalks is not
    # available afterwards, so check the values the flow recorded
    for l in range(3):
        cos = flow.history.grad_cosine[k][l]
        assert f"layer {l + 1}: cos {style.fmt(cos, 4)}" in text
    assert text.startswith(f"step {int(s['step'][k])}:")
    hover(qtbot, panel.ratio_plot, s["step"][0], 0.0)
    assert "layer 1: cos —, ratio —" in panel.readout.text()  # forward pass: undefined
    grab_check(panel, "gradient", tmp_path)


def test_gradient_comparison_now_matches_an_independent_backprop():
    """The panel's series come from JointFlow; the same quantity computed by diagnostics
    from the flow's current stalks must agree with the last record (paper mode)."""
    ds = load_dataset("paraboloid", n_train=40, n_test=0)
    flow = JointFlow(Network.he_init([2, 5, 1], seed=2), ds.X, ds.Y, record_every=100)
    flow.advance(300)
    got = D.compare_gradients(flow.network, ds.X, ds.Y, flow.cochains)
    assert got.cosine == pytest.approx(flow.history.grad_cosine[-1], abs=1e-12)
    assert got.ratio == pytest.approx(flow.history.grad_norm_ratio[-1], rel=1e-10)


# -- joint flow vs gradient descent ----------------------------------------------------------
def test_compare_panel_run_button_draws_both_losses(qtbot, window, tmp_path):
    assert window.load_preset("paraboloid")
    docks = window.debug_docks  # the main window installs them, hidden
    assert not any(d.isVisible() for d in docks)
    for d in docks:
        d.setVisible(True)
    dock = [d for d in docks if d.objectName() == "debug-compare"][0]
    dock.raise_()
    panel = dock.widget()
    qtbot.waitUntil(panel.isVisible)
    panel.steps_box.setValue(200)
    qtbot.mouseClick(panel.run_button, LEFT)
    qtbot.waitUntil(lambda: panel.result is not None, timeout=20000)
    r = panel.result
    assert r.steps[-1] == 200
    # both start from the preset's weights: the first loss is the forward MSE, by hand
    X, Y = window.session.data.X, window.session.data.Y
    pred = np.array([forward_by_hand(window.session.initial_network, x) for x in X])
    mse0 = float(np.mean((pred - Y) ** 2))
    assert r.sheaf_loss[0] == pytest.approx(mse0) and r.gd_loss[0] == pytest.approx(mse0)
    xs, ys = panel.gd.getData()
    assert 10 ** ys[-1] == pytest.approx(r.gd_loss[-1])  # drawn on a log axis
    assert r.gd_loss[-1] < r.gd_loss[0] and r.sheaf_loss[-1] < r.sheaf_loss[0]
    assert "nan" not in panel.readout.text().lower()
    panel.resize(1000, 600)
    grab_check(panel, "compare", tmp_path)


# -- own model -------------------------------------------------------------------------------
def test_import_panel_reports_errors_and_offers_a_fitting_model(qtbot, tmp_path):
    panel = show(qtbot, ImportPanel(), size=(900, 300))
    bad = tmp_path / "bad.npz"
    np.savez(bad, W1=np.array([[np.nan, 1.0]]), b1=np.zeros(1))
    assert not panel.load_weights(bad)
    assert "NaN" in panel.status.text()
    net = Network.he_init([2, 4, 1], seed=0)
    net.save(tmp_path / "w.npz")
    assert panel.load_weights(tmp_path / "w.npz")
    (tmp_path / "d.csv").write_text("x1,x2,x3,y\n1,2,3,4\n")
    assert not panel.load_data(tmp_path / "d.csv")
    assert "3 input(s)" in panel.status.text()
    (tmp_path / "ok.csv").write_text("x1,x2,y\n1,2,4\n0,1,2\n")
    assert panel.load_data(tmp_path / "ok.csv")
    with qtbot.waitSignal(panel.modelLoaded) as sig:
        qtbot.mouseClick(panel.apply_button, LEFT)
    got, ds = sig.args
    assert got.arch == (2, 4, 1) and ds.n_train == 2
    grab_check(panel, "import", tmp_path)


def test_own_model_opens_as_a_session_in_the_window(qtbot, window, tmp_path):
    docks = window.debug_docks
    dock = [d for d in docks if d.objectName() == "debug-import"][0]
    dock.setVisible(True)
    dock.raise_()
    panel = dock.widget()
    qtbot.waitUntil(panel.isVisible)
    net = Network.he_init([2, 5, 1], seed=9)
    net.save(tmp_path / "mine.npz")
    rows = "\n".join(f"{a},{b},{a * b}" for a, b in [(0.5, 1.0), (-1.0, 2.0), (1.5, -0.5)])
    (tmp_path / "mine.csv").write_text("x1,x2,y\n" + rows + "\n")
    assert panel.load_weights(tmp_path / "mine.npz") and panel.load_data(tmp_path / "mine.csv")
    qtbot.mouseClick(panel.apply_button, LEFT)
    s = window.session
    assert s.preset.name == "own-model" and s.network.arch == (2, 5, 1)
    assert np.array_equal(s.network.weights[0], net.weights[0])
    assert s.data.n_train == 3
    assert s.pins.hard[("x", 0)] == 0.5 and s.pins.hard[("y", 0)] == 0.5
    assert "mine.npz" in window.windowTitle()


# -- the whole set in the main window ------------------------------------------------------
def test_installed_docks_follow_the_joint_flow(qtbot, window, tmp_path):
    assert window.load_preset("paraboloid")
    docks = window.debug_docks  # the main window installs them, hidden
    assert not any(d.isVisible() for d in docks)
    for d in docks:
        d.setVisible(True)
    assert [d.windowTitle() for d in docks] == ["Data", "Discord heatmap", "Spectrum",
                                                "ReLU switching", "Sheaf vs backprop",
                                                "Joint flow vs GD", "Own model"]
    hub = window.debug_hub
    hub.throttle_s = 0.0
    assert any(a.text() == "&Debug" for a in window.menuBar().actions())
    data = docks[0].widget()
    docks[0].raise_()
    qtbot.waitUntil(data.isVisible)
    hub.refresh()
    # a real click on a data point pins that pair in the window's session
    X = window.session.data.X
    i = isolated_point(X)
    (px,) = settled_pixels(qtbot, data.plot, [tuple(X[i])])
    qtbot.mouseClick(data.plot.viewport(), LEFT, pos=px)
    assert window.session.shown_example == i
    assert window.session.pins.hard[("x", 0)] == X[i, 0] and window.session.pins.hard[("y", 0)] == window.session.data.Y[i, 0]
    # joint flow on the whole batch: the heatmap and the gradient plots fill in
    window.wiring.set_whole_batch(True)
    window.session.set_mode("joint")
    for _ in range(6):
        window.session.step(100)
    for d in docks[1:5]:
        d.raise_()
        qtbot.waitUntil(d.widget().isVisible)
        hub.refresh()
    heat = docks[1].widget()
    assert heat.matrix.values.shape == (4, 7)
    assert heat.example_box.count() == 1 + window.session.data.n_train
    grad = docks[4].widget()
    assert grad.data["step"].size == 7 and grad.data["cos_ok"][1:].all()
    # the last column is the batch-mean discord per edge of the flow's stalks, by hand
    batch = window.session.joint_batch
    C, net = batch.cochains, batch.network
    col = heat.matrix.values[:, -1]
    for row, name in enumerate(heat.matrix.rows.labels):
        want = np.mean([edge_discord_by_hand(net, c, name) for c in C])
        assert col[row] == pytest.approx(want, rel=1e-9, abs=1e-15)
    # the plotted comparison is the one at the flow's current stalks (compare_gradients
    # itself is checked against finite differences in tests/test_diagnostics.py)
    assert grad.data["cos"][-1] == pytest.approx(
        D.compare_gradients(net, window.session.data.X, window.session.data.Y, C).cosine, abs=1e-12)
    spec = docks[2].widget()
    assert spec.series["spectrum_step"].size == 7
    assert "nan" not in spec.summary.text().lower()


def test_scrubbing_the_timeline_gives_the_state_at_that_time(qtbot, window, tmp_path):
    assert window.load_preset("sliding")  # a relaxation that chatters on z1[0] = 0
    docks = window.debug_docks
    for d in docks:
        d.setVisible(True)
    hub = window.debug_hub
    hub.throttle_s = 0.0
    dock = [d for d in docks if d.objectName() == "debug-timeline"][0]
    dock.raise_()
    panel = dock.widget()
    qtbot.waitUntil(panel.isVisible)
    states = {}
    for _ in range(40):
        window.session.step(5)
        states[round(window.session.time, 9)] = window.session.cochain.copy()
    hub.refresh()
    tl = panel.timeline
    assert tl is not None and tl.count.max() > 1  # the chatter run is there
    seen = []
    hub.timeScrubbed.connect(seen.append)
    t_want = sorted(states)[20]
    (px,) = settled_pixels(qtbot, panel.plot, [(t_want, 0.0)])
    qtbot.mouseClick(panel.plot.viewport(), LEFT, pos=px)
    assert seen and seen[-1] == pytest.approx(t_want, abs=0.2)
    t_got, c = hub.state_at(seen[-1])
    assert c == pytest.approx(states[round(t_got, 9)])
    # the main window shows that recorded state on the drape (free coordinates as points)
    assert not window.player.playing
    free = window.session.pins.resolve(window.session.layout).free_index
    _, drawn_y = window.drape.points.getData()
    assert drawn_y == pytest.approx(c[free])
    if os.environ.get("SHEAFVIZ_SCREENSHOTS"):
        for size in ((1280, 720), (1920, 1080)):
            window.resize(*size)
            qtbot.wait(200)
            assert window.grab().save(str(SHOTS / f"debug-window-{size[0]}.png"))


def test_slowest_mode_ghost_is_drawn_on_the_drape(qtbot, window):
    """Ticking "ghost" in the spectrum dock draws state + slowest eigenvector on the drape."""
    assert window.load_preset("course-221")
    dock = [d for d in window.debug_docks if d.objectName() == "debug-spectrum"][0]
    dock.setVisible(True)
    dock.raise_()
    panel = dock.widget()
    qtbot.waitUntil(panel.isVisible)
    window.debug_hub.throttle_s = 0.0
    window.debug_hub.refresh()
    with qtbot.waitSignal(window.debug_hub.modeGhostChanged):
        qtbot.mouseClick(panel.ghost_box, LEFT,
                         pos=QtCore.QPoint(8, panel.ghost_box.height() // 2))
    _, drawn = window.drape.mode_ghost.getData()
    # Independent reference: the λ_min eigenvector of a hand-built L_free (course example).
    s = window.session
    c = s.cochain
    free = s.pins.resolve(s.layout).free_index
    ghost = np.asarray(drawn)
    delta = ghost[free] - c[free]
    sigma = (c[s.layout.vertex("z1").slice] >= 0).astype(float)
    values, vectors = np.linalg.eigh(dense_laplacian_221(s.network, sigma)[np.ix_(free, free)])
    v0 = vectors[:, 0]
    unit = delta / np.linalg.norm(delta)
    assert abs(unit @ v0) == pytest.approx(1.0, abs=1e-9)
    assert ghost[[0, 1, 7]] == pytest.approx(c[[0, 1, 7]])
