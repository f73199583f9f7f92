"""One flow mode's own state: what "relax" and "joint" each keep while the other runs.

Switching the session's mode never touches the other mode's :class:`ModeState`, so going
relax → joint → relax finds the relaxation exactly where it was (cochain, clock, history,
and the running heat flow with its sliding set and switch tracking).
"""

from __future__ import annotations

import numpy as np

from sheafviz.live.frame import History
from sheafviz.live.trajectory import Trajectory


class ModeState:
    """State of one flow mode.

    Attributes
    ----------
    kind : {"relax", "joint"}
    cochain : ndarray (size,), the shown state (joint: the shown example's cochain)
    flow : HeatFlow | JointFlow | None, the running flow (None: built on the next step)
    flow_key : tuple, what the flow was built from (weights version, pins version, ...):
        a flow whose key no longer matches is rebuilt from the current state
    t, steps : float, int, the clock of this mode
    flow_t0, flow_steps0 : the clock when the flow was built (t = flow_t0 + flow.time)
    history : History, energy and discords over time, with the switching events
    segment : (t0, E0) or None, the start of the current energy envelope
    sign : ndarray bool or None, the hidden signs of the last recorded state
    trajectory : Trajectory, the recorded states (rewind)
    position : int or None, the recorded state shown after a seek (the later ones are
        forgotten when the flow records again)
    """

    def __init__(self, kind: str, cochain: np.ndarray, n_edges: int) -> None:
        self.kind = kind
        self.cochain = np.array(cochain, dtype=float)
        self.flow = None
        self.flow_key: tuple | None = None
        self.n_edges = int(n_edges)
        self.history = History(self.n_edges)
        self.trajectory = Trajectory()
        self.restart_clock()

    def restart_clock(self) -> None:
        """Clock to 0, no flow, empty history and trajectory (a reset)."""
        self.t, self.steps = 0.0, 0
        self.flow, self.flow_key = None, None
        self.flow_t0, self.flow_steps0 = 0.0, 0
        self.history.clear()
        self.trajectory.clear()
        self.segment = None
        self.sign = None
        self.position = None

    def drop_flow(self) -> None:
        """Forget the running flow (the next step builds one from the current state)."""
        self.flow, self.flow_key = None, None

    def attach(self, flow, key: tuple) -> None:
        """Make ``flow`` (built from the current state) the running flow."""
        self.flow, self.flow_key = flow, key
        self.flow_t0, self.flow_steps0 = self.t, self.steps

    def pull_clock(self) -> None:
        """The clock after the running flow has stepped."""
        self.t = self.flow_t0 + float(self.flow.time)
        self.steps = self.flow_steps0 + int(self.flow.steps)

    def record(self, energy: float, discords: np.ndarray, z_index: np.ndarray,
               network=None) -> None:
        """Push the current state into the history (and a switching event per flipped
        hidden sign, at most 8) and the trajectory."""
        sign = self.cochain[z_index] >= 0
        if self.sign is not None and self.sign.shape == sign.shape:
            for _ in np.flatnonzero(self.sign != sign)[:8]:
                self.history.add_event(self.t, energy)
        self.sign = sign
        if self.position is not None:  # stepping on from a rewound state
            self.trajectory.truncate_after(self.position)
            self.position = None
        self.history.append(self.t, energy, discords, force=self.history.n < 2)
        if self.segment is None:
            self.segment = (self.t, energy)
        self.trajectory.record(self.t, self.steps, self.cochain, network,
                               weights_move=self.kind == "joint")

    # -- saving ------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """Arrays and numbers of this mode (copies), for a saved session.

        Returns
        -------
        dict with ``cochain`` (size,), ``t``, ``steps``, ``flow`` (the running flow's
        ``state_dict()`` or None), ``flow_t0``, ``flow_steps0``, ``segment`` ([t0, E0] or
        None), ``history`` (:meth:`History.state_dict`) and ``sign`` (the hidden signs of
        the last recorded state, bool, or None: where the next switching event is seen)
        """
        return {"cochain": self.cochain.copy(), "t": float(self.t), "steps": int(self.steps),
                "flow": self.flow.state_dict() if self.flow is not None else None,
                "flow_t0": float(self.flow_t0), "flow_steps0": int(self.flow_steps0),
                "segment": list(self.segment) if self.segment is not None else None,
                "history": self.history.state_dict(),
                "sign": None if self.sign is None else np.array(self.sign, dtype=bool)}

    @classmethod
    def from_state(cls, kind: str, state: dict, size: int, n_edges: int) -> "ModeState":
        """A mode state holding :meth:`state_dict` ``state``; the saved flow state is kept
        in :attr:`saved_flow` for the session to load into a rebuilt flow.

        Raises
        ------
        ValueError
            A cochain of the wrong size or not finite, or a history that does not fit.
        """
        c = np.array(state.get("cochain"), dtype=float)
        if c.shape != (size,) or not np.all(np.isfinite(c)):
            raise ValueError(f"state: the {kind} cochain must be {size} finite numbers")
        ms = cls(kind, c, n_edges)
        ms.history = History.from_state(state.get("history"), n_edges)
        ms.t, ms.steps = float(state.get("t", 0.0)), int(state.get("steps", 0))
        ms.flow_t0 = float(state.get("flow_t0", 0.0))
        ms.flow_steps0 = int(state.get("flow_steps0", 0))
        seg = state.get("segment")
        ms.segment = (float(seg[0]), float(seg[1])) if seg else None
        sign = state.get("sign")
        ms.sign = None if sign is None else np.array(sign, dtype=bool)
        ms.saved_flow = state.get("flow")
        return ms

    saved_flow: dict | None = None
