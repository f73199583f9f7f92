"""Guided lessons: TOML files of steps (caption, actions, checked claims) run on a Session.

API: :func:`list_lessons`, :func:`load_lesson` (a shipped name or a file path),
:func:`check_lesson` (run every step headless, return the step results),
:class:`LessonRunner`, :class:`LessonError`. The file format is described in
``docs/lessons.md``; this package never imports Qt.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from sheafviz.lessons.errors import LessonError

__all__ = ["Lesson", "LessonError", "LessonRunner", "StepResult", "CheckResult",
           "list_lessons", "load_lesson", "check_lesson"]


_RUNNER_NAMES = ("CheckResult", "LessonRunner", "StepResult")


def __getattr__(name: str):
    """The runner's names and :class:`Lesson`, imported at first use: ``sheafviz gui``
    imports this package (for LessonError) and the runner's and the file format's imports
    (tomllib, the quantities) cost ~30 ms of its start-up."""
    if name in _RUNNER_NAMES:
        from sheafviz.lessons import runner

        return getattr(runner, name)
    if name == "Lesson":
        from sheafviz.lessons.spec import Lesson

        return Lesson
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _shipped() -> dict:
    """name → Traversable of every ``sheafviz/lessons/*.toml``."""
    root = resources.files("sheafviz.lessons")
    return {p.name[:-5]: p for p in root.iterdir() if p.name.endswith(".toml")}


def load_lesson(name_or_path: str) -> Lesson:
    """A shipped lesson by name, or a lesson file by path (``.toml`` or an existing file)."""
    from sheafviz.lessons.spec import read_lesson_file, read_lesson_text

    shipped = _shipped()
    if name_or_path in shipped:
        entry = shipped[name_or_path]
        return read_lesson_text(entry.read_text(encoding="utf-8"), name=name_or_path,
                                source=f"{name_or_path}.toml")
    path = Path(name_or_path)
    if path.suffix.lower() == ".toml" or path.exists():
        if not path.is_file():
            raise LessonError(f"{name_or_path}: no such lesson file")
        return read_lesson_file(path)
    raise LessonError(f"unknown lesson {name_or_path!r}; the lessons are "
                      f"{', '.join(sorted(shipped))} (or give a .toml file)")


def list_lessons() -> list[Lesson]:
    """Every shipped lesson, in their ``order``, then by name."""
    lessons = [load_lesson(name) for name in _shipped()]
    return sorted(lessons, key=lambda l: (l.order, l.name))


def check_lesson(lesson: Lesson, *, session_factory=None) -> list[StepResult]:
    """Run every step of ``lesson`` headless; the results hold every check's verdict."""
    from sheafviz.lessons.runner import LessonRunner

    return LessonRunner(lesson, session_factory=session_factory).run()
