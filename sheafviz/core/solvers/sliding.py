"""Sliding mode for the Euler heat flow near a switching surface ``z_j = 0``.

Where the energy's kink attracts from both sides, forward Euler chatters: z_j flips sign on
(nearly) every step and the per-step change never falls below the stopping tolerance. The
continuous flow instead *slides* on the surface (Filippov): z_j stays 0 while the rest moves.

At ``z_j = 0`` only z_j's own force depends on the side (relu(0) = 0 either way): with the
pattern rule's σ_j = 1 it is ``f⁺ = ρ_j + a_j`` (plus any soft-pin term), from below
``f⁻ = f⁺ − a_j``. The surface attracts iff ``f⁺ ≤ 0 ≤ f⁻`` (then z = 0 minimises E along
z_j). So: a neuron that flips twice within ``window`` steps is projected to ``z_j = 0`` and
held there (its velocity is zero) as long as ``f⁺ ≤ 0 ≤ f⁻``; it is released to the side
its force points to as soon as that fails. The flow then converges to the sliding
equilibrium instead of chattering around it.
"""

from __future__ import annotations

import numpy as np


class SlidingSet:
    """Bookkeeping of the hidden z coordinates held on their switching surface.

    Parameters
    ----------
    z_index : ndarray of int, flat indices of the hidden z coordinates
    a_index : ndarray of int, flat index of the ``a`` coordinate paired with each
    free : ndarray of bool (len z_index), False for hard-pinned z coordinates
    window : int, two flips of one neuron at most this many steps apart count as chatter
    """

    def __init__(self, z_index: np.ndarray, a_index: np.ndarray, free: np.ndarray, *,
                 window: int = 2) -> None:
        self.z_index, self.a_index = z_index, a_index
        self.free = np.asarray(free, dtype=bool)
        self.window = int(window)
        self.active = np.zeros(len(z_index), dtype=bool)
        self.candidate = np.zeros(len(z_index), dtype=bool)
        self._last_flip = np.full(len(z_index), -10**9)

    def reset(self, free: np.ndarray) -> None:
        """Forget everything (after the pins or the network changed)."""
        self.free = np.asarray(free, dtype=bool)
        self.active[:] = False
        self.candidate[:] = False
        self._last_flip[:] = -10**9

    def state_dict(self) -> dict:
        """Copies of ``active``, ``candidate`` (bool) and ``last_flip`` (int64), all (n_z,)."""
        return {"active": self.active.copy(), "candidate": self.candidate.copy(),
                "last_flip": self._last_flip.astype(np.int64)}

    def load_state(self, *, active: np.ndarray, candidate: np.ndarray,
                   last_flip: np.ndarray) -> None:
        """Set the arrays of :meth:`state_dict` (shapes checked by the caller)."""
        self.active[...] = active
        self.candidate[...] = candidate
        self._last_flip[...] = last_flip

    def project(self, c: np.ndarray) -> None:
        """Put the chatter candidates of the last step on their surface (``z_j = 0``)."""
        if self.candidate.any():
            self.active |= self.candidate
            self.candidate[:] = False
        if self.active.any():
            c[self.z_index[self.active]] = 0.0

    def constrain(self, c: np.ndarray, grad: np.ndarray) -> None:
        """Release the neurons whose surface no longer attracts; zero the others' gradient.

        ``grad`` was evaluated at ``c`` (with ``z_j = 0``, i.e. σ_j = 1) and is changed in place.
        """
        if not self.active.any():
            return
        idx = np.flatnonzero(self.active)
        zi, ai = self.z_index[idx], self.a_index[idx]
        f_up = -grad[zi]               # force on z_j from above (σ_j = 1)
        f_down = f_up - c[ai]          # from below (σ_j = 0): the relu edge drops out
        leave_up, leave_down = f_up > 0, f_down < 0
        grad[zi[leave_down & ~leave_up]] = -f_down[leave_down & ~leave_up]
        stay = ~(leave_up | leave_down)
        grad[zi[stay]] = 0.0
        self.active[idx[~stay]] = False

    def flipped(self, step: int, changed: np.ndarray) -> None:
        """Register sign changes at ``step``; a second flip within the window is chatter."""
        changed = changed[self.free[changed] & ~self.active[changed]]
        close = step - self._last_flip[changed] <= self.window
        self.candidate[changed[close]] = True
        self._last_flip[changed] = step
