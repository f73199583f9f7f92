"""Presets: networks, pins, data and rates shipped as data inside the package.

Each preset is one JSON file ``sheafviz/presets/NAME.json`` read with
:mod:`importlib.resources`, with the keys

``name``, ``title``, ``notes`` (a string or a list of lines), ``network``, ``pins``
(``PinSet.to_json`` format), ``data``, ``example``, ``alpha``, ``beta``, ``dt``, ``mode``,
``init``, ``state_seed``, ``output_force``.

``network`` is either explicit, ``{"arch": [...], "output": ..., "weights": {"W1": [[...]],
"b1": [...], ...}}``, or seeded, ``{"arch": [...], "seed": N, "output": ...}`` (He-normal
weights from ``numpy.random.default_rng(N)``). When ``data`` names a data set and
``example`` is an integer, that training pair (``x``, ``y``) is pinned on top of the file's own
pins (data seed 42, as the paper's data sets); with ``example`` null the file's pins are used as they are.

API: :func:`list_presets`, :func:`load_preset`, :func:`preset_info`, :data:`DEFAULT_PRESET`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from sheafviz.core.data.datasets import DATASETS, load_dataset
from sheafviz.core.data.schema import SchemaError, validate_preset
from sheafviz.core.model.network import Network, NetworkError, network_from_arrays, validate_arch
from sheafviz.core.model.pins import PinError, PinSet
from sheafviz.core.model.sheaf import SheafLayout

DEFAULT_PRESET = "running-241"

MODES = ("relax", "paper", "adiabatic", "gd")
INITS = ("forward", "zeros", "random")
OUTPUT_FORCES = ("energy", "cross-entropy")

#: Seed of the data set a preset's ``example`` is drawn from (the paper's seed).
DATA_SEED = 42


class PresetError(ValueError):
    """An unknown preset name or a malformed preset file; the message names the problem."""


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
    output_force : "energy" (true gradient) or "cross-entropy" (the classifier force)
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


def _preset_dir():
    return resources.files("sheafviz") / "presets"


@lru_cache(maxsize=1)
def list_presets() -> tuple[str, ...]:
    """Names of the shipped presets, the default first, then alphabetical."""
    names = sorted(p.name[:-5] for p in _preset_dir().iterdir() if p.name.endswith(".json"))
    if DEFAULT_PRESET in names:
        names.remove(DEFAULT_PRESET)
        names.insert(0, DEFAULT_PRESET)
    return tuple(names)


def _read_json(name: str) -> dict:
    if not isinstance(name, str) or name not in list_presets():
        raise PresetError(f"unknown preset {name!r}; the presets are "
                          f"{', '.join(list_presets())}")
    try:
        data = json.loads((_preset_dir() / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PresetError(f"preset {name!r}: cannot read its file ({exc})") from None
    if not isinstance(data, dict):
        raise PresetError(f"preset {name!r}: the file must hold a JSON object")
    return data


def _network(spec: dict, where: str) -> Network:
    """Build the network of a preset's ``network`` entry (explicit or seeded)."""
    if not isinstance(spec, dict) or "arch" not in spec:
        raise PresetError(f"{where}: 'network' needs an 'arch'")
    try:
        arch = validate_arch(spec["arch"])
        output = spec.get("output", "identity")
        if "weights" in spec:
            net = network_from_arrays(dict(spec["weights"], output=output), source=where)
            if net.arch != arch:
                raise PresetError(f"{where}: the weights give architecture {list(net.arch)}, "
                                  f"'arch' says {list(arch)}")
            return net
        if "seed" in spec:
            return Network.he_init(arch, seed=int(spec["seed"]), output=output)
    except NetworkError as exc:
        raise PresetError(str(exc) if where == "preset" else f"{where}: {exc}") from None
    raise PresetError(f"{where}: 'network' needs 'weights' or 'seed'")


def _choice(data: dict, key: str, options, default, where: str):
    value = data.get(key, default)
    if value not in options:
        raise PresetError(f"{where}: {key} {value!r} is not one of {', '.join(options)}")
    return value


def preset_from_dict(data: dict, *, where: str = "preset") -> Preset:
    """Build a :class:`Preset` from its JSON object (see the module docstring).

    Raises
    ------
    PresetError
        When a key is missing or a value does not fit (the message names which).
    """
    try:
        validate_preset(data)
    except SchemaError as exc:
        raise PresetError(f"{where}: {exc}") from None
    notes = data["notes"]
    notes = "\n".join(notes) if isinstance(notes, list) else str(notes)
    network = _network(data["network"], where)
    layout = SheafLayout(network.arch)
    try:
        pins = PinSet.from_json(layout, data.get("pins") or {})
    except (PinError, KeyError, IndexError) as exc:
        raise PresetError(f"{where}: bad pins: {str(exc).strip(chr(34) + chr(39))}") from None
    dataset, example = data.get("data"), data.get("example")
    if dataset is not None:
        if dataset not in DATASETS:
            raise PresetError(f"{where}: unknown data set {dataset!r}")
        ds = load_dataset(dataset, seed=DATA_SEED)
        if ds.n_inputs != network.arch[0] or ds.n_outputs != network.arch[-1]:
            raise PresetError(f"{where}: data set {dataset!r} does not fit the network "
                              f"{list(network.arch)}")
        if example is not None:
            x, y = ds.example(int(example))
            pins = pins.pin(layout, "x", x).pin(layout, "y", y)
    elif example is not None:
        raise PresetError(f"{where}: 'example' needs 'data'")
    beta = data.get("beta")
    return Preset(
        name=str(data["name"]), title=str(data["title"]), notes=notes, network=network,
        pins=pins, data=dataset, example=None if example is None else int(example),
        alpha=float(data.get("alpha", 1.0)), beta=None if beta is None else float(beta),
        dt=float(data.get("dt", 0.05)), mode=_choice(data, "mode", MODES, "relax", where),
        init=_choice(data, "init", INITS, "forward", where),
        state_seed=int(data.get("state_seed", 0)),
        output_force=_choice(data, "output_force", OUTPUT_FORCES, "energy", where),
    )


def load_preset(name: str) -> Preset:
    """Load a shipped preset by name; raise PresetError naming the presets when unknown.

    Every call builds fresh objects (Network and PinSet are immutable anyway).
    """
    return preset_from_dict(_read_json(name), where=f"preset {name!r}")


def preset_info() -> list[dict]:
    """One summary per preset, in :func:`list_presets` order.

    Returns
    -------
    list of dict with keys name, title, arch (list of int), output, data, mode
    """
    info = []
    for name in list_presets():
        data = _read_json(name)
        net = data.get("network", {})
        info.append({"name": name, "title": data.get("title", ""),
                     "arch": [int(n) for n in net.get("arch", [])],
                     "output": net.get("output", "identity"),
                     "data": data.get("data"), "mode": data.get("mode", "relax")})
    return info
