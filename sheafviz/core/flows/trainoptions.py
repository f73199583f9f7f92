"""The checks of a joint flow's options: mode, optimizer, force, data arrays, rates, stalks."""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.forces import check_force
from sheafviz.core.flows.optim import OPTIMIZERS
from sheafviz.core.flows.stalkinit import check_stalks
from sheafviz.core.model.network import Network

#: The joint flow's modes (see :mod:`sheafviz.core.flows.training`).
MODES = ("paper", "adiabatic", "gd")


def as_batch(name: str, arr, width: int) -> np.ndarray:
    """``arr`` as a finite float array (n, width); a 1-d array counts as one column when
    ``width`` is 1. ValueError naming ``name`` otherwise."""
    arr = np.asarray(arr, dtype=float)
    if arr.ndim == 1 and width == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != width:
        raise ValueError(f"{name} must have shape (n, {width}), got {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or inf")
    return arr


def check_choices(network: Network, *, mode: str, optimizer: str, force: str) -> str:
    """Check the closed option sets; return the checked force."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; expected one of {', '.join(MODES)}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {optimizer!r}; expected one of "
                         f"{', '.join(OPTIMIZERS)}")
    force = check_force(force)
    if force == "cross-entropy" and network.output == "identity":
        raise ValueError("the cross-entropy force needs a sigmoid or softmax output head")
    return force


def check_batch(arch, X, Y, X_test, Y_test) -> tuple:
    """(X (B, n0), Y (B, n_out), X_test or None, Y_test or None), checked against ``arch``."""
    X, Y = as_batch("X", X, arch[0]), as_batch("Y", Y, arch[-1])
    if len(X) != len(Y) or len(X) == 0:
        raise ValueError(f"X and Y need the same, non-zero number of rows "
                         f"(got {len(X)} and {len(Y)})")
    X_test = None if X_test is None else as_batch("X_test", X_test, arch[0])
    Y_test = None if Y_test is None else as_batch("Y_test", Y_test, arch[-1])
    if (X_test is None) != (Y_test is None):
        raise ValueError("give both X_test and Y_test, or neither")
    return X, Y, X_test, Y_test


def check_given_stalks(stalks, arch, B: int):
    """Given first stalks, a dict {"z1": (B, n1), …} or a (z list, a list), as a checked
    dict; None stays None."""
    if stalks is not None and isinstance(stalks, dict):
        return check_stalks(stalks, arch, B)
    if stalks is not None:
        return check_stalks({**{f"z{l}": v for l, v in enumerate(stalks[0], 1)},
                             **{f"a{l}": v for l, v in enumerate(stalks[1], 1)}}, arch, B)
    return None


def check_rates(**rates: float) -> None:
    """ValueError naming the first rate that is not a positive finite number."""
    for name, val in rates.items():
        if not (np.isfinite(val) and val > 0):
            raise ValueError(f"{name} must be a positive number, got {val}")


def default_lr(optimizer: str, *, dt: float, beta: float, B: int) -> float:
    """The adiabatic and gd modes' learning rate when none is given: Δt·β·B (the paper
    mode's effective rate) for sgd / momentum, 1e-3 for adam."""
    return 1e-3 if optimizer == "adam" else dt * beta * B
