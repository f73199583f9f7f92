"""The scripting surface of a :class:`sheafviz.Session` on today's controller-based window.

A stopgap: until the window holds a Qt-free Session, :class:`ControllerSession` gives a
:class:`~.viewer.Viewer` the Session verbs a script uses (``pin``, ``unpin``, ``mode``,
``step``, ``equilibrium``, ``reset``, ``set_rates``, ``set_example``, ``select``) by calling
the controller's own intents, so the window follows exactly as it does for a click. Once the
window holds a Session, ``Viewer.session`` is that Session and this module goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.pins import PinSet

#: What ``mode`` may be (the Session's closed set).
MODES = ("relax", "joint")
_NAME = re.compile(r"^\s*([A-Za-z]\w*)\s*(?:\[\s*(\d+)\s*\])?\s*$")


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
    m = _NAME.match(str(name))
    if m is None:
        raise ValueError(f"bad neuron or vertex name {name!r}; write e.g. 'y' or 'a1[0]'")
    vertex, index = m.group(1), m.group(2)
    if vertex not in layout.vertex_names:
        raise ValueError(f"unknown vertex {vertex!r}; choose from "
                         f"{', '.join(layout.vertex_names)}")
    if index is not None and int(index) >= layout.vertex(vertex).dim:
        raise ValueError(f"{vertex} has {layout.vertex(vertex).dim} coordinates; "
                         f"{name!r} is out of range")
    return vertex, None if index is None else int(index)


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
    def pin(self, name: str, value, stiffness: float | None = None) -> None:
        """Pin a stalk (``"y"``, value a list) or one coordinate (``"a1[0]"``, a float);
        soft (a spring of that stiffness) when ``stiffness`` is given."""
        vertex, index = parse_name(self.layout, name)
        value = float(value) if index is not None else np.asarray(value, float).ravel()
        if stiffness is None:
            pins = self.pins.pin(self.layout, vertex, value, index)
        else:
            pins = self.pins.pin_soft(self.layout, vertex, value, float(stiffness), index)
        self._ctl.set_pins(pins)

    def unpin(self, name: str) -> None:
        vertex, index = parse_name(self.layout, name)
        self._ctl.set_pins(self.pins.unpin(self.layout, vertex, index))

    def set_pins(self, pins: PinSet) -> None:
        self._ctl.set_pins(pins)

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
    def step(self, n: int = 1) -> None:
        """Advance the current mode's flow ``n`` steps (the window redraws once)."""
        n = int(n)
        if n < 0:
            raise ValueError(f"step count must be non-negative, got {n}")
        if n:
            self._ctl.advance(n)
        self._ctl.frameChanged.emit()

    def equilibrium(self) -> Equilibrium:
        """Jump to the equilibrium of the current pins (relax mode) and return it."""
        self._ctl.jump_to_equilibrium()
        sol = self._ctl.solution
        if sol is None or self._ctl.mode != "relax":
            raise ValueError("no equilibrium: switch to relax mode with solvable pins")
        c = np.array(sol.cochain, dtype=float)
        vertices = {v.name: c[v.slice].copy() for v in self.layout.vertices}
        return Equilibrium(vertices, float(sol.energy), c)

    def reset(self) -> None:
        self._ctl.reset()
