"""Building the session's flows: the one place a heat flow or a joint flow is made, so a
flow resumed from a saved session is built exactly like the running one was.

The session's own traces do the recording (:class:`~sheafviz.live.frame.History`), so the
flows record (almost) nothing: over a long animation their own traces would grow without
bound (and the joint flow computes spectra whenever it records).
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.heat import FlowDivergedError, HeatFlow, UnstableStepError
from sheafviz.core.flows.training import JointFlow
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

#: Errors a flow or a solve may raise that the session turns into a message.
CORE_ERRORS = (UnstableStepError, FlowDivergedError, ValueError, ArithmeticError,
               np.linalg.LinAlgError, RuntimeError)
_NO_TRACE = 1 << 62


def heat_flow(network, pins: PinSet, c0: np.ndarray, *, rates, layout: SheafLayout,
              force: str) -> HeatFlow:
    """A heat flow (SPEC §8) from cochain ``c0`` (size,); UnstableStepError for a bad Δt."""
    return HeatFlow(network, pins, c0, alpha=rates.alpha, dt=rates.dt, layout=layout,
                    record_every=_NO_TRACE, force=force)


def joint_batch(layout: SheafLayout, pins: PinSet, data, example: int | None,
                relax_cochain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The training batch ``(X (B, n0), Y (B, n_out))``: the whole data set (``example``
    None), one example of it, or without data the pinned x and y (one pair).

    Raises
    ------
    ValueError
        No data and x or y not fully pinned.
    """
    if data is not None:
        if example is None:
            return data.X, data.Y
        return data.X[example:example + 1], data.Y[example:example + 1]
    if not (pins.stalk_pinned(layout, "x") and pins.stalk_pinned(layout, "y")):
        raise ValueError("the joint flow needs x and y pinned (a training pair) or data")
    c = pins.apply(layout, relax_cochain)
    return (c[layout.vertex("x").slice][None, :].copy(),
            c[layout.vertex("y").slice][None, :].copy())


def joint_flow(network, X: np.ndarray, Y: np.ndarray, *, rates, training,
               force: str) -> JointFlow:
    """A joint state–parameter flow (SPEC §10) on the batch ``X``, ``Y``."""
    return JointFlow(network, X, Y, mode=training.mode, alpha=rates.alpha, beta=rates.beta,
                     dt=rates.dt, optimizer=training.optimizer, lr=training.lr, force=force,
                     record_every=_NO_TRACE)


def shown_row(data, example: int | None, shown: int) -> int:
    """Row of the joint flow's batch that is shown: 0 for a batch of one, else ``shown``."""
    if data is None or example is not None:
        return 0
    return int(np.clip(shown, 0, data.n_train - 1))
