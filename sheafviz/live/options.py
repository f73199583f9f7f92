"""The session's validated settings values: flow rates and training options.

Both are frozen dataclasses (compared by value, stored in undo records as they are);
``replace`` through :meth:`Rates.updated` / :meth:`TrainingOptions.updated` validates every
field up front and names the bad one.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

#: What :meth:`sheafviz.Session.step` runs: the heat flow or the joint (training) flow.
MODES = ("relax", "joint")
#: How the joint flow trains (see :mod:`sheafviz.core.flows.training`).
TRAINING_MODES = ("paper", "adiabatic", "gd")
OPTIMIZERS = ("sgd", "momentum", "adam")


def positive(name: str, value) -> float:
    """``value`` as a positive finite float, else ValueError naming ``name``."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a positive number, got {value!r}") from None
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number, got {value:g}")
    return value


def one_of(name: str, value, options: tuple) -> str:
    if value not in options:
        raise ValueError(f"unknown {name} {value!r}; expected one of {', '.join(options)}")
    return value


@dataclass(frozen=True)
class Rates:
    """Flow rates.

    Attributes
    ----------
    alpha : float, stalk rate α (both flows)
    beta : float, parameter rate β of the joint flow (on the batch sum)
    dt : float, Euler step Δt
    steps_per_frame : int, steps one animation frame takes (the GUI's timer uses it)
    """

    alpha: float = 1.0
    beta: float = 1.0
    dt: float = 0.05
    steps_per_frame: int = 2

    def __post_init__(self) -> None:
        for name in ("alpha", "beta", "dt"):
            object.__setattr__(self, name, positive(name, getattr(self, name)))
        spf = self.steps_per_frame
        if isinstance(spf, bool) or not isinstance(spf, (int, np.integer)) or spf < 1:
            raise ValueError(f"steps_per_frame must be a positive integer, got {spf!r}")
        object.__setattr__(self, "steps_per_frame", int(spf))

    def updated(self, **changes) -> "Rates":
        """A copy with ``changes`` (None values are ignored); ValueError for a bad value or
        an unknown name."""
        return _updated(self, changes)


@dataclass(frozen=True)
class TrainingOptions:
    """How the joint flow trains.

    Attributes
    ----------
    mode : {"paper", "adiabatic", "gd"}
    optimizer : {"sgd", "momentum", "adam"} (adiabatic and gd modes)
    lr : float or None, learning rate of the optimizer (None: the flow's default,
        Δt·β·B for sgd / momentum and 1e-3 for adam)
    """

    mode: str = "paper"
    optimizer: str = "sgd"
    lr: float | None = None

    def __post_init__(self) -> None:
        one_of("training mode", self.mode, TRAINING_MODES)
        one_of("optimizer", self.optimizer, OPTIMIZERS)
        if self.lr is not None:
            object.__setattr__(self, "lr", positive("lr", self.lr))

    def updated(self, **changes) -> "TrainingOptions":
        """A copy with ``changes`` (None values are ignored, except ``lr=None`` is kept out
        too: pass ``lr="default"`` to go back to the flow's default)."""
        if changes.get("lr") == "default":
            changes = dict(changes)
            changes.pop("lr")
            return _updated(replace(self, lr=None), changes)
        return _updated(self, changes)


def _updated(obj, changes: dict):
    names = {f.name for f in fields(obj)}
    unknown = sorted(set(changes) - names)
    if unknown:
        raise ValueError(f"unknown setting {unknown[0]!r}; expected one of "
                         f"{', '.join(sorted(names))}")
    return replace(obj, **{k: v for k, v in changes.items() if v is not None})


def preset_rates(preset, data) -> dict:
    """α, β, Δt of a preset (or the defaults without one); β None → 1/n_train."""
    n = data.n_train if data is not None else 1
    if preset is None:
        return {"alpha": 1.0, "beta": 1.0 / n, "dt": 0.05}
    beta = float(preset.beta) if preset.beta is not None else 1.0 / n
    return {"alpha": float(preset.alpha), "beta": beta, "dt": float(preset.dt)}


def preset_training(preset) -> TrainingOptions:
    """The training options a preset starts with (the paper's rule without one, or when
    the preset names no training mode)."""
    mode = preset.mode if preset is not None else "paper"
    return TrainingOptions(mode=mode if mode in TRAINING_MODES else "paper")


def preset_state_rule(preset) -> tuple[str, int, str]:
    """``(init, state_seed, output_force)`` of a preset: how its initial state is made and
    which force pulls on the output (the forward pass, seed 0 and the energy without one)."""
    if preset is None:
        return "forward", 0, "energy"
    return preset.init, int(preset.state_seed), preset.output_force
