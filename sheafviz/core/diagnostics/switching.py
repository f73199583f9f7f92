"""The ReLU switching timeline: when each hidden neuron switched in a relaxation.

Built from the heat flow's :class:`~sheafviz.core.flows.events.SwitchEvent` list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.sheaf import SheafLayout


def hidden_neurons(layout: SheafLayout) -> list[str]:
    """Names ``z1[0], …, zK[n_K−1]`` of the neurons that carry a ReLU pattern."""
    return [f"z{l}[{j}]" for l in range(1, layout.n_hidden + 1) for j in range(layout.arch[l])]


@dataclass(frozen=True)
class SwitchTimeline:
    """When each hidden neuron switched during a relaxation.

    Attributes
    ----------
    neurons : list of str, one row per hidden z neuron in path order
    initial_active : ndarray (n,) bool, σ at the start
    t_start, t_end : float, the time span of the relaxation
    row, time, t_last, count, direction, final : ndarray (m,) per event (row index, first
        and last crossing, merged crossings, first direction ±1, state after the last ±1)
    labels : list of str, :meth:`SwitchEvent.describe` per event
    """

    neurons: list
    initial_active: np.ndarray
    t_start: float
    t_end: float
    row: np.ndarray
    time: np.ndarray
    t_last: np.ndarray
    count: np.ndarray
    direction: np.ndarray
    final: np.ndarray
    labels: list

    def active_at(self, t: float) -> np.ndarray:
        """σ of every neuron at time ``t`` (inside a chatter run: after its first crossing)."""
        state = self.initial_active.copy()
        for k in np.argsort(self.time, kind="stable"):
            if self.time[k] > t:
                break
            done = t >= self.t_last[k]
            state[self.row[k]] = (self.final[k] if done else self.direction[k]) > 0
        return state

    def switch_counts(self) -> np.ndarray:
        """Total crossings per neuron, shape (n,)."""
        out = np.zeros(len(self.neurons), dtype=int)
        np.add.at(out, self.row, self.count)
        return out

    def nearest_event(self, row: int, t: float) -> int | None:
        """Index of the event of neuron ``row`` closest in time to ``t`` (None if it has none)."""
        idx = np.flatnonzero(self.row == row)
        if idx.size == 0:
            return None
        return int(idx[np.argmin(np.abs(self.time[idx] - t))])


def initial_active_from_events(events, neurons: list[str], active_now) -> np.ndarray:
    """σ at the start of a run, recovered from σ now and the run's events.

    A neuron whose first event switched it on (direction +1) was inactive before it, and
    vice versa; a neuron without events kept its state. Shape (n,) bool.
    """
    state = np.asarray(active_now, dtype=bool).reshape(-1).copy()
    where = {n: i for i, n in enumerate(neurons)}
    seen = set()
    for ev in sorted(events, key=lambda e: e.time):
        if ev.neuron in where and ev.neuron not in seen:
            seen.add(ev.neuron)
            state[where[ev.neuron]] = ev.direction < 0
    return state


def switching_timeline(events, neurons: list[str], initial_active, *, t_end: float,
                       t_start: float = 0.0) -> SwitchTimeline:
    """Build a :class:`SwitchTimeline` from a heat flow's switching events.

    Parameters
    ----------
    events : list of SwitchEvent (``HeatFlow.events`` / ``RelaxResult.events``)
    neurons : list of str, the rows (usually :func:`hidden_neurons`)
    initial_active : array-like (n,) bool, σ of each row at ``t_start``
    t_end : float, the time the relaxation reached

    Raises
    ------
    ValueError
        An event names a neuron that is not a row, or ``initial_active`` has the wrong size.
    """
    neurons = list(neurons)
    initial = np.asarray(initial_active, dtype=bool).reshape(-1)
    if initial.size != len(neurons):
        raise ValueError(f"initial_active has {initial.size} entries for {len(neurons)} neurons")
    where = {n: i for i, n in enumerate(neurons)}
    missing = sorted({ev.neuron for ev in events} - set(where))
    if missing:
        raise ValueError(f"events name neurons that are not rows: {', '.join(missing)}")
    ev = list(events)
    return SwitchTimeline(
        neurons=neurons, initial_active=initial, t_start=float(t_start), t_end=float(t_end),
        row=np.array([where[e.neuron] for e in ev], dtype=int),
        time=np.array([e.time for e in ev], dtype=float),
        t_last=np.array([e.time if e.t_end is None else e.t_end for e in ev], dtype=float),
        count=np.array([e.count for e in ev], dtype=int),
        direction=np.array([e.direction for e in ev], dtype=int),
        final=np.array([e.direction if e.final is None else e.final for e in ev], dtype=int),
        labels=[e.describe() for e in ev])
