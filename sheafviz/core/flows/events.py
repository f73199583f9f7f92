"""ReLU switching events of a flow, with Euler chatter merged into one event."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SwitchEvent:
    """A neuron's z crossing 0 (or a run of crossings close together in time).

    Attributes
    ----------
    neuron : str, like ``"z1[0]"``
    time : float, flow time of the first crossing
    direction : int, +1 when the first crossing made the neuron active (z ≥ 0), −1 when it
        made it inactive
    count : int, number of crossings merged into this event (1 = a clean switch)
    t_end : float, flow time of the last merged crossing
    final : int, +1 if the neuron was active after the last crossing, −1 if inactive
    """

    neuron: str
    time: float
    direction: int
    count: int = 1
    t_end: float | None = None
    final: int | None = None

    @property
    def chatter(self) -> bool:
        return self.count > 1

    def describe(self) -> str:
        if self.count == 1:
            word = "on" if self.direction > 0 else "off"
            return f"{self.neuron} switched {word} at t={self.time:.4g}"
        return (f"{self.neuron} switched {self.count} times between t={self.time:.4g} and "
                f"t={self.t_end:.4g}")


class SwitchRecorder:
    """Collects sign changes of the hidden z coordinates and merges chatter.

    A crossing of neuron j within ``merge_steps`` steps of j's previous crossing extends that
    crossing's event (Euler near a sliding surface flips a neuron on consecutive steps).

    Parameters
    ----------
    names : list of str, the neuron name of each watched coordinate
    merge_steps : int
    """

    def __init__(self, names: list[str], *, merge_steps: int = 3) -> None:
        self._names = list(names)
        self._merge = int(merge_steps)
        self._events: list[dict] = []
        self._open: dict[int, tuple[int, int]] = {}  # coord → (event index, last step)

    def record(self, step: int, time: float, changed: np.ndarray, now_active: np.ndarray) -> None:
        """Register crossings at ``step``: ``changed`` indices, ``now_active`` their new state."""
        for j, active in zip(changed.tolist(), now_active.tolist()):
            sign = 1 if active else -1
            prev = self._open.get(j)
            if prev is not None and step - prev[1] <= self._merge:
                ev = self._events[prev[0]]
                ev["count"] += 1
                ev["t_end"] = time
                ev["final"] = sign
                self._open[j] = (prev[0], step)
            else:
                self._events.append({"neuron": self._names[j], "time": time, "direction": sign,
                                     "count": 1, "t_end": time, "final": sign})
                self._open[j] = (len(self._events) - 1, step)

    @property
    def events(self) -> list[SwitchEvent]:
        return [SwitchEvent(**ev) for ev in self._events]
