"""Building and driving the session's flows: the one place a heat flow or a joint flow is
made, so a flow resumed from a saved session is built exactly like the running one was.

A mode's running flow carries the key of what it was built from (:func:`flow_key`: the
weights, pins, data, example, options and rates versions it depends on); when the key no
longer matches the session, :func:`ensure_flow` builds a new flow from the mode's current
state. The functions take the :class:`sheafviz.Session` and work on its model.

The session's own traces do the recording (:class:`~sheafviz.live.frame.History`), so the
flows record (almost) nothing: over a long animation their own traces would grow without
bound (and the joint flow computes spectra whenever it records).
"""

from __future__ import annotations

import functools

import numpy as np

from sheafviz.core.flows.heat import FlowDivergedError, HeatFlow, UnstableStepError
from sheafviz.core.flows.training import JointFlow
from sheafviz.core.model.graphs import slave_outputs, slaved_outputs
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout, energy

#: Errors a flow or a solve may raise that the session turns into a message.
CORE_ERRORS = (UnstableStepError, FlowDivergedError, ValueError, ArithmeticError,
               np.linalg.LinAlgError, RuntimeError)
_NO_TRACE = 1 << 62


def heat_flow(network, pins: PinSet, c0: np.ndarray, *, rates, layout: SheafLayout,
              force: str, graph: str = "chapter") -> HeatFlow:
    """A heat flow from cochain ``c0`` (size,) on ``graph`` ("chapter" or
    "paper"); UnstableStepError for a bad Δt."""
    return HeatFlow(network, pins, c0, alpha=rates.alpha, dt=rates.dt, layout=layout,
                    record_every=_NO_TRACE, force=force, graph=graph)


def joint_batch(layout: SheafLayout, pins: PinSet, data, example: int | None,
                relax_cochain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The training batch ``(X (B, n0), Y (B, n_out))``: the whole data set (``example``
    None), one example of it, or without data the pinned x and y (one pair).

    Raises
    ------
    ValueError
        No data and x or y not fully pinned.
    """
    if data is not None:
        if example is None:
            return data.X, data.Y
        return data.X[example:example + 1], data.Y[example:example + 1]
    if not (pins.stalk_pinned(layout, "x") and pins.stalk_pinned(layout, "y")):
        raise ValueError("the joint flow needs x and y pinned (a training pair) or data")
    c = pins.apply(layout, relax_cochain)
    return (c[layout.vertex("x").slice][None, :].copy(),
            c[layout.vertex("y").slice][None, :].copy())


def joint_flow(network, X: np.ndarray, Y: np.ndarray, *, rates, training,
               force: str, graph: str = "chapter") -> JointFlow:
    """A joint state–parameter flow on the batch ``X``, ``Y`` (x and y are
    pinned per example, so both graphs give the same dynamics)."""
    return JointFlow(network, X, Y, mode=training.mode, alpha=rates.alpha, beta=rates.beta,
                     dt=rates.dt, optimizer=training.optimizer, lr=training.lr, force=force,
                     record_every=_NO_TRACE, graph=graph)


def shown_row(data, example: int | None, shown: int) -> int:
    """Row of the joint flow's batch that is shown: 0 for a batch of one, else ``shown``."""
    if data is None or example is not None:
        return 0
    return int(np.clip(shown, 0, data.n_train - 1))


# -- driving a session's flows ---------------------------------------------------------------
def flow_key(s, mode: str, rates=None) -> tuple:
    """What a flow of ``mode`` in session ``s`` is built from (see the module notes), with
    the session's rates or ``rates``."""
    v, rates = s._versions, rates or s.rates
    if mode == "relax":
        return ("relax", v["weights"], v["pins"], s.graph, rates.alpha, rates.dt)
    # x and y are pinned per example, so the graph does not change the joint dynamics: a
    # graph switch keeps the running training.
    pins_v = v["pins"] if s.data is None else None
    return ("joint", v["weights"], pins_v, id(s.data), s.example, s.training, rates.alpha,
            rates.beta, rates.dt)


def new_flow(s):
    """The flow of the session's current mode from its current state (errors propagate)."""
    if s.mode == "relax":
        return heat_flow(s.network, s.pins, s._state.cochain, rates=s.rates, layout=s.layout,
                         force=s.output_force, graph=s.graph)
    X, Y = joint_batch(s.layout, s.pins, s.data, s.example, s._modes["relax"].cochain)
    return joint_flow(s.network, X, Y, rates=s.rates, training=s.training,
                      force=s.output_force, graph=s.graph)


def ensure_flow(s) -> bool:
    """Build the current mode's flow if it has none or a stale one; False (and an error
    message) when the core refuses (e.g. an unstable Δt)."""
    ms = s._state
    key = flow_key(s, s.mode, s.rates)
    if ms.flow is not None and ms.flow_key == key:
        return True
    try:
        ms.attach(new_flow(s), key)
    except CORE_ERRORS as exc:
        ms.drop_flow()
        s._tx.message(str(exc), "error")
        return False
    if s.mode == "joint":
        pull_state(s)  # a new joint flow starts its stalks at the forward pass
    return True


def _same_weights(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a.weights + a.biases, b.weights + b.biases))


def pull_state(s) -> None:
    """Copy the running flow's state into the current mode (and the trained weights)."""
    ms, f = s._state, s._state.flow
    if s.mode == "relax":
        ms.cochain = np.array(f.cochain, dtype=float)
    else:
        ms.cochain = np.array(f.cochains[shown_row(s.data, s.example, s.shown_example)],
                              dtype=float)
        network = f.network
        if not _same_weights(network, s._network):
            s._network = network
            s._versions["weights"] += 1
        ms.flow_key = flow_key(s, "joint", s.rates)
    ms.pull_clock()
    moved(s)


def shown_equilibrium(s):
    """The Solution the relaxation's state of session ``s`` is while its weights, pins and
    graph are the current ones (else None): the read-outs then use its report (σ, flipped,
    boundary)."""
    key, sol = s._equilibrium_shown
    return sol if key == _equilibrium_key(s) else None


def set_shown_equilibrium(s, sol) -> None:
    """Say that the relaxation's state is the equilibrium ``sol`` (None: it is not)."""
    s._equilibrium_shown = (_equilibrium_key(s), sol)


def _equilibrium_key(s) -> tuple:
    return (s._versions["weights"], s._versions["pins"], s.graph)


def moved(s) -> None:
    """The shown state of session ``s`` moved: a new state version (read-outs and the
    snapshot recompute), no longer the equilibrium when relaxing, ``state_changed``."""
    s._versions["state"] += 1
    if s.mode == "relax":
        set_shown_equilibrium(s, None)
    s._tx.mark("state_changed")


def step(s, n: int) -> bool:
    """The body of :meth:`sheafviz.Session.step`: advance the current mode's flow ``n`` ≥ 1
    steps as one change, record the new state once; True when a relaxation converged. A
    core error becomes an error message (the flow keeps its last finite state)."""
    n = int(n)
    if n < 1:
        raise ValueError(f"step needs n >= 1, got {n}")
    with s._tx.change():
        if not ensure_flow(s):
            return False
        converged = False
        try:
            converged = bool(s._state.flow.advance(n))
        except CORE_ERRORS as exc:
            s._tx.message(str(exc), "error")
        pull_state(s)
        record(s)
    return converged and s.mode == "relax"


def has_y_vertex(s) -> bool:
    """Whether session ``s``'s shown state has a ``y`` vertex (see
    :attr:`sheafviz.Session.has_y_vertex`)."""
    if s.graph == "chapter" or s.mode == "joint":
        return True
    slaved = slaved_outputs(s.layout, s.pins, s.graph)[0]
    return slaved.size < s.layout.vertex("y").dim


def relax_solution(s):
    """The equilibrium (σ "auto") of the session's pins and weights on its graph, cached on
    their versions (errors propagate)."""
    from sheafviz.core.solvers.solve import equilibrium

    key = (s._versions["weights"], s._versions["pins"], s.graph)
    if s._solution_cache is None or s._solution_cache[0] != key:
        sol = equilibrium(s.network, s.pins, sigma="auto", layout=s.layout, graph=s.graph)
        s._solution_cache = (key, sol)
    return s._solution_cache[1]


def impose(s, c: np.ndarray, pins: PinSet | None = None) -> np.ndarray:
    """A copy of relaxation cochain ``c`` (size,) with the hard pins (the session's, or
    ``pins``) imposed and, on the paper graph, the output coordinates it does not have held
    at ``z{K+1}`` (raises what :meth:`PinSet.apply` raises for pins that do not fit)."""
    pins = s.pins if pins is None else pins
    c = pins.apply(s.layout, np.asarray(c, dtype=float))
    slave_outputs(c, *slaved_outputs(s.layout, pins, s.graph))
    return c


def record(s) -> None:
    """Push the shown state into the current mode's history and trajectory: E of the shown
    cochain when relaxing, the batch mean of E while training."""
    ms = s._state
    d = np.asarray(s.readouts.discords)
    e = 0.5 * float(d.sum())
    if s.mode == "joint" and ms.flow is not None:
        e = float(np.mean(energy(s.layout, s._network, ms.flow.cochains)))
    ms.record(e, d, s._z_index, s._network)


class EquilibriumResult:
    """An equilibrium (:class:`~sheafviz.core.solvers.solve.Solution`) with its cochain
    split per vertex: ``.vertices`` {name: ndarray}, ``.energy``; every other Solution field
    (``sigma``, ``flipped``, ``method``, ...) is read through."""

    def __init__(self, solution, layout: SheafLayout) -> None:
        self.solution = solution
        self.vertices = {k: v.copy() for k, v in layout.split(solution.cochain).items()}
        self.energy = float(solution.energy)

    def __getattr__(self, name):
        if name == "solution":  # not set yet (e.g. while unpickling)
            raise AttributeError(name)
        return getattr(self.solution, name)


# -- moving the shown state without stepping (none of them is an edit) ------------------------
def solver_for(s, pins: PinSet):
    """A function of no arguments solving the equilibrium of ``pins`` under the session's
    current weights and graph; see :meth:`sheafviz.Session.solver_for`."""
    from sheafviz.core.solvers.solve import equilibrium as solve_equilibrium

    # a partial, not a lambda: it pickles, so it may run in another process
    return functools.partial(solve_equilibrium, s._network, pins, sigma="auto",
                             layout=s.layout, graph=s._graph)


def equilibrium(s):
    """Solve the equilibrium of the session's pins and, when relaxing, make it the state;
    see :meth:`sheafviz.Session.equilibrium`."""
    with s._tx.change():
        try:
            sol = relax_solution(s)
            if not np.all(np.isfinite(sol.cochain)):
                raise ArithmeticError("the equilibrium is not finite")
        except CORE_ERRORS as exc:
            s._tx.message(f"Equilibrium not available: {exc}", "error")
            return None
        if s._mode == "joint":
            s._tx.message("The equilibrium moves a relaxation; switch to relax to "
                          "show it.", "warn")
            return EquilibriumResult(sol, s.layout)
        ms = s._state
        ms.cochain = np.array(sol.cochain, dtype=float)
        ms.drop_flow()
        ms.segment = None
        moved(s)
        set_shown_equilibrium(s, sol)
        record(s)
    return EquilibriumResult(sol, s.layout)


def reset(s) -> None:
    """Initial weights and the current mode's initial state; see :meth:`Session.reset`."""
    with s._tx.change():
        if s._network is not s._initial:
            s._network = s._initial
            s._versions["weights"] += 1
            s._tx.mark("network_changed")
        ms = s._state
        ms.restart_clock()
        if s._mode == "relax":
            ms.cochain = s._initial_cochain()
        elif not ensure_flow(s):
            s._mode = "relax"
            s._tx.mark("settings_changed")
        moved(s)
        record(s)


def seek(s, k: int) -> None:
    """Show recorded state ``k`` of the current mode; see :meth:`Session.seek`."""
    ms = s._state
    if not ms.trajectory.items:
        return
    k = int(np.clip(k, 0, len(ms.trajectory) - 1))
    t, steps, c, network = ms.trajectory.items[k]
    with s._tx.change():
        if network is not None and network is not s._network:
            s._network = network  # recorded while training, or before a weight edit
            s._versions["weights"] += 1
        ms.cochain, ms.t, ms.steps = np.array(c, dtype=float), float(t), int(steps)
        ms.drop_flow()
        ms.history.truncate_after(ms.t)
        ms.segment, ms.position = None, k
        moved(s)
