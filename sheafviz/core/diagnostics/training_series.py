"""Training over time: the joint flow against gradient descent, and the series the plots draw.

:func:`compare_training` runs both trainings from the same weights; :func:`history_series`
turns a :class:`~sheafviz.core.flows.trainmetrics.TrainingHistory` into masked arrays, and
:class:`TrainingMonitor` records the same for a flow created with recording off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.backprop import forward_loss
from sheafviz.core.model.network import Network
from sheafviz.core.solvers.spectrum import SINGULAR_RTOL
from sheafviz.core.diagnostics.gradients import GRADIENT_RTOL, GradientComparison, compare_gradients


@dataclass(frozen=True)
class TrainingComparison:
    """Forward losses of the two trainings at the same recorded steps.

    Attributes
    ----------
    steps : ndarray (n,) int
    sheaf_loss, gd_loss : ndarray (n,), forward loss (MSE or mean CE)
    sheaf_residual : ndarray (n,), batch-mean E of the joint flow's stalks
    gd_residual : ndarray (n,), batch-mean two-sided R of the GD weights
    sheaf_network, gd_network : Network, the final weights
    """

    steps: np.ndarray
    sheaf_loss: np.ndarray
    gd_loss: np.ndarray
    sheaf_residual: np.ndarray
    gd_residual: np.ndarray
    sheaf_network: Network
    gd_network: Network


def compare_training(network: Network, X: np.ndarray, Y: np.ndarray, *, steps: int,
                     record_every: int = 10, alpha: float = 1.0, beta: float | None = None,
                     dt: float = 0.005, lr: float | None = None, force: str = "energy"
                     ) -> TrainingComparison:
    """Train the same initial weights by the paper-mode joint flow and by full-batch GD.

    Both runs are :class:`~sheafviz.core.flows.training.JointFlow` (modes ``"paper"`` and ``"gd"``;
    ``lr`` None → ``Δt·β·B``, the same effective rate).

    Raises
    ------
    FlowDivergedError, UnstableStepError
        From the flows (the message says which and where).
    """
    from sheafviz.core.flows.training import JointFlow

    kw = dict(alpha=alpha, beta=beta, dt=dt, force=force, record_every=int(record_every),
              spectrum_every=1 << 40)
    sheaf = JointFlow(network, X, Y, mode="paper", **kw)
    gd = JointFlow(network, X, Y, mode="gd", lr=lr, **kw)
    sheaf.advance(int(steps))
    gd.advance(int(steps))
    hs, hg = sheaf.history, gd.history
    return TrainingComparison(np.array(hs.step), np.array(hs.train_loss),
                              np.array(hg.train_loss), np.array(hs.residual),
                              np.array(hg.residual), sheaf.network, gd.network)


# ============================================================================================
# series out of a JointFlow's TrainingHistory
# ============================================================================================
def _masked(rows) -> tuple[np.ndarray, np.ndarray]:
    rows = [list(r) for r in rows]
    width = max((len(r) for r in rows), default=0)
    values, mask = np.zeros((len(rows), width)), np.zeros((len(rows), width), dtype=bool)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None and np.isfinite(v):
                values[i, j], mask[i, j] = float(v), True
    return values, mask


def history_series(history) -> dict:
    """Arrays for the plots from a :class:`~sheafviz.core.flows.trainmetrics.TrainingHistory`.

    Returns
    -------
    dict with
    "step" (n,), "train_loss" (n,), "residual" (n,);
    "grad_cosine", "grad_ratio" (n, L) with masks "grad_cosine_defined", "grad_ratio_defined";
    "spectrum_step" (m,), "lambda_min", "lambda_max", "condition" (m, 3) as
    (median, q25, q75) columns, with "condition_defined" (m,) bool
    """
    cos, cos_ok = _masked(history.grad_cosine)
    ratio, ratio_ok = _masked(history.grad_norm_ratio)
    # a sheaf gradient at round-off level (exactly 0 in theory, e.g. at the forward pass)
    # has no direction: the same rule as compare_gradients' rtol
    if ratio.shape == cos.shape:
        noise = ratio_ok & (ratio <= GRADIENT_RTOL)
        cos_ok &= ~noise
        ratio_ok &= ~noise
    out = {"step": np.asarray(history.step, dtype=float),
           "train_loss": np.asarray(history.train_loss, dtype=float),
           "residual": np.asarray(history.residual, dtype=float),
           "grad_cosine": cos, "grad_cosine_defined": cos_ok,
           "grad_ratio": ratio, "grad_ratio_defined": ratio_ok,
           "spectrum_step": np.asarray(history.spectrum_step, dtype=float)}
    for key in ("lambda_min", "lambda_max", "condition"):
        vals, ok = _masked(getattr(history, key))
        out[key] = vals.reshape(-1, 3) if vals.size else np.zeros((0, 3))
        if key == "condition":
            out["condition_defined"] = ok.all(axis=1) if ok.size else np.zeros(0, dtype=bool)
    return out


class TrainingMonitor:
    """Records over training what a JointFlow's ``TrainingHistory`` holds, for a flow that
    was created with recording off (the GUI's flows): per-layer gradient comparison and
    λ_1 / λ_max / κ statistics across a fixed subsample of inputs.

    The spectrum follows :func:`~sheafviz.core.flows.trainmetrics.free_lambdas` (x pinned, σ of the
    forward pass: the inference Laplacian), like the CLI's history. :meth:`series` returns
    the dictionary of :func:`history_series`.

    Parameters
    ----------
    n_inputs : int, the batch size B; spectrum_subsample : int; seed : int (the subsample)
    """

    def __init__(self, n_inputs: int, *, spectrum_subsample: int = 16, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        k = min(int(spectrum_subsample), int(n_inputs))
        self.subsample = np.sort(rng.choice(int(n_inputs), size=k, replace=False))
        self._g_step, self._cos, self._ratio, self._loss = [], [], [], []
        self._s_step, self._lmin, self._lmax, self._cond = [], [], [], []

    def record_gradients(self, step: float, network: Network, X, Y, cochains, *,
                         force: str = "energy") -> GradientComparison:
        g = compare_gradients(network, X, Y, cochains, force=force)
        self._g_step.append(float(step))
        self._cos.append([float(c) if ok else None for c, ok in zip(g.cosine, g.defined)])
        self._ratio.append([float(r) if ok else None for r, ok in zip(g.ratio, g.defined)])
        self._loss.append(forward_loss(network.weights, network.biases, network.output,
                                       np.atleast_2d(X), np.atleast_2d(Y)))
        return g

    def record_spectrum(self, step: float, network: Network, X) -> None:
        from sheafviz.core.flows.trainmetrics import free_lambdas, median_spread

        X = np.atleast_2d(X)
        pairs = np.array([free_lambdas(network.weights, network.biases, network.output, X[i])
                          for i in self.subsample])
        lmin, lmax = pairs[:, 0], pairs[:, 1]
        self._s_step.append(float(step))
        self._lmin.append(median_spread(lmin))
        self._lmax.append(median_spread(lmax))
        singular = lmin <= SINGULAR_RTOL * np.maximum(lmax, 1.0)
        self._cond.append(None if singular.any() else median_spread(lmax / lmin))

    def series(self) -> dict:
        """The arrays of :func:`history_series` (no "residual": zeros)."""
        from types import SimpleNamespace

        cond = [c if c is not None else (None, None, None) for c in self._cond]
        h = SimpleNamespace(step=self._g_step, train_loss=self._loss,
                            residual=[0.0] * len(self._g_step), grad_cosine=self._cos,
                            grad_norm_ratio=self._ratio, spectrum_step=self._s_step,
                            lambda_min=self._lmin, lambda_max=self._lmax, condition=cond)
        return history_series(h)
