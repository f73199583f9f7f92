"""The ``sheafviz`` command line.

``sheafviz`` alone opens the GUI on the default preset; the subcommands are ``solve``,
``relax``, ``train``, ``presets``, ``gui``, ``render`` and ``bench``. Bad input of any kind
ends with exit code 2 and one line ``sheafviz: error: …`` on stderr, never a traceback; only
errors of the project's own types (and argparse's) are caught, so a real bug still shows.

The parser and the resolution of network, pins and data live in :mod:`sheafviz.cli.args`,
the printed documents in :mod:`sheafviz.cli.report`; the commands themselves in
:mod:`sheafviz.cli.compute_commands` (solve, relax, train) and :mod:`sheafviz.cli.gui_commands`
(gui, render), while this module holds the small ones and :func:`main`, which dispatches. The
GUI is imported only inside the ``gui`` and ``render`` commands (and when no subcommand is
given).
"""


from __future__ import annotations

import os
import sys
import warnings

from sheafviz.cli.args import PROG, CLIError, UsageError, build_parser
# The commands, and names kept importable from here (the command line's public surface).
from sheafviz.cli.compute_commands import MAX_TRACE_POINTS, cmd_relax, cmd_solve, cmd_train
from sheafviz.cli.gui_commands import cmd_gui, cmd_render, default_gui_input
from sheafviz.cli.gui_commands import parse_size as _parse_size
from sheafviz.cli.output import dumps, one_line, plain
from sheafviz.core import threads
from sheafviz.core.data.atomic import OutputPathError
from sheafviz.core.data.datasets import DataError
from sheafviz.core.data.presets import DEFAULT_PRESET, PresetError, preset_info
from sheafviz.core.flows.flowcheck import FlowDivergedError, UnstableStepError
from sheafviz.core.flows.stalkinit import StalkError
from sheafviz.core.model.network import NetworkError
from sheafviz.core.model.pins import PinError
from sheafviz.lessons.errors import LessonError

#: Everything that means "the user's input cannot be used" → exit 2, one line.
USER_ERRORS = (CLIError, UsageError, NetworkError, PinError, DataError, PresetError,
               UnstableStepError, FlowDivergedError, OutputPathError, StalkError, LessonError)


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


def _warning_line(message, category, filename, lineno, file=None, line=None):
    sys.stderr.write(f"{PROG}: warning: {' '.join(str(message).split())}\n")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit code (0 ok, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:
        print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
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
            print(f"{PROG}: error: {one_line(exc)}", file=sys.stderr)
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
