"""Session and preset files through the declared schema: structurally wrong files are refused
with the field path and what was expected there, never with a Python traceback."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from sheafviz.cli import main
from sheafviz.core.data.presets import PresetError, load_preset, preset_from_dict
from sheafviz.core.data.session_file import (SessionError, load_session, save_session,
                                             session_from_preset)
from sheafviz.core.model.sheaf import SheafLayout


def _session_dict() -> dict:
    """A session as the app writes it: preset paraboloid with a window state and history."""
    s = session_from_preset(load_preset("paraboloid"))
    layout = SheafLayout(s.network.arch)
    rng = np.random.default_rng(0)
    state = {"gui": {"mode": "joint", "cochain": rng.normal(size=layout.size), "t": 0.1,
                     "steps": 20}}
    history = {"t": np.arange(3.0), "energy": np.ones(3),
               "discords": np.zeros((3, len(layout.edges))), "capacity": 4096, "stride": 1,
               "skip": 0, "events_t": [], "events_e": []}
    s = s.with_changes(state=state, history=history, view={"selected": ["z1", 3],
                                                           "notes": "n"})
    from sheafviz.core.data.session_file import session_to_json
    return json.loads(json.dumps(session_to_json(s)))


def _load(tmp_path, obj=None, text=None):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(obj) if text is None else text)
    return load_session(path)


def _mutated(change):
    d = _session_dict()
    change(d)
    return d


def _set(path, value):
    def change(d):
        node = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


CASES = [
    (_set(["pins", "hard", "x[0]"], [1, 2]), 'session.pins.hard["x[0]"]: expected a number, got a list'),
    (_set(["pins"], [1, 2]), "session.pins: expected an object or null, got a list"),
    (_set(["view"], "abc"), "session.view: expected an object or null, got a string"),
    (_set(["view", "selected"], ["z1"]), "session.view.selected: expected a list of length 2"),
    (_set(["view", "selected"], 5), "session.view.selected: expected a list or null, got an integer"),
    (_set(["view", "selected"], ["q7", 0]), "session.view.selected: unknown vertex 'q7'"),
    (_set(["view", "selected"], ["z1", 99]), "session.view.selected: z1 has 30 coordinate(s)"),
    (_set(["state"], {"gui": 5}), "session.state.gui: expected an object or null, got an integer"),
    (_set(["network", "weights", "W1"], {"a": 1}), 'session.network.weights["W1"]: expected a list, got an object'),
    (_set(["network", "weights", "W1"], [[1, 2], [3]]), "rectangular"),
    (_set(["data"], {"seed": None}), "session.data.seed: expected an integer, got null"),
    (_set(["data"], {"inline": 5}), "session.data.inline: expected an object or null, got an integer"),
    (_set(["state", "gui", "cochain", "dtype"], "bogus"), "session.state.gui.cochain.dtype: 'bogus' is not a numeric dtype"),
    (_set(["state", "gui", "cochain", "__array__"], [[1], 2]), "session.state.gui.cochain: not a rectangular array"),
    (_set(["state", "gui", "cochain", "__array__"], [1.0, 2.0]), "session.state.gui.cochain: 2 values; the network [2, 30, 1] has 64"),
    (_set(["flow", "beta"], "x"), "session.flow.beta: expected a number or null, got a string"),
    (_set(["flow", "optimizer"], "bogus"), "session.flow.optimizer: unknown value 'bogus'; expected one of sgd, momentum, adam"),
    (_set(["flow", "mode"], "bogus"), "session.flow.mode: unknown value 'bogus'"),
    (_set(["network", "output"], "tanh"), "session.network.output: unknown value 'tanh'; expected one of identity"),
    (_set(["example"], 1_000_000), "session.example: 1000000 is beyond the data (300 training examples"),
    (_set(["example"], -1), "session.example: expected an integer ≥ 0"),
    (_set(["history"], 7), "session.history: expected an object or null, got an integer"),
    (_set(["history", "capacity"], 10**12), "session.history.capacity: expected an integer ≤ 1000000"),
    (_set(["data"], {"inline": {"X": {"__array__": [[1.0, 2.0, 3.0]], "dtype": "<f8"},
                                "Y": {"__array__": [[1.0]], "dtype": "<f8"}}}),
     "session.data.inline.X: expected 2 column(s)"),
    (_set(["data", "n_train"], 3_000_000), "3,000,100 samples on a network [2, 30, 1] would need about 99.8 GB of memory"),
    (_set(["title"], "t" * 10_000_000), "session.title: text too long"),
    (_set(["view", "notes"], "n" * 100_000), "session.view.notes: text too long"),
    (_set(["flow", "color"], "red"), "session.flow: unknown field 'color'"),
]


@pytest.mark.parametrize("change, message", CASES, ids=[c[1][:40] for c in CASES])
def test_structural_errors_name_the_field(tmp_path, change, message):
    with pytest.raises(SessionError) as info:
        _load(tmp_path, _mutated(change))
    assert message in str(info.value)
    assert "\n" not in str(info.value) and len(str(info.value)) < 400


def test_the_app_written_session_loads(tmp_path):
    s = _load(tmp_path, _session_dict())
    assert s.view["selected"] == ["z1", 3] and s.state["gui"]["cochain"].shape == (64,)


@pytest.mark.parametrize("text, message", [
    ("[" * 100_000 + "]" * 100_000, "nested deeper than 32 levels"),
    ('{"a":' * 5000 + "1" + "}" * 5000, "nested deeper than 32 levels"),
    ('{"format": "sheafviz-session", "version": 1, "network": {"weights": {"W1": [[NaN]], '
     '"b1": [0]}}}', 'session.network.weights["W1"][0][0]: expected a number ≥'),
])
def test_hostile_text(tmp_path, text, message):
    with pytest.raises(SessionError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _load(tmp_path, text=text)


def test_ten_megabyte_title_is_refused_at_once(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_mutated(_set(["title"], "t" * 10_000_000))))
    start = time.perf_counter()
    rc = main(["render", str(path), "--png", str(tmp_path / "a.png")])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "session.title: text too long" in err
    assert time.perf_counter() - start < 60  # a hang would be caught by the suite's timeout
    assert not (tmp_path / "a.png").exists()


def test_session_written_with_the_umask(tmp_path):
    import os

    old = os.umask(0o027)
    try:
        save_session(session_from_preset(load_preset("course-221")), tmp_path / "s.json")
    finally:
        os.umask(old)
    assert (tmp_path / "s.json").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("change, message", [
    ({"init": "sideways"}, "preset.init: unknown value 'sideways'"),
    ({"notes": 5}, "preset.notes: expected a string or a list, got an integer"),
    ({"pins": {"hard": {"x[0]": "1"}}}, 'preset.pins.hard["x[0]"]: expected a number, got a string'),
    ({"network": {"arch": [2, 4, 1], "seed": -1}}, "preset.network.seed: expected an integer ≥ 0"),
    ({"output_force": "gravity"}, "preset.output_force: unknown value 'gravity'"),
])
def test_preset_schema(change, message):
    good = {"name": "t", "title": "t", "notes": "n",
            "network": {"arch": [2, 4, 1], "seed": 0}}
    with pytest.raises(PresetError) as info:
        preset_from_dict(good | change)
    assert message in str(info.value)


@pytest.mark.parametrize("command", ["render", "gui"])
@pytest.mark.parametrize("change, message", [
    (_set(["pins"], [1, 2]), "session.pins: expected an object"),
    (_set(["view"], "abc"), "session.view: expected an object"),
    (_set(["data"], {"inline": 5}), "session.data.inline: expected an object"),
])
def test_render_and_gui_refuse_hostile_sessions_in_one_line(tmp_path, capsys, command,
                                                            change, message):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(_mutated(change)))
    argv = ([command, str(path), "--png", str(tmp_path / "a.png")] if command == "render"
            else [command, str(path), "--screenshot", str(tmp_path / "a.png")])
    rc = main(argv)
    out, err = capsys.readouterr()
    assert rc == 2 and out == "" and err.count("\n") == 1 and message in err, err
    assert not (tmp_path / "a.png").exists()


def test_inline_data_fields_are_named(tmp_path):
    inline = {"X": {"__array__": [[1.0, 2.0]], "dtype": "bogus"},
              "Y": {"__array__": [[1.0]], "dtype": "<f8"}}
    with pytest.raises(SessionError, match=r"session\.data\.inline\.X\.dtype: expected a "
                                           r"string matching"):
        _load(tmp_path, _mutated(_set(["data"], {"inline": inline})))
    with pytest.raises(SessionError, match=r"session\.data\.inline: missing the field 'Y'"):
        _load(tmp_path, _mutated(_set(["data"], {"inline": {"X": inline["Y"]}})))


def test_state_arrays_written_as_plain_lists_are_checked(tmp_path):
    # found by the fuzz: a ragged plain list where an encoded array is expected
    with pytest.raises(SessionError, match=r"session\.state\.gui\.cochain: expected a "
                                           r"rectangular array of numbers"):
        _load(tmp_path, _mutated(_set(["state", "gui", "cochain"], [1.0, [2.0, 3.0]])))
    with pytest.raises(SessionError, match=r"session\.history\.discords: expected a "
                                           r"rectangular array"):
        _load(tmp_path, _mutated(_set(["history", "discords"], [[1.0], "x"])))


def test_long_bad_values_are_quoted_short_and_a_null_arch_is_allowed(tmp_path):
    # found by the fuzz: a multi-line string in an enum field, and "arch": null
    with pytest.raises(SessionError) as info:
        _load(tmp_path, _mutated(_set(["flow", "output_force"], "a\nlong\n" + "x" * 500)))
    text = str(info.value)
    assert "\n" not in text and len(text) < 400
    assert "session.flow.output_force: unknown value 'a" in text and "…" in text
    d = _mutated(_set(["network", "arch"], None))
    assert _load(tmp_path, d).network.arch == (2, 30, 1)


# -- v2 files (state.session) and the v1 controller state before its migration ---------------
def _v2_dict(tmp_path) -> dict:
    from sheafviz.session import Session

    s = Session.from_preset("running-241")
    s.step(5)
    s.set_mode("joint")
    s.step(2)
    s.save(tmp_path / "v2.json")
    return json.loads((tmp_path / "v2.json").read_text())


@pytest.mark.parametrize("where, bad, field", [
    (("state", "session", "modes", "relax", "history"), [{}], "session.state.session.modes"),
    (("state", "session", "mode"), "both", "session.state.session.mode"),
    (("state", "session", "modes", "joint", "t"), "soon", "session.state.session.modes"),
])
def test_v2_state_of_the_wrong_type_is_named(tmp_path, where, bad, field):
    """Found by the fuzz run: a wrapped history reached Session.load as an AttributeError."""
    from sheafviz.session import Session

    doc = _v2_dict(tmp_path)
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = bad
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    for load in (load_session, Session.load):
        with pytest.raises(SessionError, match=field.replace(".", r"\.")):
            load(path)


def test_v1_controller_mode_of_the_wrong_type_is_named(tmp_path):
    """Found by the fuzz run: a list as state.gui.mode crashed the v1 → v2 migration."""
    doc = _session_dict()
    doc["state"]["gui"]["mode"] = ["relax"]
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(SessionError, match=r"session\.state\.gui\.mode"):
        load_session(path)
