"""The ``sheafviz`` command line (DESIGN.md "Command line").

``sheafviz`` alone opens the GUI on the default preset; the subcommands are ``solve``,
``relax``, ``train``, ``presets``, ``gui``, ``render`` and ``bench``. Bad input of any kind
ends with exit code 2 and one line ``sheafviz: error: …`` on stderr, never a traceback; only
errors of the project's own types (and argparse's) are caught, so a real bug still shows.

Order in which pins are applied: the preset's own pins, then (``relax``/``train`` with
``--data`` or ``--example``) ``x`` and ``y`` of the chosen training example, then the
``--pin`` / ``--soft`` / ``--unpin`` options in the order they appear on the command line
(a later option overrides an earlier one on the same coordinate).

The GUI is imported only inside the ``gui`` command (and when no subcommand is given).
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import sys
import warnings
from pathlib import Path

import numpy as np

from . import __version__
from .core.datasets import DATASETS, DataError, Dataset, load_data_file, load_dataset
from .core.flowcheck import FlowDivergedError, UnstableStepError
from .core.network import OUTPUT_HEADS, Network, NetworkError, validate_arch
from .core.pins import PinError, PinSet, parse_pin_spec
from .core.presets import DEFAULT_PRESET, Preset, PresetError, load_preset, preset_info
from .core.sheaf import SheafLayout
from . import cli_report as report

PROG = "sheafviz"


class CLIError(Exception):
    """Bad command-line input found by the CLI itself (exit code 2)."""


class _UsageError(Exception):
    """An argparse error, re-raised so that ``main`` prints it as one line."""


#: Everything that means "the user's input cannot be used" → exit 2, one line.
USER_ERRORS = (CLIError, _UsageError, NetworkError, PinError, DataError, PresetError,
               UnstableStepError, FlowDivergedError)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D401 — argparse hook
        raise _UsageError(f"{message} (see '{self.prog} --help')")


# -- argument types -----------------------------------------------------------------------
def _float_type(*, positive: bool = True):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if positive and value <= 0:
            raise argparse.ArgumentTypeError(f"{text!r} must be positive")
        return value
    return parse


def _int_type(minimum: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} must be at least {minimum}")
        return value
    return parse


class _PinOp(argparse.Action):
    """Collect --pin / --soft / --unpin in command-line order into ``args.pin_ops``."""

    def __call__(self, parser, namespace, values, option_string=None):
        ops = list(getattr(namespace, "pin_ops", None) or [])
        ops.append((self.const, values))
        namespace.pin_ops = ops


# -- parser -------------------------------------------------------------------------------
def _network_options(parser: argparse.ArgumentParser, *, pins: bool = True) -> None:
    group = parser.add_argument_group("network (default: --preset " + DEFAULT_PRESET + ")")
    which = group.add_mutually_exclusive_group()
    which.add_argument("--preset", metavar="NAME", help="a shipped preset (see 'presets')")
    which.add_argument("--weights", metavar="FILE.npz", help="weights file (SPEC §1)")
    which.add_argument("--arch", metavar="N0,N1,...", help="He-initialised network, e.g. 2,4,1")
    group.add_argument("--seed", type=int, default=None,
                       help="seed of the --arch weights (default 0)")
    group.add_argument("--output", choices=OUTPUT_HEADS, default=None,
                       help="output head (default identity for --arch; overrides the others)")
    if not pins:
        return
    pin = parser.add_argument_group("pins (applied after the preset's own, in order)")
    pin.add_argument("--pin", action=_PinOp, const="pin", metavar="SPEC",
                     help="hard pin: x=1,2 (a stalk) or 'a1[0]=0.5' (a coordinate)")
    pin.add_argument("--soft", action=_PinOp, const="soft", metavar="SPEC",
                     help="soft pin VALUE@STIFFNESS: y=3@0.1 or 'a1[0]=0.5@10'")
    pin.add_argument("--unpin", action=_PinOp, const="unpin", metavar="NAME",
                     help="remove pins: a vertex (y) or a coordinate ('a1[2]')")
    parser.set_defaults(pin_ops=[])


def _flow_options(parser: argparse.ArgumentParser, *, train: bool) -> None:
    flow = parser.add_argument_group("data and flow (defaults: the preset's, else shown)")
    flow.add_argument("--data", metavar="NAME|FILE",
                      help=f"data set ({', '.join(DATASETS)}) or a .npz / .csv file")
    flow.add_argument("--data-seed", type=int, default=42, help="seed of a named data set")
    flow.add_argument("--example", type=_int_type(0), default=None,
                      help="training example pinned at x and y (default 0)")
    flow.add_argument("--steps", type=_int_type(0), default=None,
                      help="Euler steps (relax: the cap, default 100000; train: default 1000)")
    flow.add_argument("--dt", type=_float_type(), default=None, help="Euler step Δt")
    flow.add_argument("--alpha", type=_float_type(), default=None, help="stalk rate α")
    flow.add_argument("--record-every", type=_int_type(1), default=None,
                      help="record every this many steps (default: relax 1, train 10)")
    flow.add_argument("--force", choices=("energy", "cross-entropy"), default=None,
                      help="output force (SPEC §9; cross-entropy needs sigmoid/softmax)")
    if train:
        flow.add_argument("--mode", choices=("paper", "adiabatic", "gd"), default=None,
                          help="joint flow (paper), relax-then-step (adiabatic), or backprop")
        flow.add_argument("--beta", type=_float_type(), default=None,
                          help="parameter rate β (default 1/n_train)")
        flow.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), default="sgd",
                          help="optimizer of the adiabatic and gd modes")
        flow.add_argument("--lr", type=_float_type(), default=None,
                          help="learning rate of the adiabatic and gd modes (default 0.005)")
    else:
        # The joint flow always starts its stalks at the forward pass (SPEC §10).
        flow.add_argument("--init", choices=("forward", "zeros", "random"), default=None,
                          help="initial state of the stalks (default forward)")
        flow.add_argument("--state-seed", type=int, default=None,
                          help="seed of --init random")
        flow.add_argument("--tol", type=_float_type(), default=1e-9,
                          help="stop when max |Δc|/Δt is below this (default 1e-9)")
    out = parser.add_argument_group("output")
    out.add_argument("--out", metavar="RUN.json", help="also write the JSON document here")
    out.add_argument("--save-weights", metavar="FILE.npz", help="write the final weights")


def _gui_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("session", nargs="?", metavar="SESSION", help="a saved session (.json)")
    p.add_argument("--preset", metavar="NAME", help="a shipped preset (default running-241)")
    p.add_argument("--pin", action=_PinOp, const="pin", metavar="SPEC", help="extra hard pin")
    p.add_argument("--soft", action=_PinOp, const="soft", metavar="SPEC", help="extra soft pin")
    p.add_argument("--unpin", action=_PinOp, const="unpin", metavar="NAME", help="remove pins")
    p.set_defaults(pin_ops=[])
    p.add_argument("--steps", type=_int_type(0), default=None,
                   help="run this many flow steps first")
    p.add_argument("--size", metavar="WxH", help="window size, e.g. 1280x720")


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the whole command line."""
    parser = _Parser(prog=PROG, description="The neural sheaf of a ReLU network: pin, relax, "
                     "train. Without a subcommand the GUI opens on the default preset.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("solve", help="equilibrium of the pinned sheaf (SPEC §6-7)")
    _network_options(p)
    p.add_argument("--sigma", choices=("auto", "forward"), default="auto",
                   help="auto: state-dependent equilibrium; forward: hold the forward pattern")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    p = sub.add_parser("relax", help="heat flow of the pinned sheaf (SPEC §8)")
    _network_options(p)
    _flow_options(p, train=False)
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    p = sub.add_parser("train", help="joint state-parameter flow (SPEC §10)")
    _network_options(p, pins=False)
    _flow_options(p, train=True)
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    p = sub.add_parser("presets", help="list the shipped presets")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    p = sub.add_parser("gui", help="open the main window")
    _gui_options(p)
    p.add_argument("--screenshot", metavar="FILE.png", help="save a screenshot and quit")

    p = sub.add_parser("render", help="headless PNG of a preset's window (for slides)")
    _gui_options(p)
    p.add_argument("--out", metavar="FILE.png", required=True, help="the picture to write")

    p = sub.add_parser("bench", help="benchmarks")
    p.add_argument("--only", metavar="SECTIONS", help="comma list of solve,dynamics,gui")
    return parser


# -- resolving the network, pins and data ---------------------------------------------------
def resolve_network(args) -> tuple[Network, Preset | None]:
    """The network named by --preset / --weights / --arch (default: the default preset)."""
    preset = None
    if args.seed is not None and not args.arch:
        raise CLIError("--seed seeds the weights of --arch; give --arch too")
    if args.weights:
        network = Network.load(args.weights)
    elif args.arch:
        try:
            arch = [int(t) for t in args.arch.split(",")]
        except ValueError:
            raise CLIError(f"--arch {args.arch!r} is not a comma-separated list of "
                           f"integers") from None
        arch = validate_arch(arch)
        network = Network.he_init(arch, seed=0 if args.seed is None else args.seed,
                                  output=args.output or "identity")
    else:
        preset = load_preset(args.preset or DEFAULT_PRESET)
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


# -- output helpers -----------------------------------------------------------------------
def plain(value):
    """Numpy/tuple values → JSON-ready Python; NaN and inf → None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def dumps(doc: dict, *, indent: int | None = None) -> str:
    return json.dumps(plain(doc), indent=indent, allow_nan=False, ensure_ascii=False)


def _write(path: str, text: str, what: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CLIError(f"cannot write {what} {path}: {exc.strerror or exc}") from None


def _save_weights(network: Network, path: str) -> None:
    try:
        network.save(path)
    except OSError as exc:
        raise CLIError(f"cannot write weights {path}: {exc.strerror or exc}") from None


class Progress:
    """A one-line progress bar on stderr (silent unless enabled and stderr is a terminal)."""

    def __init__(self, label: str, *, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled and sys.stderr.isatty()
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        frac = min(1.0, done / total)
        bar = "#" * int(30 * frac)
        sys.stderr.write(f"\r{self.label} [{bar:<30}] {100 * frac:5.1f}% {done}/{total}")
        sys.stderr.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            sys.stderr.write("\n")
            sys.stderr.flush()


# -- commands -------------------------------------------------------------------------------
def cmd_solve(args) -> int:
    from .core.solve import equilibrium

    network, preset = resolve_network(args)
    layout = SheafLayout(network.arch)
    pins = resolve_pins(args, network, preset, layout)
    sol = equilibrium(network, pins, sigma=args.sigma, layout=layout)
    doc = report.state_document(network, pins, layout, sol.cochain, sigma=sol.sigma,
                                consistent=sol.consistent, flipped=sol.flipped,
                                on_boundary=sol.on_boundary,
                                underdetermined=sol.underdetermined, local=sol.local,
                                method=sol.method, pin_energy=sol.pin_energy)
    doc.update(iterations=sol.iterations, cycled=sol.cycled,
               preset=preset.name if preset else None)
    print(dumps(doc) if args.json else report.format_state(doc, title="solve"))
    return 0


def _flow_defaults(args, preset: Preset | None) -> dict:
    """Rates and init: command line, else the preset's, else the defaults."""
    def pick(name, preset_value, default):
        value = getattr(args, name, None)
        if value is not None:
            return value
        return preset_value if preset is not None and preset_value is not None else default

    return {
        "alpha": pick("alpha", preset and preset.alpha, 1.0),
        "dt": pick("dt", preset and preset.dt, None),
        "init": pick("init", preset and preset.init, "forward"),
        "state_seed": pick("state_seed", preset and preset.state_seed, 0),
        "force": pick("force", preset and preset.output_force, "energy"),
    }


def _check_force(force: str, network: Network) -> str:
    if force == "cross-entropy" and network.output == "identity":
        raise CLIError("--force cross-entropy needs a sigmoid or softmax output head")
    return force


def cmd_relax(args) -> int:
    from .core.heat import relax

    network, preset = resolve_network(args)
    layout = SheafLayout(network.arch)
    data = resolve_data(args, network, preset)
    pins = resolve_pins(args, network, preset, layout, data)
    rates = _flow_defaults(args, preset)
    _check_force(rates["force"], network)
    progress = Progress("relax", enabled=not args.json)
    try:
        result = relax(network, pins, init=rates["init"], state_seed=rates["state_seed"],
                       alpha=rates["alpha"], dt=rates["dt"], tol=args.tol,
                       max_steps=100_000 if args.steps is None else args.steps,
                       record_every=args.record_every or 1, force=rates["force"],
                       layout=layout, progress=progress)
    finally:
        progress.close()
    doc = report.flow_state_document(network, pins, layout, result.cochain,
                                     force=rates["force"])
    doc.update(preset=preset.name if preset else None, steps=int(result.steps),
               converged=bool(result.converged), time=result.time, dt=result.dt,
               alpha=rates["alpha"], init=rates["init"], force=rates["force"],
               energy_trace=[[t, e] for t, e in result.energy_trace],
               events=[report.event_json(ev) for ev in result.events])
    _finish(args, doc, network, lambda: report.format_relax(doc))
    return 0


def _finish(args, doc: dict, network: Network, text) -> None:
    if args.save_weights:
        _save_weights(network, args.save_weights)
        doc["weights"] = args.save_weights
    if args.out:
        _write(args.out, dumps(doc, indent=1) + "\n", "the run file")
    print(dumps(doc) if args.json else text())


def cmd_train(args) -> int:
    from . import cli_train as train_cli

    network, preset = resolve_network(args)
    data = resolve_data(args, network, preset)
    if data is None:
        raise CLIError("train needs data: give --data NAME|FILE or a preset with data")
    rates = _flow_defaults(args, preset)
    _check_force(rates["force"], network)
    mode = args.mode or (preset.mode if preset is not None and preset.mode != "relax"
                         else "paper")
    beta = args.beta if args.beta is not None else (preset.beta if preset else None)
    if beta is None:
        beta = 1.0 / data.n_train
    progress = Progress("train", enabled=not args.json)
    try:
        flow, doc = train_cli.run_training(
            network, data, mode=mode, alpha=rates["alpha"], beta=beta, dt=rates["dt"],
            optimizer=args.optimizer, lr=args.lr, force=rates["force"],
            steps=1000 if args.steps is None else args.steps,
            record_every=args.record_every or 10, progress=progress)
    finally:
        progress.close()
    doc.update(preset=preset.name if preset else None, data=data.name)
    _finish(args, doc, flow.network, lambda: report.format_train(doc))
    return 0


def cmd_presets(args) -> int:
    info = preset_info()
    if args.json:
        print(dumps({"default": DEFAULT_PRESET, "presets": info}))
        return 0
    width = max(len(p["name"]) for p in info)
    for p in info:
        mark = "*" if p["name"] == DEFAULT_PRESET else " "
        print(f"{mark} {p['name']:<{width}}  {p['title']}")
    print(f"(* the default; details: sheafviz solve --preset NAME)")
    return 0


def _parse_size(text: str | None):
    if text is None:
        return None
    w, sep, h = text.lower().partition("x")
    try:
        size = (int(w), int(h))
    except ValueError:
        size = None
    if not sep or size is None or not (320 <= size[0] <= 10000 and 240 <= size[1] <= 10000):
        raise CLIError(f"--size {text!r} must look like 1280x720 (320x240 .. 10000x10000)")
    return size


def _launch_gui(args, *, screenshot: str | None) -> int:
    """Validate the gui/render options, then call ``run_gui`` (the GUI is imported here)."""
    if args.session and args.preset:
        raise CLIError("give a SESSION file or --preset, not both")
    if args.session and not Path(args.session).is_file():
        raise CLIError(f"{args.session}: no such session file")
    size = _parse_size(args.size)
    preset_name = args.preset or (None if args.session else DEFAULT_PRESET)
    pins = None
    if preset_name is not None:
        preset = load_preset(preset_name)
        if args.pin_ops:
            layout = SheafLayout(preset.network.arch)
            pins = apply_pin_ops(layout, preset.pins, args.pin_ops)
    elif args.pin_ops:
        raise CLIError("--pin/--soft/--unpin apply to a preset, not to a SESSION file")
    try:
        from .gui.app import run_gui
    except ImportError as exc:
        raise CLIError(f"the GUI cannot start: {exc}") from None
    kwargs = dict(preset=preset_name, steps=args.steps, screenshot=screenshot, size=size)
    if pins is not None:
        kwargs["pins"] = pins
    if args.session:
        if "session" not in inspect.signature(run_gui).parameters:
            raise CLIError("this GUI cannot open session files yet; use --preset")
        kwargs["session"] = args.session
    try:
        return int(run_gui(**kwargs) or 0)
    except ValueError as exc:  # run_gui's documented bad-input errors (before any window)
        raise CLIError(_one_line(exc)) from None


def cmd_gui(args) -> int:
    """Open the GUI; ``--screenshot FILE.png`` saves the window and quits instead."""
    if args.screenshot and not args.screenshot.lower().endswith(".png"):
        raise CLIError(f"--screenshot {args.screenshot!r} must be a .png file")
    return _launch_gui(args, screenshot=args.screenshot)


def cmd_render(args) -> int:
    """Headless PNG of the main window on a preset (offscreen when there is no display).

    GIF export and rendering a SESSION file are not available yet."""
    suffix = Path(args.out).suffix.lower()
    if suffix == ".gif":
        raise CLIError("GIF rendering is not available yet; use --out FILE.png")
    if suffix != ".png":
        raise CLIError(f"--out {args.out!r} must be a .png file")
    if not Path(args.out).resolve().parent.is_dir():
        raise CLIError(f"cannot write {args.out}: its directory does not exist")
    return _launch_gui(args, screenshot=args.out)


def cmd_bench(args) -> int:
    """Run ``sheafviz.benchmarks.run_all`` (it prints its own report)."""
    try:
        from . import benchmarks
    except ImportError as exc:
        raise CLIError(f"benchmarks are not available: {exc}") from None
    known = tuple(getattr(benchmarks, "SECTIONS", ("solve", "dynamics", "gui")))
    sections = None
    if args.only:
        sections = [s.strip() for s in args.only.split(",") if s.strip()]
        unknown = [s for s in sections if s not in known]
        if unknown or not sections:
            raise CLIError(f"--only: unknown section(s) {', '.join(unknown) or '(none given)'}; "
                           f"expected a comma list of {', '.join(known)}")
    result = benchmarks.run_all(sections=sections)
    return result if isinstance(result, int) else 0


COMMANDS = {"solve": cmd_solve, "relax": cmd_relax, "train": cmd_train,
            "presets": cmd_presets, "gui": cmd_gui, "render": cmd_render, "bench": cmd_bench}


def _one_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def _warning_line(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(f"{PROG}: warning: {' '.join(str(message).split())}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _UsageError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    if args.command is None:  # no subcommand: the GUI on the default preset
        args = parser.parse_args(["gui"])
    with warnings.catch_warnings():
        warnings.showwarning = _warning_line
        try:
            return COMMANDS[args.command](args)
        except USER_ERRORS as exc:
            print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"{PROG}: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:  # e.g. `sheafviz solve | head`: the reader left, stay quiet
            _silence_stdout()
            return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so Python's exit-time flush does not complain again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
