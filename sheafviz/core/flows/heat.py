"""The heat flow's front: HeatFlow (from :mod:`heatflow`), initial states, and relax().

:class:`HeatFlow` is the stateful stepper the GUI animates (the scheme, its stability checks
and sliding are described in :mod:`sheafviz.core.flows.heatflow`); :func:`relax` runs it to
convergence for the CLI, from :func:`initial_state` or a given cochain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

# HeatFlow and the names below are imported from here by users and tests.
from sheafviz.core.flows.events import SwitchEvent
from sheafviz.core.flows.flowcheck import FlowDivergedError, UnstableStepError
from sheafviz.core.flows.forces import energy_gradient
from sheafviz.core.flows.heatflow import HeatFlow
from sheafviz.core.flows.heatparts import predicted_envelope
from sheafviz.core.model.network import Network
from sheafviz.core.model.sheaf import SheafLayout

__all__ = ["HeatFlow", "RelaxResult", "relax", "initial_state", "energy_gradient",
           "predicted_envelope", "SwitchEvent", "UnstableStepError", "FlowDivergedError",
           "INITS"]

INITS = ("forward", "zeros", "random")


@dataclass(frozen=True)
class RelaxResult:
    """Outcome of :func:`relax`.

    Attributes
    ----------
    cochain : ndarray (size,), the final state
    steps : int
    converged : bool
    energy_trace : list of (t, E)
    events : list of SwitchEvent
    time : float
    energy, pin_energy, objective : float, at the final state
    dt : float, the step used
    sigma : list of ndarray, the pattern of the final state
    sliding : list of str, neurons held on their switching surface z = 0 at the end
    """

    cochain: np.ndarray
    steps: int
    converged: bool
    energy_trace: list
    events: list
    time: float
    energy: float
    pin_energy: float
    objective: float
    dt: float
    sigma: list = field(default_factory=list)
    sliding: list = field(default_factory=list)


def initial_state(network: Network, pins, *, init: str = "forward", state_seed: int = 0,
                  layout: SheafLayout | None = None) -> np.ndarray:
    """An initial cochain: the forward pass of the pinned x (unpinned x coordinates
    are 0), zeros, or N(0, 1) from ``default_rng(state_seed)``; hard pins imposed. (On the
    paper graph :class:`HeatFlow` then sets the absent output coordinates to ``z{K+1}``.)"""
    layout = layout if layout is not None else SheafLayout(network.arch)
    if init not in INITS:
        raise ValueError(f"unknown init {init!r}; expected one of {', '.join(INITS)}")
    res = pins.resolve(layout)
    if init == "zeros":
        c = np.zeros(layout.size)
    elif init == "random":
        c = np.random.default_rng(state_seed).standard_normal(layout.size)
    else:
        x = np.zeros(layout.size)
        x[res.hard_index] = res.hard_value
        c = layout.forward_cochain(network, x[layout.vertex("x").slice])
    c[res.hard_index] = res.hard_value
    return c


def relax(network: Network, pins, *, init: str = "forward", state_seed: int = 0,
          alpha: float = 1.0, dt: float | None = None, tol: float = 1e-9,
          max_steps: int = 100_000, record_every: int = 1, force: str = "energy",
          c0: np.ndarray | None = None, layout: SheafLayout | None = None,
          progress: Callable[[int, int], None] | None = None,
          graph: str = "chapter") -> RelaxResult:
    """Run the heat flow from an initial state until converged or ``max_steps``.

    Parameters
    ----------
    init : {"forward", "zeros", "random"}, ignored when ``c0`` is given
    progress : callable(steps_done, max_steps), optional, called about 200 times
    (other parameters as :class:`HeatFlow`)

    Raises
    ------
    UnstableStepError, FlowDivergedError
    """
    layout = layout if layout is not None else SheafLayout(network.arch)
    if c0 is None:
        c0 = initial_state(network, pins, init=init, state_seed=state_seed, layout=layout)
    flow = HeatFlow(network, pins, c0, alpha=alpha, dt=dt, layout=layout,
                    record_every=record_every, force=force, tol=tol, graph=graph)
    chunk = max(1, int(max_steps) // 200)
    while flow.steps < max_steps and not flow.converged:
        flow.advance(min(chunk, int(max_steps) - flow.steps))
        if progress is not None:
            progress(flow.steps, int(max_steps))
    trace = flow.energy_trace
    if trace[-1][0] != flow.time:
        trace.append((flow.time, flow.energy))
    return RelaxResult(cochain=flow.cochain, steps=flow.steps, converged=flow.converged,
                       energy_trace=trace, events=flow.events, time=flow.time,
                       energy=flow.energy, pin_energy=flow.pin_energy, objective=flow.objective,
                       dt=flow.dt, sigma=flow.sigma, sliding=flow.sliding)
