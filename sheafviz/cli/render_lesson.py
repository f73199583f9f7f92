"""``sheafviz render --lesson NAME|FILE --out DIR``: one PNG of the window per lesson step.

The window runs the lesson exactly as a lecturer would: open it (Lessons menu), then Next
for each step; after each step the whole window — the lesson bar with the step's caption,
the views, the docks the step showed — is written to ``DIR/NAME-step01.png``, … Imports
Qt; only the ``render --lesson`` command imports this module.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

#: Time to let the window settle its layout before the first grab, and after a step (s).
SETTLE_FIRST_S, SETTLE_STEP_S = 0.6, 0.15


#: render options a lesson does not take (it opens its own networks and runs its own steps).
NOT_WITH_LESSON = ("session", "preset", "png", "gif", "save_session", "steps", "train",
                   "weights", "arch", "seed", "output", "data", "data_seed")


def check_args(args, error) -> None:
    """Refuse the render options a lesson does not take, and an --out that is not a folder
    (raises ``error``, the CLI's one-line bad-input exception)."""
    given = [o for o in NOT_WITH_LESSON if getattr(args, o, None) not in (None, False)]
    if given or args.pin_ops:
        what = "SESSION" if given and given[0] == "session" else (
            f"--{given[0].replace('_', '-')}" if given else "--pin/--soft/--unpin")
        raise error(f"{what} does not apply to --lesson (the lesson opens its own networks "
                    f"and runs its own steps)")
    if args.out is None:
        raise error("--lesson needs --out DIR, the folder of the step pictures")
    if Path(args.out).suffix.lower() in (".png", ".gif"):
        raise error(f"--out {args.out}: --lesson writes one PNG per step into a folder; "
                    f"give a folder, not a file")


def run(args, *, size, error, one_line) -> int:
    """:func:`render_lesson` for the parsed arguments; a refused input or a failed write
    becomes ``error`` with one line (a LessonError passes through: the CLI prints it)."""
    from sheafviz.lessons import LessonError, load_lesson

    load_lesson(args.lesson)  # an unknown lesson or a malformed file, before any window
    try:
        return render_lesson(args.lesson, out=args.out, size=size,
                             presentation=args.presentation)
    except LessonError:
        raise
    except ImportError as exc:
        raise error(f"the GUI cannot start: {exc}") from None
    except ValueError as exc:
        raise error(one_line(exc)) from None
    except OSError as exc:
        raise error(f"cannot write to {args.out}: {exc.strerror or exc}") from None


def check_out_dir(out: str) -> Path:
    """The output folder, created if missing (its parent must exist); ValueError for a file
    in the way, a missing parent or a folder that cannot be written."""
    path = Path(out)
    if path.exists() and not path.is_dir():
        raise ValueError(f"--out {out}: is a file, not a folder for the step pictures")
    if not path.exists():
        parent = path.parent if str(path.parent) else Path(".")
        if not parent.is_dir():
            raise ValueError(f"--out {out}: its parent folder {parent} does not exist")
        try:
            path.mkdir()
        except OSError as exc:
            raise ValueError(f"--out {out}: cannot create it: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK):
        raise ValueError(f"--out {out}: the folder is not writable")
    return path


def step_file(out: Path, lesson_name: str, index: int) -> Path:
    """``out/NAME-stepNN.png`` for step ``index`` (0-based)."""
    return out / f"{lesson_name}-step{index + 1:02d}.png"


def _settle(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def render_lesson(name: str, *, out: str, size=(1280, 720),
                  presentation: bool = False) -> int:
    """Write one PNG per step of lesson ``name`` (a shipped name or a .toml file) to the
    folder ``out``.

    Returns
    -------
    int, 0 on success. Raises LessonError (unknown lesson, malformed file, a step that
    cannot run) or ValueError (a bad folder, a picture that cannot be written).
    """
    from sheafviz.lessons import load_lesson

    lesson = load_lesson(name)  # before any window: an unknown name costs no Qt start
    folder = check_out_dir(out)
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from sheafviz.gui.app import enter_presentation, prepare_app, save_png
    from sheafviz.gui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    prepare_app(app, size)
    window = MainWindow()
    try:
        if presentation:
            enter_presentation(window)
        window.resize(*size)
        window.show()
        _settle(app, SETTLE_FIRST_S)
        driver = window.chapter.lessons
        for i in range(len(lesson.steps)):
            ok = driver.open(lesson) if i == 0 else driver.go(i)
            if not ok:
                raise ValueError(driver.error)
            _settle(app, SETTLE_STEP_S)
            path = step_file(folder, lesson.name, i)
            if not save_png(window.grab(), str(path)):
                raise ValueError(f"cannot write {path}")
    finally:
        window.player.pause()
        window.close()
    return 0
