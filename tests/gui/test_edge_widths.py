"""The graph view's edges: the drawn segments are the network's edges, each as thick as a
fixed map of its discord says (log-scaled from a floor to a cap), and the legend shows that
map. Discords are recomputed here from the edge equations, widths from the map written out
below."""

from __future__ import annotations

import math

import numpy as np
import pytest

#: The map, written out: 1.5 px at d ≤ 1e-6, 7 px at d ≥ 10, one step per decade between.
FLOOR_D, CAP_D, FLOOR_PX, CAP_PX, STEPS = 1e-6, 10.0, 1.5, 7.0, 7


def expected_width(d: float) -> float:
    decades = 0.0 if not d > FLOOR_D else math.log10(d / FLOOR_D)
    step = min(max(round(decades), 0), STEPS)
    return FLOOR_PX + (CAP_PX - FLOOR_PX) * step / STEPS


def edge_discords(network, layout, c: np.ndarray) -> np.ndarray:
    """d_e = ‖r_e‖² per edge in path order, from the edge equations at the state's σ:
    z_l − (W_l a_{l−1} + b_l), a_l − σ_l ⊙ z_l, and y − z_{K+1} (identity head)."""
    v = {vert.name: c[vert.slice] for vert in layout.vertices}
    out, prev = [], v["x"]
    n_hidden = len(network.weights) - 1
    for l, (W, b) in enumerate(zip(network.weights, network.biases), start=1):
        z = v[f"z{l}"]
        out.append(np.sum((z - W @ prev - b) ** 2))
        if l <= n_hidden:
            a = v[f"a{l}"]
            out.append(np.sum((a - (z > 0) * z) ** 2))
            prev = a
    out.append(np.sum((v["y"] - v[f"z{n_hidden + 1}"]) ** 2))
    return np.array(out)


def drawn_segments(graph) -> dict:
    """{edge position k: (set of (y_tail, y_head) rounded, set of pen widths)} read from
    the edge item's layers (each layer one pen; segments in pairs)."""
    out: dict = {}
    for layer in graph.edges.layers.values():
        x, y = layer.getData()
        width = layer.opts["pen"].widthF()
        for i in range(0, x.size, 2):
            k = int(round(x[i] - 0.08))
            segs, widths = out.setdefault(k, (set(), set()))
            segs.add((round(float(y[i]), 9), round(float(y[i + 1]), 9)))
            widths.add(width)
    return out


def dot_heights(graph) -> dict:
    """{(vertex name, coordinate): y} of the neuron dots as the scatter item holds them."""
    _, ys = graph.dots.getData()
    return {ident: float(y) for ident, y in zip(graph.dot_ids, ys)}


def check_edges(graph, session, c=None) -> np.ndarray:
    """Assert the drawn edges against the layout and the map; return the discords of the
    state ``c`` (default: the session's)."""
    heights = dot_heights(graph)
    c = session.cochain if c is None else c
    d = edge_discords(session.network, session.layout, c)
    drawn = drawn_segments(graph)
    lay = session.layout
    assert sorted(drawn) == list(range(len(lay.edges)))  # every edge, nothing else
    for k, edge in enumerate(lay.edges):
        tail, head = lay.vertex(edge.tail), lay.vertex(edge.head)
        if edge.type == "affine":  # every tail coordinate feeds every head coordinate
            pairs = [(j, i) for j in range(tail.dim) for i in range(head.dim)]
        else:  # relu and output edges join matching coordinates
            pairs = [(j, j) for j in range(head.dim)]
        want = {(round(heights[(tail.name, j)], 9), round(heights[(head.name, i)], 9))
                for j, i in pairs}
        segs, widths = drawn[k]
        assert segs == want, edge.name
        assert len(widths) == 1, edge.name  # one edge, one pen
        assert widths.pop() == pytest.approx(expected_width(d[k])), (edge.name, d[k])
    return d


def test_drawn_edges_are_the_network_edges_at_their_widths(qtbot, window):
    s = window.session
    d = check_edges(window.graph, s)  # the forward state: only the output edge disagrees
    assert d.max() > 0.1 and expected_width(d.max()) > FLOOR_PX
    s.pin("y", [float(s.cochain[s.layout.index("y", 0)]) + 3.0], jump=True)
    d = check_edges(window.graph, s)  # an equilibrium that carries the tension everywhere
    assert np.all(d > 1e-4)


def test_an_equilibrium_is_drawn_at_the_floor_width(qtbot, window):
    from sheafviz.live.frame import hidden_z_index, make_snapshot

    s = window.session
    s.unpin("y")
    s.equilibrium()  # only x pinned: every edge agrees up to round-off
    # round-off of ~1e-12 on every edge (a relative scale would magnify it to full width)
    lay = s.layout
    c = s.cochain + 1e-6 * np.random.default_rng(0).standard_normal(lay.size)
    c[lay.vertex("x").slice] = s.cochain[lay.vertex("x").slice]
    window.graph.set_frame(make_snapshot(lay, s.network, c, time=0.0, steps=0,
                                         z_index=hidden_z_index(lay)))
    d = check_edges(window.graph, s, c)
    assert 1e-14 < d.max() < 1e-10
    widths = {layer.opts["pen"].widthF() for layer in window.graph.edges.layers.values()
              if layer.getData()[0].size}
    assert widths == {FLOOR_PX}


def test_legend_shows_the_map(qtbot, window):
    entries = []
    for sample, label in window.graph.legend.items:
        if sample.item.level is None:
            assert "discord" in label.text
            continue
        value = float(label.text.replace("≤", "").replace("≥", "").strip())
        entries.append((value, sample.drawn_width(), label.text))
    values = [v for v, _, _ in entries]
    assert values[0] == FLOOR_D and values[-1] == CAP_D and values == sorted(values)
    assert entries[0][2].startswith("≤") and entries[-1][2].startswith("≥")
    for value, width, _ in entries:
        assert width == pytest.approx(expected_width(value))
    # and an edge with that discord is drawn that wide: the legend follows the edges' pens
    graph = window.graph
    for value, width, _ in entries:
        graph.edges.draw(np.full(len(window.session.layout.edges), value))
        assert graph.edges.pen(0).widthF() == pytest.approx(width)
