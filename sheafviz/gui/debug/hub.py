"""The hub between the window's session and the debug panels.

It follows the window's :class:`sheafviz.Session` (a new session: ``window.sessionChanged``;
each new state: the session's ``state_changed``, connected in :func:`..feature_wiring.wire_debug`),
keeps the Qt-free records the panels draw (a
:class:`~sheafviz.core.diagnostics.DiscordHistory` for the relaxation and one for the joint
flow, and a :class:`~sheafviz.core.diagnostics.TrainingMonitor` for the gradient comparison
and the spectrum over training), and turns the panels' intents into Session calls. It reads
the session's public API only: ``mode``, ``network``, ``initial_network``, ``layout``,
``pins``, ``cochain``, ``time``, ``steps``, ``data``, ``shown_example``, ``rates``, and the
probes ``joint_batch`` (the joint flow's batch) and ``switch_events`` (the relaxation's ReLU
switches in the session clock).

Signals for the main window: ``timeScrubbed(float)`` (the switching timeline's scrubber, in
the session's time) and ``modeGhostChanged(object)`` (the slowest mode as a cochain
(size,) to draw as a ghost on the drape, or None).
"""

from __future__ import annotations

import time as _time
from collections import deque

import numpy as np
from PySide6 import QtCore

from pathlib import Path

from sheafviz.core import diagnostics as diag
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.live.frame import hidden_z_index

#: Fewest seconds between two expensive refreshes (spectrum, prediction grid, heatmap).
THROTTLE_S = 0.25
#: Relaxation states kept for :meth:`DebugHub.state_at` (the scrubber's drape link).
MAX_STATES = 4096


class _Relay(QtCore.QObject):
    """Carries a worker thread's result back to the GUI thread (queued connection)."""

    done = QtCore.Signal(object)
    failed = QtCore.Signal(str)


class DebugHub(QtCore.QObject):
    """Owns the debug records and wires panels ↔ the window's session.

    Parameters
    ----------
    window : the main window (``window.session``, ``window.open_preset_object``)
    panels : dict with keys "data", "heatmap", "spectrum", "timeline", "gradient",
        "compare", "import" (any may be missing)
    throttle_s : float, see :data:`THROTTLE_S` (0 in tests: refresh on every frame)
    """

    timeScrubbed = QtCore.Signal(float)
    modeGhostChanged = QtCore.Signal(object)

    def __init__(self, window, panels: dict, *, throttle_s: float = THROTTLE_S,
                 parent=None) -> None:
        super().__init__(parent)
        self.window, self.p = window, panels
        self.throttle_s = float(throttle_s)
        self.relax_history: diag.DiscordHistory | None = None
        self.joint_history: diag.DiscordHistory | None = None
        self.monitor: diag.TrainingMonitor | None = None
        self._last_record = self._last_spectrum = -np.inf
        self._states: deque = deque(maxlen=MAX_STATES)
        self._z_index = np.zeros(0, dtype=int)
        self._spectrum_key, self._spectrum_at, self._spectrum_cost = None, -np.inf, 0.0
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
    @property
    def session(self):
        """The window's current session."""
        return self.window.session

    def on_session(self) -> None:
        """A new session: drop every record and redraw from scratch."""
        s = self.session
        self.relax_history = diag.DiscordHistory(s.layout, 1)
        self.joint_history = None
        self._z_index = hidden_z_index(s.layout)
        self._states.clear()
        self._last_step, self._series_len = None, -1
        self._last_refresh = -np.inf
        self._spectrum_key, self._spectrum_at, self._spectrum_cost = None, -np.inf, 0.0
        if "data" in self.p:
            ds = s.data
            if ds is not None and ds.n_inputs <= 2:
                self.p["data"].set_data(ds.X, ds.Y, s.network.output)
            else:
                self.p["data"].set_data(None, None, s.network.output)
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
        """Whether the session trains and the joint flow has been recorded."""
        return self.session.mode == "joint" and self.joint_history is not None

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
        s = self.session
        if s.mode == "joint":
            self._record_joint(s)
            return
        # a new step, or the same step with a new state (a pin moved, jump to equilibrium)
        c, t = s.cochain, s.time
        key = ("relax", s.steps, hash(c.tobytes()))
        if self._last_step != key:
            self._last_step = key
            if self._states and self._states[-1][0] > t:
                self._states.clear()  # the clock went back (reset): a new run
                self.relax_history.clear()
            self.relax_history.record(s.steps, s.network, c, time=t)
            self._states.append((float(t), c))

    def _record_joint(self, s) -> None:
        """Record the joint flow's batch (throttled: in gd mode it solves)."""
        now = _time.perf_counter()
        step = self._last_step if isinstance(self._last_step, int) else None
        if step == s.steps or (step is not None and
                               now - self._last_record < self.throttle_s / 2):
            return
        batch = s.joint_batch
        if batch is None:
            return
        n = len(batch.X)
        if self.joint_history is None or self.joint_history.n_examples != n or \
                (step is not None and batch.steps < step):  # a new batch or a reset
            self.joint_history = diag.DiscordHistory(s.layout, n)
            self.monitor = diag.TrainingMonitor(n)
            step, self._series_len = None, -1
            self._last_record = self._last_spectrum = -np.inf
            if "heatmap" in self.p:
                self.p["heatmap"].set_examples(n)
        self._last_step, self._last_record = batch.steps, now
        net, cochains = batch.network, batch.cochains
        self.joint_history.record(batch.steps, net, cochains, time=batch.time)
        self.monitor.record_gradients(batch.steps, net, batch.X, batch.Y, cochains,
                                      force=batch.force)
        if step is None or now - self._last_spectrum >= 4 * self.throttle_s:
            self._last_spectrum = now
            self.monitor.record_spectrum(batch.steps, net, batch.X)

    def refresh(self) -> None:
        """Redraw every visible panel from the records and the session's state."""
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
        s = self.session
        if s.mode == "joint":
            self.p["timeline"].set_timeline(None)
            return
        neurons = diag.hidden_neurons(s.layout)
        z = [s.layout.index(n.split("[")[0], int(n[:-1].split("[")[1])) for n in neurons]
        offset, events = s.switch_events  # in the session's clock; none without a flow
        start = diag.initial_active_from_events(events, neurons, s.cochain[z] >= 0)
        tl = diag.switching_timeline(events, neurons, start, t_end=s.time, t_start=offset)
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

    def _shown_pins(self, c: np.ndarray) -> PinSet:
        s = self.session
        if s.mode != "joint":
            return s.pins
        lay = s.layout
        return PinSet().pin(lay, "x", c[lay.vertex("x").slice]).pin(
            lay, "y", c[lay.vertex("y").slice])

    def _draw_spectrum(self) -> None:
        s = self.session
        c, lay, network = s.cochain, s.layout, s.network
        pins = self._shown_pins(c)
        # L_free depends on θ, the pins and σ (and the output linearisation point)
        key = (id(network), repr(sorted(pins.hard.items())), repr(sorted(pins.soft.items())),
               (c[self._z_index] >= 0).tobytes(),
               c[lay.vertex(f"z{lay.n_hidden + 1}").slice].tobytes()
               if network.output != "identity" else b"")
        now = _time.perf_counter()
        if key == self._spectrum_key or now - self._spectrum_at < 10 * self._spectrum_cost:
            # unchanged, or too soon for a large network (never more than ~10 % CPU): keep
            # the modes, move the ghost's anchor to the current state
            if "spectrum" in self.p:
                self.p["spectrum"].cochain = c
            if self._ghost_on:
                self.modeGhostChanged.emit(self.p["spectrum"].ghost_cochain())
            return
        try:
            detail = diag.spectrum_detail(network, pins, c, layout=lay)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError):
            detail = None  # e.g. everything pinned: nothing to show
        self._spectrum_key, self._spectrum_at = key, now
        self._spectrum_cost = _time.perf_counter() - now
        if "spectrum" in self.p:
            self.p["spectrum"].set_detail(detail, c)
        if self._ghost_on:
            self.modeGhostChanged.emit(self.p["spectrum"].ghost_cochain())

    def _draw_data(self) -> None:
        s = self.session
        ds = s.data
        if ds is None or ds.n_inputs > 2:
            return
        self.p["data"].set_prediction(diag.prediction_grid(s.network, ds.X))
        self.p["data"].set_pinned(s.shown_example)

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
        """Pin training pair ``i`` (clipped to the data set) at x and y."""
        s = self.session
        if s.data is None:
            return
        s.set_example(int(np.clip(int(i), 0, s.data.n_train - 1)))
        if "data" in self.p:
            self.p["data"].set_pinned(s.shown_example)

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
        """Open an own network (and data) as a new session of the window."""
        try:
            preset = own_preset(network, dataset, source=getattr(self.p["import"],
                                                                 "weights_path", None))
        except (ValueError, ArithmeticError) as exc:
            self.p["import"]._fail(str(exc))
            return
        self.window.open_preset_object(preset, dataset=dataset)

    # -- side-by-side training ---------------------------------------------------------------
    def comparison_inputs(self):
        """(network, X, Y) of the comparison: the session's initial weights and its data
        (or the pinned pair when there is no data set)."""
        s = self.session
        if s.data is not None:
            return s.initial_network, s.data.X, s.data.Y
        lay, c = s.layout, s.cochain
        if not (s.pins.stalk_pinned(lay, "x") and s.pins.stalk_pinned(lay, "y")):
            raise ValueError("pin x and y (a training pair) or open a preset with data")
        return (s.initial_network, c[lay.vertex("x").slice][None, :].copy(),
                c[lay.vertex("y").slice][None, :].copy())

    def run_comparison(self, steps: int) -> None:
        """Train both from the initial weights in a worker thread (never blocks the GUI)."""
        try:
            net, X, Y = self.comparison_inputs()
        except ValueError as exc:
            self._compare_failed(str(exc))
            return
        s, r = self.session, self.session.rates
        beta = r.beta if s.data is not None else None
        kw = dict(steps=int(steps), record_every=max(1, int(steps) // 200), alpha=r.alpha,
                  beta=beta, dt=r.dt)
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
