"""Step-size checks shared by the heat flow and the joint flow.

Forward Euler on ``ċ = −α L_free c + …`` is stable when ``α Δt λ_max(L_free) < 2``. Computing
λ_max needs an eigensolver, so the flows combine two numbers:

* an **upper bound valid for every activation pattern**, ``(1 + s)² + max γ`` with
  ``s = max(1, max_l ‖W_l‖₂)`` (the coboundary is ``I`` on each edge's head and ``−T_k`` on its
  tail; each vertex is the head of at most one edge and the tail of at most one, so
  ``‖δ‖ ≤ 1 + max_k ‖T_k‖``; ``‖diag σ‖ ≤ 1`` and ``‖J_φ‖ ≤ ½`` for sigmoid/softmax; restricting
  to free coordinates only lowers λ_max). When ``αΔt`` times this bound is below 2 no pattern
  can make the flow unstable and nothing more needs checking;
* otherwise the **exact λ_max** of ``L_free(σ)`` for each pattern the flow visits (cached).

The exact value comes from :func:`sheafviz.core.solvers.spectrum.lambda_max` when the lead's
implementation is present, else from the local fallback below (same definition).
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.network import Network
from sheafviz.core.model.sheaf import SheafLayout, laplacian

#: Free dimensions up to this size use a dense symmetric eigensolver (faster and exact).
DENSE_LIMIT = 600


class UnstableStepError(ValueError):
    """Δt is too large for forward Euler (α Δt λ_max ≥ 2); the message proposes a stable Δt."""


class FlowDivergedError(ArithmeticError):
    """A flow started to blow up; it was stopped at the last finite state (message says when)."""


def spectral_norm(w: np.ndarray) -> float:
    """‖W‖₂ (largest singular value)."""
    if min(w.shape) <= 64:
        return float(np.linalg.norm(w, 2))
    import scipy.sparse as sp  # lazily: scipy costs ~0.2 s of the GUI's start-up
    import scipy.sparse.linalg as spla

    return float(spla.svds(sp.csr_matrix(w), k=1, return_singular_vectors=False)[0])


def lambda_max_bound(network: Network, max_gamma: float = 0.0, *, layout=None,
                     resolved=None, norms: list[float] | None = None) -> float:
    """σ-independent upper bound on λ_max(L_free) (the module docstring explains it).

    With ``layout`` and ``resolved`` (ResolvedPins) the bound is the tighter path form: for
    edge k, ``‖r_k‖ ≤ h_{k+1} u_{k+1} + s_k u_k`` with ``u`` the norms of the free parts of
    the stalks, ``s_k`` a bound on ``‖T_k‖`` (``‖W_l‖₂``, 1 for relu, ``‖J_φ‖ ≤ 1, ¼, ½``) and
    h, s zero on fully pinned vertices, so ``λ_max ≤ ‖M‖₂² + max γ`` with M the small
    edges × vertices bidiagonal matrix of these numbers. ``norms`` may pass precomputed
    ``‖W_l‖₂`` (they are the only costly part).
    """
    norms = [spectral_norm(w) for w in network.weights] if norms is None else list(norms)
    if layout is None or resolved is None:
        return (1.0 + max([1.0] + norms)) ** 2 + float(max_gamma)
    free = np.zeros(layout.size, dtype=bool)
    free[resolved.free_index] = True
    has_free = [bool(free[v.slice].any()) for v in layout.vertices]
    out_norm = {"identity": 1.0, "sigmoid": 0.25, "softmax": 0.5}[network.output]
    M = np.zeros((len(layout.edges), len(layout.vertices)))
    for edge in layout.edges:
        k = edge.position
        if edge.type == "affine":
            t_norm = norms[edge.layer - 1]
        else:
            t_norm = 1.0 if edge.type == "relu" else out_norm
        M[k, k] = t_norm if has_free[k] else 0.0
        M[k, k + 1] = 1.0 if has_free[k + 1] else 0.0
    return float(np.linalg.norm(M, 2) ** 2) + float(max_gamma)


def free_laplacian_local(layout: SheafLayout, network: Network, resolved, sigma, *,
                         z_out=None):
    """``L(σ)[Ω, Ω]`` plus γ on the diagonal of soft-pinned coordinates (sparse).

    Parameters
    ----------
    resolved : ResolvedPins
    sigma : list of ndarray (n_l,), the hidden activation patterns
    z_out : ndarray (n_out,), linearisation point of a nonlinear head (Gauss–Newton)
    """
    lap = laplacian(layout, network, sigma, z_out=z_out).tolil()
    for idx, gamma in zip(resolved.soft_index, resolved.soft_gamma):
        lap[idx, idx] += gamma
    lap = lap.tocsr()
    free = resolved.free_index
    return lap[free][:, free]


def _extreme_eigenvalue(lap, which: str) -> float:
    """Largest (``"LA"``) or smallest (``"SA"``) eigenvalue of a sparse SPD ``lap``."""
    n = lap.shape[0]
    if n == 0:
        return 0.0
    if n <= DENSE_LIMIT:
        vals = np.linalg.eigvalsh(lap.toarray())
        return float(vals[-1] if which == "LA" else vals[0])
    import scipy.sparse.linalg as spla

    if which == "LA":
        return float(spla.eigsh(lap, k=1, which="LA", return_eigenvectors=False)[0])
    # Smallest eigenvalue of an SPD matrix: shift-invert around 0 converges fast.
    return float(spla.eigsh(lap, k=1, sigma=0.0, which="LM", return_eigenvectors=False)[0])


def _z_out(layout: SheafLayout, network: Network, cochain):
    if network.output == "identity" or cochain is None:
        return None
    return np.asarray(cochain)[layout.vertex(f"z{layout.n_hidden + 1}").slice]


def free_lambda(layout: SheafLayout, network: Network, pins, sigma, *, which: str = "max",
                cochain=None, graph: str = "chapter") -> float:
    """λ_max (``which="max"``) or λ_min (``"min"``) of ``L_free(σ)``.

    Uses the lead's :mod:`sheafviz.core.solvers.spectrum` when implemented, else the local fallback.

    Parameters
    ----------
    pins : PinSet
    sigma : list of ndarray, hidden activation patterns
    cochain : ndarray (size,), optional; its output ``z`` linearises a nonlinear head
    graph : {"chapter", "paper"} (:mod:`sheafviz.core.model.graphs`)
    """
    z_out = _z_out(layout, network, cochain)
    if network.output != "identity" and z_out is None:
        z_out = np.zeros(layout.arch[-1])
    if which == "max":
        try:
            from sheafviz.core.solvers.spectrum import lambda_max
            return float(lambda_max(network, pins, sigma, layout=layout, z_out=z_out,
                                    graph=graph))
        except NotImplementedError:
            pass
    else:
        try:
            from sheafviz.core.solvers.spectrum import spectrum_summary
            return float(spectrum_summary(network, pins, sigma, layout=layout,
                                          z_out=z_out, graph=graph).lambda_min)
        except NotImplementedError:
            pass
    lap = free_laplacian_local(layout, network, pins.resolve(layout), sigma, z_out=z_out)
    return _extreme_eigenvalue(lap, "LA" if which == "max" else "SA")


def stable_dt(lam_max: float, alpha: float) -> float:
    """The default step ``1 / (α λ_max)``: half the Euler limit, a safe margin."""
    return 1.0 / (alpha * max(lam_max, 1e-12))


def check_step(alpha: float, dt: float, lam_max: float, *, what: str = "the heat flow") -> None:
    """Raise :class:`UnstableStepError` when ``α Δt λ_max ≥ 2``, proposing a stable Δt."""
    if not (np.isfinite(dt) and dt > 0):
        raise UnstableStepError(f"Δt must be a positive finite number, got {dt}")
    if not (np.isfinite(alpha) and alpha > 0):
        raise UnstableStepError(f"α must be a positive finite number, got {alpha}")
    if alpha * dt * lam_max >= 2.0:
        raise UnstableStepError(
            f"Δt = {dt:g} is unstable for {what}: α Δt λ_max = {alpha * dt * lam_max:.3g} "
            f"≥ 2 (α = {alpha:g}, λ_max(L_free) = {lam_max:.4g}); use Δt ≤ "
            f"{stable_dt(lam_max, alpha):.3g}")
