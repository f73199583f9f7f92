"""Pure-numpy derived state the views draw: one :class:`Snapshot` per frame, and a bounded
history of energy and discords (Qt-free; the live model :class:`sheafviz.Session` keeps one
:class:`History` per flow mode).

This is the one copy of these classes: the GUI draws them through the Session and keeps
none of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.network import Network
from sheafviz.core.model.sheaf import SheafLayout, discrepancies
from sheafviz.core.flows.thinning import keep_every_other

#: |z| below this (relative to max(1, max|z_l|)) counts as sitting on the switching surface.
BOUNDARY_TOL = 1e-6


@dataclass(frozen=True)
class Snapshot:
    """Everything drawn for one cochain.

    Attributes
    ----------
    cochain : ndarray (size,), the current state
    forward : ndarray (size,), the forward pass of the current x (the ghost)
    residuals : list of ndarray, ``r_e`` per edge (shape (d_e,)), head minus mapped tail
    mapped : list of ndarray, the mapped tail per edge, ``head − r_e`` (shape (d_e,))
    discords : ndarray (n_edges,), ``d_e = ‖r_e‖²``
    energy : float, ``E = ½Σd_e``
    flipped : ndarray (size,) bool, z neurons whose σ differs from the forward pattern
    boundary : ndarray (size,) bool, z neurons with |z| ≈ 0
    time : float, flow time
    steps : int, flow steps taken since the session started
    """

    cochain: np.ndarray
    forward: np.ndarray
    residuals: list
    mapped: list
    discords: np.ndarray
    energy: float
    flipped: np.ndarray
    boundary: np.ndarray
    time: float
    steps: int


def hidden_z_index(layout: SheafLayout) -> np.ndarray:
    """Flat indices of every hidden z coordinate (the neurons with a ReLU σ).

    Returns
    -------
    ndarray of int (n_z,), ascending, ``n_z = Σ_l n_l`` over the hidden layers
    """
    parts = [np.arange(v.offset, v.offset + v.dim) for v in layout.vertices
             if v.name.startswith("z") and int(v.name[1:]) <= layout.n_hidden]
    return np.concatenate(parts).astype(int) if parts else np.zeros(0, dtype=int)


def make_snapshot(layout: SheafLayout, network: Network, c: np.ndarray, *, time: float,
                  steps: int, z_index: np.ndarray) -> Snapshot:
    """Derive the drawn quantities from a cochain.

    Parameters
    ----------
    layout : SheafLayout
    network : Network, the weights the discrepancies and the forward ghost use
    c : ndarray (size,), the state
    time : float, flow time shown with it
    steps : int, flow steps shown with it
    z_index : ndarray of int (n_z,), :func:`hidden_z_index` of ``layout`` (passed in so a
        session computes it once)

    Returns
    -------
    Snapshot
    """
    c = np.asarray(c, dtype=float)
    fwd = layout.forward_cochain(network, c[layout.vertex("x").slice])
    res = discrepancies(layout, network, c)
    mapped = []
    for edge, r in zip(layout.edges, res):
        mapped.append(c[layout.vertex(edge.head).slice] - r)
    d = np.array([float(r @ r) for r in res])
    flipped = np.zeros(layout.size, dtype=bool)
    boundary = np.zeros(layout.size, dtype=bool)
    if z_index.size:
        z = c[z_index]
        flipped[z_index] = (z >= 0) != (fwd[z_index] >= 0)
        scale = max(1.0, float(np.max(np.abs(z))))
        boundary[z_index] = np.abs(z) <= BOUNDARY_TOL * scale
    return Snapshot(c.copy(), fwd, res, mapped, d, 0.5 * float(d.sum()), flipped, boundary,
                    float(time), int(steps))


class History:
    """Bounded (t, E, d_e) history: when full, every other sample is dropped, so memory stays
    flat over an arbitrarily long run while the curve keeps its overall shape. After a
    thinning only every ``stride``-th appended sample is kept, but the newest one always
    shows (it overwrites the last kept sample until the next is due).

    Parameters
    ----------
    n_edges : int
    capacity : int, an even number of samples kept at most

    Attributes
    ----------
    t, energy : ndarray (capacity,), valid in ``[:n]``
    discords : ndarray (capacity, n_edges), valid in ``[:n]``
    n : int, the number of samples held
    version : int, bumped on every change (a plot skips an unchanged redraw)
    events_t, events_e : list of float, the switching events (time, energy)
    """

    def __init__(self, n_edges: int, capacity: int = 4096) -> None:
        self.capacity = int(capacity)
        self.t = np.zeros(self.capacity)
        self.energy = np.zeros(self.capacity)
        self.discords = np.zeros((self.capacity, n_edges))
        self.n = 0
        self.version = 0  #: bumped on every change, so plots can skip an unchanged redraw
        self._stride, self._skip = 1, 0
        self.events_t: list[float] = []
        self.events_e: list[float] = []

    def clear(self) -> None:
        """Forget every sample and event (a reset)."""
        self.version += 1
        self.n, self._stride, self._skip = 0, 1, 0
        self.events_t.clear()
        self.events_e.clear()

    def append(self, t: float, energy: float, discords: np.ndarray, *, force: bool = False) -> None:
        """Add a sample: time ``t``, energy ``energy`` and ``discords`` (n_edges,).

        ``force`` keeps it as a sample of its own even between two due samples (the first
        points of a curve)."""
        self.version += 1
        if not force and self._skip > 0 and self.n > 0:
            self._skip -= 1
            # Keep the newest point visible: overwrite the last sample in place.
            self.t[self.n - 1], self.energy[self.n - 1] = t, energy
            self.discords[self.n - 1] = discords
            return
        if self.n == self.capacity:
            self.n = keep_every_other([self.t, self.energy, self.discords], self.n)
            self._stride *= 2
        self.t[self.n], self.energy[self.n] = t, energy
        self.discords[self.n] = discords
        self.n += 1
        self._skip = self._stride - 1

    def truncate_after(self, t: float) -> None:
        """Forget the samples and switching events later than time ``t`` (a rewind)."""
        self.version += 1
        self.n = int(np.searchsorted(self.t[: self.n], t, side="right"))
        keep = [i for i, te in enumerate(self.events_t) if te <= t]
        self.events_t[:] = [self.events_t[i] for i in keep]
        self.events_e[:] = [self.events_e[i] for i in keep]

    def state_dict(self) -> dict:
        """Copies of the recorded samples and the thinning state, for a saved session.

        Returns
        -------
        dict with ``t``, ``energy`` (n,), ``discords`` (n, n_edges), ``capacity``,
        ``stride``, ``skip`` (ints: where the thinning is, so a resumed run keeps the same
        samples) and the switching events ``events_t``, ``events_e`` (lists of float)
        """
        n = self.n
        return {"t": self.t[:n].copy(), "energy": self.energy[:n].copy(),
                "discords": self.discords[:n].copy(), "capacity": self.capacity,
                "stride": self._stride, "skip": self._skip, "events_t": list(self.events_t),
                "events_e": list(self.events_e)}

    @classmethod
    def from_state(cls, state: dict | None, n_edges: int) -> "History":
        """A history holding :meth:`state_dict` ``state`` (empty for None / {}).

        Raises
        ------
        ValueError
            Arrays that do not fit ``n_edges`` edges or the capacity, or a bad stride.
        """
        state = state or {}
        h = cls(n_edges, capacity=int(state.get("capacity", 4096)))
        if not state:
            return h
        t = np.asarray(state.get("t", []), float)
        e = np.asarray(state.get("energy", []), float)
        dis = np.asarray(state.get("discords", np.zeros((0, n_edges))), float)
        n = t.shape[0]
        if t.ndim != 1 or e.shape != (n,) or dis.shape != (n, n_edges) or n > h.capacity:
            raise ValueError(f"history: arrays of {n} samples do not fit {n_edges} edges")
        stride, skip = int(state.get("stride", 1)), int(state.get("skip", 0))
        if stride < 1 or not 0 <= skip < stride:
            raise ValueError(f"history: stride {stride} / skip {skip} are not a thinning "
                             f"state")
        h.t[:n], h.energy[:n], h.discords[:n] = t, e, dis
        h.n, h._stride, h._skip = n, stride, skip
        h.events_t[:] = [float(v) for v in state.get("events_t", [])]
        h.events_e[:] = [float(v) for v in state.get("events_e", [])]
        return h

    def add_event(self, t: float, energy: float, *, limit: int = 2000) -> None:
        """Record a switching event at ``t`` with ``energy``; beyond ``limit`` events the
        oldest half is forgotten."""
        self.version += 1
        if len(self.events_t) >= limit:
            del self.events_t[: limit // 2]
            del self.events_e[: limit // 2]
        self.events_t.append(t)
        self.events_e.append(energy)


def session_snapshot(s) -> Snapshot:
    """The frame of session ``s``'s shown state (:attr:`sheafviz.Session.snapshot`), built
    once per state key (mode, state, weights, pins and graph versions)."""
    key = s._key()
    if s._snapshot_cache is None or s._snapshot_cache[0] != key:
        ms = s._state
        snap = make_snapshot(s.layout, s.network, ms.cochain, time=ms.t, steps=ms.steps,
                             z_index=s._z_index)
        s._snapshot_cache = (key, snap)
    return s._snapshot_cache[1]


def neuron_rows(layout: SheafLayout, snap: Snapshot, pins, name: str, index: int, *,
                fmt=lambda v, digits=3: f"{v:.{digits}g}") -> list[tuple[str, str]]:
    """Label/value rows describing neuron ``name[index]``: value, forward value, pin state,
    σ (hidden layers), and the discrepancy / discord of every incident edge.

    Parameters
    ----------
    layout : SheafLayout
    snap : Snapshot, the shown frame
    pins : PinSet
    name : str, a vertex ("a1"); index : int, the coordinate
    fmt : callable (value, digits=3) -> str, how numbers are written

    Returns
    -------
    list of (label, text) pairs
    """
    i = layout.index(name, index)
    rows = [("value", fmt(snap.cochain[i], 4)), ("forward", fmt(snap.forward[i], 4))]
    if (name, index) in pins.hard:
        rows.append(("pin", f"hard at {fmt(pins.hard[(name, index)], 4)}"))
    elif (name, index) in pins.soft:
        v, g = pins.soft[(name, index)]
        rows.append(("pin", f"soft {fmt(v, 4)} (γ {fmt(g)})"))
    else:
        rows.append(("pin", "free"))
    layer = name[1:]
    if name[0] in "za" and layer.isdigit() and int(layer) <= layout.n_hidden:
        z = snap.cochain[layout.index(f"z{layer}", index)]
        rows.append(("σ", "1 (active)" if z >= 0 else "0 (off)"))
    for edge, r in zip(layout.edges, snap.residuals):
        if edge.head == name:
            rows.append((f"r {edge.name}", fmt(r[index], 3)))
        if edge.tail == name or edge.head == name:
            rows.append((f"d {edge.name}", fmt(snap.discords[edge.position], 3)))
    return rows
