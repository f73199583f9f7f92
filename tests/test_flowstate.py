"""Flow state export / restore: a restored flow takes the same next steps bit for bit, and
the restore is needed (a flow rebuilt from the visible state alone differs)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sheafviz.core.data.datasets import load_dataset
from sheafviz.core.flows.flowstate import (FlowStateError, heat_state, joint_state, restore_heat,
                                     restore_joint)
from sheafviz.core.flows.heat import HeatFlow, initial_state
from sheafviz.core.model.network import Network
from sheafviz.core.data.presets import load_preset
from sheafviz.core.data.session_file import _decode, _encode
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.flows.training import JointFlow


def through_json(state: dict) -> dict:
    """The state as a session file stores it (repr floats), read back."""
    return _decode(json.loads(json.dumps(_encode(state), allow_nan=False)))


def heat(name: str, c0=None):
    p = load_preset(name)
    lay = SheafLayout(p.network.arch)
    if c0 is None:
        c0 = initial_state(p.network, p.pins, init=p.init, state_seed=p.state_seed, layout=lay)
    return HeatFlow(p.network, p.pins, c0, alpha=p.alpha, dt=p.dt, layout=lay,
                    record_every=1 << 40)


@pytest.mark.parametrize("name, k", [("running-241", 37), ("sliding", 58), ("two-minima", 80)])
def test_heat_resume_is_bit_for_bit(name, k):
    a = heat(name)
    a.advance(k)
    state = through_json(heat_state(a))
    b = heat(name, c0=np.zeros_like(a.cochain))
    restore_heat(b, state)
    assert b.time == a.time and b.steps == a.steps
    for _ in range(10):
        a.advance(10)
        b.advance(10)
        np.testing.assert_array_equal(a.cochain, b.cochain)
    assert a.time == b.time and a.steps == b.steps == k + 100


def test_heat_restore_is_needed_for_the_time():
    """Rebuilding from the cochain restarts the clock: t = t0 + flow.time then differs in
    the last bits from the accumulated one (why the time is stored, not recomputed)."""
    a = heat("running-241")
    a.advance(333)
    b = heat("running-241", c0=a.cochain)
    b.advance(0)
    assert b.time == 0.0 and b.steps == 0
    restore_heat(b, through_json(heat_state(a)))
    a.advance(50)
    b.advance(50)
    assert a.time == b.time


def joint(mode: str, optimizer: str, network=None, X=None, Y=None):
    p = load_preset("paraboloid")
    ds = load_dataset("paraboloid", n_train=16, n_test=0)
    return JointFlow(network or p.network, ds.X if X is None else X,
                     ds.Y if Y is None else Y, mode=mode, alpha=1.0, dt=0.01,
                     optimizer=optimizer, record_every=1 << 40), ds


@pytest.mark.parametrize("mode, optimizer", [("paper", "sgd"), ("gd", "adam"),
                                             ("gd", "momentum")])
def test_joint_resume_is_bit_for_bit(mode, optimizer):
    a, ds = joint(mode, optimizer)
    a.advance(25)
    state = through_json(joint_state(a))
    b, _ = joint(mode, optimizer, network=a.network)
    restore_joint(b, state)
    a.advance(100)
    b.advance(100)
    for x, y in zip(a.network.weights + a.network.biases, b.network.weights + b.network.biases):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.cochains, b.cochains)
    # without the optimizer's moments the next steps differ (the restore matters)
    if optimizer != "sgd":
        c, _ = joint(mode, optimizer, network=a.network)
        a.advance(5)
        c.advance(5)
        assert not np.array_equal(a.network.weights[0], c.network.weights[0])


def test_paper_mode_needs_the_saved_stalks():
    a, _ = joint("paper", "sgd")
    a.advance(40)
    c, _ = joint("paper", "sgd", network=a.network)  # stalks restart at the forward pass
    a.advance(10)
    c.advance(10)
    assert not np.array_equal(a.cochains, c.cochains)


def test_mismatched_states_are_refused():
    a = heat("running-241")
    s = heat_state(a)
    b = heat("course-221")
    with pytest.raises(FlowStateError, match="shape"):
        restore_heat(b, s)
    with pytest.raises(FlowStateError, match="kind"):
        restore_heat(a, {"kind": "joint"})
    bad = dict(s, cochain=np.full_like(s["cochain"], np.nan))
    with pytest.raises(FlowStateError, match="NaN"):
        restore_heat(heat("running-241"), bad)
    j, _ = joint("paper", "sgd")
    with pytest.raises(FlowStateError, match="mode"):
        restore_joint(j, dict(joint_state(j), mode="gd"))


def joint_preset(name: str, mode: str, optimizer: str, network=None):
    p = load_preset(name)
    ds = load_dataset(p.data, n_train=16, n_test=0)
    return JointFlow(network or p.network, ds.X, ds.Y, mode=mode, alpha=1.0, dt=0.01,
                     optimizer=optimizer, force=p.output_force, record_every=1 << 40)


@pytest.mark.parametrize("name, optimizer", [("paraboloid-2h", "sgd"), ("blobs-2h", "adam"),
                                             ("circular-2h", "sgd")])
def test_adiabatic_resume_is_bit_for_bit(name, optimizer):
    """The adiabatic mode warm-starts each batch solve from the last equilibria, and on these
    batches the active set reaches different equilibria from different starts: the saved
    equilibria (stalks + consistent flags) make the resume exact; re-solving them (what a
    state without them does) does not."""
    a = joint_preset(name, "adiabatic", optimizer)
    a.advance(25)
    state = through_json(joint_state(a))
    b = joint_preset(name, "adiabatic", optimizer, network=a.network)
    restore_joint(b, state)
    legacy = {k: v for k, v in state.items() if not k.startswith("eq_")}
    c = joint_preset(name, "adiabatic", optimizer, network=a.network)
    restore_joint(c, legacy)
    for flow in (a, b, c):
        flow.advance(100)
    for x, y in zip(a.network.weights + a.network.biases, b.network.weights + b.network.biases):
        np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.cochains, b.cochains)
    assert a.steps == b.steps == 125
    assert not np.array_equal(a.cochains, c.cochains)


def test_adiabatic_state_is_checked():
    a = joint_preset("paraboloid-2h", "adiabatic", "sgd")
    s = joint_state(a)
    with pytest.raises(FlowStateError, match="eq_consistent"):
        restore_joint(a, dict(s, eq_consistent=np.ones(3, dtype=bool)))
    with pytest.raises(FlowStateError, match="optimizer"):
        restore_joint(a, dict(s, optimizer={"name": "Adam"}))
