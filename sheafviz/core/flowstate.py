"""Export and restore the internal state of a running flow, for bit-for-bit resume.

A saved session must take exactly the same next steps after it is reopened. For the heat
flow (SPEC §8) the next Euler step depends on more than the cochain: the sliding-mode set
(neurons held on ``z = 0``), the last sign pattern (what counts as a switch), the flow time
(accumulated by repeated ``+= Δt``, so it is stored, not recomputed) and the objective the
growth guard compares with. For the joint flow (SPEC §10) it depends on the stalk buffer,
the parameters and the optimizer's moments.

Usage: build a fresh flow with the same network, pins / data and rates as the saved one,
then call :func:`restore_heat` / :func:`restore_joint` with the dict :func:`heat_state` /
:func:`joint_state` returned. The dicts hold only ndarrays, floats, ints and bools, so
:mod:`sheafviz.core.session` can write them.

Why here and not in ``heat.py`` / ``training.py``: those files belong to other engineers; the
private attributes read here are the ones a future ``HeatFlow.state_dict()`` /
``load_state()`` (and the same on ``JointFlow``) should expose.

Limitation: the adiabatic joint mode keeps its last batch equilibria (``_eq``) to warm-start
the next solve and to take the parameter gradient; they are re-solved on restore (cold
start), which reaches the same equilibria up to solver round-off, not bit for bit.
"""

from __future__ import annotations

import numpy as np

__all__ = ["heat_state", "restore_heat", "joint_state", "restore_joint", "FlowStateError"]


class FlowStateError(ValueError):
    """A saved flow state that does not fit the flow it is restored into."""


def _array(state: dict, key: str, shape: tuple, dtype=float) -> np.ndarray:
    if key not in state:
        raise FlowStateError(f"flow state: missing {key!r}")
    arr = np.asarray(state[key], dtype=dtype)
    if arr.shape != shape:
        raise FlowStateError(f"flow state: {key!r} has shape {arr.shape}, expected {shape}")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise FlowStateError(f"flow state: {key!r} contains NaN or inf")
    return arr


def heat_state(flow) -> dict:
    """The state of a :class:`~sheafviz.core.heat.HeatFlow` that its next steps depend on.

    Returns
    -------
    dict with ``kind="heat"``, ``cochain`` (size,), ``time``, ``steps``, ``velocity``,
    ``converged``, ``sign`` (n_z,) bool, ``sliding_active``, ``sliding_candidate`` (n_z,)
    bool, ``sliding_last_flip`` (n_z,) int, ``start_objective``, ``dt``, ``alpha``.
    """
    sl = flow._sliding
    return {"kind": "heat", "cochain": np.array(flow._c, dtype=float),
            "time": float(flow._time), "steps": int(flow._steps),
            "velocity": float(flow._velocity) if np.isfinite(flow._velocity) else None,
            "converged": bool(flow.converged), "sign": np.array(flow._sign, dtype=bool),
            "sliding_active": sl.active.copy(), "sliding_candidate": sl.candidate.copy(),
            "sliding_last_flip": np.array(sl._last_flip, dtype=np.int64),
            "start_objective": float(flow._start_objective),
            "dt": float(flow._dt), "alpha": float(flow._alpha)}


def restore_heat(flow, state: dict) -> None:
    """Put ``state`` (from :func:`heat_state`) into a freshly built ``flow`` (in place).

    Raises
    ------
    FlowStateError
        Wrong kind, shapes that do not fit this flow's sheaf, or non-finite values.
    """
    if state.get("kind") != "heat":
        raise FlowStateError(f"flow state: expected kind 'heat', got {state.get('kind')!r}")
    n, nz = flow._c.shape[0], len(flow._z_index)
    c = _array(state, "cochain", (n,))
    sign = _array(state, "sign", (nz,), bool)
    active = _array(state, "sliding_active", (nz,), bool)
    cand = _array(state, "sliding_candidate", (nz,), bool)
    last = _array(state, "sliding_last_flip", (nz,), np.int64)
    if float(state.get("dt", flow._dt)) != flow._dt or \
            float(state.get("alpha", flow._alpha)) != flow._alpha:
        raise FlowStateError("flow state: saved α / Δt differ from the flow's")
    flow._c[...] = c
    flow._time, flow._steps = float(state["time"]), int(state["steps"])
    v = state.get("velocity")
    flow._velocity = np.inf if v is None else float(v)
    flow.converged = bool(state.get("converged", False))
    flow._sign = sign.copy()
    flow._sliding.active[...] = active
    flow._sliding.candidate[...] = cand
    flow._sliding._last_flip[...] = last
    flow._start_objective = float(state["start_objective"])


def _optimizer_state(opt) -> dict:
    if opt is None:
        return {}
    out = {"name": type(opt).__name__, "lr": float(opt.lr)}
    for key in ("_v", "_m"):
        val = getattr(opt, key, None)
        if val is not None:
            out[key.lstrip("_")] = np.array(val, dtype=float)
    if hasattr(opt, "_t"):
        out["t"] = int(opt._t)
    return out


def joint_state(flow) -> dict:
    """The state of a :class:`~sheafviz.core.training.JointFlow` its next steps depend on.

    Returns
    -------
    dict with ``kind="joint"``, ``mode``, ``S`` (rows, B) stalk buffer, ``P`` (n_params,)
    flat parameters, ``steps``, ``alpha``, ``beta``, ``dt`` and ``optimizer`` (name, lr and
    moments ``v`` / ``m`` (n_params,), ``t``).
    """
    st = flow._stepper
    return {"kind": "joint", "mode": flow.mode, "S": st.S.copy(), "P": st.P.copy(),
            "steps": int(flow._steps), "alpha": float(flow.alpha), "beta": float(flow.beta),
            "dt": float(flow.dt), "optimizer": _optimizer_state(flow._opt)}


def restore_joint(flow, state: dict) -> None:
    """Put ``state`` (from :func:`joint_state`) into a freshly built ``flow`` (in place).

    The flow must have been built with the saved parameters as its network (so ``P`` is
    already equal; it is overwritten anyway), the same batch and rates.
    """
    if state.get("kind") != "joint":
        raise FlowStateError(f"flow state: expected kind 'joint', got {state.get('kind')!r}")
    if state.get("mode") != flow.mode:
        raise FlowStateError(f"flow state: saved mode {state.get('mode')!r}, flow mode "
                             f"{flow.mode!r}")
    st = flow._stepper
    S = _array(state, "S", st.S.shape)
    P = _array(state, "P", st.P.shape)
    st.S[...] = S
    st.P[...] = P
    flow._steps = int(state["steps"])
    opt, saved = flow._opt, state.get("optimizer") or {}
    if opt is not None and saved:
        if saved.get("name") != type(opt).__name__:
            raise FlowStateError(f"flow state: optimizer {saved.get('name')!r}, flow has "
                                 f"{type(opt).__name__}")
        for key in ("v", "m"):
            if key in saved:
                setattr(opt, f"_{key}", _array(saved, key, st.P.shape).copy())
        if "t" in saved:
            opt._t = int(saved["t"])
    if flow.mode == "adiabatic":
        flow._relax()  # see the module notes: re-solved, not bit for bit
