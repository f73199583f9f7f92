"""Session ↔ :class:`~sheafviz.core.data.session_file.SessionFile`: save and load a live
:class:`sheafviz.Session` (file format v2; v1 files are migrated by
:mod:`sheafviz.core.data.session_file`).

What is saved: the weights (current and initial), the data (by name or inline), the pins,
the rates and training options, the mode, the graph, the example, the selection and notes, and per
flow mode its state (cochain, clock, the running flow's own state, the history). A loaded
session takes bit-for-bit the same next steps as the saved one would have.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sheafviz.core.data.datasets import TASKS, Dataset, load_dataset
from sheafviz.core.data.presets import Preset
from sheafviz.core.data.session_file import (SESSION_STATE, DataSpec, FlowSettings,
                                             SessionError, SessionFile, load_session,
                                             save_session)
from sheafviz.core.flows.flowstate import FlowStateError
from sheafviz.core.model.graphs import check_graph
from sheafviz.live import editing, flows
from sheafviz.live.modestate import ModeState
from sheafviz.live.options import MODES, TRAINING_MODES, Rates, TrainingOptions


def data_spec_of(s) -> DataSpec | None:
    """Where the session's data came from: its ``data_spec``, else inline arrays."""
    ds = s.data
    if ds is None:
        return None
    if s.data_spec is not None:
        return s.data_spec
    return DataSpec(inline={"X": np.asarray(ds.X, float), "Y": np.asarray(ds.Y, float),
                            "X_test": np.asarray(ds.X_test, float),
                            "Y_test": np.asarray(ds.Y_test, float)})


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


def to_file(s) -> SessionFile:
    """The session as a :class:`SessionFile` (v2 state of both modes)."""
    r, tr = s.rates, s.training
    flow = FlowSettings(mode=tr.mode, alpha=r.alpha, beta=r.beta, dt=r.dt,
                        steps_per_frame=r.steps_per_frame, init=s.init,
                        state_seed=int(s.state_seed), optimizer=tr.optimizer, lr=tr.lr,
                        output_force=s.output_force, graph=s.graph)
    modes = {}
    for kind, ms in s._modes.items():
        if ms is None:
            continue
        d = ms.state_dict()
        if ms.flow is not None and ms.flow_key != flows.flow_key(s, kind):
            d["flow"] = None  # stale: rebuilt from the state on the next step anyway
        modes[kind] = d
    state = {SESSION_STATE: {"mode": s.mode, "shown_example": int(s.shown_example),
                             "modes": modes}}
    view = {"selected": list(s.selection) if s.selection is not None else None,
            "notes": s.notes}
    return SessionFile(network=s.network, pins=s.pins, flow=flow, data=data_spec_of(s),
                       example=s.example, initial_network=s.initial_network, state=state,
                       history=None, view=view,
                       preset=s.preset.name if s.preset is not None else None, title=s.title)


def save(s, path: str | Path) -> None:
    save_session(to_file(s), path)


def load(cls, path: str | Path):
    """A new ``cls`` (Session) from the file at ``path``; SessionError when unusable."""
    sf = load_session(path)
    try:
        return from_file(cls, sf, name=Path(path).stem)
    except FlowStateError as exc:
        raise SessionError(f"{path}: {exc}") from None
    except SessionError as exc:
        raise SessionError(f"{path}: {exc}") from None
    except (ValueError, ArithmeticError, KeyError, TypeError, IndexError,
            AttributeError) as exc:  # a state field of the wrong JSON type
        msg = str(exc)
        raise SessionError(f"{path}: {msg if msg.startswith('state:') else 'state: ' + msg}") \
            from None


def from_file(cls, sf: SessionFile, *, name: str = "session"):
    """A new session holding ``sf`` (see :func:`load`); errors propagate."""
    f, view = sf.flow, sf.view or {}
    data = dataset_from_spec(sf.data, sf.network)
    initial = sf.initial_network or sf.network
    preset = Preset(name=sf.preset or name, title=sf.title or name,
                    notes=str(view.get("notes") or ""), network=initial, pins=sf.pins,
                    example=sf.example, alpha=f.alpha, beta=f.beta, dt=f.dt, mode=f.mode,
                    init=f.init, state_seed=f.state_seed, output_force=f.output_force)
    try:
        graph = check_graph(f.graph, sf.network.output)
    except ValueError as exc:
        raise SessionError(f"flow: {exc}") from None
    s = cls(initial, data, pins=sf.pins, example=None, title=preset.title, preset=preset,
            graph=graph)
    s.data_spec = sf.data
    s._pins = sf.pins
    s._example = editing.checked_example(s, sf.example) if data is not None else None
    s._rates = Rates(alpha=f.alpha, beta=f.beta if f.beta is not None else
                     1.0 / (data.n_train if data is not None else 1), dt=f.dt,
                     steps_per_frame=max(1, int(f.steps_per_frame)))
    s._training = TrainingOptions(mode=f.mode if f.mode in TRAINING_MODES else "paper",
                                  optimizer=f.optimizer, lr=f.lr)
    s._network = s._edited = sf.network
    for part in ("weights", "pins", "state"):  # nothing cached from the constructor holds
        s._versions[part] += 1
    saved = (sf.state or {}).get(SESSION_STATE)
    if saved is None:
        s._modes["relax"] = ModeState("relax", s._initial_cochain(), len(s.layout.edges))
        flows.record(s)
    else:
        _restore_modes(s, saved)
    sel = view.get("selected")
    s.selection = (str(sel[0]), int(sel[1])) if sel else None
    return s


def _restore_modes(s, saved: dict) -> None:
    mode = saved.get("mode", "relax")
    if mode not in MODES:
        raise ValueError(f"state: mode {mode!r} is not one of {', '.join(MODES)}")
    s._shown = int(saved.get("shown_example", 0))
    size, n_edges = s.layout.size, len(s.layout.edges)
    modes = saved.get("modes") or {}
    relax = modes.get("relax")
    s._modes["relax"] = (ModeState.from_state("relax", relax, size, n_edges) if relax
                         else ModeState("relax", s._initial_cochain(), n_edges))
    joint = modes.get("joint")
    s._modes["joint"] = ModeState.from_state("joint", joint, size, n_edges) if joint else None
    if mode == "joint" and joint is None:
        raise ValueError("state: the session is in joint mode but has no joint state")
    for kind in MODES:  # rebuild each saved running flow exactly as it was built
        ms = s._modes[kind]
        if ms is None or ms.saved_flow is None:
            continue
        s._mode = kind
        t0, steps0 = ms.flow_t0, ms.flow_steps0
        try:
            flow = flows.new_flow(s)
        except flows.CORE_ERRORS:
            # the flow was built on earlier weights and cannot be built on the saved ones
            # (an unstable step): keep the state; the next step rebuilds and reports it
            ms.saved_flow = None
            continue
        try:
            flow.load_state(ms.saved_flow)
        except (ValueError, ArithmeticError) as exc:  # FlowStateError is a ValueError
            raise FlowStateError(f"state: the saved {kind} flow cannot be resumed ({exc})") \
                from None
        ms.attach(flow, flows.flow_key(s, kind))
        ms.flow_t0, ms.flow_steps0 = t0, steps0
        ms.saved_flow = None
    s._mode = mode
    if s._modes["relax"].history.n == 0 and mode == "relax":
        flows.record(s)
