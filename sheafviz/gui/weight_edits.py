"""The weight edits of the weight editor (:mod:`.weight_editor`): which entry, the
edited network, the typed value's validation, and the undo command.

Undo and redo put the entry's old (new) value into the weights *current* at that time: if
the joint flow trained in between, only that entry is changed back. When nothing moved
the weights since, the exact weight objects of before (after) come back, so the undo
recorder's own record of the initial weights (compared by identity) stays consistent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6 import QtGui

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


def move_entry(ctl, src: tuple, dst: tuple, entry: Entry, value: float) -> bool:
    """Bring the weights from the pair ``src = (network, network0)`` to ``dst``.

    When the controller still holds exactly ``src`` the objects of ``dst`` are restored;
    otherwise (the weights trained since) only ``entry`` is set to ``value`` in the current
    weights, and the initial weights follow when the edit had changed them.
    """
    try:
        if ctl.network is src[0] and ctl.network0 is src[1]:
            ok = ctl.replace_network(dst[0], initial=dst[0] is dst[1])
            if ok and dst[1] is not dst[0]:
                ctl.network0 = dst[1]
            return ok
        ok = ctl.replace_network(with_entry(ctl.network, entry, value))
        if ok and src[1] is not dst[1] and ctl.network0 is src[1]:
            ctl.network0 = dst[1]  # Reset follows the edit of the starting point
        return ok
    except (ValueError, IndexError) as exc:  # another network was opened since
        ctl.message.emit(f"Cannot redo / undo {entry.label}: {exc}", "error")
        return False


class WeightEditCommand(QtGui.QUndoCommand):
    """One applied weight edit on the lecture undo stack (pushed after it was applied)."""

    def __init__(self, ctl, recorder, entry: Entry, before: tuple, after: tuple,
                 old: float, new: float) -> None:
        super().__init__(f"edit {entry.label}")
        self.ctl, self.recorder, self.entry = ctl, recorder, entry
        self.before, self.after, self.old, self.new = before, after, float(old), float(new)
        self._first = True

    def redo(self) -> None:
        if self._first:  # already applied by the editor
            self._first = False
            return
        move_entry(self.ctl, self.before, self.after, self.entry, self.new)
        self._resync()

    def undo(self) -> None:
        move_entry(self.ctl, self.after, self.before, self.entry, self.old)
        self._resync()

    def _resync(self) -> None:
        if self.recorder is not None:
            self.recorder.resync()  # the recorder would otherwise push "change weights"
