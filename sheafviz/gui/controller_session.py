"""The scripting surface of a :class:`sheafviz.Session` on today's controller-based window.

A stopgap: until the window holds a Qt-free Session, :class:`ControllerSession` gives a
:class:`~.viewer.Viewer` the Session verbs a script uses (``pin``, ``unpin``, ``mode``,
``step``, ``equilibrium``, ``reset``, ``set_rates``, ``set_example``, ``select``) by calling
the controller's own intents, so the window follows exactly as it does for a click. Once the
window holds a Session, ``Viewer.session`` is that Session and this module goes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.pins import PinSet

#: What ``mode`` may be (the Session's closed set).
MODES = ("relax", "joint")


@dataclass(frozen=True)
class Equilibrium:
    """The result of :meth:`ControllerSession.equilibrium`.

    Attributes
    ----------
    vertices : {vertex name: ndarray (dim,)}
    energy : float, E of the equilibrium
    cochain : ndarray (size,)
    """

    vertices: dict
    energy: float
    cochain: np.ndarray


def parse_name(layout, name: str) -> tuple[str, int | None]:
    """``"y"`` → ("y", None); ``"a1[0]"`` → ("a1", 0); ValueError naming a bad name."""
    try:
        return layout.parse_neuron(str(name).strip())
    except (KeyError, IndexError) as exc:
        raise ValueError(str(exc).strip("'\"")) from None


class ControllerSession:
    """Session verbs on a :class:`~sheafviz.gui.controller.Controller` (see module doc)."""

    def __init__(self, controller) -> None:
        self._ctl = controller

    # -- what the window shows -------------------------------------------------------------
    @property
    def network(self):
        return self._ctl.network

    @property
    def initial_network(self):
        return self._ctl.network0

    @property
    def layout(self):
        return self._ctl.layout

    @property
    def data(self):
        return self._ctl.dataset

    @property
    def example(self) -> int | None:
        return None if self._ctl.whole_batch else self._ctl.example

    @property
    def pins(self) -> PinSet:
        return self._ctl.pins

    @property
    def snapshot(self):
        return self._ctl.snapshot

    @property
    def history(self):
        return self._ctl.history

    @property
    def steps(self) -> int:
        return int(self._ctl.steps)

    @property
    def time(self) -> float:
        return float(self._ctl.t)

    @property
    def selection(self):
        return self._ctl.selected

    # -- pins ------------------------------------------------------------------------------
    def pin(self, target: str, value, *, index: int | None = None,
            stiffness: float | None = None, jump: bool = False) -> bool:
        """Pin a stalk (``"y"``, one value per coordinate) or one coordinate (``"a1[0]"``, or
        ``"a1"`` with ``index``; a number); soft (a spring of that stiffness) when
        ``stiffness`` is given; with ``jump`` the state moves to the new equilibrium."""
        vertex, idx = self._neuron(target, index)
        value = float(value) if idx is not None else np.asarray(value, float).ravel()
        if stiffness is None:
            pins = self.pins.pin(self.layout, vertex, value, idx)
        else:
            pins = self.pins.pin_soft(self.layout, vertex, value, float(stiffness), idx)
        return self.set_pins(pins, jump=jump)

    def unpin(self, target: str, *, index: int | None = None) -> bool:
        vertex, idx = self._neuron(target, index)
        return self.set_pins(self.pins.unpin(self.layout, vertex, idx))

    def _neuron(self, target: str, index: int | None) -> tuple[str, int | None]:
        vertex, parsed = parse_name(self.layout, target)
        if index is not None and parsed is not None and int(index) != parsed:
            raise ValueError(f"{target!r} names index {parsed}, the call says {index}")
        return vertex, parsed if parsed is not None else index

    def set_pins(self, pins: PinSet, *, jump: bool = False) -> bool:
        before = self._ctl.pins
        self._ctl.set_pins(pins, jump=jump)
        return self._ctl.pins is not before

    # -- settings --------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self._ctl.mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self._ctl.set_mode(mode)

    @property
    def rates(self) -> dict:
        c = self._ctl
        return {"alpha": c.alpha, "beta": c.beta, "dt": c.dt,
                "steps_per_frame": c.steps_per_frame}

    def set_rates(self, *, alpha=None, beta=None, dt=None, steps_per_frame=None) -> None:
        c = self._ctl
        for value, setter in ((alpha, c.set_alpha), (beta, c.set_beta), (dt, c.set_dt),
                              (steps_per_frame, c.set_steps_per_frame)):
            if value is not None:
                setter(value)

    def set_example(self, i: int | None) -> None:
        """Pin example ``i`` of the data set, or the whole batch (``None``)."""
        if i is None:
            self._ctl.set_whole_batch(True)
        else:
            self._ctl.set_whole_batch(False)
            self._ctl.set_example(int(i))

    def select(self, name: str | None, index: int | None = None) -> None:
        if name is not None:
            self._ctl.select(name, int(index or 0))

    # -- running ---------------------------------------------------------------------------
    def step(self, n: int = 1) -> bool:
        """Advance the current mode's flow ``n`` ≥ 1 steps (the window redraws once); True
        when a relaxation has converged."""
        n = int(n)
        if n < 1:
            raise ValueError(f"step needs n >= 1, got {n}")
        converged = self._ctl.advance(n)
        self._ctl.frameChanged.emit()
        return bool(converged) and self.mode == "relax"

    @property
    def cochain(self) -> np.ndarray:
        """The shown state (size,) (a copy)."""
        return np.array(self._ctl.c, dtype=float)

    def equilibrium(self) -> Equilibrium | None:
        """Jump to the equilibrium of the current pins (relax mode) and return it; None (and
        a message in the window) when there is none to jump to."""
        self._ctl.jump_to_equilibrium()
        sol = self._ctl.solution
        if sol is None or self._ctl.mode != "relax":
            return None
        c = np.array(sol.cochain, dtype=float)
        vertices = {v.name: c[v.slice].copy() for v in self.layout.vertices}
        return Equilibrium(vertices, float(sol.energy), c)

    def reset(self) -> None:
        self._ctl.reset()
