"""The controller ↔ :class:`~sheafviz.core.session.Session` adapter (save and reopen).

:func:`capture` reads everything a picture and its next steps depend on out of a
:class:`~sheafviz.gui.controller.Controller`; :func:`restore` puts it back. Reopening gives
the same picture (state, pins, rates, history, selection) and the same next steps bit for
bit, because the running flow's own state goes with it (:mod:`sheafviz.core.flowstate`).

:func:`restore` builds and checks everything (data set, flows, history) *before* it touches
the controller, so a file that turns out to be unusable changes nothing.

These functions read a few private controller attributes (``_flow_t0``, ``_flow_steps0``,
``_segment``, ``_joint_batch``): a ``Controller.export_state()`` / ``restore_state()`` pair
should own this later (see the lecture package notes).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...core.datasets import TASKS, Dataset, load_dataset
from ...core.flowstate import FlowStateError, heat_state, joint_state, restore_heat, restore_joint
from ...core.presets import Preset
from ...core.session import DataSpec, FlowSettings, Session, SessionError
from ...core.sheaf import SheafLayout
from .. import engine
from ..state import History

#: Key of the controller-specific part of ``Session.state``.
GUI_STATE = "gui"


# -- capture -------------------------------------------------------------------------------
def _data_spec(ctl) -> DataSpec | None:
    ds = ctl.dataset
    if ds is None:
        return None
    spec = getattr(ctl, "_lecture_data_spec", None)
    if spec is not None and getattr(ctl, "_lecture_dataset", None) is ds:
        return spec
    if ctl.preset is not None and ctl.preset.data:
        return DataSpec(name=ctl.preset.data)  # the controller loaded it with the defaults
    return DataSpec(inline={"X": np.asarray(ds.X, float), "Y": np.asarray(ds.Y, float),
                            "X_test": np.asarray(ds.X_test, float),
                            "Y_test": np.asarray(ds.Y_test, float)})


def _history_dict(h: History) -> dict:
    n = h.n
    return {"t": h.t[:n].copy(), "energy": h.energy[:n].copy(),
            "discords": h.discords[:n].copy(), "capacity": h.capacity, "stride": h._stride,
            "skip": h._skip, "events_t": list(h.events_t), "events_e": list(h.events_e)}


def capture(ctl, *, notes: str | None = None) -> Session:
    """The controller's session as a :class:`Session` (state, flow state and history)."""
    flow_state = None
    if ctl.flow is not None:
        flow_state = heat_state(ctl.flow) if ctl.mode == "relax" else joint_state(ctl.flow)
    p = ctl.preset
    settings = FlowSettings(mode=ctl.train_mode, alpha=float(ctl.alpha), beta=float(ctl.beta),
                            dt=float(ctl.dt), steps_per_frame=int(ctl.steps_per_frame),
                            init=p.init, state_seed=int(p.state_seed),
                            output_force=p.output_force)
    gui = {"mode": ctl.mode, "cochain": np.array(ctl.c, dtype=float), "t": float(ctl.t),
           "steps": int(ctl.steps), "whole_batch": bool(ctl.whole_batch), "flow": flow_state,
           "flow_t0": float(getattr(ctl, "_flow_t0", 0.0)),
           "flow_steps0": int(getattr(ctl, "_flow_steps0", 0)),
           "segment": list(ctl._segment) if ctl._segment is not None else None}
    view = {"selected": list(ctl.selected) if ctl.selected is not None else None,
            "notes": p.notes if notes is None else notes}
    return Session(network=ctl.network, pins=ctl.pins, flow=settings, data=_data_spec(ctl),
                   example=int(ctl.example) if ctl.dataset is not None else None,
                   initial_network=ctl.network0, state={GUI_STATE: gui},
                   history=_history_dict(ctl.history), view=view, preset=p.name,
                   title=p.title)


# -- restore -------------------------------------------------------------------------------
def dataset_from_spec(spec: DataSpec | None, network) -> Dataset | None:
    """The data set a session names (built-in by name and seed, or inline arrays)."""
    if spec is None:
        return None
    if spec.inline is not None:
        d = spec.inline
        n0, n_out = network.arch[0], network.arch[-1]
        try:
            return Dataset("inline", np.asarray(d["X"], float), np.asarray(d["Y"], float),
                           np.asarray(d.get("X_test", np.zeros((0, n0))), float),
                           np.asarray(d.get("Y_test", np.zeros((0, n_out))), float),
                           network.output, TASKS[network.output])
        except KeyError as exc:
            raise SessionError(f"data: inline arrays need {exc}") from None
    try:
        return load_dataset(spec.name, seed=spec.seed, n_train=spec.n_train, n_test=spec.n_test)
    except ValueError as exc:
        raise SessionError(f"data: {exc}") from None


def _history_from(d: dict | None, n_edges: int) -> History:
    h = History(n_edges, capacity=int((d or {}).get("capacity", 4096)))
    if not d:
        return h
    t = np.asarray(d.get("t", []), float)
    e = np.asarray(d.get("energy", []), float)
    dis = np.asarray(d.get("discords", np.zeros((0, n_edges))), float)
    n = t.shape[0]
    if e.shape != (n,) or dis.shape != (n, n_edges) or n > h.capacity:
        raise SessionError(f"history: arrays of {n} samples do not fit {n_edges} edges")
    h.t[:n], h.energy[:n], h.discords[:n] = t, e, dis
    h.n, h._stride, h._skip = n, int(d.get("stride", 1)), int(d.get("skip", 0))
    h.events_t[:] = [float(v) for v in d.get("events_t", [])]
    h.events_e[:] = [float(v) for v in d.get("events_e", [])]
    return h


class _Plan:
    """Everything :func:`restore` will assign, built and validated up front."""


def _plan(session: Session, *, name: str) -> _Plan:
    s, f = session, session.flow
    plan = _Plan()
    plan.dataset = dataset_from_spec(s.data, s.network)
    initial = s.initial_network or s.network
    view = s.view or {}
    plan.preset = Preset(name=s.preset or name, title=s.title or name,
                         notes=str(view.get("notes") or ""), network=initial, pins=s.pins,
                         data=s.data.name if (s.data is not None and s.data.inline is None
                                              and s.data.seed == 42 and s.data.n_train == 300
                                              and s.data.n_test == 100) else None,
                         example=s.example, alpha=f.alpha, beta=f.beta, dt=f.dt,
                         mode=f.mode, init=f.init, state_seed=f.state_seed,
                         output_force=f.output_force)
    plan.session = s
    layout = SheafLayout(s.network.arch)
    plan.layout = layout
    gui = (s.state or {}).get(GUI_STATE)
    plan.gui = gui
    plan.history = _history_from(s.history, len(layout.edges)) if gui else None
    plan.flow = None
    if gui is None:
        return plan
    if gui.get("mode") not in ("relax", "joint"):
        raise SessionError(f"state: mode {gui.get('mode')!r} is not relax or joint")
    c = np.asarray(gui.get("cochain"), float)
    if c.shape != (layout.size,) or not np.all(np.isfinite(c)):
        raise SessionError(f"state: the cochain must be {layout.size} finite numbers")
    plan.c = c
    sel = view.get("selected")
    plan.selected = (str(sel[0]), int(sel[1])) if sel else None
    fs = gui.get("flow")
    if fs is not None:
        plan.flow = _build_flow(plan, fs)
    return plan


def _build_flow(plan: _Plan, fs: dict):
    s, f, gui = plan.session, plan.session.flow, plan.gui
    beta = float(f.beta) if f.beta is not None else None
    try:
        if gui["mode"] == "relax":
            flow = engine.heat_flow(s.network, s.pins, plan.c, alpha=float(f.alpha),
                                    dt=float(f.dt), layout=plan.layout, force=f.output_force)
            restore_heat(flow, fs)
        else:
            X, Y = _batch(plan, gui)
            flow = engine.joint_flow(s.network, X, Y, alpha=float(f.alpha), beta=beta,
                                     dt=float(f.dt), mode=f.mode, force=f.output_force)
            restore_joint(flow, fs)
    except (FlowStateError, ValueError, ArithmeticError) as exc:
        raise SessionError(f"state: the saved flow cannot be resumed ({exc})") from None
    return flow


def _batch(plan: _Plan, gui: dict):
    ds, s, lay = plan.dataset, plan.session, plan.layout
    if ds is not None:
        if gui.get("whole_batch"):
            return ds.X, ds.Y
        i = int(s.example or 0)
        return ds.X[i:i + 1], ds.Y[i:i + 1]
    return (plan.c[lay.vertex("x").slice][None, :].copy(),
            plan.c[lay.vertex("y").slice][None, :].copy())


def restore(ctl, session: Session, *, name: str = "session") -> bool:
    """Open ``session`` in the controller: same picture, same next steps.

    Raises
    ------
    SessionError
        The session cannot be used (checked before anything changes).
    """
    plan = _plan(session, name=name)
    if not ctl.open(plan.preset, dataset=plan.dataset, pins=session.pins):
        raise SessionError("the controller refused the session (see the status line)")
    ctl._lecture_data_spec, ctl._lecture_dataset = session.data, plan.dataset
    f = session.flow
    ctl.steps_per_frame = max(1, int(f.steps_per_frame))
    ctl.network = session.network
    if plan.gui is None:  # a session without state: a fresh start (e.g. from a preset)
        ctl.paramsChanged.emit()
        ctl.frameChanged.emit()
        return True
    gui = plan.gui
    ctl.whole_batch = bool(gui.get("whole_batch")) and ctl.dataset is not None
    ctl.mode = gui["mode"]
    ctl._after_pins_changed(solve=ctl.mode == "relax", refresh=False)  # for these weights
    ctl.c = plan.c.copy()
    ctl.t, ctl.steps = float(gui.get("t", 0.0)), int(gui.get("steps", 0))
    ctl.flow = plan.flow
    ctl._flow_t0 = float(gui.get("flow_t0", 0.0))
    ctl._flow_steps0 = int(gui.get("flow_steps0", 0))
    ctl.history = plan.history
    ctl._segment = None
    ctl._sign = None
    ctl._refresh(record=False)
    seg = gui.get("segment")
    ctl._segment = (float(seg[0]), float(seg[1])) if seg else None
    ctl.selected = plan.selected
    ctl.sessionChanged.emit()
    ctl.paramsChanged.emit()
    ctl.pinsChanged.emit()
    ctl.selectionChanged.emit()
    ctl.frameChanged.emit()
    return True


def open_file(ctl, path: str | Path) -> bool:
    """Load and restore a session file; SessionError (nothing changed) when unusable."""
    from ...core.session import load_session

    session = load_session(path)
    try:
        return restore(ctl, session, name=Path(path).stem)
    except SessionError as exc:
        raise SessionError(f"{path}: {exc}") from None
