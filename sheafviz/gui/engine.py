"""The GUI's single doorway into the Qt-free core.

Every call the window makes into ``sheafviz.core`` goes through here, so the views and the
controller never depend on how (or whether yet) a core module is implemented. Where a core
module is still missing, a small fallback from :mod:`._fallback` is used (and said so in
``engine.FALLBACKS``); the real implementation always wins when present.
"""

from __future__ import annotations

import numpy as np

from ..core.network import Network
from ..core.pins import PinSet
from ..core.sheaf import SheafLayout, coboundary
from . import _fallback

#: Names of the core pieces currently served by a fallback (shown in the About text).
FALLBACKS: set[str] = set()

try:  # heat flow (helper-1)
    from ..core.heat import HeatFlow, UnstableStepError, FlowDivergedError
except ImportError:  # pragma: no cover - only while the core is being written
    HeatFlow = _fallback.HeatFlow
    UnstableStepError, FlowDivergedError = _fallback.UnstableStepError, _fallback.FlowDivergedError
    FALLBACKS.add("heat")

try:  # joint flow (helper-1)
    from ..core.training import JointFlow
except ImportError:  # pragma: no cover
    JointFlow = _fallback.JointFlow
    FALLBACKS.add("training")

#: Errors a flow or a solve may raise that the GUI turns into a status message.
CORE_ERRORS = (UnstableStepError, FlowDivergedError, ValueError, ArithmeticError,
               np.linalg.LinAlgError, RuntimeError)


def equilibrium(network: Network, pins: PinSet, layout: SheafLayout):
    """``core.solve.equilibrium(..., sigma="auto")``; a dense fallback while it is a stub."""
    from ..core import solve

    try:
        return solve.equilibrium(network, pins, sigma="auto", layout=layout)
    except NotImplementedError:
        FALLBACKS.add("solve")
        return _fallback.equilibrium(network, pins, layout=layout)


def _z_out(layout: SheafLayout, c: np.ndarray) -> np.ndarray:
    return c[layout.vertex(f"z{layout.n_hidden + 1}").slice]


def spectrum(network: Network, pins: PinSet, layout: SheafLayout,
             c: np.ndarray) -> tuple[float, float]:
    """``(λ_min, λ_max)`` of ``L_free(σ(c))`` (linearised at ``c`` for a nonlinear head)."""
    from ..core import spectrum as spec

    sigma = layout.sigma_of(c)
    z_out = _z_out(layout, c)
    try:
        s = spec.spectrum_summary(network, pins, sigma, layout=layout, z_out=z_out,
                                  n_extreme=1)
        return float(s.lambda_min), float(s.lambda_max)
    except NotImplementedError:
        FALLBACKS.add("spectrum")
    delta, _ = coboundary(layout, network, sigma, z_out=z_out)
    res = pins.resolve(layout)
    d = delta[:, res.free_index].toarray()
    lap = d.T @ d
    if res.soft_index.size:
        pos = np.searchsorted(res.free_index, res.soft_index)
        lap[pos, pos] += res.soft_gamma
    if lap.size == 0:
        return float("nan"), float("nan")
    ev = np.linalg.eigvalsh(lap)
    return float(max(ev[0], 0.0)), float(ev[-1])


#: The GUI keeps its own bounded history, so the flow's own trace records (almost) nothing.
_NO_TRACE = 1 << 62


def heat_flow(network: Network, pins: PinSet, c0: np.ndarray, *, alpha: float, dt: float,
              layout: SheafLayout, force: str = "energy"):
    """A heat flow (SPEC §8) started at ``c0``."""
    if "heat" in FALLBACKS:
        return HeatFlow(network, pins, c0, alpha=alpha, dt=dt)
    return HeatFlow(network, pins, c0, alpha=alpha, dt=dt, layout=layout,
                    record_every=_NO_TRACE, force=force)


def initial_state(network: Network, pins: PinSet, layout: SheafLayout, *,
                  init: str = "forward", state_seed: int = 0) -> np.ndarray:
    """The initial cochain of a relaxation (SPEC §8: forward, zeros or random)."""
    try:
        from ..core.heat import initial_state as _init
    except ImportError:  # pragma: no cover
        res = pins.resolve(layout)
        x = np.zeros(layout.size)
        x[res.hard_index] = res.hard_value
        return pins.apply(layout, layout.forward_cochain(network, x[layout.vertex("x").slice]))
    return _init(network, pins, init=init, state_seed=state_seed, layout=layout)


def joint_flow(network: Network, X: np.ndarray, Y: np.ndarray, *, alpha: float,
               beta: float | None, dt: float, mode: str = "paper"):
    """A joint state–parameter flow (SPEC §10) on a batch ``X (B, n0)``, ``Y (B, n_out)``."""
    return JointFlow(network, X, Y, mode=mode, alpha=alpha, beta=beta, dt=dt)


def list_presets() -> list[str]:
    from ..core import presets

    fn = getattr(presets, "list_presets", None)
    if fn is None:
        FALLBACKS.add("presets")
        return [presets.DEFAULT_PRESET]
    names = list(fn())
    return [getattr(n, "name", n) for n in names]


def load_preset(name: str | None):
    """The named preset (the default when ``None``)."""
    from ..core import presets

    name = name or presets.DEFAULT_PRESET
    fn = getattr(presets, "load_preset", None)
    if fn is None:
        FALLBACKS.add("presets")
        if name != presets.DEFAULT_PRESET:
            raise ValueError(f"unknown preset {name!r} (presets are not available yet)")
        return _fallback.running_preset()
    return fn(name)


def load_dataset(name: str | None):
    """The data set of a preset, or ``None`` when it has none or datasets are missing."""
    if not name:
        return None
    try:
        from ..core.datasets import load_dataset as _load
    except ImportError:
        FALLBACKS.add("datasets")
        return None
    return _load(name)
