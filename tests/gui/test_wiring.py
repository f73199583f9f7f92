"""The wiring module against fake views and a fake model: every view intent reaches the
model's method with its arguments, and every model event reaches the views' ``set_*``
methods with the model's data. No real view or controller is involved, so a connection
that goes missing (or goes to the wrong method) fails here by name."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from sheafviz.core.data.presets import load_preset
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.gui.state import History, hidden_z_index, make_snapshot
from sheafviz.gui.theme import Theme
from sheafviz.gui.wiring import WindowWiring


class Recorder:
    """Records calls of any ``set_*`` (or other) method: ``calls[name] = [args, …]``."""

    def __init__(self) -> None:
        self.calls: dict[str, list] = {}

    def record(self, name, *args, **kwargs) -> None:
        self.calls.setdefault(name, []).append((args, kwargs))

    def last(self, name):
        assert name in self.calls, f"{name} was never called; calls: {sorted(self.calls)}"
        return self.calls[name][-1]


def recording(names):
    """A class whose methods ``names`` record their calls."""
    def make(n):
        return lambda self, *a, **k: self.rec.record(n, *a, **k)
    return {n: make(n) for n in names}


class FakeGraph(QtCore.QObject, Recorder):
    neuronClicked = QtCore.Signal(str, int)
    stalkClicked = QtCore.Signal(str)
    pinDragged = QtCore.Signal(str, int, float)
    dragStarted = QtCore.Signal()
    dragFinished = QtCore.Signal()
    hoverChanged = QtCore.Signal(object)
    hovered = None
    locals().update(recording(["set_session", "set_pins", "set_frame", "set_hover_text"]))

    def __init__(self) -> None:
        QtCore.QObject.__init__(self)
        Recorder.__init__(self)
        self.rec = self


class FakeDrape(QtCore.QObject, Recorder):
    neuronClicked = QtCore.Signal(str, int)
    pinDragged = QtCore.Signal(str, int, float)
    dragStarted = QtCore.Signal()
    dragFinished = QtCore.Signal()
    locals().update(recording(["set_session", "set_pins", "set_frame", "set_mode_ghost"]))

    def __init__(self) -> None:
        QtCore.QObject.__init__(self)
        Recorder.__init__(self)
        self.rec = self


class FakePlot(Recorder):
    locals().update(recording(["set_session", "set_data"]))

    def __init__(self) -> None:
        super().__init__()
        self.rec = self


class FakePanel(QtCore.QObject, Recorder):
    presetChosen = QtCore.Signal(str)
    playClicked = QtCore.Signal()
    stepClicked = QtCore.Signal()
    resetClicked = QtCore.Signal()
    equilibriumClicked = QtCore.Signal()
    modeChosen = QtCore.Signal(str)
    alphaChanged = QtCore.Signal(float)
    betaChanged = QtCore.Signal(float)
    dtChanged = QtCore.Signal(float)
    stepsPerFrameChanged = QtCore.Signal(int)
    exampleChanged = QtCore.Signal(int)
    batchToggled = QtCore.Signal(bool)
    pinValueEdited = QtCore.Signal(str, int, float)
    pinToggled = QtCore.Signal(str, int)
    locals().update(recording(["set_params", "set_playing", "set_selection",
                               "set_selected_value"]))

    def __init__(self) -> None:
        QtCore.QObject.__init__(self)
        Recorder.__init__(self)
        self.rec = self


class FakeWindow(QtWidgets.QWidget, Recorder):
    """What the wiring needs of a window: its views, status label and a few verbs."""

    locals().update(recording(["show_message", "open_preset", "set_legends", "write_state",
                               "set_busy"]))

    def __init__(self) -> None:
        QtWidgets.QWidget.__init__(self)
        Recorder.__init__(self)
        self.rec = self
        self.graph, self.drape, self.panel = FakeGraph(), FakeDrape(), FakePanel()
        self.energy, self.bars, self.dhist = FakePlot(), FakePlot(), FakePlot()
        self.metrics = QtWidgets.QLabel()
        self.theme = Theme()


#: intents the fake model records, by method name
INTENTS = ["toggle_neuron", "toggle_stalk", "set_pin_value", "toggle_play", "step", "reset",
           "jump_to_equilibrium", "set_mode", "set_alpha", "set_beta", "set_dt",
           "set_steps_per_frame", "set_example", "set_whole_batch", "pause"]


class FakeModel(QtCore.QObject, Recorder):
    """The controller's events, and its state on the small default preset."""

    sessionChanged = QtCore.Signal()
    frameChanged = QtCore.Signal()
    spectrumChanged = QtCore.Signal()
    pinsChanged = QtCore.Signal()
    paramsChanged = QtCore.Signal()
    settingsChanged = QtCore.Signal()
    playingChanged = QtCore.Signal(bool)
    selectionChanged = QtCore.Signal()
    message = QtCore.Signal(str, str)
    busyChanged = QtCore.Signal(bool)
    locals().update(recording(INTENTS))

    def __init__(self) -> None:
        QtCore.QObject.__init__(self)
        Recorder.__init__(self)
        self.rec = self
        self.preset = load_preset("running-241")
        self.network = self.preset.network
        self.layout = SheafLayout(self.network.arch)
        self.z_index = hidden_z_index(self.layout)
        self.pins = self.preset.pins
        self.c = np.linspace(-1.0, 1.0, self.layout.size)
        self.snapshot = make_snapshot(self.layout, self.network, self.c, time=0.5, steps=7,
                                      z_index=self.z_index)
        self.history = History(len(self.layout.edges))
        self.title, self.selected, self.mode = "fake title", None, "relax"
        self.alpha, self.beta, self.dt, self.steps_per_frame = 0.5, 0.25, 0.1, 3
        self.dataset, self.has_data, self.example, self.whole_batch = None, False, 0, False
        self.lam, self.residual, self.consistency = (0.1, 9.0), 0.0, "consistent"
        self.cross_entropy, self.steps, self.t, self.playing = False, 7, 0.5, False
        self.fps = self.steps_per_second = float("nan")

    def envelope(self):
        return np.zeros(0), np.zeros(0)

    def neuron_info(self, name, index):
        return [("value", f"{self.c[self.layout.index(name, index)]:.3f}"), ("pinned", "no")]


@pytest.fixture
def wired(qtbot):
    w, m = FakeWindow(), FakeModel()
    qtbot.addWidget(w)
    wiring = WindowWiring(w, m)
    return w, m, wiring


@pytest.mark.parametrize("view, signal, args, method", [
    ("graph", "neuronClicked", ("a1", 1), "toggle_neuron"),
    ("graph", "stalkClicked", ("z1",), "toggle_stalk"),
    ("graph", "pinDragged", ("y", 0, 2.5), "set_pin_value"),
    ("drape", "neuronClicked", ("z1", 0), "toggle_neuron"),
    ("drape", "pinDragged", ("x", 1, -0.5), "set_pin_value"),
    ("panel", "playClicked", (), "toggle_play"),
    ("panel", "stepClicked", (), "step"),
    ("panel", "resetClicked", (), "reset"),
    ("panel", "equilibriumClicked", (), "jump_to_equilibrium"),
    ("panel", "modeChosen", ("joint",), "set_mode"),
    ("panel", "alphaChanged", (0.75,), "set_alpha"),
    ("panel", "betaChanged", (0.125,), "set_beta"),
    ("panel", "dtChanged", (0.05,), "set_dt"),
    ("panel", "stepsPerFrameChanged", (8,), "set_steps_per_frame"),
    ("panel", "exampleChanged", (3,), "set_example"),
    ("panel", "batchToggled", (True,), "set_whole_batch"),
    ("panel", "pinValueEdited", ("a1", 0, 0.25), "set_pin_value"),
    ("panel", "pinToggled", ("a1", 0), "toggle_neuron"),
])
def test_each_view_intent_reaches_the_model(wired, view, signal, args, method):
    w, m, _ = wired
    getattr(getattr(w, view), signal).emit(*args)
    assert m.calls.get(method) == [(args, {})], m.calls


def test_the_preset_box_goes_through_the_window(wired):
    w, m, _ = wired
    w.panel.presetChosen.emit("course-221")
    assert w.calls["open_preset"] == [(("course-221",), {})]
    assert "toggle_neuron" not in m.calls


def test_a_new_session_rebuilds_every_view_on_its_layout(wired):
    w, m, _ = wired
    m.sessionChanged.emit()
    for view in (w.graph, w.drape, w.energy, w.bars, w.dhist):
        assert view.last("set_session") == ((m.layout,), {})
    assert w.graph.last("set_pins") == ((m.pins, None), {})
    assert w.drape.last("set_pins") == ((m.pins,), {})
    assert w.windowTitle() == "sheafviz — fake title"
    assert "set_legends" in w.calls


def test_a_frame_reaches_every_picture_and_the_status_line(wired):
    w, m, _ = wired
    m.frameChanged.emit()
    assert w.graph.last("set_frame")[0][0] is m.snapshot
    assert w.drape.last("set_frame")[0][0] is m.snapshot
    np.testing.assert_array_equal(w.bars.last("set_data")[0][0], m.snapshot.discords)
    assert w.dhist.last("set_data")[0][0] is m.history
    assert w.energy.last("set_data")[0][0] is m.history
    text = w.metrics.text()
    assert f"E = {m.snapshot.energy:.3g}"[:6] in text and "step 7" in text and "paused" in text


def test_pins_selection_params_playing_and_messages_reach_the_views(wired):
    w, m, _ = wired
    m.selected = ("a1", 2)
    m.selectionChanged.emit()
    args, kw = w.panel.last("set_selection")
    assert args == (("a1", 2),)
    assert kw["value"] == pytest.approx(m.c[m.layout.index("a1", 2)])
    assert kw["pinned"] is False
    assert w.graph.last("set_pins") == ((m.pins, ("a1", 2)), {})
    m.pinsChanged.emit()
    assert w.drape.last("set_pins") == ((m.pins,), {}) and "write_state" in w.calls
    m.paramsChanged.emit()
    kw = w.panel.last("set_params")[1]
    assert kw == dict(preset=m.preset.name, alpha=0.5, beta=0.25, dt=0.1, steps_per_frame=3,
                      mode="relax", n_examples=0, example=0, whole_batch=False)
    m.playingChanged.emit(True)
    assert w.panel.last("set_playing") == ((True,), {})
    m.message.emit("hello", "warn")
    assert w.last("show_message") == (("hello", "warn"), {})
    m.busyChanged.emit(True)
    assert w.last("set_busy") == ((True,), {})


def test_hover_text_is_computed_outside_and_pushed_into_the_graph(wired):
    w, m, _ = wired
    w.graph.hoverChanged.emit(("a1", 1))
    html = w.graph.last("set_hover_text")[0][0]
    assert "a1[1]" in html and f"{m.c[m.layout.index('a1', 1)]:.3f}" in html
    w.graph.hoverChanged.emit(None)
    assert w.graph.last("set_hover_text") == (("",), {})


def test_a_theme_change_rebuilds_the_views_in_it(wired):
    w, m, _ = wired
    n = len(w.graph.calls.get("set_session", []))
    w.theme.update(colors={"BACKGROUND": "#000000"})
    assert len(w.graph.calls["set_session"]) == n + 1
    assert w.graph.last("set_frame")[0][0] is m.snapshot  # and the frame is drawn again


def test_theme_rejects_unknown_roles_and_fires_once_per_update():
    t = Theme()
    fired = []
    t.changed.connect(lambda: fired.append(1))
    t.update(colors={"PIN_COLOR": "#123456"}, edge_colors={"affine": "#1", "relu": "#2",
                                                           "output": "#3"})
    assert fired == [1] and t.PIN_COLOR == "#123456" and t.EDGE_COLORS["relu"] == "#2"
    with pytest.raises(ValueError, match="PIN_COLOUR"):
        t.update(colors={"PIN_COLOUR": "#000000"})
    with pytest.raises(AttributeError, match="NOT_A_ROLE"):
        t.NOT_A_ROLE  # noqa: B018
