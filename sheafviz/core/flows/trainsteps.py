"""The adiabatic and gd modes' parameter steps: batch equilibria, gradients, optimizer steps."""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.backprop import backprop, default_kind
from sheafviz.core.solvers.batchsolve import two_sided_batch


def batch_equilibria(stepper, output: str, X: np.ndarray, Y: np.ndarray, *, force: str,
                     previous=None):
    """The two-sided equilibria of the B examples (X (B, n0), Y (B, n_out)) under the
    stepper's θ; warm-started from the patterns and output of ``previous`` equilibria."""
    kw = {}
    if previous is not None:
        kw = dict(sigma0=[(z >= 0).astype(float) for z in previous.z[:-1]],
                  z0=previous.z[-1])
    return two_sided_batch(stepper.weights, stepper.biases, output, X, Y, force=force, **kw)


def set_gradient(stepper, grad_w, grad_b, scale: float) -> None:
    """Put ``scale`` · (grad_w, grad_b) (lists of (n_l, n_{l-1}) and (n_l,)) into the
    stepper's flat gradient buffer ``G``."""
    for g, gw, gb in zip(stepper.gWb, grad_w, grad_b):
        g[:, :-1] = gw
        g[:, -1] = gb
    stepper.G *= scale


def adiabatic_update(stepper, eq, X: np.ndarray, opt) -> None:
    """One optimizer step on the mean sheaf-loss gradient at the equilibria ``eq``."""
    gw, gb = eq.param_gradient(X)
    set_gradient(stepper, gw, gb, 1.0 / len(X))
    opt.step(stepper.P, stepper.G)


def gd_update(stepper, output: str, X: np.ndarray, Y: np.ndarray, opt) -> None:
    """One optimizer step on the backprop gradient of the mean forward loss (MSE over
    samples and outputs for an identity head, mean cross-entropy otherwise)."""
    kind = default_kind(output)
    scale = 1.0 / (len(X) * (Y.shape[1] if kind == "squared" else 1))
    _, gw, gb = backprop(stepper.weights, stepper.biases, output, X, Y, kind=kind,
                         scale=scale)
    set_gradient(stepper, gw, gb, 1.0)
    opt.step(stepper.P, stepper.G)
