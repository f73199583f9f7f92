"""The Session's read-only probes of its running flows (what the debug docks draw): the
joint flow's batch and the relaxation's switching events, checked against the data set and
the shown state themselves."""

from __future__ import annotations

import numpy as np

from sheafviz import Session


def test_joint_batch_is_the_training_data_with_the_flows_states():
    s = Session.from_preset("dead-relu")
    assert s.joint_batch is None  # no joint flow yet
    s.set_example(None)  # train on the whole batch
    s.set_mode("joint")
    s.step(5)
    jb = s.joint_batch
    lay, data = s.layout, s.data
    assert jb.cochains.shape == (data.n_train, lay.size)
    assert jb.steps == s.steps == 5 and jb.time == s.time
    # every example's x and y stalks are pinned to its data row
    np.testing.assert_allclose(jb.cochains[:, lay.vertex("x").slice], jb.X)
    np.testing.assert_allclose(jb.cochains[:, lay.vertex("y").slice], jb.Y)
    np.testing.assert_allclose(jb.X, data.X)
    np.testing.assert_allclose(jb.Y, data.Y)
    for w_batch, w_now in zip(jb.network.weights, s.network.weights):
        np.testing.assert_array_equal(w_batch, w_now)
    assert any(not np.array_equal(a, b) for a, b in
               zip(s.network.weights, s.initial_network.weights))  # it trained
    jb.cochains[:] = 0.0  # a copy: the session is untouched
    assert np.any(s.joint_batch.cochains != 0.0)


def test_switch_events_end_in_the_shown_signs():
    s = Session.from_preset("running-241")
    lay = s.layout
    t0, events = s.switch_events
    assert events == [] and t0 == s.time
    s.pin("y", -20.0)  # far from the forward pass: the relaxation crosses z = 0
    s.step(1)
    start = {}
    for l in range(1, lay.n_hidden + 1):
        z = s.cochain[lay.vertex(f"z{l}").slice]
        start.update({f"z{l}[{j}]": z[j] >= 0 for j in range(z.size)})
    s.step(2000)
    t0, events = s.switch_events
    assert len(events) >= 2
    assert 0.0 <= t0 <= s.time
    last = {}
    for e in events:
        assert t0 <= e.time <= s.time + 1e-12
        last[e.neuron] = e.final
    c = s.cochain
    for name, was_active in start.items():
        v, j = name[:-1].split("[")
        now_active = c[lay.index(v, int(j))] >= 0
        if name in last:
            assert (last[name] > 0) == now_active, name
        else:
            assert now_active == was_active, name
