"""The Qt-free live model sheafviz.Session (issue 10): results against the CLI and an
independent dense solve, events fired once per change, undo, mode switching, the modified
flag, save / load (v2 and v1 files), and read-outs that follow θ."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from session_events import count_events
from sheafviz import Network, Session, SheafLayout

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[1]


def _run_cli(*args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "sheafviz", *args], capture_output=True,
                         text=True, env=env, timeout=120, check=True)
    return json.loads(out.stdout)


def _dense_coboundary(layout: SheafLayout, net: Network, c: np.ndarray):
    """δ (edge_size, size) and g with r = δc − g, written out from the path graph
    x → z1 → a1 → … → z_{K+1} → y at the pattern of ``c`` (identity head)."""
    rows, offsets = [], []
    names = ["x"] + [n for l in range(1, net.n_hidden + 1) for n in (f"z{l}", f"a{l}")]
    names += [f"z{net.n_hidden + 1}", "y"]
    cols = {n: layout.vertex(n).slice for n in names}
    for tail, head in zip(names[:-1], names[1:]):
        dim = cols[head].stop - cols[head].start
        block = np.zeros((dim, layout.size))
        block[:, cols[head]] = np.eye(dim)
        if head.startswith("z"):  # affine edge: r = z_l − (W_l a_{l−1} + b_l)
            l = int(head[1:])
            block[:, cols[tail]] = -net.weights[l - 1]
            offsets.append(net.biases[l - 1])
        elif head.startswith("a"):  # relu edge at the pattern of c: r = a − σ⊙z
            block[:, cols[tail]] = -np.diag((c[cols[tail]] >= 0).astype(float))
            offsets.append(np.zeros(dim))
        else:  # identity output: r = y − z_out
            block[:, cols[tail]] = -np.eye(dim)
            offsets.append(np.zeros(dim))
        rows.append(block)
    return np.vstack(rows), np.concatenate(offsets)


# -- results ----------------------------------------------------------------------------
@pytest.mark.parametrize("pin", [None, "y=3.5"])
def test_equilibrium_equals_cli_solve(pin):
    args = ["solve", "--preset", "running-241", "--json"] + (["--pin", pin] if pin else [])
    doc = _run_cli(*args)
    s = Session.from_preset("running-241")
    if pin:
        name, value = pin.split("=")
        s.pin(name, [float(value)])
    result = s.equilibrium()
    r = s.readouts
    for name, values in doc["vertices"].items():
        np.testing.assert_allclose(result.vertices[name], values, rtol=0, atol=1e-12)
        np.testing.assert_allclose(r.vertices[name], values, rtol=0, atol=1e-12)
    assert r.energy == pytest.approx(doc["energy"], abs=1e-12)
    assert result.energy == pytest.approx(doc["energy"], abs=1e-12)
    np.testing.assert_allclose(r.discords, [e["discord"] for e in doc["edges"]], atol=1e-12)
    assert {k: v.tolist() for k, v in r.sigma.items()} == doc["sigma"]
    assert r.flipped == doc["flipped"] and r.on_boundary == doc["on_boundary"]
    assert r.consistent == doc["consistent"] and r.underdetermined == doc["underdetermined"]
    assert r.lambda_min == pytest.approx(doc["spectrum"]["lambda_min"], abs=1e-9)
    assert r.discord_by_layer == pytest.approx(doc["discord_by_layer"], abs=1e-12)


def test_fixed_sigma_equilibrium_equals_a_dense_least_squares_solve():
    s = Session.from_preset("running-241")
    s.pin("y", 2.0)
    s.equilibrium()
    lay, net, c = s.layout, s.network, s.cochain
    r = s.readouts  # the forward pattern, no neuron on a kink: one fixed σ
    assert r.flipped == [] and r.on_boundary == [] and r.consistent
    delta, g = _dense_coboundary(lay, net, c)  # c's pattern is the forward one
    pinned_values = sorted((lay.index(n, i), v) for (n, i), v in s.pins.hard.items())
    pinned = np.array([i for i, _ in pinned_values])
    values = np.array([v for _, v in pinned_values])
    free = np.setdiff1d(np.arange(lay.size), pinned)
    rhs = g - delta[:, pinned] @ values
    c_free, *_ = np.linalg.lstsq(delta[:, free], rhs, rcond=None)
    expected = np.empty(lay.size)
    expected[pinned], expected[free] = values, c_free
    np.testing.assert_allclose(c, expected, atol=1e-10)
    r = delta @ expected - g
    assert s.readouts.energy == pytest.approx(0.5 * float(r @ r), abs=1e-12)


def test_lambda_max_follows_the_weights_while_training():
    s = Session.from_preset("running-241")
    before = s.readouts.lambda_max  # fills the cache before θ moves
    s.mode = "joint"
    s.step(200)
    lay, net, c = s.layout, s.network, s.cochain
    delta, _ = _dense_coboundary(lay, net, c)
    free = np.setdiff1d(np.arange(lay.size),
                        [lay.index("x", 0), lay.index("x", 1), lay.index("y", 0)])
    lap = delta.T @ delta
    expected = np.linalg.eigvalsh(lap[np.ix_(free, free)])[-1]
    assert abs(expected - before) > 1e-3  # training did move λ_max
    assert s.readouts.lambda_max == pytest.approx(expected, rel=1e-10)


# -- events, modified, undo -----------------------------------------------------------------
def test_each_change_fires_its_event_once():
    s = Session.from_preset("running-241")
    counts = count_events(s)
    s.pin("a1[0]", 0.5)
    assert (counts["pins_changed"], counts["state_changed"], counts["modified_changed"]) \
        == (1, 1, 1)
    s.unpin("a1[0]")
    assert counts["pins_changed"] == 2 and counts["state_changed"] == 2
    s.set_rates(alpha=0.5)
    assert counts["settings_changed"] == 1
    s.step(3)
    assert counts["state_changed"] == 3
    s.select("a1", 2)
    s.select("a1[2]")  # the same neuron: no change, no event
    assert counts["selection_changed"] == 1
    s.set_network(s.network.with_parameters([w * 1.1 for w in s.network.weights],
                                            s.network.biases))
    assert counts["network_changed"] == 1 and counts["state_changed"] == 4
    s.mode = "joint"
    assert counts["settings_changed"] == 2 and counts["state_changed"] == 5
    with s.edit_group():  # a drag: many values, one event each
        for v in (2.6, 2.7, 2.8):
            s.pin("y", v)
    assert counts["pins_changed"] == 3
    assert counts["network_changed"] == 1 and counts["data_changed"] == 0


def test_a_batch_fires_each_event_once_at_its_end_and_records_every_step_call():
    """Session.batch: many changes drawn as one (a selection and a pin in one click, a
    run of steps before a screenshot), each event once at the end; each step call still
    records its state, exactly as the same calls outside a batch."""
    s, ref = Session.from_preset("running-241"), Session.from_preset("running-241")
    counts = count_events(s)
    with s.batch():
        s.select("a1", 0)
        s.toggle_pin("a1[0]")
        for _ in range(4):
            s.step(3)
        assert counts["state_changed"] == counts["pins_changed"] == 0  # not yet
    assert (counts["pins_changed"], counts["selection_changed"], counts["state_changed"],
            counts["modified_changed"]) == (1, 1, 1, 1)
    ref.toggle_pin("a1[0]")
    for _ in range(4):
        ref.step(3)
    np.testing.assert_array_equal(s.cochain, ref.cochain)
    n = ref.history.n
    assert s.history.n == n >= 5 and len(s.trajectory) == len(ref.trajectory)
    np.testing.assert_array_equal(s.history.energy[:n], ref.history.energy[:n])
    assert s.undo_steps == ref.undo_steps  # the pin is one undo step, as outside a batch


def test_modified_only_by_edits():
    s = Session.from_preset("running-241")
    changes = []
    s.events.modified_changed.connect(changes.append)
    s.step(20)
    s.equilibrium()
    s.reset()
    s.mode = "relax"
    assert not s.modified and changes == []
    s.pin("y", 3.0)
    assert s.modified and changes == [True]


def test_undo_redo_restore_pins_weights_and_rates_exactly():
    s = Session.from_preset("running-241")
    start = (s.pins, s.network, s.rates)
    s.pin("a1[1]", 0.25)
    s.set_rates(alpha=0.7, dt=0.03)
    edited = s.network.with_parameters([w + 0.01 for w in s.network.weights],
                                       s.network.biases)
    s.set_network(edited)
    s.pin("y", 2.0, stiffness=0.5)
    end = (s.pins, s.network, s.rates)
    assert s.can_undo and not s.can_redo
    while s.can_undo:
        s.undo()
    assert s.pins == start[0] and s.network is start[1] and s.rates == start[2]
    while s.can_redo:
        s.redo()
    assert s.pins == end[0] and s.network is end[1] and s.rates == end[2]
    assert s.pins.soft[("y", 0)] == (2.0, 0.5) and s.rates.alpha == 0.7


# -- modes and files --------------------------------------------------------------------
def _mode_state(s: Session):
    h = s.history.state_dict()
    return s.cochain, s.steps, s.time, h


def _assert_same_state(a, b):
    assert np.array_equal(a[0], b[0]) and a[1:3] == b[1:3]
    for key in ("t", "energy", "discords"):
        assert np.array_equal(a[3][key], b[3][key])
    assert a[3]["events_t"] == b[3]["events_t"]


def test_switching_modes_keeps_each_modes_state():
    s = Session.from_preset("running-241")
    s.step(30)
    relax = _mode_state(s)
    s.mode = "joint"
    s.step(20)
    joint = _mode_state(s)
    assert joint[1] == 20
    s.mode = "relax"
    _assert_same_state(_mode_state(s), relax)
    s.mode = "joint"
    _assert_same_state(_mode_state(s), joint)


@pytest.mark.parametrize("training", ["paper", "adiabatic"])
def test_save_load_then_steps_equal_continuing(tmp_path, training):
    s = Session.from_preset("running-241")
    s.step(25)
    s.set_training(mode=training)
    s.mode = "joint"
    s.step(15)
    s.mode = "relax"
    s.step(5)
    s.mode = "joint"
    path = tmp_path / "s.json"
    s.save(path)
    assert not s.modified and json.loads(path.read_text())["version"] == 2
    back = Session.load(path)
    for sess in (s, back):
        sess.step(50)
    _assert_same_state(_mode_state(back), _mode_state(s))
    assert all(np.array_equal(a, b) for a, b in zip(back.network.weights + back.network.biases,
                                                     s.network.weights + s.network.biases))
    for sess in (s, back):
        sess.mode = "relax"
        sess.step(50)
    _assert_same_state(_mode_state(back), _mode_state(s))
    assert back.pins == s.pins and back.rates == s.rates and back.training == s.training


@pytest.mark.parametrize("name", ["session_v1_relax.json", "session_v1_joint.json"])
def test_v1_files_written_by_the_gui_controller_load(name):
    """The fixtures were saved by the GUI controller (format v1) after 30 relax steps of
    running-241, resp. 10 relax steps then 25 joint steps: the Session runs the same flows,
    so it reaches the saved state, and the loaded file steps on like it. To rounding, not
    bit for bit: the fixtures come from the numpy steps, the Session steps compiled when
    numba imports (another summation order, ~1e-16 apart)."""
    raw = json.loads((DATA / name).read_text())
    assert raw["version"] == 1
    gui = raw["state"]["gui"]
    s = Session.load(DATA / name)
    assert s.mode == gui["mode"] and s.steps == gui["steps"] and s.time == gui["t"]
    assert np.array_equal(s.cochain, gui["cochain"]["__array__"])
    assert s.history.n == len(raw["history"]["t"]["__array__"])
    assert s.network.weights[1].tolist() == raw["network"]["weights"]["W2"]
    assert s.training.lr is None  # the controller trained at the flow's default rate
    fresh = Session.from_preset("running-241")
    if gui["mode"] == "relax":
        fresh.step(30)
    else:
        fresh.step(10)
        fresh.mode = "joint"
        fresh.step(25)
    np.testing.assert_allclose(fresh.cochain, s.cochain, rtol=0, atol=1e-12)
    for sess in (s, fresh):
        sess.step(10)
    np.testing.assert_allclose(fresh.cochain, s.cochain, rtol=0, atol=1e-12)
    assert s.steps == gui["steps"] + 10


def test_v1_migration_adds_the_session_state_and_keeps_the_controllers():
    from sheafviz.core.data.session_file import migrate_v1_to_v2

    raw = json.loads((DATA / "session_v1_joint.json").read_text())
    copy = json.loads(json.dumps(raw))
    out = migrate_v1_to_v2(raw)
    assert raw == copy  # the input is not changed
    assert out["version"] == 2 and out["state"]["gui"] == raw["state"]["gui"]
    joint = out["state"]["session"]["modes"]["joint"]
    assert out["state"]["session"]["mode"] == "joint" and joint["history"] == raw["history"]
    assert joint["cochain"] == raw["state"]["gui"]["cochain"]


def test_the_session_never_imports_qt():
    code = ("import sys; from sheafviz import Session; s = Session.from_preset('paraboloid');"
            "s.step(5); s.mode = 'joint'; s.step(5); s.readouts.spectrum; s.snapshot;"
            "assert 'PySide6' not in sys.modules, 'Qt imported'")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


def test_seek_shows_a_recorded_state_and_stepping_on_forgets_the_later_ones():
    s = Session.from_preset("running-241")
    for _ in range(5):
        s.step(4)
    items = list(s.trajectory.items)
    assert [it[1] for it in items] == [0, 4, 8, 12, 16, 20]
    s.seek(2)
    assert s.steps == 8 and np.array_equal(s.cochain, items[2][2]) and not s.modified
    assert s.history.t[: s.history.n].max() <= s.time
    s.seek(4)  # scrubbing forward again still works before stepping
    assert s.steps == 16
    s.step(1)
    assert [it[1] for it in s.trajectory.items] == [0, 4, 8, 12, 16, 17]


def test_examples_of_a_data_set_are_pinned_and_undone():
    s = Session.from_preset("paraboloid")
    x0, y0 = s.data.example(0)
    assert s.pins.hard[("x", 1)] == x0[1] and s.pins.hard[("y", 0)] == y0[0]
    counts = count_events(s)
    s.set_example(3)
    x3, y3 = s.data.example(3)
    assert s.pins.hard[("x", 0)] == x3[0] and s.pins.hard[("y", 0)] == y3[0]
    assert counts["pins_changed"] == 1 and counts["settings_changed"] == 1
    with pytest.raises(ValueError, match="example must be"):
        s.set_example(10_000)
    s.set_example(None)  # train on the whole batch, show example 3
    s.mode = "joint"
    s.step(2)
    assert np.array_equal(s.cochain[:2], s.data.X[3]) and s.steps == 2
    s.undo()  # the mode
    s.undo()  # the whole batch
    assert s.mode == "relax" and s.example == 3
    s.undo()
    assert s.example == 0 and s.pins.hard[("x", 0)] == x0[0]


def test_undo_keeps_what_training_did_and_reset_is_not_an_edit():
    s = Session.from_preset("running-241")
    s.pin("a1[3]", 0.2)
    s.mode = "joint"
    s.step(50)
    trained = s.network
    assert trained is not s.initial_network
    s.undo()  # back to relax
    s.undo()  # the pin
    assert s.mode == "relax" and ("a1", 3) not in s.pins.hard and s.network is trained
    assert not s.can_undo
    s.reset()  # the initial weights and state: not an edit, nothing to undo
    assert s.network is s.initial_network and s.steps == 0 and not s.can_undo


def test_a_drag_is_one_undo_step_with_events_per_move():
    s = Session.from_preset("running-241")
    counts = count_events(s)
    s.begin_undo_group()
    for v in (2.6, 2.7, 2.8):
        s.pin("y", v, jump=True)
    assert counts["pins_changed"] == 3 and s.modified  # the views follow every move
    s.end_undo_group()
    assert s.pins.hard[("y", 0)] == 2.8
    s.undo()
    assert s.pins.hard[("y", 0)] == 2.5 and not s.can_undo
    r = s.readouts  # the undo jumped back to the equilibrium of y = 2.5
    assert r.energy == pytest.approx(s.equilibrium().energy, abs=1e-12)


def test_toggle_pins_at_the_shown_value_and_unpins():
    s = Session.from_preset("running-241")
    s.step(7)
    shown = s.cochain[s.layout.index("a1", 2)]
    s.toggle_pin("a1[2]")
    assert s.pins.hard[("a1", 2)] == shown
    s.toggle_pin("a1", index=2)
    assert ("a1", 2) not in s.pins.hard
    s.toggle_pin("y")  # a pinned stalk: unpinned
    assert not s.pins.stalk_pinned(s.layout, "y")


def test_history_state_round_trip_keeps_the_thinning():
    """The bounded history keeps its stride through a save: continuing a restored copy
    appends exactly what the original keeps (moved here from the old controller's tests)."""
    from sheafviz.live.frame import History

    rng = np.random.default_rng(0)
    a = History(3, capacity=8)
    for k in range(21):  # past the capacity twice: stride 4
        a.append(0.1 * k, float(k), rng.random(3))
    a.add_event(0.5, 2.0)
    b = History.from_state(a.state_dict(), 3)
    for k in range(21, 40):
        d = rng.random(3)
        a.append(0.1 * k, float(k), d)
        b.append(0.1 * k, float(k), d)
    assert a.n == b.n and b.events_t == [0.5]
    np.testing.assert_array_equal(a.t[:a.n], b.t[:b.n])
    np.testing.assert_array_equal(a.discords[:a.n], b.discords[:b.n])
    assert History.from_state(None, 3).n == 0
    with pytest.raises(ValueError, match="edges"):
        History.from_state(a.state_dict(), 4)
    with pytest.raises(ValueError, match="stride"):
        History.from_state(dict(a.state_dict(), stride=0), 3)
