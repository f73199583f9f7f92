"""The equilibrium-propagation limit (SPEC §15): a soft pin on ``y`` as γ → 0.

Pin the input ``x`` hard and the output ``y`` softly to a target ``t`` with stiffness γ
(the objective gains ``½γ‖y − t‖²``, SPEC §5). At the nudged equilibrium the sheaf weight
gradient (SPEC §10) of layer l is ``ρ_l a_{l−1}ᵀ`` with ``ρ_l = W_l a_{l−1} + b_l − z_l``.
As γ → 0 the equilibrium tends to the forward pass and the tension in every edge is γ times
the backprop error, so

    ρ_l a_{l−1}ᵀ / γ  →  ∂/∂W_l ½‖f(x) − t‖²      (and ρ_l / γ → ∂/∂b_l),

with an error of order γ (the tension is shared among the edges, SPEC §6 item 3, and the
share the output edge keeps is 1 − O(γ)). At γ = ∞ the pin is hard: the sheaf gradient is
the supervised (two-sided) one, finite, and dividing it by γ means nothing, so
:func:`ep_gradients` then returns it as it is and marks the gap as undefined.

Per layer the comparison takes ``[W_l, b_l]`` together (as :mod:`.gradients` does).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.diagnostics.gradients import sheaf_parameter_gradient
from sheafviz.core.model.backprop import backprop
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.solve import equilibrium

#: The stiffness that stands for a hard pin (the slider's "hard" end).
HARD = np.inf


@dataclass(frozen=True)
class EPComparison:
    """The scaled sheaf gradient at the nudged equilibrium against backprop, per layer.

    ``L = K + 1`` layers. All arrays are float; undefined entries are 0 with a False mask.

    Attributes
    ----------
    gamma : float, the stiffness (``inf`` for a hard pin)
    hard : bool, γ = ∞: ``sheaf_w``/``sheaf_b`` are the hard-pin gradient, not divided
    sheaf_w, sheaf_b : lists of ndarray shaped like the weights (n_l, n_{l−1}) / biases (n_l,),
        ``ρ_l a_{l−1}ᵀ / γ`` and ``ρ_l / γ`` (soft), or ``ρ_l a_{l−1}ᵀ`` and ``ρ_l`` (hard)
    backprop_w, backprop_b : lists of ndarray, the gradient of ``½‖φ(z_{K+1}(x)) − t‖²``
    cosine : ndarray (L,), cosine of the two gradients of layer l
    cosine_defined : ndarray (L,) bool, both gradients of layer l are nonzero
    relative_gap : ndarray (L,), ``‖g_s/γ − g_b‖ / ‖g_b‖`` (0 where undefined)
    gap_defined : ndarray (L,) bool, False at γ = ∞ and where ``g_b = 0``
    total_gap : float, the relative gap of all layers stacked (0 if undefined)
    cochain : ndarray (size,), the nudged equilibrium
    solve_method : str, how the equilibrium was found (see ``Solution.method``)
    """

    gamma: float
    hard: bool
    sheaf_w: list
    sheaf_b: list
    backprop_w: list
    backprop_b: list
    cosine: np.ndarray
    cosine_defined: np.ndarray
    relative_gap: np.ndarray
    gap_defined: np.ndarray
    total_gap: float
    cochain: np.ndarray
    solve_method: str

    @property
    def ratio_defined(self) -> bool:
        """False at γ = ∞: the sheaf gradient divided by γ is not defined for a hard pin."""
        return not self.hard


def _check_gamma(gamma) -> float:
    if isinstance(gamma, str):
        if gamma != "hard":
            raise ValueError(f"stiffness must be a positive number or 'hard', got {gamma!r}")
        return HARD
    gamma = float(gamma)
    if not gamma > 0 or np.isnan(gamma):
        raise ValueError(f"stiffness must be a positive number or 'hard', got {gamma}")
    return gamma


def nudged_pins(layout: SheafLayout, x: np.ndarray, target: np.ndarray, gamma: float) -> PinSet:
    """``x`` hard-pinned, ``y`` soft-pinned to ``target`` with stiffness γ (hard if γ = ∞)."""
    pins = PinSet().pin(layout, "x", x)
    if np.isinf(gamma):
        return pins.pin(layout, "y", target)
    return pins.pin_soft(layout, "y", target, gamma)


def ep_gradients(network: Network, x, target, gamma, *,
                 layout: SheafLayout | None = None) -> EPComparison:
    """The EP comparison of SPEC §15 for one example.

    Parameters
    ----------
    network : Network
    x : array_like (n0,), the input (hard-pinned)
    target : array_like (n_out,), the target t of the soft pin on ``y``
    gamma : float > 0, or ``inf`` / ``"hard"`` for a hard pin on ``y``
    layout : SheafLayout, optional (built from the network when omitted)

    Returns
    -------
    EPComparison
    """
    gamma = _check_gamma(gamma)
    layout = layout or SheafLayout(network.arch)
    x = np.asarray(x, dtype=float).reshape(-1)
    target = np.asarray(target, dtype=float).reshape(-1)
    sol = equilibrium(network, nudged_pins(layout, x, target, gamma), layout=layout)
    hard = bool(np.isinf(gamma))
    scale = 1.0 if hard else 1.0 / gamma
    sw, sb = sheaf_parameter_gradient(layout, network, sol.cochain)
    sw, sb = [g * scale for g in sw], [g * scale for g in sb]
    _, bw, bb = backprop(network.weights, network.biases, network.output, x[None, :],
                         target[None, :], kind="squared", scale=0.5)
    n_layers = len(sw)
    cos, gap = np.zeros(n_layers), np.zeros(n_layers)
    cos_ok, gap_ok = np.zeros(n_layers, bool), np.zeros(n_layers, bool)
    stacked_s, stacked_b = [], []
    for l in range(n_layers):
        gs = np.concatenate([sw[l].ravel(), sb[l]])
        gb = np.concatenate([bw[l].ravel(), bb[l]])
        stacked_s.append(gs)
        stacked_b.append(gb)
        ns, nb = np.linalg.norm(gs), np.linalg.norm(gb)
        if ns > 0 and nb > 0:
            cos[l], cos_ok[l] = float(np.clip(gs @ gb / (ns * nb), -1.0, 1.0)), True
        if nb > 0 and not hard:
            gap[l], gap_ok[l] = float(np.linalg.norm(gs - gb) / nb), True
    all_s, all_b = np.concatenate(stacked_s), np.concatenate(stacked_b)
    nb_all = np.linalg.norm(all_b)
    total = float(np.linalg.norm(all_s - all_b) / nb_all) if nb_all > 0 and not hard else 0.0
    return EPComparison(gamma=gamma, hard=hard, sheaf_w=sw, sheaf_b=sb, backprop_w=bw,
                        backprop_b=bb, cosine=cos, cosine_defined=cos_ok, relative_gap=gap,
                        gap_defined=gap_ok, total_gap=total, cochain=sol.cochain,
                        solve_method=sol.method)


def ep_gap_curve(network: Network, x, target, gammas, *,
                 layout: SheafLayout | None = None) -> np.ndarray:
    """The total relative gap at each finite stiffness, for a gap-versus-γ plot.

    Parameters
    ----------
    gammas : array_like (m,), finite positive stiffnesses

    Returns
    -------
    ndarray (m,), :attr:`EPComparison.total_gap` at each γ (it falls like γ as γ → 0)
    """
    layout = layout or SheafLayout(network.arch)
    gammas = np.asarray(gammas, dtype=float).reshape(-1)
    if not np.all(np.isfinite(gammas)):
        raise ValueError("ep_gap_curve needs finite stiffnesses (the gap is undefined at 'hard')")
    return np.array([ep_gradients(network, x, target, g, layout=layout).total_gap
                     for g in gammas])
