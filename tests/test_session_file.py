"""Session files: exact round trips, clear errors, atomic writes."""

import json

import numpy as np
import pytest

from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.data.presets import list_presets, load_preset
from sheafviz.core.data.session_file import (DataSpec, FlowSettings, SessionFile, SessionError,
                                   load_session, save_session, session_from_preset)
from sheafviz.core.model.sheaf import SheafLayout


def sample_session():
    rng = np.random.default_rng(0)
    net = Network.he_init([2, 5, 3, 1], rng=rng)
    layout = SheafLayout(net.arch)
    pins = (PinSet().pin(layout, "x", rng.normal(size=2)).pin_soft(layout, "y", [0.3], 0.7)
            .pin(layout, "a1", 1 / 3, 2))
    data = DataSpec(inline={"X": rng.normal(size=(7, 2)), "Y": rng.normal(size=(7, 1))})
    state = {"cochain": rng.normal(size=(7, layout.size)), "steps": 123, "time": 0.1 * 3}
    return SessionFile(network=net, pins=pins, data=data, example=3,
                   flow=FlowSettings(mode="paper", alpha=1.0, beta=1 / 7, dt=0.005),
                   initial_network=Network.he_init([2, 5, 3, 1], seed=9), state=state,
                   history={"energy": [1.0, 0.5, 1e-300]}, view={"theme": "dark"},
                   title="t")


def test_round_trip_is_exact(tmp_path):
    s = sample_session()
    path = tmp_path / "s.json"
    save_session(s, path)
    back = load_session(path)
    for a, b in zip(s.network.weights + s.initial_network.weights,
                    back.network.weights + back.initial_network.weights):
        assert np.array_equal(a, b)
    assert back.pins == s.pins and back.flow == s.flow and back.example == 3
    assert np.array_equal(back.data.inline["X"], s.data.inline["X"])
    assert np.array_equal(back.state["cochain"], s.state["cochain"])  # bit for bit
    assert back.state["steps"] == 123 and back.state["time"] == s.state["time"]
    assert back.history["energy"][2] == 1e-300 and back.view == {"theme": "dark"}


@pytest.mark.parametrize("mutate, message", [
    (lambda t: t[: len(t) // 2], "not valid JSON"),
    (lambda t: "", "not valid JSON"),
    (lambda t: "[1, 2]", "not a sheafviz session"),
    (lambda t: t.replace('"version":2', '"version":99'), "version 99"),
    (lambda t: t.replace('"version":2', '"version":0'), "version 0"),
    (lambda t: t.replace('"x[0]"', '"q[0]"'), "unknown vertex"),
    (lambda t: t.replace('"a1[2]"', '"a1[9]"'), "out of range"),
    (lambda t: t.replace('"mode":"paper"', '"mode":"fast"'), "mode 'fast'"),
    (lambda t: t.replace('"dt":0.005', '"dt":-1'), "dt must be a positive"),
    (lambda t: t.replace('"arch":[2,5,3,1]', '"arch":[2,5,3,2]'), "architecture"),
])
def test_corrupted_files_give_a_clear_error(tmp_path, mutate, message):
    path = tmp_path / "s.json"
    save_session(sample_session(), path)
    path.write_text(mutate(path.read_text()))
    with pytest.raises(SessionError, match=message):
        load_session(path)


def test_failed_save_leaves_the_old_file(tmp_path):
    path = tmp_path / "s.json"
    save_session(sample_session(), path)
    before = path.read_text()
    bad = sample_session().with_changes(history={"energy": [float("nan")]})
    with pytest.raises(ValueError):
        save_session(bad, path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


@pytest.mark.parametrize("name", list_presets())
def test_every_preset_becomes_a_session_that_round_trips(tmp_path, name):
    s = session_from_preset(load_preset(name))
    save_session(s, tmp_path / "p.json")
    back = load_session(tmp_path / "p.json")
    assert back.pins == s.pins and back.flow == s.flow and back.preset == name
    assert json.loads((tmp_path / "p.json").read_text())["format"] == "sheafviz-session"
