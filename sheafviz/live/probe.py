"""Read-only views of a session's running flows, for diagnostics (the debug docks): the
joint flow's whole batch and the relaxation's ReLU switching events in the session clock.
Nothing here changes the session."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class JointBatch:
    """The batch the joint flow trains on, as it stands (arrays are copies).

    Attributes
    ----------
    network : Network, the weights the flow has reached
    X : ndarray (B, n_in) ; Y : ndarray (B, n_out), the pinned inputs and targets
    cochains : ndarray (B, size), one relaxed state per example
    steps : int, the session's step clock (the joint mode's)
    time : float, the session's flow time (the joint mode's)
    force : str, the output force ("energy" or "cross-entropy")
    """

    network: object
    X: np.ndarray
    Y: np.ndarray
    cochains: np.ndarray
    steps: int
    time: float
    force: str


def joint_batch(s) -> JointBatch | None:
    """The joint flow's batch of session ``s``; None until the joint flow has been built
    (the first step in joint mode)."""
    ms = s._modes.get("joint")
    flow = None if ms is None else ms.flow
    if flow is None:
        return None
    return JointBatch(network=flow.network, X=np.array(flow.X, dtype=float),
                      Y=np.array(flow.Y, dtype=float),
                      cochains=np.array(flow.cochains, dtype=float), steps=int(ms.steps),
                      time=float(ms.t), force=str(getattr(flow, "force", "energy")))


def switch_events(s) -> tuple[float, list]:
    """The relaxation's ReLU switching events since its flow was last built.

    Returns
    -------
    (t_start, events) : float, the session time the flow started at (the current time
        when no flow runs); list of :class:`~sheafviz.core.flows.events.SwitchEvent`
        with ``time`` and ``t_end`` in the session clock
    """
    ms = s._modes["relax"]
    flow = ms.flow
    if flow is None or not hasattr(flow, "events"):
        return float(ms.t), []
    offset = float(ms.flow_t0)
    return offset, [dataclasses.replace(e, time=e.time + offset,
                                        t_end=None if e.t_end is None else e.t_end + offset)
                    for e in flow.events]
