"""Session.perturb and Session.set_state against their definition: the displacement's norm
is the size over the free coordinates, pinned (and clamped) coordinates do not move, θ moves
by the size as an undoable weight edit, the state kick is no edit; and JointFlow.set_state."""

from __future__ import annotations

import numpy as np
import pytest

from session_events import EVENTS, count_events
from sheafviz import Network, Session
from sheafviz.core.flows.training import JointFlow


def _theta(net: Network) -> np.ndarray:
    return np.concatenate([p.ravel() for p in net.weights + net.biases])


def _flat(s: Session, names) -> np.ndarray:
    return np.concatenate([np.arange(s.layout.vertex(n).offset,
                                     s.layout.vertex(n).offset + s.layout.vertex(n).dim)
                           for n in names])


def test_relax_kick_has_the_size_keeps_pins_and_is_no_edit(tmp_path):
    s = Session.from_preset("running-241")
    s.pin("a1[1]", 0.25)
    s.pin("z1[0]", 0.5, stiffness=3.0)  # soft: free to move
    s.equilibrium()
    c0, theta0, undo0 = s.cochain, _theta(s.network), s.undo_text
    s.save(tmp_path / "s.json")  # modified off: the kick must not turn it on
    counts = count_events(s)
    assert s.perturb(0.3, seed=4)
    d = s.cochain - c0
    pinned = [s.layout.index(n, i) for (n, i) in s.pins.hard]
    assert len(pinned) == 4  # x (2), y, a1[1]
    np.testing.assert_array_equal(d[pinned], 0.0)
    assert np.linalg.norm(d) == pytest.approx(0.3, rel=1e-12)
    assert d[s.layout.index("z1", 0)] != 0.0
    np.testing.assert_array_equal(_theta(s.network), theta0)  # relaxing: θ not kicked
    assert counts == dict.fromkeys(EVENTS, 0) | {"state_changed": 1}
    assert not s.modified and s.undo_text == undo0
    assert s.readouts.energy > 0  # off the equilibrium; the flow brings it back
    s.step(2000)
    assert s.readouts.energy == pytest.approx(s.equilibrium().energy, abs=1e-9)


def test_relax_kick_with_theta_moves_the_weights_not_to_an_equilibrium():
    s = Session.from_preset("running-241")
    s.equilibrium()
    c0, theta0 = s.cochain, _theta(s.network)
    counts = count_events(s)
    assert s.perturb(0.2, seed=1, theta=True, state=False)
    assert np.linalg.norm(_theta(s.network) - theta0) == pytest.approx(0.2, rel=1e-12)
    np.testing.assert_array_equal(s.cochain, c0)  # the state stays: no jump
    assert counts["network_changed"] == 1 and counts["state_changed"] == 1
    assert counts["modified_changed"] == 1 and s.undo_text == "change weights"
    s.undo()
    np.testing.assert_array_equal(_theta(s.network), theta0)


def test_paper_graph_kick_leaves_out_the_missing_output():
    s = Session.from_preset("running-241")
    s.unpin("y")
    s.set_graph("paper")
    s.equilibrium()
    c0 = s.cochain
    s.perturb(0.5, seed=3)
    d = s.cochain - c0
    y, z = s.layout.vertex("y").slice, s.layout.vertex("z2").slice
    not_y = np.setdiff1d(np.arange(s.layout.size), _flat(s, ["y"]))
    assert np.linalg.norm(d[not_y]) == pytest.approx(0.5, rel=1e-12)
    np.testing.assert_array_equal(s.cochain[y], s.cochain[z])  # y follows z_out


def test_joint_kick_moves_state_and_theta_by_the_size_with_x_and_y_clamped():
    s = Session.from_preset("running-241")
    s.set_rates(dt=0.05)
    s.mode = "joint"
    s.step(5)
    c0, theta0, t0 = s.cochain, _theta(s.network), s.time
    counts = count_events(s)
    assert s.perturb(0.25, seed=7)  # joint mode: θ too by default
    d = s.cochain - c0
    np.testing.assert_array_equal(d[_flat(s, ["x", "y"])], 0.0)
    assert np.linalg.norm(d) == pytest.approx(0.25, rel=1e-12)
    assert np.linalg.norm(_theta(s.network) - theta0) == pytest.approx(0.25, rel=1e-12)
    assert s.time == t0  # the flow goes on from the kicked pair, clock kept
    assert counts["network_changed"] == 1 and counts["state_changed"] == 1
    assert counts["settings_changed"] == 0 and s.can_undo
    kicked, lay = s.cochain, s.layout
    forward = lay.forward_cochain(s.network, kicked[lay.vertex("x").slice])
    s.step(1)  # from the kicked stalks, not restarted at the forward pass
    assert np.linalg.norm(s.cochain - kicked) < 0.5 * np.linalg.norm(s.cochain - forward)


def test_joint_state_only_and_theta_only_kicks_are_independent():
    s = Session.from_preset("running-241")
    s.mode = "joint"
    c0, theta0, undo0 = s.cochain, _theta(s.network), s.undo_text
    assert s.perturb(0.1, seed=2, theta=False)
    assert np.linalg.norm(s.cochain - c0) == pytest.approx(0.1, rel=1e-12)
    np.testing.assert_array_equal(_theta(s.network), theta0)
    assert s.undo_text == undo0  # "change mode": the state kick added no undo step
    c1 = s.cochain
    assert s.perturb(0.2, seed=2, state=False)
    np.testing.assert_array_equal(s.cochain, c1)
    assert np.linalg.norm(_theta(s.network) - theta0) == pytest.approx(0.2, rel=1e-12)


def test_adiabatic_training_kicks_only_theta_with_a_warning():
    s = Session.from_preset("running-241")
    s.set_training(mode="adiabatic")
    s.mode = "joint"
    messages = []
    s.events.message.connect(lambda text, level: messages.append(level))
    theta0 = _theta(s.network)
    assert s.perturb(0.1, seed=0)
    assert messages == ["warn"]
    assert np.linalg.norm(_theta(s.network) - theta0) == pytest.approx(0.1, rel=1e-12)
    assert s.perturb(0.1, theta=False) is False


def test_set_state_validates_and_imposes_pins():
    s = Session.from_preset("running-241")
    c = np.linspace(-1.0, 1.0, s.layout.size)
    counts = count_events(s)
    assert s.set_state(c)
    pinned = [s.layout.index(n, i) for (n, i) in s.pins.hard]
    free = np.setdiff1d(np.arange(s.layout.size), pinned)
    np.testing.assert_array_equal(s.cochain[free], c[free])
    np.testing.assert_array_equal(s.cochain[pinned], [s.pins.hard[k] for k in s.pins.hard])
    assert counts["state_changed"] == 1 and not s.can_undo
    with pytest.raises(ValueError, match="cochain of 12 numbers"):
        s.set_state(np.zeros(5))
    bad = c.copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        s.set_state(bad)
    with pytest.raises(ValueError, match="non-negative"):
        s.perturb(-1.0)


def test_joint_set_state_sets_the_shown_stalks():
    s = Session.from_preset("running-241")
    s.mode = "joint"
    c = s.cochain
    hidden = np.setdiff1d(np.arange(s.layout.size), _flat(s, ["x", "y"]))
    c[hidden] += 0.5
    c[_flat(s, ["y"])] = 99.0  # clamped: overwritten by the training pair
    assert s.set_state(c)
    np.testing.assert_array_equal(s.cochain[hidden], c[hidden])
    assert s.cochain[_flat(s, ["y"])][0] == 2.5


def test_joint_flow_set_state_refuses_bad_input_unchanged():
    net = Network.he_init([2, 3, 1], seed=0)
    X, Y = np.array([[1.0, 0.5], [0.0, 1.0]]), np.array([[1.0], [0.0]])
    f = JointFlow(net, X, Y, dt=0.01)
    c = f.cochains
    with pytest.raises(ValueError, match="x and y"):
        f.set_state(cochains=c + 1.0)
    with pytest.raises(ValueError, match="2 finite cochains"):
        f.set_state(cochains=c[:1])
    with pytest.raises(ValueError, match="architecture|network"):
        f.set_state(network=Network.he_init([2, 4, 1], seed=0))
    np.testing.assert_array_equal(f.cochains, c)
    c[:, 2:5] += 1.0
    f.set_state(cochains=c)
    np.testing.assert_array_equal(f.cochains, c)
    g = JointFlow(net, X, Y, mode="adiabatic")
    with pytest.raises(ValueError, match="adiabatic"):
        g.set_state(cochains=g.cochains)
