"""Export and restore the internal state of a running flow, for bit-for-bit resume.

A saved session must take exactly the same next steps after it is reopened. For the heat
flow the next Euler step depends on more than the cochain: the sliding-mode set
(neurons held on ``z = 0``), the last sign pattern (what counts as a switch), the flow time
(accumulated by repeated ``+= Δt``, so it is stored, not recomputed) and the objective the
growth guard compares with. For the joint flow it depends on the stalk buffer,
the parameters, the optimizer's moments and, in the adiabatic mode, the last batch
equilibria (they warm-start the next solve, which picks among several equilibria by that
start, and give the parameter gradient).

The flows own their state: :meth:`HeatFlow.state_dict <sheafviz.core.flows.heat.HeatFlow.state_dict>`
/ ``load_state`` and the same on :class:`~sheafviz.core.flows.training.JointFlow`; this module is
the stable functional front (:func:`heat_state`, :func:`restore_heat`, :func:`joint_state`,
:func:`restore_joint`), the error type and the validation helper they share.

Usage: build a fresh flow with the same network, pins / data and rates as the saved one,
then call :func:`restore_heat` / :func:`restore_joint` with the dict :func:`heat_state` /
:func:`joint_state` returned. The dicts hold only ndarrays, floats, ints, bools and None, so
:mod:`sheafviz.core.data.session_file` can write them.
"""

from __future__ import annotations

import numpy as np

__all__ = ["heat_state", "restore_heat", "joint_state", "restore_joint", "FlowStateError",
           "checked_array", "check_kind", "check_heat_state", "check_joint_state"]


class FlowStateError(ValueError):
    """A saved flow state that does not fit the flow it is restored into."""


def checked_array(state: dict, key: str, shape: tuple, dtype=float) -> np.ndarray:
    """``state[key]`` as an array of ``shape`` (finite when floating), else FlowStateError."""
    if key not in state:
        raise FlowStateError(f"flow state: missing {key!r}")
    arr = np.asarray(state[key], dtype=dtype)
    if arr.shape != shape:
        raise FlowStateError(f"flow state: {key!r} has shape {arr.shape}, expected {shape}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise FlowStateError(f"flow state: {key!r} contains NaN or inf")
    return arr


def check_kind(state: dict, kind: str) -> None:
    """FlowStateError unless ``state`` is a flow state of ``kind`` ("heat" or "joint")."""
    if not isinstance(state, dict) or state.get("kind") != kind:
        got = state.get("kind") if isinstance(state, dict) else type(state).__name__
        raise FlowStateError(f"flow state: expected kind {kind!r}, got {got!r}")


def check_heat_state(state: dict, *, size: int, n_z: int, dt: float, alpha: float) -> tuple:
    """Check a heat flow's saved state against the flow before anything changes.

    Parameters
    ----------
    size : the sheaf's cochain size; n_z : its number of hidden neurons; dt, alpha : the
        flow's rates (the saved ones must equal them)

    Returns
    -------
    (cochain (size,), sign (n_z,) bool, sliding: dict of ``active``, ``candidate`` (n_z,)
    bool and ``last_flip`` (n_z,) int)
    """
    check_kind(state, "heat")
    c = checked_array(state, "cochain", (size,))
    sign = checked_array(state, "sign", (n_z,), bool)
    sliding = {key: checked_array(state, f"sliding_{key}", (n_z,), dtype)
               for key, dtype in (("active", bool), ("candidate", bool),
                                  ("last_flip", np.int64))}
    if float(state.get("dt", dt)) != dt or float(state.get("alpha", alpha)) != alpha:
        raise FlowStateError("flow state: saved α / Δt differ from the flow's")
    for key in ("time", "steps", "start_objective"):
        if key not in state:
            raise FlowStateError(f"flow state: missing {key!r}")
    return c, sign, sliding


def check_joint_state(state: dict, *, mode: str, S_shape: tuple, P_shape: tuple, optimizer,
                      batch: int) -> tuple:
    """Check a joint flow's saved state against the flow before anything changes.

    Parameters
    ----------
    mode : the flow's mode; S_shape, P_shape : its stalk buffer's and parameters' shapes;
    optimizer : its optimizer or None (paper mode); batch : B, its number of examples

    Returns
    -------
    (S, P, saved optimizer state dict, eq_consistent (B,) bool or None)
    """
    check_kind(state, "joint")
    if state.get("mode") != mode:
        raise FlowStateError(f"flow state: saved mode {state.get('mode')!r}, flow mode "
                             f"{mode!r}")
    S = checked_array(state, "S", S_shape)
    P = checked_array(state, "P", P_shape)
    if "steps" not in state:
        raise FlowStateError("flow state: missing 'steps'")
    saved = dict(state.get("optimizer") or {})
    if optimizer is not None and saved:
        if saved.get("name") != type(optimizer).__name__:
            raise FlowStateError(f"flow state: optimizer {saved.get('name')!r}, flow has "
                                 f"{type(optimizer).__name__}")
        for key in ("v", "m"):
            if key in saved:
                saved[key] = checked_array(saved, key, P_shape)
    consistent = None
    if mode == "adiabatic" and "eq_consistent" in state:
        consistent = checked_array(state, "eq_consistent", (batch,), bool)
    return S, P, saved, consistent


def heat_state(flow) -> dict:
    """The state of a :class:`~sheafviz.core.flows.heat.HeatFlow` that its next steps depend on
    (see :meth:`~sheafviz.core.flows.heat.HeatFlow.state_dict`)."""
    return flow.state_dict()


def restore_heat(flow, state: dict) -> None:
    """Put ``state`` (from :func:`heat_state`) into a freshly built ``flow`` (in place).

    Raises
    ------
    FlowStateError
        Wrong kind, shapes that do not fit this flow's sheaf, or non-finite values.
    """
    flow.load_state(state)


def joint_state(flow) -> dict:
    """The state of a :class:`~sheafviz.core.flows.training.JointFlow` its next steps depend on
    (see :meth:`~sheafviz.core.flows.training.JointFlow.state_dict`)."""
    return flow.state_dict()


def restore_joint(flow, state: dict) -> None:
    """Put ``state`` (from :func:`joint_state`) into a freshly built ``flow`` (in place).

    The flow must have been built with the saved parameters as its network, the same batch
    and rates.

    Raises
    ------
    FlowStateError
        Wrong kind or mode, shapes that do not fit, non-finite values, another optimizer.
    """
    flow.load_state(state)
