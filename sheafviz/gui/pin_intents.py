"""The pin intents of the controller: toggle a neuron or a stalk, set a pinned value (a drag
or the editor), select a neuron. Mixed into :class:`~sheafviz.gui.controller.Controller`.

Never freeze: once a solve has taken longer than ``ASYNC_SOLVE_AFTER_S``, a dragged value
is solved off the GUI thread (:class:`~.background.LatestOnly`); the last state stays on
screen meanwhile (``busyChanged``), and a newer value supersedes one still being solved.
"""

from __future__ import annotations

import time

import numpy as np

from sheafviz.core.model.pins import PinSet
from . import engine


class PinIntents:
    """Pins change through here only; every change re-solves the equilibrium (docs/mathematics.md), and
    a refused change (bad value, core error) leaves the session exactly as it was."""

    def _leave_joint(self) -> None:
        if self.mode == "joint":
            self.set_mode("relax")
            self.message.emit("Switched to Relax to edit pins.", "info")

    def set_pins(self, pins: PinSet, *, jump: bool = False, solution=None) -> None:
        """Replace the whole pin set (undo / redo use this; the intents below build theirs).

        The equilibrium of the new pins is solved either way; with ``jump`` the state moves
        to it at once (a dragged value), else the flow continues from the current state.
        Emits ``pinsChanged`` when the set of pinned neurons changed (else
        ``settingsChanged``: a moved value) and ``frameChanged``; a refused change leaves
        everything as it was (and says why in ``message``). ``solution``: the equilibrium
        of ``pins`` under the current weights, already solved (off the GUI thread).
        """
        if solution is None:
            self.solver.cancel()  # an older drag still being solved must not land after this
        old = (self.pins, self.c)
        # Only a changed *set* of pinned neurons restyles the views; a moved value (a drag)
        # is just a new frame.
        same_set = (pins.hard.keys() == self.pins.hard.keys()
                    and pins.soft.keys() == self.pins.soft.keys())
        try:
            self.pins = pins
            self.c = pins.apply(self.layout, self.c)
            self._after_pins_changed(solve=True, refresh=not jump, solution=solution)
            # A drag sends many values at one instant of flow time: they are not history
            # (the next frame records the state it starts from).
            if jump and self.solution is None:
                self._refresh(record=False)
            if jump and self.solution is not None:
                self.c = np.array(self.solution.cochain, dtype=float)
                self.flow = None
                self._segment = None
                self._refresh(record=False)
        except Exception as exc:  # noqa: BLE001
            self.pins, self.c = old
            self.message.emit(f"Pin change refused: {exc}", "error")
            return
        if not same_set:
            self.pinsChanged.emit()  # also settingsChanged
        else:
            self.settingsChanged.emit()
        self.frameChanged.emit()

    def _after_pins_changed(self, *, solve: bool, refresh: bool = True,
                            solution=None) -> None:
        self.flow = None
        self._segment = None
        if solve:
            try:
                if solution is None:
                    t0 = time.perf_counter()
                    solution = engine.equilibrium(self.network, self.pins, self.layout)
                    self.solve_cost_s = time.perf_counter() - t0
                self.solution = solution
                if self.solution.underdetermined:
                    self.message.emit("Under-determined: no input pinned; showing the "
                                      "minimum-norm equilibrium.", "warn")
            except Exception as exc:  # noqa: BLE001
                self.solution = None
                self.message.emit(f"Equilibrium not available: {exc}", "warn")
        self._lam_key = None
        if refresh:
            self._refresh()

    def toggle_neuron(self, name: str, index: int) -> None:
        """Pin ``name[index]`` at its current value, or unpin it."""
        self._leave_joint()
        i = self.layout.index(name, index)
        self.selected = (name, index)
        pins = self.pins.toggle(self.layout, name, float(self.c[i]), index)
        state = "pinned" if pins.is_pinned(name, index) else "unpinned"
        self.message.emit(f"{name}[{index}] {state}.", "info")  # before: a warning may follow
        self.set_pins(pins)
        self.selectionChanged.emit()

    def toggle_stalk(self, name: str) -> None:
        """Pin the whole stalk at its current values, or unpin it."""
        self._leave_joint()
        v = self.layout.vertex(name)
        pins = self.pins.toggle(self.layout, name, self.c[v.slice].copy())
        state = "pinned" if pins.stalk_pinned(self.layout, name) else "unpinned"
        self.message.emit(f"{name} {state}.", "info")
        self.set_pins(pins)

    def set_pin_value(self, name: str, index: int, value: float) -> None:
        """Pin ``name[index]`` to ``value`` and jump to the new equilibrium (drag / editor)."""
        self._leave_joint()
        if not np.isfinite(value):
            self.message.emit(f"{name}[{index}]: the value must be a finite number.", "error")
            return
        pins = self.pins.pin(self.layout, name, float(value), index)
        if self.solve_cost_s > self.async_solve_after_s:
            net, lay = self.network, self.layout
            self.solver.submit(lambda: engine.equilibrium(net, pins, lay), tag=(pins, net))
            return
        self.solver.cancel()  # a slow solve still running must not land after this value
        self.set_pins(pins, jump=True)

    def _solved(self, solution, tag) -> None:
        """An off-thread solve of a dragged value finished (the newest one)."""
        pins, network = tag
        if network is not self.network or self.mode != "relax":
            return  # the weights or the mode changed meanwhile: the result is for nothing
        self.set_pins(pins, jump=True, solution=solution)

    def _solve_failed(self, text: str, tag) -> None:
        self.message.emit(f"Pin change refused: {text}", "error")

    def select(self, name: str, index: int) -> None:
        self.selected = (name, int(index))
        self.selectionChanged.emit()
