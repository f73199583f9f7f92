"""The ``sheafviz`` command line.

``sheafviz`` alone opens the GUI on the default preset; the subcommands are ``solve``,
``relax``, ``train``, ``presets``, ``gui``, ``render`` and ``bench``. Bad input of any kind
ends with exit code 2 and one line ``sheafviz: error: …`` on stderr, never a traceback; only
errors of the project's own types (and argparse's) are caught, so a real bug still shows.

The parser and the resolution of network, pins and data live in :mod:`sheafviz.cli.args`,
the printed documents in :mod:`sheafviz.cli.report`. The GUI is imported only inside the
``gui`` and ``render`` commands (and when no subcommand is given).
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

from sheafviz.cli import report
from sheafviz.cli.display import has_display, unreachable_display
from sheafviz.cli.progress import Progress
from sheafviz.cli.args import (PROG, CLIError, UsageError, apply_pin_ops, build_parser,
                       resolve_data, resolve_network, resolve_pins)
from sheafviz.core.data.datasets import DATASETS, DataError
from sheafviz.core.data.session_file import DataSpec
from sheafviz.core.data.atomic import OutputPathError, atomic_write_bytes, check_output_path
from sheafviz.core.flows.flowcheck import FlowDivergedError, UnstableStepError
from sheafviz.core.flows.stalkinit import StalkError
from sheafviz.core.model.network import Network, NetworkError
from sheafviz.core.model.pins import PinError, PinSet
from sheafviz.core.data.presets import DEFAULT_PRESET, Preset, PresetError, load_preset, preset_info
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core import threads
from sheafviz.lessons.errors import LessonError

#: Everything that means "the user's input cannot be used" → exit 2, one line.
USER_ERRORS = (CLIError, UsageError, NetworkError, PinError, DataError, PresetError,
               UnstableStepError, FlowDivergedError, OutputPathError, StalkError, LessonError)


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
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise CLIError(f"cannot write {what} {path}: {exc.strerror or exc}") from None


def _save_weights(network: Network, path: str) -> None:
    try:
        network.save(path)
    except OSError as exc:
        raise CLIError(f"cannot write weights {path}: {exc.strerror or exc}") from None


# -- commands -------------------------------------------------------------------------------
def cmd_solve(args) -> int:
    from sheafviz.core.solvers.solve import equilibrium

    network, preset = resolve_network(args)
    threads.apply_policy(work=threads.largest_product(network.arch))
    layout = SheafLayout(network.arch)
    pins = resolve_pins(args, network, preset, layout)
    _check_solve_cost(network, pins, layout)
    graph = _check_graph(args.graph, network)
    sol = equilibrium(network, pins, sigma=args.sigma, layout=layout, graph=graph)
    doc = report.state_document(network, pins, layout, sol.cochain, sigma=sol.sigma,
                                consistent=sol.consistent, flipped=sol.flipped,
                                on_boundary=sol.on_boundary,
                                underdetermined=sol.underdetermined, local=sol.local,
                                method=sol.method, pin_energy=sol.pin_energy, graph=graph)
    doc.update(iterations=sol.iterations, cycled=sol.cycled,
               preset=preset.name if preset else None)
    print(dumps(doc) if args.json else report.format_state(doc, title="solve"))
    return 0


def _check_solve_cost(network: Network, pins, layout: SheafLayout) -> None:
    """Refuse, before starting, a solve whose free inputs would make it take minutes."""
    from sheafviz.core.data.limits import ResourceError, check_solve_cost

    n_free_inputs = int(np.sum(pins.resolve(layout).free_index < network.arch[0]))
    try:
        check_solve_cost(network.arch, n_free_inputs)
    except ResourceError as exc:
        raise CLIError(str(exc)) from None


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


def _check_graph(graph: str, network: Network) -> str:
    if graph == "paper" and network.output != "identity":
        raise CLIError(f"--graph paper is defined for an identity output only; this network "
                       f"has a {network.output} output")
    return graph


def _check_force(force: str, network: Network) -> str:
    if force == "cross-entropy" and network.output == "identity":
        raise CLIError("--force cross-entropy needs a sigmoid or softmax output head")
    return force


def _check_run_outputs(args) -> None:
    """--out and --save-weights are checked before the run, so a run that could not save
    its result fails at once and writes nothing."""
    if args.out is not None:
        check_output_path(args.out, suffixes=(".json",), what="--out")
    if args.save_weights is not None:
        check_output_path(args.save_weights, suffixes=(".npz",), what="--save-weights")


def cmd_relax(args) -> int:
    from sheafviz.core.flows.heat import relax

    _check_run_outputs(args)
    network, preset = resolve_network(args)
    threads.apply_policy(work=threads.largest_product(network.arch))
    layout = SheafLayout(network.arch)
    data = resolve_data(args, network, preset)
    pins = resolve_pins(args, network, preset, layout, data)
    rates = _flow_defaults(args, preset)
    _check_force(rates["force"], network)
    graph = _check_graph(args.graph, network)
    progress = Progress("relax", enabled=not args.quiet)
    try:
        result = relax(network, pins, init=rates["init"], state_seed=rates["state_seed"],
                       alpha=rates["alpha"], dt=rates["dt"], tol=args.tol,
                       max_steps=100_000 if args.steps is None else args.steps,
                       record_every=args.record_every or 1, force=rates["force"],
                       layout=layout, progress=progress, graph=graph)
    finally:
        progress.close()
    doc = report.flow_state_document(network, pins, layout, result.cochain,
                                     force=rates["force"], graph=graph)
    doc.update(preset=preset.name if preset else None, steps=int(result.steps),
               converged=bool(result.converged), time=result.time, dt=result.dt,
               alpha=rates["alpha"], init=rates["init"], force=rates["force"],
               energy_trace=_thin(result.energy_trace, None if args.record_every else
                                  MAX_TRACE_POINTS),
               events=[report.event_json(ev) for ev in result.events])
    _finish(args, doc, network, lambda: report.format_relax(doc))
    return 0


#: Without --record-every, a relax's energy trace is thinned to this many points.
MAX_TRACE_POINTS = 2001


def _thin(trace, limit: int | None) -> list:
    """``[[t, E], ...]``, at most ``limit`` evenly spaced entries (first and last kept)."""
    trace = [[float(t), float(e)] for t, e in trace]
    if limit is None or len(trace) <= limit:
        return trace
    keep = np.unique(np.linspace(0, len(trace) - 1, limit).round().astype(int))
    return [trace[i] for i in keep]


def _finish(args, doc: dict, network: Network, text) -> None:
    if args.save_weights:
        _save_weights(network, args.save_weights)
        doc["weights"] = args.save_weights
    if args.out:
        _write(args.out, dumps(doc, indent=1) + "\n", "the run file")
    print(dumps(doc) if args.json else text())


def cmd_train(args) -> int:
    from sheafviz.cli import train as train_cli

    _check_run_outputs(args)
    setup = train_cli.setup_from_args(args, CLIError)
    if setup is not None:
        (network, data, stalks), preset = setup, None
    else:
        network, preset = resolve_network(args)
        data, stalks = resolve_data(args, network, preset), None
    if data is None:
        raise CLIError("train needs data: give --data NAME|FILE or a preset with data")
    _check_graph(args.graph, network)
    threads.apply_policy(work=threads.largest_product(network.arch, data.n_train))
    rates = _flow_defaults(args, preset)
    _check_force(rates["force"], network)
    mode = args.mode or (preset.mode if preset is not None and preset.mode != "relax"
                         else "paper")
    beta = args.beta if args.beta is not None else (preset.beta if preset else None)
    if beta is None:
        beta = 1.0 / data.n_train
    layout = SheafLayout(network.arch)
    pins = train_cli.training_pins(args, preset, layout, apply_pin_ops, CLIError)
    if pins and mode != "paper":
        raise CLIError(f"hidden pins apply to the paper mode's stalks, not to the {mode} mode")
    start = train_cli.stalk_options(args, mode, data.n_train, network.arch, stalks, CLIError)
    progress = Progress("train", enabled=not args.quiet)
    try:
        flow, doc = train_cli.run_training(
            network, data, mode=mode, alpha=rates["alpha"], beta=beta, dt=rates["dt"],
            optimizer=args.optimizer, lr=args.lr, force=rates["force"],
            steps=1000 if args.steps is None else args.steps,
            record_every=args.record_every or 10, spectrum_every=args.spectrum_every,
            progress=progress, graph=args.graph, pins=pins, start=start)
    finally:
        progress.close()
    doc.update(preset=preset.name if preset else None, data=data.name, setup=args.setup)
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


def _gui_target(args):
    """(preset name or None, PinSet or None, (w, h) or None) of the gui/render options."""
    if args.session and args.preset is not None:
        raise CLIError("give a SESSION file or --preset, not both")
    if args.session and not Path(args.session).is_file():
        raise CLIError(f"{args.session}: no such session file")
    size = _parse_size(args.size)
    if _custom_network(args):
        return None, None, size  # the network and its pins come from _gui_network
    preset_name = args.preset if args.preset is not None else (
        None if args.session else DEFAULT_PRESET)
    pins = None
    if preset_name is not None:
        preset = load_preset(preset_name)
        if args.pin_ops:
            layout = SheafLayout(preset.network.arch)
            pins = apply_pin_ops(layout, preset.pins, args.pin_ops)
    elif args.pin_ops:
        raise CLIError("--pin/--soft/--unpin apply to a preset, not to a SESSION file")
    return preset_name, pins, size


#: gui/render options that replace the preset's network or data (not with a SESSION file).
_NETWORK_OPTIONS = ("weights", "arch", "seed", "output", "data", "data_seed")


def _custom_network(args) -> bool:
    """True when --weights/--arch/--seed/--output/--data/--data-seed were given."""
    given = [o for o in _NETWORK_OPTIONS if getattr(args, o, None) is not None]
    if given and args.session:
        raise CLIError(f"--{given[0].replace('_', '-')} does not apply to a SESSION file "
                       f"(its network and data are saved in it)")
    return bool(given)


def default_gui_input(network: Network) -> np.ndarray:
    """x of a window opened on ``--arch``/``--weights`` without --data: evenly spaced in
    [-1, 1] (1 for a single input), so that the window opens on a forward pass that is not
    all zeros; ``--pin x=…`` or ``--unpin x`` change it."""
    n0 = network.arch[0]
    return np.linspace(-1.0, 1.0, n0) if n0 > 1 else np.ones(1)


def _gui_network(args) -> dict:
    """``run_gui`` keywords (preset, network, dataset, pins) for the network options, the
    same resolution as ``solve``/``relax``: --data pins its first example at x and y."""
    if args.data_seed is not None and args.data is None:
        raise CLIError("--data-seed seeds a named --data set; give --data too")
    network, preset = resolve_network(args)
    data_args = argparse.Namespace(data=args.data, example=None, pin_ops=args.pin_ops,
                                   data_seed=42 if args.data_seed is None else args.data_seed)
    dataset = resolve_data(data_args, network, preset) if args.data else None
    layout = SheafLayout(network.arch)
    if preset is None and dataset is None:
        pins = apply_pin_ops(layout, PinSet().pin(layout, "x", default_gui_input(network)),
                             args.pin_ops)
    else:
        pins = resolve_pins(data_args, network, preset, layout, dataset)
    kwargs = dict(network=network, pins=pins, dataset=dataset)
    if preset is not None:
        kwargs["preset"] = preset.name
    if dataset is not None and args.data in DATASETS:
        kwargs["data_spec"] = DataSpec(name=args.data, seed=data_args.data_seed)
    return kwargs


def _launch_gui(args, *, screenshot: str | None) -> int:
    """Validate the gui/render options, then call ``run_gui`` (the GUI is imported here)."""
    preset_name, pins, size = _gui_target(args)
    network_kwargs = _gui_network(args) if _custom_network(args) else {}
    threads.use_gui_policy()
    if not screenshot and not has_display():
        raise CLIError("no display to open the window on (DISPLAY is not set); use "
                       "'sheafviz render --out FILE.png' or run under xvfb-run")
    unreachable = unreachable_display()
    if unreachable and screenshot:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a screenshot needs no screen
    elif unreachable:
        raise CLIError(f"cannot connect to the display {unreachable} (no X server answers "
                       f"there); check DISPLAY, or use 'sheafviz render --out FILE.png'")
    try:
        from sheafviz.gui.app import run_gui
    except ImportError as exc:
        raise CLIError(f"the GUI cannot start: {exc}") from None
    kwargs = dict(preset=preset_name, steps=args.steps, screenshot=screenshot, size=size)
    if pins is not None:
        kwargs["pins"] = pins
    kwargs.update(network_kwargs)
    if args.presentation:
        kwargs["presentation"] = True
    if args.session:
        if "session" not in inspect.signature(run_gui).parameters:
            raise CLIError("this GUI cannot open session files yet; use --preset")
        kwargs["session"] = args.session
    try:
        return int(run_gui(**kwargs) or 0)
    except ValueError as exc:  # run_gui's documented bad-input errors (before any window)
        raise CLIError(_one_line(exc)) from None
    except ImportError as exc:  # Qt missing, or its import interrupted (Ctrl-C at start)
        raise CLIError(f"the GUI cannot start: {_one_line(exc)}") from None


def cmd_gui(args) -> int:
    """Open the GUI; ``--screenshot FILE.png`` saves the window and quits instead."""
    if args.screenshot is not None:
        check_output_path(args.screenshot, suffixes=(".png",), what="--screenshot")
    return _launch_gui(args, screenshot=args.screenshot)


def _render_outputs(args) -> tuple[str | None, str | None]:
    """(png, gif) paths from --out (by its suffix), --png and --gif, validated."""
    png, gif = args.png, args.gif
    if args.out is not None:
        suffix = Path(args.out).suffix.lower()
        if suffix not in (".png", ".gif"):
            raise CLIError(f"--out {args.out!r} must be a .png or .gif file")
        if (suffix == ".png" and png) or (suffix == ".gif" and gif):
            raise CLIError(f"--out {args.out} and --{suffix[1:]} name the same output")
        png, gif = (args.out, gif) if suffix == ".png" else (png, args.out)
    if png is None and gif is None and args.save_session is None:
        raise CLIError("required: --out FILE.png|FILE.gif (or --png FILE / --gif FILE / "
                       "--save-session FILE.json)")
    for path, suffix in ((png, ".png"), (gif, ".gif")):
        if path is not None:
            check_output_path(path, suffixes=(suffix,), what=f"--{suffix[1:]}")
    return png, gif


def cmd_render(args) -> int:
    """Headless PNG (``--steps`` first) and/or animated GIF (``--frames`` ×
    ``--steps-per-frame``) of the main window on a preset or a saved SESSION file (a
    session resumes exactly where it was saved, then ``--steps`` more steps); with
    ``--lesson`` one PNG per lesson step into the folder ``--out``."""
    if args.lesson is not None:
        return _render_lesson(args)
    png, gif = _render_outputs(args)
    if args.save_session is not None:
        check_output_path(args.save_session, suffixes=(".json",), what="--save-session")
        if args.session:
            raise CLIError("--save-session writes a preset's session; a SESSION file is one "
                           "already")
    if args.session:
        return _render_session(args, png, gif)
    if png and args.train:
        raise CLIError("--train animates a .gif; for a .png use 'sheafviz gui' options")
    if gif and _custom_network(args):
        raise CLIError("a .gif animates a --preset or a SESSION file; --weights, --arch, "
                       "--seed, --output and --data apply to a .png")
    code = _launch_gui(args, screenshot=png) if png else 0
    if code == 0 and args.save_session is not None:
        code = _save_render_session(args)
    if gif is None or code:
        return code
    preset_name, pins, size = _gui_target(args)
    return _call_render("render_gif", gif, preset_name, out=gif, pins=pins,
                        size=size or (1280, 720), frames=args.frames,
                        steps_per_frame=args.steps_per_frame, frame_ms=args.frame_ms,
                        joint=args.train, steps=args.steps or 0,
                        presentation=args.presentation)


def _render_lesson(args) -> int:
    """``render --lesson NAME|FILE --out DIR`` (see :mod:`sheafviz.cli.render_lesson`)."""
    from sheafviz.cli import render_lesson

    render_lesson.check_args(args, CLIError)
    size = _parse_size(args.size)
    threads.use_gui_policy()
    return render_lesson.run(args, size=size or (1280, 720), error=CLIError,
                             one_line=_one_line)


def _save_render_session(args) -> int:
    """``render --preset NAME --save-session FILE``: the preset's session after --steps."""
    preset_name, pins, size = _gui_target(args)
    return _call_render("save_preset_session", args.save_session, preset_name,
                        out=args.save_session, pins=pins, steps=args.steps or 0,
                        size=size or (1280, 720))


def _render_session(args, png: str | None, gif: str | None) -> int:
    """``render SESSION``: the saved state, flow and history, rendered headless."""
    _, _, size = _gui_target(args)  # validates SESSION vs --preset / pins, and --size
    threads.use_gui_policy()
    if args.train:
        raise CLIError("--train does not apply to a SESSION file (its mode is saved in it)")
    return _call_render("render_session", "the output", args.session, png=png, gif=gif,
                        steps=args.steps, size=size or (1280, 720), frames=args.frames,
                        steps_per_frame=args.steps_per_frame, frame_ms=args.frame_ms,
                        presentation=args.presentation)


def _call_render(name: str, output: str, *args, **kwargs) -> int:
    """Call ``sheafviz.cli.render.<name>`` (imported here: it needs Qt). A GUI that cannot
    start, a refused input and a failed write each become one line naming the problem."""
    try:
        from sheafviz.cli import render
    except ImportError as exc:
        raise CLIError(f"the GUI cannot start: {exc}") from None
    try:
        return getattr(render, name)(*args, **kwargs)
    except ValueError as exc:
        raise CLIError(_one_line(exc)) from None
    except OSError as exc:
        raise CLIError(f"cannot write {output}: {exc.strerror or exc}") from None


def cmd_bench(args) -> int:
    """Run ``sheafviz.cli.bench.run_all`` (it prints its own report)."""
    try:
        from sheafviz.cli import bench as benchmarks
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
    policy = threads.use_one_thread("the benchmarks compare single-thread times")
    print(policy.describe())
    result = benchmarks.run_all(sections=sections)
    return result if isinstance(result, int) else 0


def cmd_lessons(args) -> int:
    from sheafviz.cli.lessons import cmd_lessons as run
    return run(args)


def cmd_lesson(args) -> int:
    from sheafviz.cli.lessons import cmd_lesson as run
    return run(args)


COMMANDS = {"solve": cmd_solve, "relax": cmd_relax, "train": cmd_train,
            "presets": cmd_presets, "gui": cmd_gui, "render": cmd_render, "bench": cmd_bench,
            "lessons": cmd_lessons, "lesson": cmd_lesson}


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
    except UsageError as exc:
        print(f"{PROG}: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    except KeyboardInterrupt:  # Ctrl-C before the command has started
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    if args.command is None:  # no subcommand: the GUI on the default preset
        args = parser.parse_args(["gui"])
    if getattr(args, "threads", None) is not None:  # before any command computes
        threads.set_threads(args.threads)
    else:
        threads.clear_explicit()
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
