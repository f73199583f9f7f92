"""Harmonic extension at fixed σ (SPEC §6) and the state-dependent equilibrium (SPEC §7)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Solution:
    """An equilibrium of the pinned sheaf and everything SPEC §7 says a solve reports.

    Attributes
    ----------
    cochain : ndarray, shape (size,)
    sigma : list of ndarray, the pattern of the returned cochain (rule z >= 0)
    energy : float, E = ½ Σ d_e over the sheaf's edges (soft pins excluded)
    pin_energy : float, ½ Σ γ (c_s − t_s)² of the soft pins
    consistent : bool, the cochain is the fixed-σ harmonic extension for its own pattern
    flipped : list of str, neurons ("z1[0]") whose σ differs from the forward pattern
    on_boundary : list of str, neurons with |z| below tolerance (on a switching surface)
    underdetermined : bool, L_free was singular; the cochain is the minimum-norm minimiser
    local : bool, True for a local minimiser (what "auto" returns, SPEC §7)
    method : str, "direct", "active-set", "sliding" or "heat-flow"
    iterations : int
    cycled : bool, the active-set iteration revisited a pattern
    """

    cochain: np.ndarray
    sigma: list
    energy: float
    pin_energy: float
    consistent: bool
    flipped: list
    on_boundary: list
    underdetermined: bool
    local: bool
    method: str
    iterations: int
    cycled: bool


def harmonic_extension(network, pins, sigma, *, layout=None, z_out=None):
    """Minimiser of the fixed-σ energy with the pins held (SPEC §6).

    Returns ``(cochain (size,), underdetermined: bool)``.
    """
    raise NotImplementedError


def equilibrium(network, pins, *, sigma="auto", layout=None) -> Solution:
    """The equilibrium of SPEC §7: ``sigma="forward"`` holds the forward pattern fixed;
    ``"auto"`` runs the active set from the forward pattern with cycle detection and a
    sliding-equilibrium fallback."""
    raise NotImplementedError
