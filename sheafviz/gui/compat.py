"""A compatibility adapter: the old controller's API over the window's Session and Player.

The window runs on a :class:`sheafviz.Session` (``window.session``), a
:class:`~.player.Player` and :class:`~.wiring.SessionWiring`. The plug-in features that
still speak the controller's language (intents such as ``set_pin_value``, fields such as
``c`` and ``steps``, the Qt signals ``frameChanged`` / ``settingsChanged`` …) reach the same
session through this adapter until each is ported to the Session's own API; it holds no
state of its own, so there is one model and one step clock.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from sheafviz.core.model.pins import PinSet

MODES = ("relax", "joint")


class ControllerAdapter(QtCore.QObject):
    """The controller's signals and members, read from and sent to ``window.session``.

    Signals (as the controller's): sessionChanged, frameChanged, spectrumChanged,
    pinsChanged, paramsChanged, settingsChanged, playingChanged(bool), selectionChanged,
    message(str, str), busyChanged(bool).
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

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self._attached = None
        self.pinsChanged.connect(self.settingsChanged)
        self.paramsChanged.connect(self.settingsChanged)
        window.player.playingChanged.connect(self.playingChanged)
        # every message is on `message`; the features' own ones are shown here, the
        # session's and the player's reach the window through the wiring already
        self._relaying = False
        window.player.message.connect(self._relay)
        self.message.connect(self._show)
        self.attach(window.session)

    # -- the session it speaks for -----------------------------------------------------------
    def _slots(self) -> list:
        return [("network_changed", self._on_network), ("pins_changed", self._on_pins),
                ("settings_changed", self.paramsChanged.emit),
                ("selection_changed", self.selectionChanged.emit),
                ("state_changed", self.frameChanged.emit), ("message", self._relay)]

    def _relay(self, text: str, level: str) -> None:
        self._relaying = True
        try:
            self.message.emit(text, level)
        finally:
            self._relaying = False

    def _show(self, text: str, level: str) -> None:
        if not self._relaying:
            self.window.show_message(text, level)

    def attach(self, session) -> None:
        """Follow ``session`` (the window's new one) and tell the features it is new."""
        old = self._attached
        if old is not None:
            for name, slot in self._slots():
                getattr(old.events, name).disconnect(slot)
        self._attached = session
        for name, slot in self._slots():
            getattr(session.events, name).connect(slot)
        if old is not None:
            for signal in (self.sessionChanged, self.paramsChanged, self.pinsChanged,
                           self.selectionChanged, self.frameChanged):
                signal.emit()

    def _on_network(self) -> None:
        self.paramsChanged.emit()  # the weights are a setting of the session (saved, undone)
        self.frameChanged.emit()

    def _on_pins(self) -> None:
        self.pinsChanged.emit()  # a moved state follows as state_changed

    session = property(lambda self: self.window.session)
    player = property(lambda self: self.window.player)

    # -- state ---------------------------------------------------------------------------
    network = property(lambda self: self.session.network)
    network0 = property(lambda self: self.session.initial_network)
    pins = property(lambda self: self.session.pins)
    layout = property(lambda self: self.session.layout)
    dataset = property(lambda self: self.session.data)
    has_data = property(lambda self: self.session.data is not None)
    data_spec = property(lambda self: self.session.data_spec)
    preset = property(lambda self: self.session.preset)
    title = property(lambda self: self.session.title)
    mode = property(lambda self: self.session.mode)

    @property
    def train_mode(self) -> str:
        return self.session.training.mode

    @train_mode.setter
    def train_mode(self, mode: str) -> None:
        self.session.set_training(mode=mode)

    alpha = property(lambda self: self.session.rates.alpha)
    beta = property(lambda self: self.session.rates.beta)
    dt = property(lambda self: self.session.rates.dt)
    steps_per_frame = property(lambda self: self.session.rates.steps_per_frame)
    example = property(lambda self: self.session.shown_example)
    whole_batch = property(lambda self: self.session.data is not None
                           and self.session.example is None)
    c = property(lambda self: self.session.cochain)
    t = property(lambda self: self.session.time)
    steps = property(lambda self: self.session.steps)
    history = property(lambda self: self.session.history)
    snapshot = property(lambda self: self.session.snapshot)
    z_index = property(lambda self: self.session._z_index)
    flow = property(lambda self: self.session._state.flow)
    playing = property(lambda self: self.player.playing)
    timer = property(lambda self: self.player.timer)
    fps = property(lambda self: self.player.fps)
    steps_per_second = property(lambda self: self.player.steps_per_second)
    solver = property(lambda self: self.window.wiring.solver)
    solve_cost_s = property(lambda self: self.window.wiring.solve_cost_s)

    @property
    def async_solve_after_s(self) -> float:
        return self.window.wiring.async_solve_after_s

    @async_solve_after_s.setter
    def async_solve_after_s(self, value: float) -> None:
        self.window.wiring.async_solve_after_s = float(value)

    cross_entropy = property(lambda self: self.session.output_force == "cross-entropy")

    @property
    def selected(self):
        return self.session.selection

    @selected.setter
    def selected(self, sel) -> None:
        self.session.select(*sel) if sel is not None else self.session.select(None)

    @property
    def solution(self):
        return self.session._relax_solution() if self.mode == "relax" else None

    @property
    def lam(self) -> tuple[float, float]:
        r = self.session.readouts
        return (r.lambda_min, r.lambda_max)

    @property
    def residual(self) -> float:
        return float(self.session.readouts.residual)

    @property
    def consistency(self) -> str:
        from .wiring import consistency_text

        return "—" if self.mode == "joint" else consistency_text(self.session.readouts)

    def objective(self) -> float:
        return float(self.session.readouts.objective)

    def envelope(self):
        return self.session.envelope()

    def neuron_info(self, name: str, index: int):
        return self.session.neuron_info(name, index)

    # -- sessions ------------------------------------------------------------------------
    def load_preset(self, name: str | None = None, *, pins: PinSet | None = None) -> bool:
        """Open a shipped preset in the window (False and a message when it fails)."""
        from sheafviz import Session

        try:
            session = Session.from_preset(name, pins=pins)
        except Exception as exc:  # noqa: BLE001 - any core failure is a message
            self.message.emit(f"Cannot open preset {name!r}: {exc}", "error")
            return False
        self.window.set_session(session)
        return True

    def open(self, preset, *, dataset=None, pins: PinSet | None = None,
             data_spec=None) -> bool:
        """Open a Preset object (any network) with an optional data set."""
        from sheafviz import Session

        try:
            session = Session(preset.network, dataset, pins=pins,
                              example=preset.example or 0, preset=preset)
        except Exception as exc:  # noqa: BLE001
            self.message.emit(f"Cannot open {preset.name!r}: {exc}", "error")
            return False
        session.data_spec = data_spec
        self.window.set_session(session)
        return True

    # -- intents ---------------------------------------------------------------------------
    def toggle_neuron(self, name: str, index: int) -> None:
        self.window.wiring.toggle_neuron(name, index)

    def toggle_stalk(self, name: str) -> None:
        self.window.wiring.toggle_stalk(name)

    def set_pin_value(self, name: str, index: int, value: float) -> None:
        self.window.wiring.drag_pin(name, index, value)

    def set_pins(self, pins: PinSet, *, jump: bool = False) -> None:
        self.session.set_pins(pins, jump=jump)

    def select(self, name: str, index: int) -> None:
        self.session.select(name, int(index))

    def _rate(self, **kw) -> None:
        try:
            self.session.set_rates(**kw)
        except ValueError as exc:
            self.message.emit(str(exc), "error")
            self.paramsChanged.emit()

    def set_alpha(self, v: float) -> None:
        self._rate(alpha=float(v))

    def set_beta(self, v: float) -> None:
        self._rate(beta=float(v))

    def set_dt(self, v: float) -> None:
        self._rate(dt=float(v))

    def set_steps_per_frame(self, n: int) -> None:
        self._rate(steps_per_frame=max(1, int(n)))

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        self.session.set_mode(mode)

    def set_example(self, i: int) -> None:
        s = self.session
        if s.data is None:
            return
        i = int(np.clip(i, 0, s.data.n_train - 1))
        s.set_example(i)

    def set_whole_batch(self, on: bool) -> None:
        self.window.wiring.set_whole_batch(bool(on))

    def replace_network(self, network, *, initial: bool = False) -> bool:
        return bool(self.session.set_network(network, initial=initial))

    # -- transport -------------------------------------------------------------------------
    def play(self) -> None:
        self.player.play()

    def pause(self) -> None:
        self.player.pause()

    def toggle_play(self) -> None:
        self.player.toggle_play()

    def step(self) -> None:
        self.player.step()

    def tick(self) -> None:
        self.player.tick()

    def advance(self, n: int, *, budget_s: float | None = None) -> bool:
        return bool(self.session.step(int(n)))

    def reset(self) -> None:
        self.player.pause()
        self.window.wiring.reset()

    def jump_to_equilibrium(self) -> None:
        self.player.pause()
        self.session.equilibrium()

    def seek(self, k: int) -> None:
        self.player.pause()
        self.session.seek(int(k))
