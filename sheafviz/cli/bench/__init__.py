"""``sheafviz bench``: benchmarks that print numbers (no thresholds; compare within a run).

Sections: ``solve`` (structured solve and spectrum vs dense numpy), ``dynamics`` (joint-flow
steps — numpy, compiled — vs a plain numpy step, the step's GEMMs and a backprop step),
``heat`` (one small heat-flow step vs a plain loop), ``diagnostics`` (the training
spectrum's share of a run), ``equilibrium`` (the state-dependent equilibrium at depth vs
one fixed-σ solve), ``gui`` (animation frames per second and pin-to-redraw latency,
offscreen), ``stall`` (the longest event-loop stall while dragging ``y`` on a deep
network, next to one fixed-σ solve), ``startup`` (``sheafviz gui --screenshot`` in a fresh
process against a bare pyqtgraph window, and the import time of the GUI). ``soak``
(100,000 frames of the default window watching memory and the drawn data;
``SHEAFVIZ_SOAK_FRAMES`` shortens it) runs only when named: ``sheafviz bench --only soak``.
Each section module exposes ``run(print_fn=print)``. ``sheafviz bench`` runs them with one
BLAS thread (see :mod:`sheafviz.core.threads`) and says so first.
"""

from __future__ import annotations

import importlib
from contextlib import nullcontext

from sheafviz.cli.bench import interrupt

SECTIONS = ("solve", "dynamics", "heat", "diagnostics", "equilibrium", "gui", "stall",
            "startup", "soak")
#: What ``sheafviz bench`` runs without ``--only``: the soak takes most of an hour.
DEFAULT_SECTIONS = ("solve", "dynamics", "heat", "diagnostics", "equilibrium", "gui", "stall",
                    "startup")
#: Sections whose Python code runs inside Qt calls: Ctrl-C is deferred to their frame loops.
QT_SECTIONS = ("gui", "soak")


def run_all(sections=None, *, print_fn=print) -> None:
    """Run the named sections (:data:`DEFAULT_SECTIONS` if none) in this process, printing as
    they go."""
    chosen = list(DEFAULT_SECTIONS if not sections else sections)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown benchmark section {unknown[0]!r}; choose from "
                         f"{', '.join(SECTIONS)}")
    for name in chosen:
        print_fn(f"== {name} ==")
        module = importlib.import_module(f"{__name__}.{name}")
        with interrupt.deferred() if name in QT_SECTIONS else nullcontext():
            module.run(print_fn=print_fn)
