"""Arguments of the ``sheafviz`` command line: the argparse parser and its option groups.

The resolution of the network, pins and data the options name lives in
:mod:`sheafviz.cli.resolve` (its functions are importable from here too).
"""

from __future__ import annotations

import argparse
import math

from sheafviz import __version__
from sheafviz.cli.errors import CLIError, UsageError
# The resolution functions, imported from here by the commands and tests.
from sheafviz.cli.resolve import (apply_pin_ops, parse_arch, resolve_data, resolve_network,
                                  resolve_pins)
from sheafviz.core.data.datasets import DATASETS
from sheafviz.core.model.graphs import GRAPHS
from sheafviz.core.model.network import OUTPUT_HEADS
from sheafviz.core.data.presets import DEFAULT_PRESET
from sheafviz.core.threads import check_thread_count

PROG = "sheafviz"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # noqa: D401 — argparse hook
        raise UsageError(f"{message} (see '{self.prog} --help')")


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


def _threads_type(text: str) -> int:
    try:
        return check_thread_count(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _threads_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--threads", type=_threads_type, default=None, metavar="N",
                        help="BLAS threads (overrides the policy and OPENBLAS_NUM_THREADS "
                        "etc.; default: one for small networks and in the GUI)")


class _PinOp(argparse.Action):
    """Collect --pin / --soft / --unpin in command-line order into ``args.pin_ops``."""

    def __call__(self, parser, namespace, values, option_string=None):
        ops = list(getattr(namespace, "pin_ops", None) or [])
        ops.append((self.const, values))
        namespace.pin_ops = ops


# -- parser -------------------------------------------------------------------------------
def _network_options(parser: argparse.ArgumentParser, *, pins: bool = True,
                     train: bool = False) -> None:
    group = parser.add_argument_group("network (default: --preset " + DEFAULT_PRESET + ")")
    which = group.add_mutually_exclusive_group()
    which.add_argument("--preset", metavar="NAME", help="a shipped preset (see 'presets')")
    which.add_argument("--weights", metavar="FILE",
                       help="weights: .npz with arrays W1, b1, W2, b2, … (and 'output'), or "
                       "a PyTorch .pt/.pth state_dict of Linear and ReLU layers")
    which.add_argument("--arch", metavar="N0,N1,...", help="He-initialised network, e.g. 2,4,1")
    group.add_argument("--seed", type=_int_type(0), default=None,
                       help="seed (≥ 0) of the --arch weights (default 0)")
    group.add_argument("--output", choices=OUTPUT_HEADS, default=None,
                       help="output head (default identity for --arch; overrides the others)")
    group.add_argument("--graph", choices=GRAPHS, default="chapter",
                       help="chapter: the output is always a vertex y; paper: y exists only "
                       "while pinned (the authors' graph; identity output only); default chapter")
    if not pins:
        return
    title = ("hidden pins, held on every example of the paper mode (x and y come from the "
             "data)" if train else "pins") + " (applied after the preset's own, in order)"
    _pin_options(parser.add_argument_group(title))
    parser.set_defaults(pin_ops=[])


#: The vertices a pin can name, for the help.
PIN_HELP_VERTICES = "vertices: x, z1, a1, z2, a2, …, y"


def _pin_options(group) -> None:
    """--pin / --soft / --unpin with their syntax in the help (shared by every command)."""
    group.add_argument("--pin", action=_PinOp, const="pin", metavar="PIN",
                       help="hard pin NAME=V1,V2,… (a whole stalk, e.g. x=1,2) or "
                       "'NAME[i]=V' (one coordinate, e.g. 'a1[0]=0.5'); " + PIN_HELP_VERTICES)
    group.add_argument("--soft", action=_PinOp, const="soft", metavar="PIN",
                       help="soft pin NAME=VALUES@STIFFNESS, e.g. y=3@0.1 or 'a1[0]=0.5@10' "
                       "(stiffness > 0)")
    group.add_argument("--unpin", action=_PinOp, const="unpin", metavar="NAME",
                       help="remove pins: a vertex (y) or a coordinate ('a1[2]')")


def _flow_options(parser: argparse.ArgumentParser, *, train: bool) -> None:
    flow = parser.add_argument_group("data and flow (defaults: the preset's, else shown)")
    flow.add_argument("--data", metavar="NAME|FILE",
                      help=f"data set ({', '.join(DATASETS)}) or a .npz / .csv file")
    flow.add_argument("--data-seed", type=_int_type(0), default=42,
                      help="seed (≥ 0) of a named data set (default 42)")
    if not train:  # training uses the whole data set; only relax pins one example
        flow.add_argument("--example", type=_int_type(0), default=None,
                          help="training example pinned at x and y (default 0)")
    flow.add_argument("--steps", type=_int_type(0), default=None,
                      help="Euler steps (relax: the cap, default 100000; train: default 1000)")
    flow.add_argument("--dt", type=_float_type(), default=None,
                      help="Euler step Δt (default: the preset's; relax otherwise picks a "
                      "stable step from the spectrum; train 0.005 with one hidden layer, "
                      "0.01 with more)")
    flow.add_argument("--alpha", type=_float_type(), default=None,
                      help="stalk rate α (default 1)")
    flow.add_argument("--record-every", type=_int_type(1), default=None,
                      help="record every this many steps (default: train 10; relax every "
                      "step, the energy trace thinned to at most 2001 points)")
    flow.add_argument("--force", choices=("energy", "cross-entropy"), default=None,
                      help="output force (default energy; cross-entropy, the classifier "
                      "force, needs a sigmoid/softmax head)")
    flow.add_argument("--init", choices=("forward", "zeros", "random"), default=None,
                      help="initial state of the stalks (default forward)")
    flow.add_argument("--state-seed", type=_int_type(0), default=None,
                      help="seed (≥ 0) of --init random (default 0)")
    if train:
        flow.add_argument("--setup", metavar="FILE.npz",
                          help="weights, data and optional stalks in one file "
                          "(docs/file-formats.md); not with --preset/--weights/--arch/"
                          "--data/--stalks")
        flow.add_argument("--stalks", metavar="FILE.npz",
                          help="first stalks z1.., a1.. of the paper mode, each "
                          "(n_train, width)")
        flow.add_argument("--no-warm-start", dest="warm_start", action="store_false",
                          help="restart the stalks every epoch of 1000 steps the way they "
                          "started (paper mode)")
        flow.add_argument("--mode", choices=("paper", "adiabatic", "gd"), default=None,
                          help="joint flow (paper), relax-then-step (adiabatic), or backprop "
                          "(default: the preset's, else paper)")
        flow.add_argument("--beta", type=_float_type(), default=None,
                          help="parameter rate β (default 1/n_train)")
        flow.add_argument("--optimizer", choices=("sgd", "momentum", "adam"), default="sgd",
                          help="optimizer of the adiabatic and gd modes (default sgd)")
        flow.add_argument("--lr", type=_float_type(), default=None,
                          help="learning rate of the adiabatic and gd modes (default 0.005)")
        flow.add_argument("--spectrum-every", type=_int_type(1), default=None, metavar="N",
                          help="measure the spectrum (λ_1, λ_max, κ) every N steps (default "
                          "every 10th record, rarer for large networks: at most ~5%% of the "
                          "run)")
    else:
        flow.add_argument("--tol", type=_float_type(), default=1e-9,
                          help="stop when max |Δc|/Δt is below this (default 1e-9)")
    _threads_option(parser)
    out = parser.add_argument_group("output")
    out.add_argument("--quiet", action="store_true",
                     help="no progress on stderr (default: a bar on a terminal, else a line "
                     "every few seconds)")
    out.add_argument("--out", metavar="RUN.json", help="also write the JSON document here")
    out.add_argument("--save-weights", metavar="FILE.npz", help="write the final weights")


SOLVE_EPILOG = """\
--json keys: vertices, forward (the forward pass of the pinned x, or of the returned x when
x is not fully pinned: see forward_from), energy (E = ½Σd), discord_sum (Σd), pin_energy,
objective, edges [{name, type, layer, tail, head, discord}], discord_by_type,
discord_by_layer, sigma, consistent, flipped, on_boundary, underdetermined, local, method,
spectrum {eigenvalues, eigenvalues_partial, lambda_min, lambda_max, condition (null when
λ_min is 0), block_energy_min, block_energy_max, free_dim}. No NaN: missing values are null.

examples:
  sheafviz solve --preset course-221 --json
  sheafviz solve --arch 2,4,1 --seed 0 --pin x=1,2 --pin y=3
  sheafviz solve --preset running-241 --pin 'a1[0]=0' --unpin y
  sheafviz solve --preset steering --graph paper   (no y vertex while the output is free)
"""

RELAX_EPILOG = """\
--json: the solve keys for the final state, plus steps, converged, time, dt, energy_trace
[[t, E], ...] and events (ReLU switches; chatter merged).

examples:
  sheafviz relax --preset two-minima --init random --state-seed 1
  sheafviz relax --arch 2,8,1 --data saddle --example 3 --json
"""

TRAIN_EPILOG = """\
--json: steps, recorded_steps, train_loss, test_loss, residual, objective per recorded
step, the settings, and weights (the path) with --save-weights.

examples:
  sheafviz train --preset paraboloid --steps 5000
  sheafviz train --arch 2,16,1 --data my.csv --mode gd --optimizer adam --lr 0.01
  sheafviz train --preset paraboloid --init random --state-seed 42 --graph paper
  sheafviz train --setup run.npz --no-warm-start
  sheafviz train --preset steering --data paraboloid --pin 'a1[1]=0.5'
"""


def _gui_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("session", nargs="?", metavar="SESSION", help="a saved session (.json)")
    net = p.add_argument_group("network (default: --preset " + DEFAULT_PRESET + "; with "
                               "--arch/--weights and no --data, x is pinned at evenly spaced "
                               "values in [-1, 1])")
    which = net.add_mutually_exclusive_group()
    which.add_argument("--preset", metavar="NAME", help="a shipped preset (see 'presets')")
    which.add_argument("--weights", metavar="FILE.npz", help="weights file (.npz arrays W1, b1, …)")
    which.add_argument("--arch", metavar="N0,N1,...", help="He-initialised network, e.g. 2,4,1")
    net.add_argument("--seed", type=_int_type(0), default=None,
                     help="seed (≥ 0) of the --arch weights (default 0)")
    net.add_argument("--output", choices=OUTPUT_HEADS, default=None,
                     help="output head (default identity for --arch; overrides the others)")
    net.add_argument("--data", metavar="NAME|FILE",
                     help=f"data set ({', '.join(DATASETS)}) or a .npz / .csv file; its first "
                     "example is pinned at x and y")
    net.add_argument("--data-seed", type=_int_type(0), default=None,
                     help="seed (≥ 0) of a named --data set (default 42)")
    _pin_options(p)
    p.set_defaults(pin_ops=[])
    p.add_argument("--steps", type=_int_type(0), default=None,
                   help="run this many flow steps first (default none)")
    p.add_argument("--size", metavar="WxH",
                   help="window size, e.g. 1280x720 (default: the screen's; render 1280x720)")
    p.add_argument("--presentation", action="store_true",
                   help="start in presentation mode (large text, thick lines; F5 toggles)")
    _threads_option(p)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser of the whole command line."""
    parser = _Parser(prog=PROG, description="The neural sheaf of a ReLU network: pin, relax, "
                     "train. Without a subcommand the GUI opens on the default preset.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("solve", help="equilibrium of the pinned sheaf (the harmonic extension)",
                       epilog=SOLVE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _network_options(p)
    p.add_argument("--sigma", choices=("auto", "forward"), default="auto",
                   help="auto: state-dependent equilibrium; forward: hold the forward pattern "
                   "(default auto)")
    _threads_option(p)
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    p = sub.add_parser("relax", help="heat flow of the pinned sheaf",
                       epilog=RELAX_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _network_options(p)
    _flow_options(p, train=False)
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    p = sub.add_parser("train", help="joint state-parameter flow (training)",
                       epilog=TRAIN_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    _network_options(p, train=True)
    _flow_options(p, train=True)
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    p = sub.add_parser("presets", help="list the shipped presets")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    p = sub.add_parser("gui", help="open the main window")
    _gui_options(p)
    p.add_argument("--screenshot", metavar="FILE.png", help="save a screenshot and quit")

    p = sub.add_parser("render", help="headless PNG or animated GIF of a preset's or a "
                                      "saved session's window, or one PNG per lesson step "
                                      "(--lesson NAME --out DIR)")
    _gui_options(p)
    p.add_argument("--out", metavar="FILE.png|FILE.gif|DIR",
                   help="the picture (.png) or animation (.gif) to write; with --lesson the "
                   "folder of the step pictures (created if missing)")
    p.add_argument("--png", metavar="FILE.png", help="write the picture here (with --gif too)")
    p.add_argument("--gif", metavar="FILE.gif", help="write the animation here")
    p.add_argument("--save-session", metavar="FILE.json",
                   help="write the preset's session (after --steps) here, a file that "
                   "'sheafviz gui FILE' and 'sheafviz render FILE' open")
    p.add_argument("--lesson", metavar="NAME|FILE",
                   help="render a lesson instead: one PNG of the window per step, written to "
                   "the folder --out DIR as NAME-step01.png, … (see 'sheafviz lessons')")
    gif = p.add_argument_group("animation (.gif)")
    gif.add_argument("--frames", type=_int_type(1), default=60, help="frames (default 60)")
    gif.add_argument("--steps-per-frame", type=_int_type(1), default=5,
                     help="flow steps between frames (default 5)")
    gif.add_argument("--frame-ms", type=_int_type(10), default=80,
                     help="display time of a frame in ms (default 80)")
    gif.add_argument("--train", action="store_true",
                     help="animate the joint flow (training) instead of the heat flow")

    p = sub.add_parser("lessons", help="list the guided lessons")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")

    p = sub.add_parser("lesson", help="print a lesson, or run it headless with --check")
    p.add_argument("lesson", metavar="NAME|FILE", help="a shipped lesson or a .toml file")
    p.add_argument("--check", action="store_true",
                   help="run every step and verify every claim (exit 1 if one fails)")
    p.add_argument("--json", action="store_true",
                   help="one JSON document (the steps, or with --check every check's value)")

    p = sub.add_parser("bench", help="benchmarks")
    p.add_argument("--only", metavar="SECTIONS",
                   help="comma list of solve,dynamics,heat,diagnostics,equilibrium,gui,"
                        "stall,startup (default: all of these), or soak")
    _threads_option(p)
    return parser
