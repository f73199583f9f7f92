"""HeatFlow's numpy path (the buffered whole steps of ``heatplain`` where they apply, the
general numpy step elsewhere) against a plain Euler loop on the general batch gradient
``forces.energy_gradient``, over 2,000 steps of several presets, with soft pins and on the
paper graph; switch events, energy trace and a saved-state resume checked too."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.core.data.presets import load_preset
from sheafviz.core.flows.forces import energy_gradient
from sheafviz.core.flows.heat import HeatFlow, initial_state
from sheafviz.core.model.graphs import graph_pins, slave_outputs, slaved_outputs
from sheafviz.core.model.sheaf import SheafLayout, energy

STEPS, EVERY = 2000, 37


def _reference(net, lay, pins, c0, *, step, graph):
    """States and switch steps of ``c ← c − step·∇`` with hard pins and slaved outputs."""
    res = graph_pins(lay, pins, graph).resolve(lay)
    slaved = slaved_outputs(lay, pins, graph)
    c = c0.copy()
    c[res.hard_index] = res.hard_value
    slave_outputs(c, *slaved)
    z = np.concatenate([np.arange(lay.size)[lay.vertex(f"z{l}").slice]
                        for l in range(1, lay.n_hidden + 1)])
    states, switches, sign = [c.copy()], [], c[z] >= 0
    for s in range(1, STEPS + 1):
        c = c - step * energy_gradient(lay, net, c, res)
        c[res.hard_index] = res.hard_value
        slave_outputs(c, *slaved)
        states.append(c.copy())
        flipped = int(np.count_nonzero((c[z] >= 0) != sign))
        switches += [s] * flipped  # one entry per neuron crossing
        sign = c[z] >= 0
    return states, switches


def _case(name, *, soft=False, graph="chapter"):
    p = load_preset(name)
    lay = SheafLayout(p.network.arch)
    pins = p.pins
    if soft:
        pins = pins.pin_soft(lay, "z1", 0.25, 1.5, 0)
    c0 = initial_state(p.network, pins, init="random", state_seed=3, layout=lay)
    return p.network, lay, pins, c0, p.dt


class GeneralStepFlow(HeatFlow):
    """The flow with the general numpy step on every step (no whole-step stepper): the
    numpy path as it was before the buffered steps."""

    def _configure(self) -> None:
        super()._configure()
        self._stepper = None


CASES = [("running-241", {}), ("course-221", {}), ("dead-relu", {}), ("saddle-2h", {}),
         ("running-241", {"soft": True}), ("running-241", {"graph": "paper"})]


def _run(cls, net, lay, pins, c0, dt, graph):
    flow = cls(net, pins, c0, dt=dt, layout=lay, tol=0.0, engine="numpy",
               record_every=EVERY, graph=graph)
    flow.advance(STEPS // 2)  # two calls: a pending record crosses between them
    flow.advance(STEPS - STEPS // 2)
    return flow


@pytest.mark.parametrize("name,options", CASES)
def test_numpy_path_matches_the_general_step(name, options):
    net, lay, pins, c0, dt = _case(name, soft=options.get("soft", False))
    graph = options.get("graph", "chapter")
    flow = _run(HeatFlow, net, lay, pins, c0, dt, graph)
    ref = _run(GeneralStepFlow, net, lay, pins, c0, dt, graph)
    assert flow.steps == ref.steps == STEPS
    assert np.abs(flow.cochain - ref.cochain).max() < 1e-12
    assert np.abs(flow.cochain - c0).max() > 0.05  # it really moved
    assert flow.events == ref.events and flow.sliding == ref.sliding
    t, e = np.array(flow.energy_trace).T
    t_ref, e_ref = np.array(ref.energy_trace).T
    assert np.array_equal(t, t_ref) and np.allclose(e, e_ref, rtol=1e-12, atol=1e-12)
    assert flow.velocity == pytest.approx(ref.velocity, rel=1e-9)
    assert flow.state_dict()["sign"].tolist() == ref.state_dict()["sign"].tolist()


@pytest.mark.parametrize("name", ["course-221", "dead-relu"])
def test_buffered_steps_match_a_plain_euler_loop(name):
    """Presets whose flows never slide: the plain loop on the general batch gradient."""
    net, lay, pins, c0, dt = _case(name)
    flow = _run(HeatFlow, net, lay, pins, c0, dt, "chapter")
    states, switches = _reference(net, lay, pins, c0, step=dt, graph="chapter")
    assert flow.sliding == [] and not any(e.chatter for e in flow.events)
    assert np.abs(flow.cochain - states[-1]).max() < 1e-12
    assert [round(e.time / dt) for e in flow.events] == switches
    expected = [energy(lay, net, states[s]) for s in range(0, STEPS + 1, EVERY)]
    assert np.allclose([e for _, e in flow.energy_trace], expected, rtol=1e-12, atol=1e-12)
    last = states[-1] - states[-2]
    assert flow.velocity == pytest.approx(np.abs(last).max() / dt, rel=1e-9)


def test_saved_state_resumes_bit_for_bit():
    net, lay, pins, c0, dt = _case("running-241")
    whole = HeatFlow(net, pins, c0, dt=dt, layout=lay, tol=0.0, engine="numpy")
    whole.advance(600)
    first = HeatFlow(net, pins, c0, dt=dt, layout=lay, tol=0.0, engine="numpy")
    first.advance(300)
    resumed = HeatFlow(net, pins, first.cochain, dt=dt, layout=lay, tol=0.0,
                       engine="numpy")
    resumed.load_state(first.state_dict())
    resumed.advance(300)
    assert np.array_equal(resumed.cochain, whole.cochain)
    assert resumed.steps == whole.steps and resumed.time == whole.time
