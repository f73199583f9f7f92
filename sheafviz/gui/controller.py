"""The controller: owns the session (network, pins, state, flow, rates) and the frame timer.

Views never change the session themselves: they call an intent method here (usually through
a Qt signal connected in :mod:`main_window`), the controller asks the core to recompute, and
emits ``frameChanged`` / ``sessionChanged`` / ``pinsChanged`` so every view redraws from
:attr:`Controller.snapshot`. Core errors never escape: they become a ``message`` and the
session stays as it was before the failing intent.

The intents are split over five modules so each stays small: the session, its state and
weights and the read-outs here, driving the flow (play / pause / step, the frame ``tick``)
in :mod:`flow_driver`, pin edits in :mod:`pin_intents`, rates / mode / example in
:mod:`params`, the flow state as data (``export_state`` / ``restore_state`` for sessions,
``seek`` for the rewind bar) in :mod:`saved_state` (mixins).
"""

from __future__ import annotations

import time as _time
from collections import deque

import numpy as np
from PySide6 import QtCore

from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout, energy as sheaf_energy
from . import engine
from .background import LatestOnly
from .flow_driver import FRAME_BUDGET_S, FlowDriver  # noqa: F401 - FRAME_BUDGET_S is API
from .params import MODES, ParamIntents  # noqa: F401 - MODES is part of this module's API
from .pin_intents import PinIntents
from .saved_state import SavedState
from .state import History, Snapshot, hidden_z_index, make_snapshot, neuron_rows

FRAME_MS = 16
#: A dragged value is solved off the GUI thread once a solve took longer than this.
ASYNC_SOLVE_AFTER_S = 0.030
#: Refresh λ_min/λ_max at most this often while animating.
SPECTRUM_EVERY_S = 0.5


class Controller(FlowDriver, PinIntents, ParamIntents, SavedState, QtCore.QObject):
    """Session owner. Intents are plain methods (slots); results are signals.

    Signals
    -------
    sessionChanged : the network geometry changed (new preset): views rebuild their items
    frameChanged : a new :class:`Snapshot` is ready: views redraw
    spectrumChanged : λ_min / λ_max were brought up to date for the shown frame (a deferred
        eigensolve): the read-outs and the energy envelope redraw, nothing else
    pinsChanged : the pin set changed
    paramsChanged : α, β, Δt, steps per frame, mode, example or batch changed
    settingsChanged : an undoable setting may have changed: pins (also a moved pinned
        value, which emits no ``pinsChanged``), rates, steps per frame, mode, example, batch
        or weights (every ``pinsChanged`` and ``paramsChanged`` is also one); the flow moving
        the state or the weights is not a setting
    playingChanged(bool)
    busyChanged(bool) : a dragged value is being solved off the GUI thread (the shown state
        is the previous one meanwhile)
    selectionChanged : the selected neuron changed
    message(str, str) : text and level ("info", "warn", "error") for the status line
    """

    sessionChanged = QtCore.Signal()
    frameChanged = QtCore.Signal()
    spectrumChanged = QtCore.Signal()
    pinsChanged = QtCore.Signal()
    paramsChanged = QtCore.Signal()
    settingsChanged = QtCore.Signal()
    playingChanged = QtCore.Signal(bool)
    selectionChanged = QtCore.Signal()
    message = QtCore.Signal(str, str)
    busyChanged = QtCore.Signal(bool)

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(FRAME_MS)
        self.timer.timeout.connect(self.tick)
        self.preset = None
        self.dataset = None
        self.flow = None
        self.selected: tuple[str, int] | None = None
        self.solution = None
        self.lam = (float("nan"), float("nan"))
        self._lam_key = None
        self._lam_at = 0.0
        self._frame_times: deque = deque(maxlen=90)
        self._in_tick = False
        self._lam_timer = QtCore.QTimer(self, singleShot=True,
                                        interval=int(SPECTRUM_EVERY_S * 1000))
        self._lam_timer.timeout.connect(self._deferred_spectrum)
        self.steps_per_second = float("nan")
        self.data_spec = None
        self._flow_t0, self._flow_steps0 = 0.0, 0  # the clock when the flow started
        self.pinsChanged.connect(self.settingsChanged)
        self.paramsChanged.connect(self.settingsChanged)
        #: solves of dragged values off the GUI thread once one took longer than
        #: ``async_solve_after_s`` (see :mod:`.pin_intents`); ``solve_cost_s`` is the last
        self.solver = LatestOnly(parent=self)
        self.solver.done.connect(self._solved)
        self.solver.failed.connect(self._solve_failed)
        self.solver.busyChanged.connect(self.busyChanged)
        self.async_solve_after_s = ASYNC_SOLVE_AFTER_S
        self.solve_cost_s = 0.0

    # ----------------------------------------------------------------------------------
    # session
    # ----------------------------------------------------------------------------------
    def load_preset(self, name: str | None = None, *, pins: PinSet | None = None) -> bool:
        """Open a shipped preset (``pins`` replaces its own pins when given). False (and a
        message) on failure; the current session is then kept."""
        try:
            preset = engine.load_preset(name)
            dataset = engine.load_dataset(preset.data)
        except Exception as exc:  # noqa: BLE001 - any core failure is a message, not a crash
            self.message.emit(f"Cannot open preset {name!r}: {exc}", "error")
            return False
        return self.open(preset, dataset=dataset, pins=pins)

    def open(self, preset, *, dataset=None, pins: PinSet | None = None,
             data_spec=None) -> bool:
        """Open a :class:`~sheafviz.core.data.presets.Preset` object (any network, e.g. a
        benchmark's), with an optional data set.

        ``data_spec`` (a :class:`~sheafviz.core.data.session_file.DataSpec`) says where ``dataset``
        came from, so a saved session names it again; kept as :attr:`data_spec`.
        """
        self.pause()
        self.solver.cancel()
        self.preset, self.dataset, self.data_spec = preset, dataset, data_spec
        self.network0 = preset.network
        self.network = preset.network
        self.layout = SheafLayout(self.network.arch)
        self.z_index = hidden_z_index(self.layout)
        self.pins = preset.pins if pins is None else pins
        self.mode = "relax"
        self.train_mode = preset.mode if preset.mode in ("paper", "adiabatic", "gd") else "paper"
        self.alpha = float(preset.alpha)
        n = dataset.n_train if dataset is not None else 1
        self.beta = float(preset.beta) if preset.beta is not None else 1.0 / n
        self.dt = float(preset.dt)
        self.steps_per_frame = 2
        self.example = int(preset.example or 0)
        self.whole_batch = False
        self.selected = None
        self.history = History(len(self.layout.edges))
        self.c = self._initial_state()
        self._reset_clock()
        self._sign = None
        self._after_pins_changed(solve=True)
        self.sessionChanged.emit()
        self.paramsChanged.emit()
        self.pinsChanged.emit()
        self.frameChanged.emit()
        return True

    def _initial_state(self) -> np.ndarray:
        return engine.initial_state(self.network, self.pins, self.layout,
                                    init=self.preset.init, state_seed=self.preset.state_seed)

    def _reset_clock(self) -> None:
        self.t, self.steps = 0.0, 0
        self.flow = None
        self.history.clear()
        self._segment = None

    @property
    def title(self) -> str:
        return self.preset.title if self.preset is not None else ""

    @property
    def has_data(self) -> bool:
        return self.dataset is not None

    # ----------------------------------------------------------------------------------
    # derived state
    # ----------------------------------------------------------------------------------
    def _refresh(self, *, record: bool = True) -> None:
        """Recompute the snapshot from ``self.c`` and push one history sample."""
        self.snapshot: Snapshot = make_snapshot(self.layout, self.network, self.c, time=self.t,
                                                steps=self.steps, z_index=self.z_index)
        e = self.current_energy()
        prev = getattr(self, "_sign", None)
        sign = self.c[self.z_index] >= 0
        if prev is not None and prev.shape == sign.shape and record:
            for _ in np.flatnonzero(prev != sign)[:8]:
                self.history.add_event(self.t, e)
        self._sign = sign
        if record:
            self.history.append(self.t, e, self.snapshot.discords, force=self.history.n < 2)
        if self._segment is None:
            self._segment = (self.t, e)
        self._update_spectrum()

    def current_energy(self) -> float:
        """E of the shown cochain (relax) or the batch mean residual (joint flow)."""
        if self.mode == "joint" and self.flow is not None:
            return float(np.mean(sheaf_energy(self.layout, self.network, self.flow.cochains)))
        return self.snapshot.energy

    def _update_spectrum(self, *, force: bool = False) -> None:
        key = (self.c[self.z_index] >= 0).tobytes() + bytes([self.mode == "joint"])
        now = _time.perf_counter()
        if not force and key == self._lam_key:
            return
        # While animating or dragging, σ (or θ, or the pins) may change every frame: refresh at
        # most every SPECTRUM_EVERY_S (an eigensolve of a wide L_free costs ~10 ms); the
        # deferred refresh brings the numbers up to date once things calm down.
        if not force and now - self._lam_at < SPECTRUM_EVERY_S:
            if not self._lam_timer.isActive():
                self._lam_timer.start()
            return
        try:
            self.lam = engine.spectrum(self.network, self.pins, self.layout, self.c)
        except (np.linalg.LinAlgError, ValueError, RuntimeError, ArithmeticError):
            # a diagnostic the solver cannot give is shown as nan; it never stops the animation
            self.lam = (float("nan"), float("nan"))
        self._lam_key, self._lam_at = key, now

    def _deferred_spectrum(self) -> None:
        if self.preset is None:
            return
        self._update_spectrum(force=True)
        if not self.playing:
            # only the λ read-outs and the envelope depend on it: not a whole new frame
            self.spectrumChanged.emit()

    def envelope(self) -> tuple[np.ndarray, np.ndarray]:
        """Predicted envelope since the last pin/state change (a heat-flow bound, docs/mathematics.md;
        not drawn while the weights move).

        ``E* + (E0 − E*)·exp(−2αλ_min (t − t0))`` with ``E*`` the equilibrium energy: within
        one linear region ``E − E* = ½ (c − c*)ᵀ L_free (c − c*)`` decays at least that fast.
        With only the input pinned ``E* = 0`` and this is docs/mathematics.md's ``E0·exp(−2αλ_min t)``;
        with both clamps the curve levels off at R instead of crossing it. λ_min is that of
        the current pattern (the late-run rate).
        """
        if (self._segment is None or not np.isfinite(self.lam[0]) or self.mode == "joint"
                or self.cross_entropy):
            return np.zeros(0), np.zeros(0)  # E is not what the flow descends then
        t0, e0 = self._segment
        h = self.history
        t = h.t[: h.n]
        t = t[t >= t0]
        if t.size < 2 or e0 <= 0:
            return np.zeros(0), np.zeros(0)
        e_star = self.solution.energy if self.solution is not None else 0.0
        e_star = min(max(float(e_star), 0.0), e0)
        return t, e_star + (e0 - e_star) * np.exp(-2.0 * self.alpha * self.lam[0] * (t - t0))

    @property
    def cross_entropy(self) -> bool:
        """True when the output force is the cross-entropy one (docs/mathematics.md): the flow then
        descends the objective, not E."""
        return self.preset is not None and self.preset.output_force == "cross-entropy"

    def objective(self) -> float:
        """The objective the relaxation descends at the shown state (docs/mathematics.md)."""
        try:
            return engine.objective(self.network, self.pins, self.layout, self.c,
                                    force=self.preset.output_force)
        except (np.linalg.LinAlgError, ValueError, RuntimeError, ArithmeticError):  # read-out only
            return float("nan")

    @property
    def residual(self) -> float:
        """R: the equilibrium energy with the current clamps (relax), or the batch mean of E
        of the current stalks (joint flow, docs/mathematics.md)."""
        if self.mode == "joint":
            return self.current_energy()
        return float(self.solution.energy) if self.solution is not None else float("nan")

    @property
    def consistency(self) -> str:
        s = self.solution
        if s is None or self.mode == "joint":
            return "—"
        words = "consistent" if s.consistent else "inconsistent"
        if s.on_boundary:
            words += f", {len(s.on_boundary)} on z=0"
        return words

    @property
    def fps(self) -> float:
        ft = self._frame_times
        if len(ft) < 2 or ft[-1] - ft[0] <= 0:
            return float("nan")
        return (len(ft) - 1) / (ft[-1] - ft[0])

    # ----------------------------------------------------------------------------------
    # state and weights
    # ----------------------------------------------------------------------------------
    def reset(self) -> None:
        """Back to the preset's initial state (and weights), keeping the current pins."""
        self.pause()
        self.solver.cancel()
        self.network = self.network0
        if self.dataset is not None:
            self._pin_example()
        self.c = self._initial_state()
        self._reset_clock()
        self._after_pins_changed(solve=True)
        self.pinsChanged.emit()
        self.frameChanged.emit()

    def replace_network(self, network, *, initial: bool = False) -> bool:
        """Make ``network`` (same architecture and output head) the current weights.

        The weight editor's intent. Pins, mode, rates and the flow clock (t, steps) are
        kept; the flow is dropped and re-created from the new weights by the next frame.
        In relax mode the equilibrium of the pins under the new weights is solved and the
        state jumps to it (as for a moved pin); in joint mode the state is kept. The initial
        weights (what Reset returns to) become ``network`` too when ``initial`` is true or
        the current weights still are the initial ones: an edit before any training edits
        the lesson's starting point, so Reset keeps it. Emits ``paramsChanged`` (the
        weights are part of the saved session) and ``frameChanged``.

        Parameters
        ----------
        network : Network with the current ``arch`` and ``output``
        initial : also make ``network`` the initial weights

        Returns
        -------
        bool
            False (with an error ``message``; the session unchanged) when the core refused,
            e.g. no finite equilibrium under the new weights.

        Raises
        ------
        ValueError
            Not a Network, or another architecture / output head (that is a new session:
            open it instead).
        """
        from sheafviz.core.model.network import Network

        if not isinstance(network, Network):
            raise ValueError(f"replace_network needs a Network, got {type(network).__name__}")
        cur = self.network
        if tuple(network.arch) != tuple(cur.arch) or network.output != cur.output:
            raise ValueError(f"the new weights are a {list(network.arch)} network with "
                             f"{network.output} output; this session's network is "
                             f"{list(cur.arch)} with {cur.output} output")
        old = (self.network, self.network0, self.flow, self.c, self.solution, self._segment)
        try:
            if self.mode == "relax":
                solution = engine.equilibrium(network, self.pins, self.layout)
                if not np.all(np.isfinite(solution.cochain)):
                    raise ArithmeticError("the equilibrium is not finite")
                self.solution = solution
                self.c = np.array(solution.cochain, dtype=float)
            if initial or self.network is self.network0:
                self.network0 = network
            self.network = network
            self.flow = None  # rebuilt from the new weights by the next frame; t, steps go on
            self._segment = None
            self._lam_key = None  # λ depends on the weights, not only on σ
            self._refresh(record=False)
        except Exception as exc:  # noqa: BLE001 - any core failure is a message, not a crash
            (self.network, self.network0, self.flow, self.c, self.solution,
             self._segment) = old
            self._refresh(record=False)
            self.message.emit(f"Weights not applied: {exc}", "error")
            return False
        self.paramsChanged.emit()  # the weights are a setting of the session (saved, undone)
        self.frameChanged.emit()
        return True

    def jump_to_equilibrium(self) -> None:
        """Replace the state by the equilibrium of the current pins (relax mode)."""
        self.pause()
        if self.mode == "joint":
            self.message.emit("Jump to equilibrium works on a relaxation; switch to Relax.",
                              "warn")
            return
        if self.solution is None:
            self._after_pins_changed(solve=True)
        if self.solution is None:
            return
        self.c = np.array(self.solution.cochain, dtype=float)
        self.flow = None
        self._segment = None
        self._refresh()
        method = getattr(self.solution, "method", "")
        self.message.emit(f"Equilibrium ({method}): E = {self.solution.energy:.4g}.", "info")
        self.frameChanged.emit()

    # ----------------------------------------------------------------------------------
    # read-outs for views
    # ----------------------------------------------------------------------------------
    def neuron_info(self, name: str, index: int) -> list[tuple[str, str]]:
        """Label/value rows for the hover card of neuron ``name[index]`` (live values)."""
        from .style import fmt

        return neuron_rows(self.layout, self.snapshot, self.pins, name, index, fmt=fmt)
