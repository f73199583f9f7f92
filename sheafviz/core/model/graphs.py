"""The two graphs of the neural sheaf: the chapter's and the paper's.

``"chapter"`` (the default) is the path ``x — z1 — … — z{K+1} — y`` of :mod:`sheaf`: the
output is a vertex ``y`` of its own, joined to ``z{K+1}`` by the ``out`` edge, free or pinned.

``"paper"`` is the graph of the paper's authors (identity output only): a ``y`` coordinate
exists only while it is hard-pinned, and then it enters exactly as on the chapter graph, so
two-sided problems and training are the same on both graphs. Where an output coordinate is
*not* hard-pinned, the paper graph has neither that ``y`` coordinate nor its ``out`` edge row:

* the free Laplacian loses the ``y[i]`` column and the ``out`` row ``i`` (so the ``z{K+1}[i]``
  diagonal loses the 1 the ``out`` edge adds there) — the input-only spectra differ;
* a soft pin on that ``y[i]`` acts on ``z{K+1}[i]`` directly (``½γ(z{K+1}[i] − t)²``);
* flows and solves work on the chapter cochain with ``y[i]`` held equal to ``z{K+1}[i]``:
  then the ``out`` discrepancy is zero, its force on ``z{K+1}`` vanishes and the energy is
  the paper graph's. (At a chapter-graph equilibrium a free ``y`` equals ``z{K+1}`` anyway,
  so equilibria only differ where a soft pin sits on the output.)

This keeps one cochain layout for both graphs; only the spectrum needs its own matrix.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

GRAPHS = ("chapter", "paper")


def check_graph(graph: str, output: str = "identity") -> str:
    """Validate ``graph`` against the closed set and the output head; return it.

    Raises
    ------
    ValueError
        Unknown graph, or the paper graph with a sigmoid/softmax head (it is defined for
        identity outputs only).
    """
    if graph not in GRAPHS:
        raise ValueError(f"unknown graph {graph!r}; expected one of {', '.join(GRAPHS)}")
    if graph == "paper" and output != "identity":
        raise ValueError(f"the paper graph is defined for an identity output only; this "
                         f"network has a {output} output (use the chapter graph)")
    return graph


def slaved_outputs(layout: SheafLayout, pins: PinSet, graph: str) -> tuple[np.ndarray, np.ndarray]:
    """Flat indices ``(y_index, z_index)`` of the output coordinates that the paper graph
    does not have (``y[i]`` not hard-pinned) and of their ``z{K+1}[i]``; empty on the
    chapter graph."""
    if graph == "chapter":
        empty = np.zeros(0, dtype=int)
        return empty, empty
    y, z = layout.vertex("y"), layout.vertex(f"z{layout.n_hidden + 1}")
    free = np.array([i for i in range(y.dim) if ("y", i) not in pins.hard], dtype=int)
    return y.offset + free, z.offset + free


def graph_pins(layout: SheafLayout, pins: PinSet, graph: str) -> PinSet:
    """The pins the solvers use: on the paper graph a soft pin on a ``y`` coordinate that
    is not hard-pinned moves to ``z{K+1}`` (the chapter graph: ``pins`` unchanged)."""
    if graph == "chapter":
        return pins
    out = f"z{layout.n_hidden + 1}"
    soft = {}
    for (name, i), value in pins.soft.items():
        soft[(out, i) if name == "y" else (name, i)] = value
    hard = {k: v for k, v in pins.hard.items() if k not in soft}
    return PinSet(hard, soft)


def slave_outputs(c: np.ndarray, y_index: np.ndarray, z_index: np.ndarray) -> None:
    """Hold the missing ``y`` coordinates equal to ``z{K+1}`` (in place; identity head)."""
    if y_index.size:
        c[..., y_index] = c[..., z_index]
