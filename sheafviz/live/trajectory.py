"""The recorded trajectory of a flow (what the rewind bar scrubs over), Qt-free.

:class:`Trajectory` keeps the states the flow passed through (time, step count, cochain, and
the weights while training) in a bounded buffer: when full, every other state is dropped, so
a long run keeps its overall shape in flat memory (like :class:`~sheafviz.live.frame.History`).

This is the one copy of the class: each flow mode's
:class:`~sheafviz.live.modestate.ModeState` records into one, :meth:`sheafviz.Session.seek`
reads it, and the GUI's rewind bar scrubs over :attr:`sheafviz.Session.trajectory`.
"""

from __future__ import annotations

import numpy as np

CAPACITY = 1000
#: Memory the recorded states may take (bytes); wide networks keep fewer states.
BUDGET_BYTES = 64_000_000


class Trajectory:
    """Recorded states ``(t, steps, cochain (size,), network or None)``, oldest first.

    Parameters
    ----------
    capacity : int, states kept at most; fewer when a state is large (:data:`BUDGET_BYTES`)

    Attributes
    ----------
    items : list of (float, int, ndarray (size,), Network or None), the recorded states
    limit : int, the states kept at most for this state size (set by the first record)
    """

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = int(capacity)
        self.items: list[tuple] = []
        self.limit = self.capacity
        self._stride, self._skip = 1, 0

    def clear(self) -> None:
        """Forget every state (a reset); the next record sets the limit again."""
        self.items.clear()
        self._stride, self._skip = 1, 0

    def __len__(self) -> int:
        return len(self.items)

    def record(self, t: float, steps: int, c: np.ndarray, network=None, *,
               weights_move: bool = True) -> None:
        """Keep state ``c`` (size,) at ``t`` / ``steps`` with its ``network`` (copied).

        A state at the step count of the newest one replaces it (the same instant, e.g. a
        pin edit); otherwise, after a thinning, only every ``stride``-th state is kept.
        ``weights_move`` False: the weights are shared between states (a relaxation), so
        they do not count against the memory budget."""
        if self.items and self.items[-1][1] == steps:
            self.items[-1] = (float(t), int(steps), np.array(c, dtype=float), network)
            return  # same instant: the newest wins
        if self._skip > 0 and self.items:
            self._skip -= 1
            return
        if not self.items:
            size = np.size(c) + (sum(w.size + b.size for w, b in
                                     zip(network.weights, network.biases))
                                 if network is not None and weights_move else 0)
            self.limit = max(16, min(self.capacity, BUDGET_BYTES // (8 * size)))
        if len(self.items) >= self.limit:
            self.items = self.items[::2]
            self._stride *= 2
        self.items.append((float(t), int(steps), np.array(c, dtype=float), network))
        self._skip = self._stride - 1

    def truncate_after(self, k: int) -> None:
        """Forget the states after index ``k`` (play continues from a rewound state; the
        thinning stride is kept)."""
        del self.items[k + 1:]
