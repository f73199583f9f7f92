"""The stateless parts of the heat flow: option checks, neuron positions, the energy envelope."""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.forces import check_force
from sheafviz.core.model.network import Network
from sheafviz.core.model.sheaf import SheafLayout


def predicted_envelope(energy0: float, lam: float, t, *, alpha: float = 1.0) -> np.ndarray:
    """The bound ``E(0)·exp(−2αλt)`` (λ = λ_min(L_free(σ)); input-only pins)."""
    return float(energy0) * np.exp(-2.0 * alpha * float(lam) * np.asarray(t, dtype=float))


def check_heat_options(network: Network, *, force: str, record_every: int) -> str:
    """Check the force (cross-entropy needs a sigmoid or softmax head) and ``record_every``;
    return the checked force."""
    force = check_force(force)
    if force == "cross-entropy" and network.output == "identity":
        raise ValueError("the cross-entropy force needs a sigmoid or softmax output head")
    if int(record_every) < 1:
        raise ValueError(f"record_every must be at least 1, got {record_every}")
    return force


def checked_cochain(c0, size: int) -> np.ndarray:
    """``c0`` as a new finite float array (size,), else ValueError."""
    c0 = np.array(c0, dtype=float).reshape(-1)
    if c0.shape != (size,):
        raise ValueError(f"initial cochain has {c0.size} entries, the sheaf has {size}")
    if not np.all(np.isfinite(c0)):
        raise ValueError("initial cochain contains NaN or inf")
    return c0


def neuron_indices(layout: SheafLayout) -> tuple[np.ndarray, np.ndarray]:
    """(z index, a index), each (n_neurons,) int: the cochain positions of every hidden
    neuron's pre-activation z and of its activation a (a_l follows z_l in the cochain)."""
    hidden = [v for v in layout.vertices
              if v.name.startswith("z") and int(v.name[1:]) <= layout.n_hidden]
    z_index = np.concatenate([np.arange(v.offset, v.offset + v.dim) for v in hidden]
                             or [np.zeros(0, dtype=int)]).astype(int)
    a_index = z_index + np.concatenate([np.full(v.dim, v.dim) for v in hidden]
                                       or [np.zeros(0, dtype=int)]).astype(int)
    return z_index, a_index
