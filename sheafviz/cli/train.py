"""``sheafviz train``: run a :class:`~sheafviz.core.flows.training.JointFlow` and build its JSON document.

The document has ``steps`` (the total, an int), ``recorded_steps`` and, per recorded step,
``train_loss``, ``test_loss`` (None without test data), ``residual`` (the batch mean of E of
the current stalks; for gd the two-sided R of the current weights), ``objective``, and per
layer the cosine and norm ratio of the sheaf gradient against backprop (``grad_cosine``,
``grad_norm_ratio``; None where undefined); plus the run's settings, the last recorded
discords and the spectrum statistics (medians over a subsample of inputs).
"""

from __future__ import annotations

import math

from sheafviz.core.data.datasets import Dataset
from sheafviz.core.flows.flowcheck import FlowDivergedError
from sheafviz.core.flows.training import JointFlow
from sheafviz.core.model.network import Network

#: A training loss this many times the first recorded one (and above
#: :data:`EXPLODED_FLOOR`) means the run has exploded: it is stopped, not reported as done.
EXPLODED_FACTOR = 1e6
EXPLODED_FLOOR = 1e3


def paper_dt(network: Network) -> float:
    """The paper's Euler step: Δt = 0.005 with one hidden layer, 0.01 with two or more."""
    return 0.005 if network.n_hidden <= 1 else 0.01


def _check_loss(flow: JointFlow) -> None:
    """Raise FlowDivergedError when the recorded training loss is not finite or exploded."""
    losses = flow.history.train_loss
    if not losses:
        return
    first, last = float(losses[0]), float(losses[-1])
    limit = max(EXPLODED_FACTOR * abs(first), EXPLODED_FLOOR)
    if not math.isfinite(last) or last > limit:
        hint = ("lower Δt or β" if flow.mode == "paper" else "lower the learning rate")
        raise FlowDivergedError(
            f"the training loss exploded to {last:.3g} by step {flow.steps} (it started at "
            f"{first:.3g}); stopped. {hint.capitalize()}")


def _watched(flow_ref: list, progress):
    """A progress callback that also stops an exploding run."""
    def call(done: int, total: int) -> None:
        _check_loss(flow_ref[0])
        if progress is not None:
            progress(done, total)
    return call


def run_training(network: Network, data: Dataset, *, mode: str, alpha: float, beta: float,
                 dt: float | None, optimizer: str, lr: float | None, force: str, steps: int,
                 record_every: int, progress=None) -> tuple[JointFlow, dict]:
    """Train ``network`` on ``data`` for ``steps`` steps; return the flow and its document.

    Raises
    ------
    UnstableStepError, FlowDivergedError (from the flow)
    """
    dt = paper_dt(network) if dt is None else dt
    has_test = data.X_test.shape[0] > 0
    flow = JointFlow(network, data.X, data.Y, mode=mode, alpha=alpha, beta=beta, dt=dt,
                     optimizer=optimizer, lr=lr, force=force, record_every=record_every,
                     X_test=data.X_test if has_test else None,
                     Y_test=data.Y_test if has_test else None)
    history = flow.run(steps, progress=_watched([flow], progress))
    _check_loss(flow)
    last = -1 if history.step else None
    doc = {
        "arch": list(network.arch), "output": network.output, "mode": mode,
        "alpha": alpha, "beta": flow.beta, "dt": dt, "optimizer": optimizer, "lr": flow.lr,
        "force": force, "n_train": data.n_train, "n_test": int(data.X_test.shape[0]),
        "steps": int(flow.steps),
        "recorded_steps": [int(s) for s in history.step],
        "train_loss": list(history.train_loss),
        "test_loss": list(history.test_loss),
        "residual": list(history.residual),
        "objective": list(history.objective),
        "discord_by_type": history.discord_by_type[last] if last is not None else None,
        "discord_by_layer": ({str(k): v for k, v in history.discord_by_layer[last].items()}
                             if last is not None else None),
        "spectrum_steps": [int(s) for s in history.spectrum_step],
        "lambda_min_median": [s[0] for s in history.lambda_min],
        "lambda_max_median": [s[0] for s in history.lambda_max],
        "condition_median": [s[0] for s in history.condition],
        "grad_cosine": [list(v) for v in history.grad_cosine],
        "grad_norm_ratio": [list(v) for v in history.grad_norm_ratio],
        "warnings": list(history.warnings),
    }
    return flow, doc
