"""The controller's flow state as data: export it, restore it, or move to a recorded one.

Mixed into :class:`~sheafviz.gui.controller.Controller`. The settings (preset, data, pins,
rates, steps per frame) come from :meth:`Controller.open` and the parameter intents; what is
here is the *state* on top of them: the cochain, the weights, the clock, the running flow's
own state (:meth:`HeatFlow.state_dict <sheafviz.core.flows.heat.HeatFlow.state_dict>`, the same on
``JointFlow``), the energy history and the envelope's segment. Saving and reopening a
session (:mod:`.lecture.session_io`) and the rewind bar (:mod:`.lecture.rewind`) use only
these methods.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.flowstate import FlowStateError
from .params import MODES
from .state import History


class SavedState:
    """``export_state`` / ``restore_state`` (same next steps bit for bit) and ``seek``."""

    def export_state(self) -> dict:
        """Everything the picture and the next steps depend on beyond the settings.

        Returns
        -------
        dict with ``mode`` ("relax" / "joint"), ``network`` (Network, the current weights),
        ``cochain`` (size,), ``t``, ``steps``, ``whole_batch``, ``flow`` (the running
        flow's ``state_dict()`` or None), ``flow_t0``, ``flow_steps0`` (clock when the flow
        started: t = flow_t0 + flow.time), ``segment`` ([t0, E0] of the envelope or None)
        and ``history`` (:meth:`History.state_dict`). Arrays are copies.
        """
        return {"mode": self.mode, "network": self.network,
                "cochain": np.array(self.c, dtype=float), "t": float(self.t),
                "steps": int(self.steps), "whole_batch": bool(self.whole_batch),
                "flow": self.flow.state_dict() if self.flow is not None else None,
                "flow_t0": float(self._flow_t0), "flow_steps0": int(self._flow_steps0),
                "segment": list(self._segment) if self._segment is not None else None,
                "history": self.history.state_dict()}

    def restore_state(self, state: dict) -> None:
        """Resume ``state`` (from :meth:`export_state`) on the current settings: open the
        same preset, data and pins and set the same rates first.

        Everything (cochain, history, the flow and its saved state) is built and checked
        before anything changes. Emits ``sessionChanged``, ``paramsChanged``,
        ``pinsChanged``, ``selectionChanged`` and ``frameChanged`` (the whole picture is new).

        Raises
        ------
        ValueError
            A state that does not fit this session; ``FlowStateError`` when the saved flow
            cannot be resumed (a mismatched flow state, or a flow the core refuses). The
            controller is then unchanged.
        """
        mode = state.get("mode")
        if mode not in MODES:
            raise ValueError(f"state: mode {mode!r} is not one of {MODES}")
        network = state.get("network")
        network = self.network if network is None else network
        if tuple(network.arch) != tuple(self.layout.arch):
            raise ValueError(f"state: a {list(network.arch)} network does not fit this "
                             f"{list(self.layout.arch)} session")
        c = np.array(state.get("cochain"), dtype=float)
        if c.shape != (self.layout.size,) or not np.all(np.isfinite(c)):
            raise ValueError(f"state: the cochain must be {self.layout.size} finite numbers")
        history = History.from_state(state.get("history"), len(self.layout.edges))
        whole_batch = bool(state.get("whole_batch")) and self.dataset is not None
        flow = None
        if state.get("flow") is not None:
            try:
                flow = self._new_flow(mode, network, c, whole_batch)
                flow.load_state(state["flow"])
            except (ValueError, ArithmeticError) as exc:  # FlowStateError is a ValueError
                raise FlowStateError(f"state: the saved flow cannot be resumed ({exc})") \
                    from None
        seg = state.get("segment")
        self.pause()
        self.network, self.whole_batch, self.mode = network, whole_batch, mode
        self._after_pins_changed(solve=mode == "relax", refresh=False)  # for these weights
        self.c, self.t, self.steps = c, float(state.get("t", 0.0)), int(state.get("steps", 0))
        self.flow, self.history = flow, history
        self._flow_t0 = float(state.get("flow_t0", 0.0))
        self._flow_steps0 = int(state.get("flow_steps0", 0))
        self._segment, self._sign = None, None
        self._refresh(record=False)
        self._segment = (float(seg[0]), float(seg[1])) if seg else None
        for signal in (self.sessionChanged, self.paramsChanged, self.pinsChanged,
                       self.selectionChanged, self.frameChanged):
            signal.emit()

    def seek(self, t: float, steps: int, c: np.ndarray, network=None) -> None:
        """Show a recorded state (paused): cochain ``c`` (size,) at time ``t`` after
        ``steps`` steps, with ``network`` (the weights of that moment; None keeps the current). The energy
        history is cut at ``t``; the next frame starts a fresh flow from this state (the
        flow's own state, e.g. optimizer moments, is not recorded). Emits ``frameChanged``.
        """
        c = np.array(c, dtype=float)
        if c.shape != (self.layout.size,):
            raise ValueError(f"seek: the cochain must have {self.layout.size} entries, "
                             f"got {c.shape}")
        self.pause()
        if network is not None and network is not self.network:
            self.network = network  # recorded before a weight edit, or during training
            if self.mode == "relax":  # R, the envelope and "jump" use these weights' solve
                self._after_pins_changed(solve=True, refresh=False)
        self.c, self.t, self.steps = c, float(t), int(steps)
        self.flow = None
        self.history.truncate_after(self.t)
        self._segment = None
        self._refresh(record=False)
        self.frameChanged.emit()
