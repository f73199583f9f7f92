"""The flow driving of the controller: play / pause, the animation frame, stepping the flow.

Mixed into :class:`~sheafviz.gui.controller.Controller`. The flow (a heat flow in relax mode,
a joint flow in joint mode) is built lazily from the current state, pins, rates and data by
:meth:`FlowDriver._ensure_flow`; :meth:`FlowDriver.advance` steps it and pulls its state
back into the controller (cochain, weights, clock), :meth:`FlowDriver.tick` is one frame of
the frame timer.
"""

from __future__ import annotations

import time as _time

import numpy as np

from . import engine

#: Most time one animation frame may spend stepping the flow (the rest draws); a slower
#: flow takes fewer steps per frame rather than freezing the window.
FRAME_BUDGET_S = 0.030


class FlowDriver:
    """``play`` / ``pause`` / ``toggle_play`` / ``step``, ``advance`` and the frame ``tick``.

    Mixed into :class:`~sheafviz.gui.controller.Controller`, whose state, frame timer and
    signals (``frameChanged``, ``playingChanged``, ``message``) these methods use.
    """

    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    @property
    def animating(self) -> bool:
        """True while an animation frame (:meth:`tick`) is being computed and drawn: views
        may then throttle what is too fast to read (numbers) or too slow to redo (spectra)."""
        return self._in_tick

    def play(self) -> None:
        if not self.playing and self._ensure_flow():
            self._frame_times.clear()
            self.timer.start()
            self.playingChanged.emit(True)

    def pause(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.playingChanged.emit(False)

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def _joint_batch(self, c: np.ndarray, whole_batch: bool):
        if self.dataset is not None:
            if whole_batch:
                return self.dataset.X, self.dataset.Y
            sl = slice(self.example, self.example + 1)
            return self.dataset.X[sl], self.dataset.Y[sl]
        lay = self.layout
        if not (self.pins.stalk_pinned(lay, "x") and self.pins.stalk_pinned(lay, "y")):
            raise ValueError("the joint flow needs x and y pinned (a training pair)")
        return (c[lay.vertex("x").slice][None, :].copy(),
                c[lay.vertex("y").slice][None, :].copy())

    def _new_flow(self, mode: str, network, c: np.ndarray, whole_batch: bool):
        """A flow of ``mode`` from cochain ``c`` (size,) and ``network`` with the current
        pins, rates and data (the one place flows are built, so a resumed flow is built
        exactly like the running one was). Core errors propagate."""
        if mode == "relax":
            return engine.heat_flow(network, self.pins, c, alpha=self.alpha, dt=self.dt,
                                    layout=self.layout, force=self.preset.output_force)
        X, Y = self._joint_batch(c, whole_batch)
        return engine.joint_flow(network, X, Y, alpha=self.alpha, beta=self.beta, dt=self.dt,
                                 mode=self.train_mode, force=self.preset.output_force)

    def _ensure_flow(self) -> bool:
        """Create the flow for the current mode and state if needed; False (and a message)
        when the core refuses (e.g. an unstable Δt)."""
        if self.flow is not None:
            return True
        try:
            self.flow = self._new_flow(self.mode, self.network, self.c, self.whole_batch)
            self._flow_t0, self._flow_steps0 = self.t, self.steps
        except Exception as exc:  # noqa: BLE001
            self.flow = None
            self.pause()
            self.message.emit(str(exc), "error")
            return False
        return True

    def _shown_row(self) -> int:
        return self.example if (self.dataset is not None and self.whole_batch) else 0

    def advance(self, n: int, *, budget_s: float | None = None) -> bool:
        """Advance the flow by ``n`` steps and refresh; return True when it converged.

        With ``budget_s`` the steps are taken in chunks and the frame stops early once the
        budget is spent (so a slow mode, e.g. adiabatic training on a big batch, lowers the
        steps per frame instead of freezing the window).
        """
        if not self._ensure_flow():
            return False
        converged = False
        start = _time.perf_counter()
        done, chunk = 0, 1 if budget_s is not None else int(n)
        try:
            while done < n and not converged:
                k = min(chunk, int(n) - done)
                converged = bool(self.flow.advance(k))
                done += k
                spent = _time.perf_counter() - start
                if budget_s is not None:
                    if spent >= budget_s:
                        break
                    per_step = spent / done
                    chunk = max(1, int((budget_s - spent) / max(per_step, 1e-9)))
        except engine.CORE_ERRORS as exc:
            self.pause()
            self.message.emit(str(exc), "error")
        self._pull_state()
        self._refresh()
        return converged

    def _pull_state(self) -> None:
        f = self.flow
        if self.mode == "relax":
            self.c = np.array(f.cochain, dtype=float)
        else:
            self.network = f.network
            self.c = np.array(f.cochains[self._shown_row()], dtype=float)
        self.t = self._flow_t0 + float(f.time)
        self.steps = self._flow_steps0 + int(f.steps)

    def tick(self) -> None:
        """One animation frame: advance by steps-per-frame and emit ``frameChanged``."""
        now = _time.perf_counter()
        self._frame_times.append(now)
        before = self.steps
        self._in_tick = True
        try:
            converged = self.advance(self.steps_per_frame, budget_s=FRAME_BUDGET_S)
            fps = self.fps
            if np.isfinite(fps):
                self.steps_per_second = fps * (self.steps - before)
            if converged and self.mode == "relax" and self.playing:
                self.pause()
                self.message.emit(f"Converged at t = {self.t:.4g} ({self.steps} steps).",
                                  "info")
            self.frameChanged.emit()
        finally:
            self._in_tick = False

    def step(self) -> None:
        """One frame's worth of steps while paused."""
        self.pause()
        self.advance(self.steps_per_frame)
        self.frameChanged.emit()
