"""The parameter intents of the controller (rates, speed, mode, training example), kept
apart from the session and flow logic of :mod:`controller` (mixed into ``Controller``)."""

from __future__ import annotations

import numpy as np

MODES = ("relax", "joint")


class ParamIntents:
    """α, β, Δt, steps per frame, relax/joint mode, example / whole batch.

    Mixed into :class:`~sheafviz.gui.controller.Controller`, whose state and signals
    (``paramsChanged``, ``frameChanged``, ``pinsChanged``, ``message``) these methods use.
    """

    def _set_param(self, name: str, value: float, *, minimum: float = 0.0) -> None:
        value = float(value)
        if not np.isfinite(value) or value <= minimum:
            self.message.emit(f"{name} must be a positive number, got {value:g}", "error")
            self.paramsChanged.emit()
            return
        old = getattr(self, name)
        setattr(self, name, value)
        if self.flow is not None and self.mode == "relax" and name in ("alpha", "dt") \
                and hasattr(self.flow, "set_rates"):
            try:
                self.flow.set_rates(**{name: value})
            except Exception as exc:  # noqa: BLE001
                setattr(self, name, old)
                self.flow.set_rates(**{name: old})
                self.message.emit(str(exc), "error")
        else:
            self._restart_flow_here()
        self.paramsChanged.emit()

    def _restart_flow_here(self) -> None:
        """Drop the flow; the next frame re-creates it from the current state."""
        if self.flow is not None and self.mode == "joint":
            self.network = self.flow.network
        self.flow = None
        if self.playing and not self._ensure_flow():
            self.pause()

    def set_alpha(self, v: float) -> None:
        self._set_param("alpha", v)

    def set_beta(self, v: float) -> None:
        self._set_param("beta", v)

    def set_dt(self, v: float) -> None:
        self._set_param("dt", v)

    def set_steps_per_frame(self, n: int) -> None:
        self.steps_per_frame = max(1, int(n))
        self.paramsChanged.emit()

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        if mode == self.mode:
            return
        playing = self.playing
        self.pause()
        if self.mode == "joint" and self.flow is not None:
            self.network = self.flow.network
        self.mode = mode
        self.flow = None
        self._segment = None
        if mode == "relax":
            self._after_pins_changed(solve=True)
        elif not self._ensure_flow():
            self.mode = "relax"
        self.paramsChanged.emit()
        self.frameChanged.emit()
        if playing:
            self.play()

    def _pin_example(self) -> None:
        x, y = self.dataset.example(self.example)
        self.pins = self.pins.pin(self.layout, "x", x).pin(self.layout, "y", y)

    def set_example(self, i: int) -> None:
        """Pin training pair ``i`` of the data set at x and y."""
        if self.dataset is None:
            return
        i = int(np.clip(i, 0, self.dataset.n_train - 1))
        self.example = i
        if self.mode == "joint":
            self._restart_flow_here()
            if self.flow is not None:
                self._pull_state()
            self._refresh()
        else:
            self._pin_example()
            self.c = self.pins.apply(self.layout, self.c)
            self._after_pins_changed(solve=True)
            self.pinsChanged.emit()
        self.paramsChanged.emit()
        self.frameChanged.emit()

    def set_whole_batch(self, on: bool) -> None:
        self.whole_batch = bool(on) and self.dataset is not None
        if self.mode == "joint":
            self._restart_flow_here()
        self.paramsChanged.emit()
