"""Undo / redo of pins, pinned values, rates, mode, example and weight changes.

:class:`UndoRecorder` listens to the controller's ``settingsChanged`` hook (emitted with
every ``pinsChanged`` / ``paramsChanged`` and for a moved pinned value; never for a frame of
the flow): it compares the *settings* (pins, α, β, Δt, steps per frame, mode, example,
whole batch, initial weights) with the last recorded ones and, when they differ, pushes one
command onto a :class:`QtGui.QUndoStack`. Changes that arrive in quick succession (a drag of
a pinned neuron sends dozens of values) are coalesced into one command by a short timer;
the flow moving the state or the weights is not a setting and is never recorded.

Undo applies the previous settings through the controller's own intents (``set_mode``,
``set_alpha``, ...; pins through ``Controller.set_pins``), so the views update as for a
click.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtGui

#: Changes closer together than this (ms) become one undo step (a drag, a spin-box hold).
COALESCE_MS = 400


@dataclass(frozen=True)
class Settings:
    """The undoable part of a controller's session (hashable, cheap to compare)."""

    pins: object
    alpha: float
    beta: float
    dt: float
    steps_per_frame: int
    mode: str
    example: int
    whole_batch: bool
    network0: object  #: the initial weights (replaced by a weights drop / import)

    def same_as(self, other: "Settings") -> bool:
        return (self.pins == other.pins and self.network0 is other.network0 and
                (self.alpha, self.beta, self.dt, self.steps_per_frame, self.mode,
                 self.example, self.whole_batch) ==
                (other.alpha, other.beta, other.dt, other.steps_per_frame, other.mode,
                 other.example, other.whole_batch))

    def describe(self, before: "Settings") -> str:
        if self.pins != before.pins:
            if self.pins.hard.keys() == before.pins.hard.keys() and \
                    self.pins.soft.keys() == before.pins.soft.keys():
                return "move pin"
            return "pin / unpin"
        for name in ("alpha", "beta", "dt", "steps_per_frame", "mode", "example",
                     "whole_batch"):
            if getattr(self, name) != getattr(before, name):
                return f"change {name.replace('_', ' ')}"
        return "change weights"


def settings_of(ctl) -> Settings:
    return Settings(ctl.pins, float(ctl.alpha), float(ctl.beta), float(ctl.dt),
                    int(ctl.steps_per_frame), ctl.mode, int(ctl.example),
                    bool(ctl.whole_batch), ctl.network0)


def apply_settings(ctl, s: Settings) -> None:
    """Bring the controller to settings ``s`` through its intents."""
    if s.network0 is not ctl.network0:
        replace_weights(ctl, s.network0)
    if ctl.mode != s.mode:
        ctl.set_mode(s.mode)
    if ctl.dataset is not None and (ctl.example != s.example or ctl.whole_batch != s.whole_batch):
        ctl.set_whole_batch(s.whole_batch)
        ctl.set_example(s.example)
    for name in ("alpha", "beta", "dt"):
        if float(getattr(ctl, name)) != getattr(s, name):
            getattr(ctl, f"set_{name}")(getattr(s, name))
    if ctl.steps_per_frame != s.steps_per_frame:
        ctl.set_steps_per_frame(s.steps_per_frame)
    if ctl.pins != s.pins:
        same_set = (s.pins.hard.keys() == ctl.pins.hard.keys()
                    and s.pins.soft.keys() == ctl.pins.soft.keys())
        ctl.set_pins(s.pins, jump=same_set)


def _fitting_pins(pins, layout):
    """The pins of ``pins`` that exist in ``layout`` (others are dropped)."""
    from sheafviz.core.model.pins import PinSet

    def fits(key) -> bool:
        name, i = key
        try:
            layout.index(name, i)
        except (KeyError, IndexError):
            return False
        return True

    return PinSet({k: v for k, v in pins.hard.items() if fits(k)},
                  {k: v for k, v in pins.soft.items() if fits(k)})


def replace_weights(ctl, network) -> None:
    """New weights (same or another architecture) with the current pins where they fit;
    the new weights become the "initial weights" that reset returns to."""
    from dataclasses import replace

    from sheafviz.core.model.sheaf import SheafLayout

    layout = SheafLayout(network.arch)
    pins = _fitting_pins(ctl.pins, layout)
    preset = replace(ctl.preset, network=network, pins=_fitting_pins(ctl.preset.pins, layout))
    dataset = ctl.dataset if (ctl.dataset is not None and
                              ctl.dataset.X.shape[1] == network.arch[0] and
                              ctl.dataset.Y.shape[1] == network.arch[-1]) else None
    ctl.open(preset, dataset=dataset, pins=pins,
             data_spec=ctl.data_spec if dataset is ctl.dataset else None)


class _Change(QtGui.QUndoCommand):
    def __init__(self, recorder: "UndoRecorder", before: Settings, after: Settings) -> None:
        super().__init__(after.describe(before))
        self.recorder, self.before, self.after = recorder, before, after
        self._first = True

    def redo(self) -> None:
        if self._first:  # already applied by the user's own intent
            self._first = False
            return
        self.recorder._apply(self.after)

    def undo(self) -> None:
        self.recorder._apply(self.before)


class UndoRecorder(QtCore.QObject):
    """Records setting changes of ``controller`` on ``stack`` (see the module notes)."""

    def __init__(self, controller, stack: QtGui.QUndoStack | None = None,
                 parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.ctl = controller
        self.stack = stack if stack is not None else QtGui.QUndoStack(self)
        self._applying = False
        self._last: Settings | None = None
        self._timer = QtCore.QTimer(self, singleShot=True, interval=COALESCE_MS)
        self._timer.timeout.connect(self.flush)
        if getattr(controller, "preset", None) is not None:
            self.reset()

    def reset(self) -> None:
        """A new session: forget the history (undo never crosses sessions)."""
        if self._applying:
            return
        self._timer.stop()
        self.stack.clear()
        self._last = settings_of(self.ctl)
        self._pending = None

    def on_settings_changed(self) -> None:
        if self._applying or self._last is None or getattr(self.ctl, "preset", None) is None:
            return
        self._timer.start()  # (re)start: a burst of changes becomes one command

    def flush(self) -> None:
        """Commit a pending (coalesced) change now."""
        self._timer.stop()
        if self._applying or self._last is None:
            return
        now = settings_of(self.ctl)
        if now.same_as(self._last):
            return
        before, self._last = self._last, now
        self.stack.push(_Change(self, before, now))

    def resync(self) -> None:
        """Take the current settings as recorded, with no command: for a change that pushed
        its own command on :attr:`stack` (a weight edit; call :meth:`flush` before it)."""
        self._timer.stop()
        if self._last is not None:
            self._last = settings_of(self.ctl)

    def _apply(self, s: Settings) -> None:
        self._applying = True
        try:
            apply_settings(self.ctl, s)
        finally:
            self._applying = False
        self._last = settings_of(self.ctl)

    def undo(self) -> None:
        self.flush()
        self.stack.undo()

    def redo(self) -> None:
        self.flush()
        self.stack.redo()

    def record(self, fn, *args, **kwargs):
        """Run ``fn(*args, **kwargs)`` (e.g. a weights replacement that reopens the session)
        as one undoable step, instead of letting its ``sessionChanged`` clear the stack."""
        self.flush()
        before = self._last
        self._applying = True
        try:
            result = fn(*args, **kwargs)
        finally:
            self._applying = False
        now = settings_of(self.ctl)
        self._last = now
        if before is not None and not now.same_as(before):
            self.stack.push(_Change(self, before, now))
        return result
