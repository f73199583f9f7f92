"""Presets: networks, pins, data and rates shipped as data inside the package.

API contract (filled in by the presets work): ``list_presets()``, ``load_preset(name)``,
``DEFAULT_PRESET``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .network import Network
from .pins import PinSet

DEFAULT_PRESET = "running-241"


@dataclass(frozen=True)
class Preset:
    """Everything a lesson needs to start: network, pins, data and rates.

    Attributes
    ----------
    name : str, the CLI name ("running-241")
    title : str, a one-line human title
    notes : str, lesson notes (what to click, what to watch), plain text
    network : Network
    pins : PinSet, the preset's own pins (x and y of the training pair, etc.)
    data : str or None, a data-set name of ``core.datasets`` ("paraboloid", …)
    example : int or None, which training pair is pinned when ``data`` is set
    alpha, beta, dt : flow rates (beta None → 1/n_train)
    mode : "relax" (heat equation) or "paper" / "adiabatic" / "gd" (training)
    init : "forward" | "zeros" | "random", initial state of a relaxation
    state_seed : int, seed of the random initial state
    output_force : "energy" (true gradient) or "cross-entropy" (SPEC §9)
    """

    name: str
    title: str
    notes: str
    network: Network
    pins: PinSet
    data: str | None = None
    example: int | None = None
    alpha: float = 1.0
    beta: float | None = None
    dt: float = 0.05
    mode: str = "relax"
    init: str = "forward"
    state_seed: int = 0
    output_force: str = "energy"
