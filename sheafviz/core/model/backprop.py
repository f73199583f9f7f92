"""Ordinary backpropagation on the forward loss (the baseline sheaf training is compared with).

Losses: for an identity head the squared error ``ℓ_i = Σ_o (ŷ_io − y_io)²``, for
sigmoid / softmax heads the cross-entropy ``ℓ_i = CE(y_i, φ(z_i))``. The reported forward
loss is the MSE (mean over samples *and* outputs) or the CE mean over samples; the gradient
functions take an explicit ``scale`` so callers state the convention they compare against.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.forces import cross_entropy, phi_vjp
from sheafviz.core.model.network import phi

LOSS_KINDS = ("squared", "ce")


def default_kind(output: str) -> str:
    """The forward loss: squared error for identity, CE otherwise."""
    return "squared" if output == "identity" else "ce"


def forward_loss(weights, biases, output: str, X: np.ndarray, Y: np.ndarray) -> float:
    """MSE (identity; mean over samples and outputs, no ½) or CE mean over samples."""
    z = _forward(weights, biases, X)[0][-1]
    if output == "identity":
        return float(np.mean((z - Y) ** 2))
    return float(np.mean(cross_entropy(z, Y, output)))


def _forward(weights, biases, X):
    zs, acts = [], [X]
    a = X
    for l, (w, b) in enumerate(zip(weights, biases), start=1):
        z = a @ w.T + b
        zs.append(z)
        if l < len(weights):
            a = np.maximum(z, 0.0)
            acts.append(a)
    return zs, acts


def backprop(weights, biases, output: str, X: np.ndarray, Y: np.ndarray, *,
             kind: str | None = None, scale: float = 1.0):
    """Loss ``scale · Σ_i ℓ_i`` and its gradients by backpropagation.

    Parameters
    ----------
    weights, biases : lists of ndarray (n_l, n_{l-1}) and (n_l,)
    output : {"identity", "sigmoid", "softmax"}
    X : ndarray (B, n0); Y : ndarray (B, n_out)
    kind : {"squared", "ce"}, default :func:`default_kind`
        ``squared`` is ``Σ_o (φ(z) − y)²`` (through J_φ for a nonlinear head).
    scale : float, e.g. ``1/(B·n_out)`` for the MSE, ``1/B`` for mean CE, ``½`` for ½SSE

    Returns
    -------
    loss : float
    grad_w : list of ndarray, same shapes as ``weights``
    grad_b : list of ndarray, same shapes as ``biases``
    """
    kind = default_kind(output) if kind is None else kind
    if kind not in LOSS_KINDS:
        raise ValueError(f"unknown loss kind {kind!r}; expected one of {LOSS_KINDS}")
    zs, acts = _forward(weights, biases, X)
    z = zs[-1]
    if kind == "ce":
        if output == "identity":
            raise ValueError("cross-entropy needs a sigmoid or softmax head")
        p = phi(z, output)
        loss = scale * float(np.sum(cross_entropy(z, Y, output)))
        delta = scale * (p - Y)  # dCE/dz, the logit gradient
    else:
        p = phi(z, output)
        diff = p - Y
        loss = scale * float(np.sum(diff * diff))
        delta = 2.0 * scale * phi_vjp(z, p, diff, output)
    grad_w, grad_b = [None] * len(weights), [None] * len(weights)
    for l in range(len(weights) - 1, -1, -1):
        grad_w[l] = delta.T @ acts[l]
        grad_b[l] = delta.sum(axis=0)
        if l > 0:
            delta = (delta @ weights[l]) * (zs[l - 1] >= 0)
    return loss, grad_w, grad_b
