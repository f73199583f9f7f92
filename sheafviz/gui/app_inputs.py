"""What run_gui is given, checked before any window exists: size, pins, preset, session file, network."""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.pins import PinError, PinSet, parse_pin_spec
from sheafviz.core.model.sheaf import SheafLayout


def parse_size(size) -> tuple[int, int] | None:
    """``"1920x1080"`` or ``(1920, 1080)`` → (w, h); raise ValueError naming the problem."""
    if size is None:
        return None
    if isinstance(size, str):
        parts = size.lower().replace("×", "x").split("x")
        try:
            w, h = (int(p) for p in parts)
        except ValueError:
            raise ValueError(f"size {size!r} must look like 1920x1080") from None
    else:
        w, h = (int(v) for v in size)
    if not (320 <= w <= 10000 and 240 <= h <= 10000):
        raise ValueError(f"size {w}x{h} is out of range (320x240 .. 10000x10000)")
    return w, h


def apply_pin_specs(layout: SheafLayout, pins: PinSet, specs) -> PinSet:
    """Add CLI pin strings (``"x=1,2"``, ``"a1[0]=0.5"``, soft ``"y=3@0.1"``) to ``pins``."""
    for spec in specs:
        soft = "@" in spec
        name, index, values, gamma = parse_pin_spec(layout, spec, soft=soft)
        value = values[0] if index is not None else values
        if soft:
            pins = pins.pin_soft(layout, name, value, gamma, index)
        else:
            pins = pins.pin(layout, name, value, index)
    return pins


def resolve_session(preset, pins):
    """Validate the preset and pins before any window exists (errors → ValueError)."""
    from . import engine

    p = engine.load_preset(preset)
    return p, extend_pins(p, pins)


def extend_pins(p, pins) -> PinSet:
    """The preset's pins extended by CLI strings, or replaced by a PinSet (validated)."""
    layout = SheafLayout(p.network.arch)
    if pins is None:
        return p.pins
    if isinstance(pins, PinSet):
        pins.resolve(layout)
        return pins
    if isinstance(pins, str):
        pins = [pins]
    try:
        return apply_pin_specs(layout, p.pins, list(pins))
    except (KeyError, IndexError) as exc:
        raise PinError(str(exc).strip("'\"")) from None


def session_preset(path):
    """Open a saved session file as ``(Preset, Dataset or None, steps_per_frame)``; raise
    ``SessionError`` / ``DataError`` (ValueErrors) naming the problem."""
    from pathlib import Path

    from sheafviz.core.data.datasets import TASKS, Dataset, load_dataset
    from sheafviz.core.data.presets import Preset
    from sheafviz.core.data.session_file import load_session

    s = load_session(path)
    f = s.flow
    dataset = None
    if s.data is not None:
        if s.data.inline is not None:
            d = s.data.inline
            n0, n_out = s.network.arch[0], s.network.arch[-1]
            dataset = Dataset("inline", np.asarray(d["X"], float), np.asarray(d["Y"], float),
                              np.asarray(d.get("X_test", np.zeros((0, n0))), float),
                              np.asarray(d.get("Y_test", np.zeros((0, n_out))), float),
                              s.network.output, TASKS[s.network.output])
        elif s.data.name:
            dataset = load_dataset(s.data.name, seed=s.data.seed, n_train=s.data.n_train,
                                   n_test=s.data.n_test)
    preset = Preset(name=s.preset or Path(path).stem, title=s.title or Path(path).name,
                    notes="", network=s.network, pins=s.pins, data=None,
                    example=s.example, alpha=f.alpha, beta=f.beta, dt=f.dt, mode=f.mode,
                    init=f.init, state_seed=f.state_seed, output_force=f.output_force)
    return preset, dataset, int(f.steps_per_frame)


def network_session(preset, network, pins, dataset):
    """A Preset for ``network`` (the named preset's settings, else defaults) and its pins."""
    from dataclasses import replace

    from sheafviz.core.data.presets import Preset

    if dataset is not None:
        dataset.check_network(network.arch)
    layout = SheafLayout(network.arch)
    if preset is not None:
        from . import engine

        base = replace(engine.load_preset(preset), network=network)
    else:
        arch = "-".join(str(n) for n in network.arch)
        base = Preset(name="custom", title=f"{arch} network", notes="", network=network,
                      pins=PinSet())
    try:
        if pins is None:
            pinset = base.pins
        elif isinstance(pins, PinSet):
            pinset = pins
        else:
            specs = [pins] if isinstance(pins, str) else list(pins)
            pinset = apply_pin_specs(layout, base.pins, specs)
        pinset.resolve(layout)
    except (KeyError, IndexError) as exc:
        raise PinError(str(exc).strip("'\"")) from None
    return base, pinset
