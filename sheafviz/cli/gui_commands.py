"""The window commands ``gui`` and ``render``: their options checked, then the GUI launched."""

from __future__ import annotations

import argparse
import inspect
import os
from pathlib import Path

import numpy as np

from sheafviz.cli.args import CLIError, apply_pin_ops, resolve_data, resolve_network, resolve_pins
from sheafviz.cli.display import has_display, unreachable_display
from sheafviz.cli.output import one_line
from sheafviz.core import threads
from sheafviz.core.data.atomic import check_output_path
from sheafviz.core.data.datasets import DATASETS
from sheafviz.core.data.presets import DEFAULT_PRESET, load_preset
from sheafviz.core.data.session_file import DataSpec
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout


def parse_size(text: str | None):
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
    size = parse_size(args.size)
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
        raise CLIError(one_line(exc)) from None
    except ImportError as exc:  # Qt missing, or its import interrupted (Ctrl-C at start)
        raise CLIError(f"the GUI cannot start: {one_line(exc)}") from None


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
    size = parse_size(args.size)
    threads.use_gui_policy()
    return render_lesson.run(args, size=size or (1280, 720), error=CLIError,
                             one_line=one_line)


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
        raise CLIError(one_line(exc)) from None
    except OSError as exc:
        raise CLIError(f"cannot write {output}: {exc.strerror or exc}") from None
