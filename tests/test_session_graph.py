"""The graph setting of the live Session: the paper graph's read-outs against a dense
eigensolve written here (no y block), refusal for nonlinear heads, undo, events, has_y_vertex,
and save / load."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reference import dense_coboundary
from session_events import count_events
from sheafviz import Network, Session


def _paper_spectrum(net: Network, c: np.ndarray, hard: set, soft_on_out: float = 0.0):
    """Eigenvalues of L_free on the paper graph at the pattern of ``c`` (identity head, y free):
    the chapter coboundary without its out rows and y columns, γ of a soft pin on y added
    on z_out's diagonal, hard-pinned columns removed."""
    n_out = net.arch[-1]
    z_sizes = [w.shape[0] for w in net.weights[:-1]]
    offs, pos = [], net.arch[0]
    for n in z_sizes:  # z_l at pos, a_l after it
        offs.append(pos)
        pos += 2 * n
    sigma = [(c[o:o + n] >= 0).astype(float) for o, n in zip(offs, z_sizes)]
    D, _ = dense_coboundary(net.weights, net.biases, sigma)
    size = D.shape[1]
    y_cols = np.arange(size - n_out, size)
    D = D[:-n_out]  # the out edge's rows
    keep = [i for i in range(size) if i not in hard and i not in set(y_cols)]
    L = D[:, keep].T @ D[:, keep]
    z_out = np.arange(size - 2 * n_out, size - n_out)
    for i in z_out:
        L[keep.index(i), keep.index(i)] += soft_on_out
    return np.linalg.eigvalsh(L)


@pytest.mark.parametrize("gamma", [0.0, 2.0])
def test_paper_graph_lambda_min_equals_a_dense_eigensolve_without_y(gamma):
    s = Session.from_preset("running-241")
    s.unpin("y")
    if gamma:
        s.pin("y", 3.0, stiffness=gamma)
    s.equilibrium()
    chapter = s.readouts.spectrum.eigenvalues
    assert s.set_graph("paper")
    c = s.cochain
    hard = {s.layout.index(n, i) for (n, i) in s.pins.hard}
    want = _paper_spectrum(s.network, c, hard, soft_on_out=gamma)
    assert s.readouts.lambda_min == pytest.approx(want[0], rel=1e-10, abs=1e-12)
    np.testing.assert_allclose(s.readouts.spectrum.eigenvalues, want, rtol=1e-10, atol=1e-12)
    assert chapter.size == want.size + 1  # the chapter graph has the y coordinate
    y, z = s.layout.vertex("y").slice, s.layout.vertex("z2").slice
    np.testing.assert_array_equal(c[y], c[z])  # no out discord on the paper graph
    assert s.readouts.discords[-1] == 0.0


def test_paper_graph_flow_and_history_follow_the_setting():
    s = Session.from_preset("running-241")
    s.unpin("y")
    s.pin("y", 3.0, stiffness=2.0)
    s.set_graph("paper")
    for _ in range(40):
        s.step(50)
    eq = s.equilibrium()
    y, z = s.layout.vertex("y").slice, s.layout.vertex("z2").slice
    # the paper graph's minimiser: the soft pin pulls z_out itself, y follows it
    assert eq.vertices["y"] == pytest.approx(eq.vertices["z2"], abs=0)
    c = s.cochain
    np.testing.assert_array_equal(c[y], c[z])
    h = s.history
    assert h.energy[h.n - 1] == pytest.approx(s.readouts.energy, abs=1e-15)


def test_set_graph_fires_settings_once_is_undoable_and_hides_y():
    s = Session.from_preset("running-241")
    assert s.graph == "chapter" and s.has_y_vertex
    s.set_graph("paper")
    assert s.has_y_vertex  # y is hard-pinned by the preset: the output is a vertex
    s.unpin("y")
    assert not s.has_y_vertex
    counts = count_events(s)
    assert s.set_graph("chapter")
    assert counts["settings_changed"] == 1 and counts["message"] == 0
    assert s.has_y_vertex and s.undo_text == "change graph"
    s.undo()
    assert s.graph == "paper" and not s.has_y_vertex
    s.redo()
    assert s.graph == "chapter"
    with pytest.raises(ValueError, match="unknown graph 'tree'"):
        s.set_graph("tree")


def test_a_sigmoid_network_refuses_the_paper_graph():
    net = Network.he_init([2, 3, 1], seed=1, output="sigmoid")
    s = Session(net)
    counts = count_events(s)
    messages = []
    s.events.message.connect(lambda text, level: messages.append((level, text)))
    assert s.set_graph("paper") is False
    assert s.graph == "chapter" and not s.can_undo and not s.modified
    assert counts["settings_changed"] == 0 and counts["state_changed"] == 0
    assert messages and messages[0][0] == "error" and "identity output" in messages[0][1]
    with pytest.raises(ValueError, match="identity output"):
        Session(net, graph="paper")


def test_save_load_keeps_the_graph_and_old_files_read_chapter(tmp_path):
    s = Session.from_preset("running-241")
    s.unpin("y")
    s.set_graph("paper")
    s.step(20)
    path = tmp_path / "paper.json"
    s.save(path)
    t = Session.load(path)
    assert t.graph == "paper" and not t.has_y_vertex
    np.testing.assert_array_equal(t.cochain, s.cochain)
    s.step(30)
    t.step(30)
    np.testing.assert_array_equal(t.cochain, s.cochain)  # the same (paper) flow resumed
    assert t.readouts.lambda_min == s.readouts.lambda_min
    doc = json.loads(path.read_text())
    assert doc["flow"]["graph"] == "paper"
    del doc["flow"]["graph"]  # a file written before the setting existed
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc))
    assert Session.load(old).graph == "chapter"
    doc["flow"]["graph"] = "tree"
    old.write_text(json.dumps(doc))
    with pytest.raises(ValueError, match="graph 'tree'"):
        Session.load(old)
