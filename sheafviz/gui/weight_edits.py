"""The weight edits of the weight editor (:mod:`.weight_editor`): which entry, the
edited network and the typed value's validation. Undo and redo are the session's own
(:meth:`sheafviz.Session.undo`: a weight edit undone after training changes back only the
edited entries)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Largest |value| accepted: beyond it the solves lose every digit (w² ≫ 1/eps).
MAX_ABS = 1e6


@dataclass(frozen=True)
class Entry:
    """One weight ``W{layer}[row, col]`` or bias ``b{layer}[row]`` (layer 1-based)."""

    kind: str  # "W" or "b"
    layer: int
    row: int
    col: int = 0

    @property
    def label(self) -> str:
        if self.kind == "b":
            return f"b{self.layer}[{self.row}]"
        return f"W{self.layer}[{self.row},{self.col}]"

    def get(self, network) -> float:
        return float(layer_array(network, self.kind, self.layer)[self.row, self.col])


def layer_array(network, kind: str, layer: int) -> np.ndarray:
    """The layer as a matrix: ``W`` (n_l, n_{l-1}); ``b`` as a column (n_l, 1) (a view)."""
    if kind == "W":
        return network.weights[layer - 1]
    return network.biases[layer - 1].reshape(-1, 1)


def with_entry(network, entry: Entry, value: float):
    """A new Network equal to ``network`` except ``entry`` = ``value``."""
    from sheafviz.core.model.network import Network

    weights = [w.copy() for w in network.weights]
    biases = [b.copy() for b in network.biases]
    if entry.kind == "W":
        weights[entry.layer - 1][entry.row, entry.col] = value
    else:
        biases[entry.layer - 1][entry.row] = value
    return Network(weights, biases, network.output)


def parse_value(text: str) -> float:
    """A finite number from what was typed ("−0.5" with a typographic minus is fine).

    Raises
    ------
    ValueError : not a number, not finite, or beyond ±MAX_ABS; the message says which
    """
    s = text.strip().replace("−", "-").replace(",", ".")
    if not s:
        raise ValueError("type a number first")
    try:
        v = float(s)
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"{text.strip()!r} is not a finite number")
    if abs(v) > MAX_ABS:
        raise ValueError(f"{text.strip()!r} is too large: weights are limited to "
                         f"±{MAX_ABS:g}")
    return v
