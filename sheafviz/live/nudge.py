"""Moving a :class:`sheafviz.Session`'s state by hand: a random kick (:func:`perturb`, the
"does it come back?" experiments of Theorem 11.6) and a given state (:func:`set_state`, for
scripts).

What is an edit. The state is what the flows move, so a kicked or given state is not an edit
(no undo step, ``modified`` unchanged), exactly like a step of the flow. θ is a setting the
user owns (a weight edit), so a θ kick is an undoable weight edit like
:meth:`~sheafviz.Session.set_network`; but unlike ``set_network`` it does not move the state
to the new weights' equilibrium or forward pass: the kicked pair (state, θ) is the point of
the experiment. The running flow goes on from it (the joint flow keeps its clock and
optimizer moments; the relaxation starts a new heat flow at the kicked state).

Which coordinates move. Relaxing: every coordinate that is not hard-pinned (soft-pinned ones
move), except on the paper graph the output coordinates that are no vertex there (they
follow ``z{K+1}``). Training: the stalks of every example of the batch, x and y held (the
training pair is clamped); the adiabatic and gd trainings hold their stalks at equilibria
of θ, so there only θ can be kicked.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.diagnostics.phase import perturb as perturb_cochain
from sheafviz.core.model.graphs import slaved_outputs
from sheafviz.core.model.pins import PinSet
from sheafviz.live import flows


def frozen_pins(s) -> PinSet:
    """The hard pins plus, on the paper graph, the output coordinates that are no vertex
    there: what a relaxation's kick must not move (only ``hard`` keys matter)."""
    y_index, _ = slaved_outputs(s.layout, s.pins, s.graph)
    y0 = s.layout.vertex("y").offset
    return PinSet({**s.pins.hard, **{("y", int(i - y0)): 0.0 for i in y_index}}, {})


def perturb(s, size: float, *, seed: int = 0, theta: bool | None = None,
            state: bool = True) -> bool:
    """Kick session ``s``'s state and/or θ (the body of :meth:`sheafviz.Session.perturb`).

    Parameters
    ----------
    size : float ≥ 0, the Euclidean norm of the state's displacement over its free
        coordinates (per example while training) and of θ's over all W_l, b_l together
    seed : int, of the random directions (``numpy.random.default_rng(seed)``; the state's
        direction is drawn first, then θ's, as :func:`sheafviz.core.diagnostics.phase.perturb`)
    theta : bool or None, kick θ too (None: in joint mode, not when relaxing)
    state : bool, kick the state (False: θ only)

    Returns
    -------
    bool, False (and a message) when nothing could be kicked or the core refused

    Raises
    ------
    ValueError
        A negative or non-finite size.
    """
    size = float(size)
    if not (np.isfinite(size) and size >= 0):
        raise ValueError(f"the perturbation size must be a non-negative number, got {size}")
    theta = s.mode == "joint" if theta is None else bool(theta)
    with s._tx.change():
        if s.mode == "joint" and not flows.ensure_flow(s):
            return False
        joint = s._state.flow if s.mode == "joint" else None
        if state and joint is not None and joint.mode != "paper":
            held = f"The {joint.mode} training holds the stalks at their equilibria"
            if not theta:
                s._tx.message(f"{held}: only θ can be kicked here.", "error")
                return False
            s._tx.message(f"{held}; only θ is kicked.", "warn")
            state = False
        if not (state or theta):
            s._tx.message("Nothing to kick: neither the state nor θ was asked for.", "error")
            return False
        rng = np.random.default_rng(int(seed))
        if joint is None:
            c, network = perturb_cochain(s._state.cochain, size=size, rng=rng,
                                         layout=s.layout, pins=frozen_pins(s),
                                         network=s.network if theta else None)
        else:
            c, network = perturb_cochain(joint.cochains, size=size, rng=rng, layout=s.layout,
                                         held=("x", "y"), network=s.network if theta else None)
        return _install(s, c if state else None, network)


def set_state(s, cochain) -> bool:
    """Make ``cochain`` the shown state (the body of :meth:`sheafviz.Session.set_state`).

    Relaxing: ``cochain`` (size,); the hard pins are imposed on it (and the paper graph's
    missing outputs set to ``z{K+1}``). Training (paper mode): the shown example's cochain
    (size,) or the whole batch (B, size); x and y are the batch's (overwritten).

    Returns
    -------
    bool, False (and an error message) when the current flow cannot take a state

    Raises
    ------
    ValueError
        A cochain of the wrong shape or not finite.
    """
    c = np.array(cochain, dtype=float)
    size = s.layout.size
    batch = s.mode == "joint" and c.ndim == 2
    if not (c.shape == (size,) or batch and c.shape[1] == size):
        raise ValueError(f"set_state needs a cochain of {size} numbers"
                         f"{' (or a batch of them)' if s.mode == 'joint' else ''}, "
                         f"got shape {c.shape}")
    if not np.all(np.isfinite(c)):
        raise ValueError("set_state needs finite numbers; the cochain has NaN or inf")
    with s._tx.change():
        if s.mode == "relax":
            return _install(s, c, None)
        if not flows.ensure_flow(s):
            return False
        f = s._state.flow
        full = f.cochains
        if not batch:
            c, row = full.copy(), flows.shown_row(s.data, s.example, s.shown_example)
            c[row] = np.asarray(cochain, dtype=float)
        elif c.shape[0] != full.shape[0]:
            raise ValueError(f"set_state needs {full.shape[0]} cochains (the batch), got "
                             f"{c.shape[0]}")
        lay = s.layout
        for name in ("x", "y"):  # the training pairs stay clamped
            c[:, lay.vertex(name).slice] = full[:, lay.vertex(name).slice]
        return _install(s, c, None)


def _install(s, c, network) -> bool:
    """Make ``c`` the current mode's state (None: keep it) and ``network`` θ (None: keep
    it; an undoable weight edit). False (and an error message) when the core refuses."""
    if network is None:
        return _install_state(s, c, None)
    with s.edit_group():
        return _install_state(s, c, network)


def _install_weights(s, network) -> None:
    """New θ without moving the state; the initial weights follow while they are current
    (as :func:`sheafviz.live.editing.set_network`)."""
    if s._network is s._initial:
        s._initial = network
    s._network = s._edited = network
    s._versions["weights"] += 1
    s._tx.mark("network_changed")


def _install_state(s, c, network) -> bool:
    ms = s._state
    if s.mode == "joint":
        try:  # first, so a refusal changes nothing
            ms.flow.set_state(network=network, cochains=c)
        except ValueError as exc:
            s._tx.message(f"State not set: {exc}", "error")
            return False
    if network is not None:
        _install_weights(s, network)
    if s.mode == "joint":
        flows.pull_state(s)  # the shown row, the clock, the flow's key under the new θ
    else:
        if c is not None:
            ms.cochain = flows.impose(s, c)
        ms.drop_flow()  # the next step starts a heat flow here, under the current θ
        ms.segment = None
        flows.moved(s)
    flows.record(s)
    return True
