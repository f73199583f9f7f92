"""The GUI's single doorway into the Qt-free core.

Every call the window makes into ``sheafviz.core`` goes through here, so the views and the
wiring depend on one small surface: equilibrium, spectrum, the two flows, presets and
data sets.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.data import presets as _presets
from sheafviz.core.data.datasets import load_dataset as _load_dataset
from sheafviz.core.flows.forces import objective as _objective
from sheafviz.core.flows.heat import FlowDivergedError, HeatFlow, UnstableStepError
from sheafviz.core.flows.heat import initial_state as _initial_state
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.solve import equilibrium as _equilibrium
from sheafviz.core.solvers.spectrum import spectrum_summary
from sheafviz.core.flows.training import JointFlow

#: Errors a flow or a solve may raise that the GUI turns into a status message.
CORE_ERRORS = (UnstableStepError, FlowDivergedError, ValueError, ArithmeticError,
               np.linalg.LinAlgError, RuntimeError)

#: The GUI keeps its own bounded history, so the flows' own traces record (almost) nothing:
#: over a long animation they would grow without bound (and the joint flow computes spectra
#: whenever it records).
_NO_TRACE = 1 << 62


def equilibrium(network: Network, pins: PinSet, layout: SheafLayout):
    """The state-dependent equilibrium of docs/mathematics.md (``core.solve.equilibrium``, σ="auto")."""
    return _equilibrium(network, pins, sigma="auto", layout=layout)


def spectrum(network: Network, pins: PinSet, layout: SheafLayout,
             c: np.ndarray) -> tuple[float, float]:
    """``(λ_min, λ_max)`` of ``L_free(σ(c))`` (linearised at ``c`` for a nonlinear head)."""
    sigma = layout.sigma_of(c)
    z_out = c[layout.vertex(f"z{layout.n_hidden + 1}").slice]
    s = spectrum_summary(network, pins, sigma, layout=layout, z_out=z_out, n_extreme=1)
    return float(s.lambda_min), float(s.lambda_max)


def heat_flow(network: Network, pins: PinSet, c0: np.ndarray, *, alpha: float, dt: float,
              layout: SheafLayout, force: str = "energy") -> HeatFlow:
    """A heat flow (docs/mathematics.md) started at ``c0`` (raises UnstableStepError for a bad Δt)."""
    return HeatFlow(network, pins, c0, alpha=alpha, dt=dt, layout=layout,
                    record_every=_NO_TRACE, force=force)


def initial_state(network: Network, pins: PinSet, layout: SheafLayout, *,
                  init: str = "forward", state_seed: int = 0) -> np.ndarray:
    """The initial cochain of a relaxation (docs/mathematics.md: forward, zeros or random)."""
    return _initial_state(network, pins, init=init, state_seed=state_seed, layout=layout)


def joint_flow(network: Network, X: np.ndarray, Y: np.ndarray, *, alpha: float,
               beta: float | None, dt: float, mode: str = "paper",
               force: str = "energy") -> JointFlow:
    """A joint state–parameter flow (docs/mathematics.md) on a batch ``X (B, n0)``, ``Y (B, n_out)``."""
    return JointFlow(network, X, Y, mode=mode, alpha=alpha, beta=beta, dt=dt, force=force,
                     record_every=_NO_TRACE)


def objective(network: Network, pins: PinSet, layout: SheafLayout, c: np.ndarray, *,
              force: str) -> float:
    """What the heat flow descends (docs/mathematics.md, nonlinear outputs): E + pin energy, with the output edge's
    term replaced by the cross-entropy in that force mode."""
    return float(_objective(layout, network, c, pins.resolve(layout), force=force))


def list_presets() -> list[str]:
    return list(_presets.list_presets())


def load_preset(name: str | None):
    """The named preset (the default when ``None``)."""
    return _presets.load_preset(name or _presets.DEFAULT_PRESET)


def load_dataset(name: str | None):
    """The data set of a preset, or ``None`` when it has none."""
    return _load_dataset(name) if name else None
