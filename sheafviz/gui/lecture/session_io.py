"""The controller ↔ :class:`~sheafviz.core.data.session_file.SessionFile` adapter (save and reopen).

:func:`capture` reads everything a picture and its next steps depend on out of a
:class:`~sheafviz.gui.controller.Controller` (its settings, and its state through
``Controller.export_state``); :func:`restore` puts it back (``Controller.open`` with the
settings, then ``Controller.restore_state``). Reopening gives the same picture (state, pins,
rates, history, selection) and the same next steps bit for bit, because the running flow's
own state goes with it (``HeatFlow`` / ``JointFlow.state_dict``).

:func:`restore` first does the whole restore on a detached controller, so a file that turns
out to be unusable (data set, shapes, the flow's saved state) changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sheafviz.core.data.datasets import TASKS, Dataset, load_dataset
from sheafviz.core.flows.flowstate import FlowStateError
from sheafviz.core.data.presets import Preset
from sheafviz.core.data.session_file import DataSpec, FlowSettings, SessionFile, SessionError

#: Key of the controller-specific part of ``SessionFile.state``.
GUI_STATE = "gui"


# -- capture -------------------------------------------------------------------------------
def _data_spec(ctl) -> DataSpec | None:
    ds = ctl.dataset
    if ds is None:
        return None
    if ctl.data_spec is not None:
        return ctl.data_spec
    if ctl.preset is not None and ctl.preset.data:
        return DataSpec(name=ctl.preset.data)  # the controller loaded it with the defaults
    return DataSpec(inline={"X": np.asarray(ds.X, float), "Y": np.asarray(ds.Y, float),
                            "X_test": np.asarray(ds.X_test, float),
                            "Y_test": np.asarray(ds.Y_test, float)})


def capture(ctl, *, notes: str | None = None) -> SessionFile:
    """The controller's session as a :class:`SessionFile` (state, flow state and history)."""
    gui = ctl.export_state()  # mode, cochain, t, steps, whole_batch, flow, flow_t0, ...
    network, history = gui.pop("network"), gui.pop("history")
    p = ctl.preset
    settings = FlowSettings(mode=ctl.train_mode, alpha=float(ctl.alpha), beta=float(ctl.beta),
                            dt=float(ctl.dt), steps_per_frame=int(ctl.steps_per_frame),
                            init=p.init, state_seed=int(p.state_seed),
                            output_force=p.output_force)
    view = {"selected": list(ctl.selected) if ctl.selected is not None else None,
            "notes": p.notes if notes is None else notes}
    return SessionFile(network=network, pins=ctl.pins, flow=settings, data=_data_spec(ctl),
                   example=int(ctl.example) if ctl.dataset is not None else None,
                   initial_network=ctl.network0, state={GUI_STATE: gui}, history=history,
                   view=view, preset=p.name, title=p.title)


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


class _Plan:
    """What :func:`restore` gives the controller, built from the session up front."""


def _plan(session: SessionFile, *, name: str) -> _Plan:
    s, f = session, session.flow
    plan = _Plan()
    plan.session = s
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
    sel = view.get("selected")
    plan.selected = (str(sel[0]), int(sel[1])) if sel else None
    gui = (s.state or {}).get(GUI_STATE)
    plan.state = None if gui is None else dict(gui, network=s.network, history=s.history)
    return plan


def _same_weights(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a.weights + a.biases, b.weights + b.biases))


def _apply(ctl, plan: _Plan) -> None:
    """Open ``plan`` in ``ctl`` (errors propagate; see :func:`restore`)."""
    s = plan.session
    if not ctl.open(plan.preset, dataset=plan.dataset, pins=s.pins, data_spec=s.data):
        raise SessionError("the controller refused the session (see the status line)")
    ctl.steps_per_frame = max(1, int(s.flow.steps_per_frame))
    if plan.state is not None:
        ctl.selected = plan.selected
        ctl.restore_state(plan.state)
    elif not _same_weights(s.network, ctl.network):  # no state: a fresh start of the weights
        ctl.restore_state(dict(ctl.export_state(), network=s.network))
    else:  # a session without state: a fresh start (e.g. from a preset)
        ctl.paramsChanged.emit()
        ctl.frameChanged.emit()


def restore(ctl, session: SessionFile, *, name: str = "session") -> bool:
    """Open ``session`` in the controller: same picture, same next steps.

    Raises
    ------
    SessionError
        The session cannot be used (found on a detached controller, before anything here
        changes).
    """
    from ..controller import Controller

    plan = _plan(session, name=name)
    try:  # a detached controller (no views, no signals connected; garbage afterwards)
        _apply(Controller(), plan)
    except SessionError:
        raise
    except FlowStateError as exc:
        raise SessionError(str(exc)) from None
    except (ValueError, ArithmeticError, KeyError, TypeError, IndexError) as exc:
        msg = str(exc)
        raise SessionError(msg if msg.startswith("state:") else f"state: {msg}") from None
    _apply(ctl, plan)
    return True


def open_file(ctl, path: str | Path) -> bool:
    """Load and restore a session file; SessionError (nothing changed) when unusable."""
    from sheafviz.core.data.session_file import load_session

    session = load_session(path)
    try:
        return restore(ctl, session, name=Path(path).stem)
    except SessionError as exc:
        raise SessionError(f"{path}: {exc}") from None
