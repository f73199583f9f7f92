"""The adapter between the controller and the debug panels: all their wiring in one place.

It listens to the controller's ``sessionChanged`` / ``frameChanged`` signals, keeps the
Qt-free records the panels draw (a :class:`~sheafviz.core.diagnostics.DiscordHistory` for
the relaxation and one for the joint flow, and a
:class:`~sheafviz.core.diagnostics.TrainingMonitor` for the gradient comparison and the
spectrum over training — the GUI's flows record nothing themselves), and turns the panels' intents into controller calls. It only reads
the controller's public attributes (``mode``, ``flow``, ``network``, ``network0``,
``layout``, ``pins``, ``c``, ``t``, ``steps``, ``dataset``, ``example``, ``dt``, ``alpha``,
``beta``) and calls its intents (``set_example``).

Signals for the main window: ``timeScrubbed(float)`` (the switching timeline's scrubber, in
the controller's time) and ``modeGhostChanged(object)`` (the slowest mode as a cochain
(size,) to draw as a ghost on the drape, or None).
"""

from __future__ import annotations

import dataclasses
import time as _time
from collections import deque

import numpy as np
from PySide6 import QtCore

from pathlib import Path

from sheafviz.core import diagnostics as diag
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

#: Fewest seconds between two expensive refreshes (spectrum, prediction grid, heatmap).
THROTTLE_S = 0.25
#: Relaxation states kept for :meth:`DebugHub.state_at` (the scrubber's drape link).
MAX_STATES = 4096


class _Relay(QtCore.QObject):
    """Carries a worker thread's result back to the GUI thread (queued connection)."""

    done = QtCore.Signal(object)
    failed = QtCore.Signal(str)


class DebugHub(QtCore.QObject):
    """Owns the debug records and wires panels ↔ controller.

    Parameters
    ----------
    controller : the main window's Controller (or anything with the same attributes)
    panels : dict with keys "data", "heatmap", "spectrum", "timeline", "gradient",
        "compare", "import" (any may be missing)
    throttle_s : float, see :data:`THROTTLE_S` (0 in tests: refresh on every frame)
    """

    timeScrubbed = QtCore.Signal(float)
    modeGhostChanged = QtCore.Signal(object)

    def __init__(self, controller, panels: dict, *, throttle_s: float = THROTTLE_S,
                 parent=None) -> None:
        super().__init__(parent)
        self.ctl, self.p = controller, panels
        self.throttle_s = float(throttle_s)
        self.relax_history: diag.DiscordHistory | None = None
        self.joint_history: diag.DiscordHistory | None = None
        self.monitor: diag.TrainingMonitor | None = None
        self._last_record = self._last_spectrum = -np.inf
        self._states: deque = deque(maxlen=MAX_STATES)
        self._spectrum_key, self._spectrum_at, self._spectrum_cost = None, -np.inf, 0.0
        self._flow = None
        self._last_step = None
        self._last_refresh = -np.inf
        self._series_len = -1
        self._ghost_on = False
        self._expand = False
        self._example = -1
        self._relay = _Relay(self)
        self._relay.done.connect(self._compare_done)
        self._relay.failed.connect(self._compare_failed)

    def _visible(self, key: str) -> bool:
        w = self.p.get(key)
        return w is not None and w.isVisible()

    # -- session -----------------------------------------------------------------------------
    def on_session(self) -> None:
        """A new network geometry: drop every record and redraw from scratch."""
        ctl = self.ctl
        self.relax_history = diag.DiscordHistory(ctl.layout, 1)
        self.joint_history = None
        self._states.clear()
        self._flow, self._last_step, self._series_len = None, None, -1
        self._last_refresh = -np.inf
        self._spectrum_key, self._spectrum_at, self._spectrum_cost = None, -np.inf, 0.0
        if "data" in self.p:
            ds = ctl.dataset
            if ds is not None and ds.n_inputs <= 2:
                self.p["data"].set_data(ds.X, ds.Y, ctl.network.output)
            else:
                self.p["data"].set_data(None, None, ctl.network.output)
                self.p["data"].set_prediction(None)
                self.p["data"].readout.setText(
                    "No data set in this session." if ds is None else
                    f"The data view needs 1 or 2 inputs; this data has {ds.n_inputs}.")
        if "heatmap" in self.p:
            self.p["heatmap"].set_examples(1)
        if "gradient" in self.p:
            self.p["gradient"].set_series(np.zeros(0), np.zeros((0, 0)), np.zeros((0, 0)),
                                          np.zeros((0, 0)), np.zeros((0, 0)))
        if "spectrum" in self.p:
            self.p["spectrum"].set_series(None)
        if "timeline" in self.p:
            self.p["timeline"].set_timeline(None)
        if "compare" in self.p:
            self.p["compare"].set_comparison(None)
        self.on_frame(force=True)

    # -- frames ------------------------------------------------------------------------------
    def _joint(self) -> bool:
        flow = self.ctl.flow
        return self.ctl.mode == "joint" and flow is not None and hasattr(flow, "history")

    def on_frame(self, force: bool = False) -> None:
        """Record the new state; redraw what is visible (throttled)."""
        if self.relax_history is None:
            return
        self._record()
        now = _time.perf_counter()
        if not force and now - self._last_refresh < self.throttle_s:
            return
        self._last_refresh = now
        self.refresh()

    def _record(self) -> None:
        ctl = self.ctl
        if self._joint():
            flow = ctl.flow
            if flow is not self._flow:
                self._flow = flow
                self.joint_history = diag.DiscordHistory(ctl.layout, len(flow.X))
                self.monitor = diag.TrainingMonitor(len(flow.X))
                self._last_step, self._series_len = None, -1
                self._last_record = self._last_spectrum = -np.inf
                if "heatmap" in self.p:
                    self.p["heatmap"].set_examples(len(flow.X))
            now = _time.perf_counter()
            first = self._last_step is None
            if self._last_step != flow.steps and (first or now - self._last_record >=
                                                  self.throttle_s / 2):
                self._last_step, self._last_record = flow.steps, now
                net, cochains = flow.network, flow.cochains  # gd mode: solves; hence throttled
                self.joint_history.record(ctl.steps, net, cochains, time=ctl.t)
                self.monitor.record_gradients(ctl.steps, net, flow.X, flow.Y, cochains,
                                              force=getattr(flow, "force", "energy"))
                if first or now - self._last_spectrum >= 4 * self.throttle_s:
                    self._last_spectrum = now
                    self.monitor.record_spectrum(ctl.steps, net, flow.X)
            return
        if self._flow is not None and ctl.flow is not self._flow and not self._joint():
            self._flow = None
        # a new step, or the same step with a new state (a pin moved, jump to equilibrium)
        key = ("relax", ctl.steps, hash(np.asarray(ctl.c).tobytes()))
        if self._last_step != key:
            self._last_step = key
            if self._states and self._states[-1][0] > ctl.t:
                self._states.clear()  # the clock went back (reset): a new run
                self.relax_history.clear()
            self.relax_history.record(ctl.steps, ctl.network, ctl.c, time=ctl.t)
            self._states.append((float(ctl.t), np.array(ctl.c, dtype=float)))

    def refresh(self) -> None:
        """Redraw every visible panel from the records and the controller's state."""
        if self._visible("heatmap"):
            self._draw_heatmap()
        if self._visible("timeline"):
            self._draw_timeline()
        if self._visible("gradient") or self._visible("spectrum"):
            self._draw_series()
        if self._visible("spectrum") or self._ghost_on:
            self._draw_spectrum()
        if self._visible("data"):
            self._draw_data()

    def _draw_heatmap(self) -> None:
        hist = self.joint_history if self._joint() and self.joint_history else self.relax_history
        example = None if self._example < 0 or hist.n_examples == 1 else \
            min(self._example, hist.n_examples - 1)
        self.p["heatmap"].set_matrix(hist.matrix(example=example, expand=self._expand))

    def _draw_timeline(self) -> None:
        ctl, flow = self.ctl, self.ctl.flow
        if self._joint():
            self.p["timeline"].set_timeline(None)
            return
        neurons = diag.hidden_neurons(ctl.layout)
        z = [ctl.layout.index(n.split("[")[0], int(n[:-1].split("[")[1])) for n in neurons]
        if flow is None or not hasattr(flow, "events"):
            offset, events = ctl.t, []  # no relaxation since the last change: no switches
        else:
            offset = ctl.t - flow.time  # flow time → the controller's (session) time
            events = [dataclasses.replace(e, time=e.time + offset,
                                          t_end=None if e.t_end is None else e.t_end + offset)
                      for e in flow.events]
        start = diag.initial_active_from_events(events, neurons, ctl.c[z] >= 0)
        tl = diag.switching_timeline(events, neurons, start, t_end=ctl.t, t_start=offset)
        self.p["timeline"].set_timeline(tl)

    def _draw_series(self) -> None:
        if not self._joint():
            return
        s = self.monitor.series()
        if s["step"].size + s["spectrum_step"].size == self._series_len:
            return
        self._series_len = s["step"].size + s["spectrum_step"].size
        if "gradient" in self.p:
            self.p["gradient"].set_series(s["step"], s["grad_cosine"], s["grad_cosine_defined"],
                                          s["grad_ratio"], s["grad_ratio_defined"])
        if "spectrum" in self.p:
            self.p["spectrum"].set_series(s)

    def _shown_pins(self) -> PinSet:
        ctl = self.ctl
        if not self._joint():
            return ctl.pins
        lay = ctl.layout
        return PinSet().pin(lay, "x", ctl.c[lay.vertex("x").slice]).pin(
            lay, "y", ctl.c[lay.vertex("y").slice])

    def _draw_spectrum(self) -> None:
        ctl = self.ctl
        pins = self._shown_pins()
        # L_free depends on θ, the pins and σ (and the output linearisation point)
        key = (id(ctl.network), repr(sorted(pins.hard.items())), repr(sorted(pins.soft.items())),
               (ctl.c[ctl.z_index] >= 0).tobytes() if hasattr(ctl, "z_index") else b"",
               ctl.c[ctl.layout.vertex(f"z{ctl.layout.n_hidden + 1}").slice].tobytes()
               if ctl.network.output != "identity" else b"")
        now = _time.perf_counter()
        if key == self._spectrum_key or now - self._spectrum_at < 10 * self._spectrum_cost:
            # unchanged, or too soon for a large network (never more than ~10 % CPU): keep
            # the modes, move the ghost's anchor to the current state
            if "spectrum" in self.p:
                self.p["spectrum"].cochain = np.array(ctl.c, dtype=float)
            if self._ghost_on:
                self.modeGhostChanged.emit(self.p["spectrum"].ghost_cochain())
            return
        try:
            detail = diag.spectrum_detail(ctl.network, pins, ctl.c, layout=ctl.layout)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            detail = None  # e.g. everything pinned: nothing to show
        self._spectrum_key, self._spectrum_at = key, now
        self._spectrum_cost = _time.perf_counter() - now
        if "spectrum" in self.p:
            self.p["spectrum"].set_detail(detail, ctl.c)
        if self._ghost_on:
            self.modeGhostChanged.emit(self.p["spectrum"].ghost_cochain())

    def _draw_data(self) -> None:
        ctl, ds = self.ctl, self.ctl.dataset
        if ds is None or ds.n_inputs > 2:
            return
        self.p["data"].set_prediction(diag.prediction_grid(ctl.network, ds.X))
        self.p["data"].set_pinned(ctl.example)

    def state_at(self, t: float) -> tuple[float, np.ndarray] | None:
        """The recorded relaxation state closest to time ``t``: ``(time, cochain (size,))``,
        or None before anything was recorded. With ``timeScrubbed`` this lets the main
        window draw the drape at the scrubbed time."""
        if not self._states:
            return None
        times = np.fromiter((s[0] for s in self._states), dtype=float, count=len(self._states))
        k = int(np.argmin(np.abs(times - float(t))))
        return self._states[k][0], self._states[k][1].copy()

    # -- intents -----------------------------------------------------------------------------
    def example_clicked(self, i: int) -> None:
        self.ctl.set_example(int(i))
        if "data" in self.p:
            self.p["data"].set_pinned(self.ctl.example)

    def set_expand(self, on: bool) -> None:
        self._expand = bool(on)
        self._draw_heatmap()

    def set_example_view(self, i: int) -> None:
        self._example = int(i)
        self._draw_heatmap()

    def set_ghost(self, on: bool) -> None:
        self._ghost_on = bool(on)
        if on:
            self._draw_spectrum()
        else:
            self.modeGhostChanged.emit(None)

    def model_loaded(self, network, dataset) -> None:
        """Open an own network (and data) as a session through ``Controller.open``."""
        open_ = getattr(self.ctl, "open", None)
        if open_ is None:
            self.p["import"]._fail("this window cannot open an own model (the controller "
                                   "has no open(preset))")
            return
        try:
            preset = own_preset(network, dataset, source=getattr(self.p["import"],
                                                                 "weights_path", None))
        except (ValueError, ArithmeticError) as exc:
            self.p["import"]._fail(str(exc))
            return
        open_(preset, dataset=dataset)

    # -- side-by-side training ---------------------------------------------------------------
    def comparison_inputs(self):
        """(network, X, Y) of the comparison: the session's initial weights and its data
        (or the pinned pair when there is no data set)."""
        ctl = self.ctl
        if ctl.dataset is not None:
            return ctl.network0, ctl.dataset.X, ctl.dataset.Y
        lay = ctl.layout
        if not (ctl.pins.stalk_pinned(lay, "x") and ctl.pins.stalk_pinned(lay, "y")):
            raise ValueError("pin x and y (a training pair) or open a preset with data")
        return (ctl.network0, ctl.c[lay.vertex("x").slice][None, :].copy(),
                ctl.c[lay.vertex("y").slice][None, :].copy())

    def run_comparison(self, steps: int) -> None:
        """Train both from the initial weights in a worker thread (never blocks the GUI)."""
        try:
            net, X, Y = self.comparison_inputs()
        except ValueError as exc:
            self._compare_failed(str(exc))
            return
        ctl = self.ctl
        beta = ctl.beta if ctl.dataset is not None else None
        kw = dict(steps=int(steps), record_every=max(1, int(steps) // 200), alpha=ctl.alpha,
                  beta=beta, dt=ctl.dt)
        relay = self._relay
        if "compare" in self.p:
            self.p["compare"].set_running(True)

        def work():
            try:
                relay.done.emit(diag.compare_training(net, X, Y, **kw))
            except Exception as exc:  # noqa: BLE001 - any failure becomes a message
                relay.failed.emit(f"{type(exc).__name__}: {exc}")

        QtCore.QThreadPool.globalInstance().start(work)

    def _compare_done(self, result) -> None:
        if "compare" in self.p:
            self.p["compare"].set_comparison(result)

    def _compare_failed(self, text: str) -> None:
        if "compare" in self.p:
            self.p["compare"].set_error(text)


def own_preset(network, dataset=None, *, source=None):
    """A :class:`~sheafviz.core.data.presets.Preset` for an own network: training pair 0 pinned
    at x and y when there is data (nothing pinned otherwise, like ``--weights`` on the CLI);
    Δt = min(0.05, 1/λ_max-bound) so the heat flow starts stable whatever the weights."""
    from sheafviz.core.flows.flowcheck import lambda_max_bound
    from sheafviz.core.data.presets import Preset

    layout = SheafLayout(network.arch)
    pins = PinSet()
    if dataset is not None:
        dataset.check_network(network.arch)
        x, y = dataset.example(0)
        pins = pins.pin(layout, "x", x).pin(layout, "y", y)
    bound = float(lambda_max_bound(network))
    dt = min(0.05, 1.0 / bound) if bound > 0 else 0.05
    name = "own model" if source is None else f"own model ({Path(source).name})"
    return Preset(name="own-model", title=f"{name} {list(network.arch)}", notes="",
                  network=network, pins=pins, data=None,
                  example=0 if dataset is not None else None, dt=dt)
