"""``sheafviz lessons`` and ``sheafviz lesson NAME|FILE [--check]``.

``lessons [--json]`` lists the shipped lessons. ``lesson NAME`` prints a lesson's steps and
captions; with ``--check`` every step runs headless and every claim is verified: exit 0 when
all pass, 1 when a claim fails (stderr names the step and the claim), 2 for an unknown lesson
or a malformed file (one line, raised as :class:`LessonError` and printed by ``main``).
"""

from __future__ import annotations

import json
import sys
import time

from sheafviz.lessons import LessonError, check_lesson, list_lessons, load_lesson
from sheafviz.lessons.runner import show_value

PROG = "sheafviz"


def cmd_lessons(args) -> int:
    lessons = list_lessons()
    if args.json:
        print(json.dumps({"lessons": [{"name": l.name, "title": l.title, "summary": l.summary,
                                       "steps": len(l.steps),
                                       "checks": sum(len(s.checks) for s in l.steps)}
                                      for l in lessons]}, ensure_ascii=False))
        return 0
    width = max(len(l.name) for l in lessons)
    for l in lessons:
        print(f"{l.name:<{width}}  {l.title} ({len(l.steps)} steps)")
    print("(run one headless: sheafviz lesson NAME --check)")
    return 0


def _outline(lesson) -> str:
    lines = [lesson.title, "", lesson.summary]
    for i, step in enumerate(lesson.steps, start=1):
        lines += ["", f"Step {i}" + (f": {step.title}" if step.title else "")]
        lines += ["  " + line for line in step.caption.splitlines()]
    return "\n".join(lines)


def _lesson_json(lesson) -> dict:
    return {"lesson": lesson.name, "title": lesson.title, "summary": lesson.summary,
            "steps": [{"step": i, "title": st.title, "caption": st.caption,
                       "actions": [{"verb": a.verb, "value": a.value, **a.options}
                                   for a in st.actions],
                       "checks": [c.label for c in st.checks]}
                      for i, st in enumerate(lesson.steps, start=1)]}


def cmd_lesson(args) -> int:
    lesson = load_lesson(args.lesson)
    if not args.check:
        print(json.dumps(_lesson_json(lesson), ensure_ascii=False) if args.json
              else _outline(lesson))
        return 0
    start = time.perf_counter()
    results = check_lesson(lesson)
    elapsed = time.perf_counter() - start
    failures = [(r, c) for r in results for c in r.checks if not c.ok]
    if args.json:
        print(json.dumps(_document(lesson, results, elapsed), ensure_ascii=False))
    else:
        for r in results:
            mark = "ok  " if r.ok else "FAIL"
            title = f" {r.title}" if r.title else ""
            print(f"{mark} step {r.index}{title}: {len(r.checks)} check(s)")
        n = sum(len(r.checks) for r in results)
        print(f"{lesson.name}: {n - len(failures)}/{n} claims hold ({elapsed:.2f} s)")
    for r, c in failures:
        title = f" ({r.title})" if r.title else ""
        print(f"{PROG}: lesson {lesson.name}: step {r.index}{title}: claim "
              f"{c.check.label!r} failed: {c.check.quantity}: {c.detail}", file=sys.stderr)
    return 1 if failures else 0


def _document(lesson, results, elapsed: float) -> dict:
    def plain(value):
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return show_value(value)

    return {"lesson": lesson.name, "ok": all(r.ok for r in results), "seconds": elapsed,
            "steps": [{"step": r.index, "title": r.title, "ok": r.ok,
                       "gui_actions": [a.verb for a in r.gui_actions],
                       "checks": [{"quantity": c.check.quantity, "claim": c.check.label,
                                   "ok": c.ok, "value": plain(c.value), "detail": c.detail}
                                  for c in r.checks]} for r in results]}


__all__ = ["cmd_lessons", "cmd_lesson", "LessonError"]
