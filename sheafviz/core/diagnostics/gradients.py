"""The sheaf parameter gradient against backprop, per layer, at one state."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.backprop import backprop
from sheafviz.core.model.network import Network
from sheafviz.core.model.sheaf import SheafLayout

#: A sheaf gradient with ‖g_s‖ ≤ this × ‖g_b‖ is round-off: its cosine is undefined.
GRADIENT_RTOL = 1e-9


def sheaf_parameter_gradient(layout: SheafLayout, network: Network, cochains: np.ndarray):
    """``Σ_i ∇_θ E(c_i; θ)``: ``∇_{W_l} = Σ_i ρ_l a_{l−1}ᵀ``, ``∇_{b_l} = Σ_i ρ_l``.

    Parameters
    ----------
    cochains : ndarray (B, size) or (size,)

    Returns
    -------
    grad_w, grad_b : lists of ndarray shaped like ``network.weights`` / ``network.biases``
    """
    st = layout.split(np.atleast_2d(np.asarray(cochains, dtype=float)))
    grad_w, grad_b = [], []
    for l, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        prev = st["x" if l == 1 else f"a{l - 1}"]
        rho = prev @ w.T + b - st[f"z{l}"]
        grad_w.append(rho.T @ prev)
        grad_b.append(rho.sum(axis=0))
    return grad_w, grad_b


@dataclass(frozen=True)
class GradientComparison:
    """Per layer l = 1..K+1: the sheaf gradient g_s against the backprop gradient g_b of
    ``[W_l, b_l]`` taken together.

    Attributes
    ----------
    cosine : ndarray (L,), ``⟨g_s, g_b⟩ / (‖g_s‖‖g_b‖)`` (0 where undefined)
    ratio : ndarray (L,), ``‖g_s‖ / ‖g_b‖`` (0 where undefined)
    defined : ndarray (L,) bool, both norms positive
    sheaf_norm, backprop_norm : ndarray (L,)
    loss_kind : str, the backprop loss compared against
    """

    cosine: np.ndarray
    ratio: np.ndarray
    defined: np.ndarray
    sheaf_norm: np.ndarray
    backprop_norm: np.ndarray
    loss_kind: str


def compare_gradients(network: Network, X: np.ndarray, Y: np.ndarray, cochains: np.ndarray, *,
                      layout: SheafLayout | None = None, force: str = "energy",
                      rtol: float | None = None) -> GradientComparison:
    """Cosine and norm ratio of the sheaf gradient against backprop, per layer.

    The backprop loss is the one the sheaf's output edge stands for, summed over the batch
    like the sheaf gradient: ``½ Σ_i ‖φ(z_i) − y_i‖²`` for the energy force, ``Σ_i CE`` for
    the cross-entropy force. Then at a two-sided equilibrium with small tension the two
    agree up to the sharing factor (the ratio is at most about 1).

    Parameters
    ----------
    X : ndarray (B, n0); Y : ndarray (B, n_out); cochains : ndarray (B, size), the stalks
    force : {"energy", "cross-entropy"}
    rtol : float, a layer's comparison is undefined when ``‖g_s‖ ≤ rtol·‖g_b‖`` (a sheaf
        gradient at round-off level, e.g. at the forward pass where it is exactly 0) or
        ``‖g_b‖ = 0``
    """
    layout = layout if layout is not None else SheafLayout(network.arch)
    rtol = GRADIENT_RTOL if rtol is None else float(rtol)
    X, Y = np.atleast_2d(np.asarray(X, float)), np.atleast_2d(np.asarray(Y, float))
    sw, sb = sheaf_parameter_gradient(layout, network, cochains)
    kind, scale = ("ce", 1.0) if force == "cross-entropy" else ("squared", 0.5)
    _, bw, bb = backprop(network.weights, network.biases, network.output, X, Y, kind=kind,
                         scale=scale)
    n_layers = len(sw)
    cos, ratio, ns, nb = (np.zeros(n_layers) for _ in range(4))
    for l in range(n_layers):
        gs = np.concatenate([sw[l].ravel(), sb[l]])
        gb = np.concatenate([bw[l].ravel(), bb[l]])
        ns[l], nb[l] = np.linalg.norm(gs), np.linalg.norm(gb)
        if nb[l] > 0 and ns[l] > rtol * nb[l]:
            cos[l] = float(np.clip(gs @ gb / (ns[l] * nb[l]), -1.0, 1.0))
            ratio[l] = ns[l] / nb[l]
    return GradientComparison(cos, ratio, (nb > 0) & (ns > rtol * nb), ns, nb, kind)
