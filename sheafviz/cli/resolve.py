"""The network, pins and data that the command line's options name, resolved.

Order in which pins are applied: the preset's own pins, then (``relax``/``train`` with
``--data`` or ``--example``) ``x`` and ``y`` of the chosen training example, then the
``--pin`` / ``--soft`` / ``--unpin`` options in the order they appear on the command line
(a later option overrides an earlier one on the same coordinate).
"""

from __future__ import annotations

from pathlib import Path

from sheafviz.cli.errors import CLIError
from sheafviz.core.data.datasets import DATASETS, DataError, Dataset, load_data_file, load_dataset
from sheafviz.core.data.limits import ResourceError, check_memory
from sheafviz.core.data.presets import DEFAULT_PRESET, Preset, load_preset
from sheafviz.core.data.torch_import import load_network_file
from sheafviz.core.model.network import Network, validate_arch
from sheafviz.core.model.pins import PinError, PinSet, parse_pin_spec
from sheafviz.core.model.sheaf import SheafLayout


def parse_arch(text: str) -> list[int]:
    """``"2,4,1"`` → ``[2, 4, 1]``; CLIError for anything but comma-separated integers."""
    parts = [t.strip() for t in text.split(",")]
    if not text.strip() or not all(p.isascii() and p.isdigit() for p in parts):
        raise CLIError(f"--arch {text[:80]!r} is not a comma-separated list of positive "
                       f"integers (e.g. 2,4,1)")
    if any(len(p) > 12 for p in parts):
        raise CLIError(f"--arch {text[:80]!r}: a layer width is far too large")
    return [int(p) for p in parts]


def resolve_network(args) -> tuple[Network, Preset | None]:
    """The network named by --preset / --weights / --arch (default: the default preset)."""
    preset = None
    if args.seed is not None and args.arch is None:
        raise CLIError("--seed seeds the weights of --arch; give --arch too")
    if args.weights is not None:
        network = load_network_file(args.weights)
    elif args.arch is not None:
        arch = validate_arch(parse_arch(args.arch))
        network = Network.he_init(arch, seed=0 if args.seed is None else args.seed,
                                  output=args.output or "identity")
    else:
        preset = load_preset(DEFAULT_PRESET if args.preset is None else args.preset)
        network = preset.network
    if args.output and args.output != network.output:
        network = Network(network.weights, network.biases, args.output)
    return network, preset


def _neuron(layout: SheafLayout, text: str) -> tuple[str, int | None]:
    try:
        return layout.parse_neuron(text)
    except (KeyError, IndexError) as exc:
        raise PinError(str(exc.args[0]) if exc.args else str(exc)) from None


def apply_pin_ops(layout: SheafLayout, pins: PinSet, ops) -> PinSet:
    """Apply ``[("pin"|"soft"|"unpin", text), ...]`` in order; raise PinError on bad input."""
    for kind, text in ops:
        try:
            if kind == "unpin":
                name, index = _neuron(layout, text)
                pins = pins.unpin(layout, name, index)
                continue
            name, index, values, gamma = parse_pin_spec(layout, text, soft=(kind == "soft"))
            if kind == "soft":
                pins = pins.pin_soft(layout, name, values, gamma, index)
            else:
                pins = pins.pin(layout, name, values, index)
        except (KeyError, IndexError) as exc:
            raise PinError(str(exc.args[0]) if exc.args else str(exc)) from None
    return pins


def resolve_data(args, network: Network, preset: Preset | None) -> Dataset | None:
    """The data set of --data (a name or a file), else the preset's, else None."""
    source = args.data or (preset.data if preset is not None else None)
    if source is None:
        return None
    if source in DATASETS:
        ds = load_dataset(source, seed=args.data_seed)
    elif Path(source).suffix.lower() in (".npz", ".csv") or Path(source).exists():
        ds = load_data_file(source, n_outputs=network.arch[-1], output=network.output)
    else:
        raise DataError(f"unknown data set {source!r}; the data sets are "
                        f"{', '.join(DATASETS)} (or give a .npz / .csv file)")
    ds.check_network(network.arch)
    ds.check_head(network.output)
    try:
        check_memory(network.arch, ds.n_train + ds.X_test.shape[0], what=f"data {ds.name!r}")
    except ResourceError as exc:
        raise DataError(str(exc)) from None
    return ds


def resolve_pins(args, network: Network, preset: Preset | None, layout: SheafLayout,
                 data: Dataset | None = None) -> PinSet:
    pins = preset.pins if preset is not None else PinSet()
    explicit_example = getattr(args, "example", None) is not None
    if data is not None and (getattr(args, "data", None) or explicit_example):
        x, y = data.example(args.example or 0)
        pins = pins.pin(layout, "x", x).pin(layout, "y", y)
    elif explicit_example:
        raise CLIError("--example needs data: give --data NAME|FILE or a preset with data")
    return apply_pin_ops(layout, pins, getattr(args, "pin_ops", []))
