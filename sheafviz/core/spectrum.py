"""Spectral diagnostics of the free Laplacian (SPEC §11)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SpectrumSummary:
    """Attributes: eigenvalues (ascending; all, or the extremes when ``partial``), partial,
    lambda_min, lambda_max, condition (None when λ_min is 0), block_energy_min and
    block_energy_max ({vertex: fraction of the eigenvector's squared norm}), free_dim."""

    eigenvalues: np.ndarray
    partial: bool
    lambda_min: float
    lambda_max: float
    condition: float | None
    block_energy_min: dict
    block_energy_max: dict
    free_dim: int


def free_laplacian(network, pins, sigma, *, layout=None, z_out=None):
    """L_free(σ) = L[Ω, Ω] plus γ on the diagonal of soft-pinned coordinates (sparse)."""
    raise NotImplementedError


def lambda_max(network, pins, sigma, *, layout=None, z_out=None) -> float:
    """Largest eigenvalue of L_free (for the Euler stability bound αΔtλ_max < 2)."""
    raise NotImplementedError


def spectrum_summary(network, pins, sigma, *, layout=None, z_out=None,
                     full_limit: int = 200, n_extreme: int = 10) -> SpectrumSummary:
    """λ_1, λ_max, κ and the block energies of the extreme eigenvectors (SPEC §11)."""
    raise NotImplementedError
