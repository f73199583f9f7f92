"""Spectral diagnostics of the free Laplacian.

Small systems (free dimension ≤ ``full_limit``) get every eigenvalue from a dense
``eigh``. Large ones use ARPACK (``eigsh``) twice without ever forming ``L_free``: the
largest eigenvalues from products ``Dᵀ(D v)``, the smallest as the largest of ``L_free⁻¹``,
applied by the structured solve of :mod:`linear` (shift-invert without a sparse LU, whose
fill-in would cost as much as a dense factorisation at these widths).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.solvers.linear import FixedSigmaSystem
from sheafviz.core.model.graphs import check_graph, graph_pins, slaved_outputs
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

#: λ_min below this (relative to λ_max) is reported as 0 and the condition number as None.
SINGULAR_RTOL = 1e-10


@dataclass(frozen=True)
class SpectrumSummary:
    """Eigen-summary of ``L_free``.

    Attributes
    ----------
    eigenvalues : ndarray, ascending; all of them, or the extremes when ``partial``
    partial : bool
    lambda_min, lambda_max : float
    condition : float or None, κ = λ_max/λ_min (None when λ_min is 0)
    block_energy_min, block_energy_max : dict {vertex name: fraction of the squared norm}
        of the λ_min and λ_max eigenvectors (which layer is the bottleneck)
    free_dim : int
    """

    eigenvalues: np.ndarray
    partial: bool
    lambda_min: float
    lambda_max: float
    condition: float | None
    block_energy_min: dict
    block_energy_max: dict
    free_dim: int

    def to_json(self) -> dict:
        return {"eigenvalues": [float(v) for v in self.eigenvalues],
                "eigenvalues_partial": self.partial,
                "lambda_min": float(self.lambda_min), "lambda_max": float(self.lambda_max),
                "condition": None if self.condition is None else float(self.condition),
                "block_energy_min": self.block_energy_min,
                "block_energy_max": self.block_energy_max,
                "free_dim": self.free_dim}


def _system(network, pins, sigma, layout, z_out) -> FixedSigmaSystem:
    layout = layout or SheafLayout(network.arch)
    return FixedSigmaSystem(layout, network, sigma, pins, z_out=z_out)


def free_laplacian(network: Network, pins: PinSet, sigma, *, layout=None, z_out=None,
                   graph: str = "chapter"):
    """``L_free(σ) = L[Ω, Ω]`` plus γ on the diagonal of soft-pinned coordinates.

    On the paper graph (:mod:`graphs`) the output coordinates that are not hard-pinned and
    their ``out`` edge rows are left out, and a soft pin on such a ``y`` acts on ``z{K+1}``.

    Returns
    -------
    scipy.sparse.csr_matrix, shape (n_free, n_free)
    """
    return _free_laplacian_and_index(network, pins, sigma, layout=layout, z_out=z_out,
                                     graph=graph)[0]


def _free_laplacian_and_index(network, pins, sigma, *, layout, z_out, graph):
    """(L_free csr, free cochain indices ascending) on either graph."""
    from sheafviz.core.model.sheaf import coboundary

    layout = layout or SheafLayout(network.arch)
    check_graph(graph, network.output)
    y_gone, _ = slaved_outputs(layout, pins, graph)
    res = graph_pins(layout, pins, graph).resolve(layout)
    delta, _ = coboundary(layout, network, sigma, z_out=z_out)
    free = np.setdiff1d(res.free_index, y_gone)
    rows = np.ones(layout.edge_size, dtype=bool)
    out = layout.edge("out")
    rows[out.offset + (y_gone - layout.vertex("y").offset)] = False
    d_free = delta[rows][:, free]
    soft = np.zeros(free.size)
    soft[np.searchsorted(free, res.soft_index)] = res.soft_gamma
    import scipy.sparse as sp  # lazily: scipy costs ~0.2 s of the GUI's start-up

    return (d_free.T @ d_free + sp.diags(soft)).tocsr(), free


def _operator(system: FixedSigmaSystem):
    """``L_free`` as a scipy LinearOperator (scipy imported here, at the first need)."""
    import scipy.sparse.linalg as spla

    n = system.n_free
    return spla.LinearOperator((n, n), matvec=system.matvec, matmat=system.matvec,
                               dtype=float)


def _inverse_operator(system: FixedSigmaSystem):
    """``L_free⁻¹`` as a scipy LinearOperator."""
    import scipy.sparse.linalg as spla

    n = system.n_free
    return spla.LinearOperator((n, n), matvec=system.solve, matmat=system.solve, dtype=float)


def _eigsh(*args, **kwargs):
    """``scipy.sparse.linalg.eigsh``, imported at the first large spectrum (scipy costs
    ~0.2 s of the GUI's start-up; small spectra are dense numpy)."""
    import scipy.sparse.linalg as spla

    return spla.eigsh(*args, **kwargs)


def _start_vector(n: int) -> np.ndarray:
    # A fixed start makes ARPACK's result reproducible run to run.
    return np.random.default_rng(12345).uniform(0.5, 1.5, size=n)


def lambda_max(network: Network, pins: PinSet, sigma, *, layout=None, z_out=None,
               graph: str = "chapter") -> float:
    """Largest eigenvalue of L_free (for the Euler stability bound αΔtλ_max < 2)."""
    if graph != "chapter":
        return spectrum_summary(network, pins, sigma, layout=layout, z_out=z_out,
                                graph=graph, n_extreme=1).lambda_max
    system = _system(network, pins, sigma, layout, z_out)
    if system.n_free == 0:
        return 0.0
    if system.n_free <= 200:
        return float(np.linalg.eigvalsh(system.dense_free_laplacian())[-1])
    return float(_eigsh(_operator(system), k=1, which="LA", tol=1e-8,
                            v0=_start_vector(system.n_free), return_eigenvectors=False)[0])


def extreme_eigenvalues(network: Network, pins: PinSet, sigma, *, layout=None, z_out=None,
                        full_limit: int = 200, graph: str = "chapter") -> tuple[float, float]:
    """``(λ_min, λ_max)`` of ``L_free`` as :func:`spectrum_summary` reports them, cheaply.

    What a status line needs, without the rest of the summary: above ``full_limit`` one
    eigenvalue per end (ARPACK with ``k = 1``, no eigenvectors, ~10× cheaper than the
    summary's ten) and no search at all for λ_min when ``L_free`` is singular by
    construction (under-determined), where the summary reports 0 anyway. Same parameters
    and the same rule for a numerically singular λ_min as :func:`spectrum_summary`; at or
    below ``full_limit`` the values are the summary's own (the same dense ``eigh``).

    Returns
    -------
    (lambda_min, lambda_max) : tuple of float
    """
    layout = layout or SheafLayout(network.arch)
    check_graph(graph, network.output)
    if slaved_outputs(layout, pins, graph)[0].size:
        s = _paper_summary(network, pins, sigma, layout=layout, z_out=z_out,
                           full_limit=full_limit, n_extreme=1)
        return float(s.lambda_min), float(s.lambda_max)
    system = FixedSigmaSystem(layout, network, sigma, pins, z_out=z_out)
    n = system.n_free
    if n == 0:
        return 0.0, 0.0
    if n <= full_limit:
        values = np.linalg.eigh(system.dense_free_laplacian())[0]
        lam_min, lam_max = float(values[0]), float(values[-1])
    else:
        lam_max = float(_eigsh(_operator(system), k=1, which="LA", tol=1e-10,
                               v0=_start_vector(n), return_eigenvectors=False)[0])
        lam_min = 0.0
        if not system.underdetermined:
            mu = _eigsh(_inverse_operator(system), k=1, which="LA", tol=1e-10,
                        v0=_start_vector(n), return_eigenvectors=False)[0]
            lam_min = float(1.0 / mu)
    if system.underdetermined or lam_min <= SINGULAR_RTOL * max(lam_max, 1.0):
        lam_min = 0.0
    return lam_min, lam_max


def _block_energy(layout: SheafLayout, free_index: np.ndarray, vec: np.ndarray) -> dict:
    total = float(vec @ vec)
    full = np.zeros(layout.size)
    full[free_index] = vec * vec / (total if total > 0 else 1.0)
    return {v.name: float(full[v.slice].sum()) for v in layout.vertices}


def spectrum_summary(network: Network, pins: PinSet, sigma, *, layout=None, z_out=None,
                     full_limit: int = 200, n_extreme: int = 10,
                     graph: str = "chapter") -> SpectrumSummary:
    """λ_1, λ_max, κ and the block energies of the extreme eigenvectors.

    Parameters
    ----------
    graph : {"chapter", "paper"}; on the paper graph, output coordinates that are not
        hard-pinned are not vertices (see :mod:`graphs`), and the summary is that of
        :func:`free_laplacian` on it (sparse; shift-invert at 0 above ``full_limit``)
    sigma : list of ndarray, the pattern (usually that of the state being inspected)
    z_out : ndarray, optional, linearisation point of a nonlinear head (Gauss–Newton)
    full_limit : int, free dimensions up to this get every eigenvalue (dense ``eigh``)
    n_extreme : int, how many of each end ARPACK returns above ``full_limit``
    """
    layout = layout or SheafLayout(network.arch)
    check_graph(graph, network.output)
    if slaved_outputs(layout, pins, graph)[0].size:
        return _paper_summary(network, pins, sigma, layout=layout, z_out=z_out,
                              full_limit=full_limit, n_extreme=n_extreme)
    system = FixedSigmaSystem(layout, network, sigma, pins, z_out=z_out)
    n = system.n_free
    if n == 0:
        return SpectrumSummary(np.zeros(0), False, 0.0, 0.0, None, {}, {}, 0)
    if n <= full_limit:
        values, vectors = np.linalg.eigh(system.dense_free_laplacian())
        low_vec, high_vec = vectors[:, 0], vectors[:, -1]
        partial = False
    else:
        k = min(n_extreme, n - 2)
        hi_vals, hi_vecs = _eigsh(_operator(system), k=k, which="LA", tol=1e-10,
                                      v0=_start_vector(n))
        if system.underdetermined:
            lo_vals, lo_vecs = _eigsh(_operator(system), k=k, which="SA", tol=1e-10,
                                          v0=_start_vector(n), maxiter=20 * n)
        else:
            mu, lo_vecs = _eigsh(_inverse_operator(system), k=k, which="LA", tol=1e-10,
                                     v0=_start_vector(n))
            lo_vals = 1.0 / mu
        lo_order, hi_order = np.argsort(lo_vals), np.argsort(hi_vals)
        values = np.concatenate([lo_vals[lo_order], hi_vals[hi_order]])
        low_vec, high_vec = lo_vecs[:, lo_order[0]], hi_vecs[:, hi_order[-1]]
        partial = True
    lam_min, lam_max = float(values[0]), float(values[-1])
    if system.underdetermined or lam_min <= SINGULAR_RTOL * max(lam_max, 1.0):
        lam_min, condition = 0.0, None
    else:
        condition = lam_max / lam_min
    return SpectrumSummary(eigenvalues=values, partial=partial, lambda_min=lam_min,
                           lambda_max=lam_max, condition=condition,
                           block_energy_min=_block_energy(layout, system.free_index, low_vec),
                           block_energy_max=_block_energy(layout, system.free_index, high_vec),
                           free_dim=n)


def _paper_summary(network, pins, sigma, *, layout, z_out, full_limit, n_extreme):
    """:func:`spectrum_summary` of the paper graph with some output coordinates absent."""
    lap, free = _free_laplacian_and_index(network, pins, sigma, layout=layout, z_out=z_out,
                                          graph="paper")
    n = free.size
    if n == 0:
        return SpectrumSummary(np.zeros(0), False, 0.0, 0.0, None, {}, {}, 0)
    if n <= full_limit:
        values, vectors = np.linalg.eigh(lap.toarray())
        low_vec, high_vec, partial = vectors[:, 0], vectors[:, -1], False
    else:
        k = min(n_extreme, n - 2)
        hi_vals, hi_vecs = _eigsh(lap, k=k, which="LA", tol=1e-10, v0=_start_vector(n))
        try:
            lo_vals, lo_vecs = _eigsh(lap.tocsc(), k=k, sigma=0.0, which="LM", tol=1e-10,
                                          v0=_start_vector(n))
        except RuntimeError:  # exactly singular: the factorisation at 0 fails
            lo_vals, lo_vecs = _eigsh(lap, k=k, which="SA", tol=1e-10,
                                          v0=_start_vector(n), maxiter=20 * n)
        lo_order, hi_order = np.argsort(lo_vals), np.argsort(hi_vals)
        values = np.concatenate([lo_vals[lo_order], hi_vals[hi_order]])
        low_vec, high_vec = lo_vecs[:, lo_order[0]], hi_vecs[:, hi_order[-1]]
        partial = True
    lam_min, lam_max = float(values[0]), float(values[-1])
    if lam_min <= SINGULAR_RTOL * max(lam_max, 1.0):
        lam_min, condition = 0.0, None
    else:
        condition = lam_max / lam_min
    return SpectrumSummary(eigenvalues=values, partial=partial, lambda_min=lam_min,
                           lambda_max=lam_max, condition=condition,
                           block_energy_min=_block_energy(layout, free, low_vec),
                           block_energy_max=_block_energy(layout, free, high_vec),
                           free_dim=n)
