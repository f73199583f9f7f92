"""A small Qt-free stand-in for ``sheafviz.Session``, used only while the real one is absent.

It implements the part of the Session contract the lesson runner drives (open a preset or a
network, pins, mode, training options, rates, ``step``, ``equilibrium``, ``reset``,
``snapshot.cochain``) on top of the core flows, the way the window drives them: the joint flow
on one example takes x and y from the pins; every flow starts from the current state.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from sheafviz.core.data.presets import load_preset
from sheafviz.core.flows.heat import HeatFlow, initial_state
from sheafviz.core.flows.training import JointFlow
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.solve import equilibrium

_NO_TRACE = 1 << 62


class StandInSession:
    """See the module docstring; the attribute names follow the Session contract."""

    def __init__(self, network: Network, data=None, *, pins: PinSet | None = None,
                 alpha: float = 1.0, beta: float | None = None, dt: float | None = None) -> None:
        self.network = network
        self.initial_network = network
        self.layout = SheafLayout(network.arch)
        self.data = data
        self.pins = pins if pins is not None else PinSet()
        self._mode = "relax"
        self.training = SimpleNamespace(mode="paper", optimizer="sgd", lr=None)
        self.rates = SimpleNamespace(alpha=alpha, beta=beta, dt=dt)
        self.steps = 0
        self._flow = None
        self._c = initial_state(network, self.pins, layout=self.layout)

    @classmethod
    def from_preset(cls, name: str) -> "StandInSession":
        p = load_preset(name)
        return cls(p.network, pins=p.pins, alpha=p.alpha, beta=p.beta, dt=p.dt)

    # -- state -------------------------------------------------------------------------
    @property
    def snapshot(self):
        return SimpleNamespace(cochain=self._c.copy(), steps=self.steps)

    def _changed(self) -> None:
        self._flow = None
        self._c = self.pins.apply(self.layout, self._c)

    def pin(self, target: str, value, *, stiffness: float | None = None) -> None:
        name, idx = self.layout.parse_neuron(target)
        if stiffness is None:
            self.pins = self.pins.pin(self.layout, name, value, idx)
        else:
            self.pins = self.pins.pin_soft(self.layout, name, value, stiffness, idx)
        self._changed()

    def unpin(self, target: str) -> None:
        name, idx = self.layout.parse_neuron(target)
        self.pins = self.pins.unpin(self.layout, name, idx)
        self._changed()

    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        self._mode = mode
        self._flow = None

    def set_training(self, *, mode=None, optimizer=None, lr=None) -> None:
        for key, val in (("mode", mode), ("optimizer", optimizer), ("lr", lr)):
            if val is not None:
                setattr(self.training, key, val)
        self._flow = None

    def set_rates(self, *, alpha=None, beta=None, dt=None) -> None:
        for key, val in (("alpha", alpha), ("beta", beta), ("dt", dt)):
            if val is not None:
                setattr(self.rates, key, val)
        self._flow = None

    def set_state(self, cochain: np.ndarray) -> None:
        self._c = self.pins.apply(self.layout, np.asarray(cochain, float))
        self._flow = None

    def set_network(self, network: Network) -> None:
        self.network = network
        self._flow = None

    # -- computing ------------------------------------------------------------------------
    def equilibrium(self):
        sol = equilibrium(self.network, self.pins, layout=self.layout)
        self._c = sol.cochain.copy()
        self._flow = None
        return sol

    def reset(self) -> None:
        self.network = self.initial_network
        self._c = initial_state(self.network, self.pins, layout=self.layout)
        self.steps = 0
        self._flow = None

    def _make_flow(self):
        r = self.rates
        if self.mode == "relax":
            return HeatFlow(self.network, self.pins, self._c, alpha=r.alpha, dt=r.dt,
                            layout=self.layout, record_every=_NO_TRACE)
        lay = self.layout
        if not (self.pins.stalk_pinned(lay, "x") and self.pins.stalk_pinned(lay, "y")):
            raise ValueError("the joint flow needs x and y pinned (a training pair)")
        X = self._c[lay.vertex("x").slice][None, :]
        Y = self._c[lay.vertex("y").slice][None, :]
        t = self.training
        flow = JointFlow(self.network, X, Y, mode=t.mode, alpha=r.alpha, beta=r.beta,
                         dt=r.dt or 0.005, optimizer=t.optimizer, lr=t.lr,
                         record_every=_NO_TRACE)
        if t.mode == "paper":  # warm start from the state shown, as the window does
            st = lay.split(self._c[None, :])
            k = lay.n_hidden
            flow._stepper.set_stalks([st[f"z{l}"] for l in range(1, k + 2)],
                                     [st[f"a{l}"] for l in range(1, k + 1)])
        return flow

    def step(self, n: int = 1) -> None:
        if self._flow is None:
            self._flow = self._make_flow()
        self._flow.advance(int(n))
        if self.mode == "relax":
            self._c = np.array(self._flow.cochain, float)
        else:
            self.network = self._flow.network
            self._c = np.array(self._flow.cochains[0], float)
        self.steps += int(n)
