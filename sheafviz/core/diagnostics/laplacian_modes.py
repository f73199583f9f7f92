"""``L_free`` at one state with its eigenvalues and extreme modes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.spectrum import SINGULAR_RTOL, free_laplacian, spectrum_summary


@dataclass(frozen=True)
class SpectrumDetail:
    """``L_free`` at one state with its extreme modes.

    Attributes
    ----------
    matrix : ndarray (n_free, n_free) or None when larger than the dense limit
    eigenvalues : ndarray, ascending
    free_labels : list of str, the neuron of each free coordinate (matrix row order)
    blocks : list of (vertex name, start, stop) row ranges of ``matrix`` per vertex
    slow_mode, fast_mode : ndarray (size,), unit λ_1 / λ_max eigenvectors in cochain
        coordinates (0 on pinned coordinates); sign fixed so the largest entry is positive
    lambda_min, lambda_max : float
    condition : float (0 when undefined, see ``condition_defined``)
    condition_defined : bool
    block_energy_min, block_energy_max : dict {vertex: fraction}
    """

    matrix: np.ndarray | None
    eigenvalues: np.ndarray
    free_labels: list
    blocks: list
    slow_mode: np.ndarray
    fast_mode: np.ndarray
    lambda_min: float
    lambda_max: float
    condition: float
    condition_defined: bool
    block_energy_min: dict
    block_energy_max: dict


def _z_out(layout: SheafLayout, c: np.ndarray) -> np.ndarray:
    return c[layout.vertex(f"z{layout.n_hidden + 1}").slice]


def _signed(v: np.ndarray) -> np.ndarray:
    return v if v[np.argmax(np.abs(v))] >= 0 else -v


def spectrum_detail(network: Network, pins: PinSet, cochain: np.ndarray, *,
                    layout: SheafLayout | None = None, dense_limit: int = 400) -> SpectrumDetail:
    """``L_free(σ(c))`` (Gauss–Newton at ``c`` for a nonlinear head) and its extreme modes.

    Dense ``eigh`` up to ``dense_limit`` free coordinates; above it the summary comes from
    :func:`spectrum_summary` and the modes from ARPACK on the sparse matrix.
    """
    import scipy.sparse.linalg as spla

    layout = layout if layout is not None else SheafLayout(network.arch)
    c = np.asarray(cochain, dtype=float)
    sigma, z_out = layout.sigma_of(c), _z_out(layout, c)
    res = pins.resolve(layout)
    free = res.free_index
    lap = free_laplacian(network, pins, sigma, layout=layout, z_out=z_out)
    if free.size == 0:
        raise ValueError("every coordinate is pinned: L_free is empty")
    if free.size <= dense_limit:
        dense = lap.toarray()
        values, vectors = np.linalg.eigh(dense)
        low, high = vectors[:, 0], vectors[:, -1]
    else:
        dense = None
        summ = spectrum_summary(network, pins, sigma, layout=layout, z_out=z_out)
        values = summ.eigenvalues
        _, low = spla.eigsh(lap, k=1, which="SA", tol=1e-8, maxiter=50 * free.size)
        _, high = spla.eigsh(lap, k=1, which="LA", tol=1e-8)
        low, high = low[:, 0], high[:, 0]
    slow, fast = np.zeros(layout.size), np.zeros(layout.size)
    slow[free], fast[free] = _signed(low), _signed(high)
    lam_min, lam_max = float(max(values[0], 0.0)), float(values[-1])
    defined = lam_min > SINGULAR_RTOL * max(lam_max, 1.0)
    blocks, start = [], 0
    for v in layout.vertices:
        n = int(np.count_nonzero((free >= v.offset) & (free < v.offset + v.dim)))
        if n:
            blocks.append((v.name, start, start + n))
        start += n

    def energy(vec):
        return {v.name: float(np.sum(vec[v.slice] ** 2)) for v in layout.vertices}

    return SpectrumDetail(
        matrix=dense, eigenvalues=np.asarray(values, dtype=float),
        free_labels=[layout.neuron_name(int(i)) for i in free], blocks=blocks,
        slow_mode=slow, fast_mode=fast, lambda_min=lam_min if defined else 0.0,
        lambda_max=lam_max, condition=lam_max / lam_min if defined else 0.0,
        condition_defined=bool(defined), block_energy_min=energy(slow),
        block_energy_max=energy(fast))


def mode_ghost(cochain: np.ndarray, mode: np.ndarray, *, amplitude: float | None = None
               ) -> np.ndarray:
    """The state displaced along an eigenmode, for a "ghost" on the drape, shape (size,).

    ``amplitude`` defaults to a quarter of the state's largest absolute value (at least
    0.25), so the ghost is visible at the drape's scale; pinned coordinates do not move.
    """
    c = np.asarray(cochain, dtype=float)
    if amplitude is None:
        amplitude = 0.25 * max(1.0, float(np.max(np.abs(c))) if c.size else 1.0)
    return c + float(amplitude) * np.asarray(mode, dtype=float)
