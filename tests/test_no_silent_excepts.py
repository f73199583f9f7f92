"""No silent failures. A handler that catches everything (a bare ``except``, ``except
Exception`` or ``except BaseException``) must pass the error on to the user:

* outside the GUI it must ``raise`` (the command line prints the error in one line);
* in ``sheafviz/gui/`` it must ``raise`` or call something that reports, i.e. a call whose
  name contains one of ``REPORTERS`` (``self.message.emit(...)``, ``show_message(...)``,
  ``sys.stderr.write(...)``), because the window shows errors as messages, not tracebacks.

Narrow handlers (``except OSError``) name what they expect and are not checked here.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sheafviz"
GUI = "gui"  # the folder of PACKAGE whose handlers may report instead of raising
BROAD = {"Exception", "BaseException"}
#: A call whose name contains one of these words reports the error to the user.
REPORTERS = ("message", "emit", "report", "warn", "status", "write")


def _catches_everything(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(n, ast.Name) and n.id in BROAD for n in names)


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def _passes_it_on(handler: ast.ExceptHandler, *, may_report: bool) -> bool:
    nodes = [n for stmt in handler.body for n in ast.walk(stmt)]
    if any(isinstance(n, ast.Raise) for n in nodes):
        return True
    return may_report and any(
        isinstance(n, ast.Call) and any(w in _call_name(n).lower() for w in REPORTERS)
        for n in nodes)


def silent_handlers(source: str, *, may_report: bool = False) -> list[int]:
    """Line numbers of catch-everything handlers in ``source`` that neither raise nor (with
    ``may_report``, the GUI's rule) call a reporter."""
    return [node.lineno for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ExceptHandler) and _catches_everything(node)
            and not _passes_it_on(node, may_report=may_report)]


def test_the_checker_tells_silent_from_reraising_handlers():
    source = (
        "try:\n    f()\nexcept Exception:\n    pass\n"              # line 3: silent
        "try:\n    f()\nexcept:\n    x = 1\n"                       # line 7: silent (bare)
        "try:\n    f()\nexcept (ValueError, BaseException):\n    log()\n"  # line 11: silent
        "try:\n    f()\nexcept Exception as e:\n    raise E(str(e)) from None\n"
        "try:\n    f()\nexcept BaseException:\n    cleanup()\n    raise\n"
        "try:\n    f()\nexcept OSError:\n    pass\n"                # narrow: not this rule
    )
    assert silent_handlers(source) == [3, 7, 11]


def test_the_gui_rule_also_accepts_a_handler_that_reports():
    source = (
        "try:\n    f()\nexcept Exception as e:\n    self.message.emit(str(e), 'error')\n"
        "try:\n    f()\nexcept Exception:\n    value = nan\n"       # line 7: silent
        "try:\n    f()\nexcept Exception as e:\n    window.show_message(str(e))\n"
        "try:\n    f()\nexcept:\n    log_it()\n"                  # line 15: not a reporter
        "try:\n    f()\nexcept Exception as e:\n    sys.stderr.write(str(e))\n"
    )
    assert silent_handlers(source, may_report=True) == [7, 15]
    assert silent_handlers(source) == [3, 7, 11, 15, 19]  # outside the GUI only raise counts


def _silent_in(files, *, may_report: bool) -> list[str]:
    return [f"{p.relative_to(PACKAGE.parent)}:{line}" for p in files
            for line in silent_handlers(p.read_text(encoding="utf-8"), may_report=may_report)]


def test_no_catch_everything_handler_outside_the_gui_swallows_the_error():
    files = [p for p in sorted(PACKAGE.rglob("*.py")) if p.relative_to(PACKAGE).parts[0] != GUI]
    assert len(files) > 20  # the walk found the package
    silent = _silent_in(files, may_report=False)
    assert not silent, f"broad except that neither raises nor names the error: {silent}"


def test_no_catch_everything_handler_in_the_gui_swallows_the_error():
    files = sorted((PACKAGE / GUI).rglob("*.py"))
    assert len(files) > 20  # the walk found the GUI
    silent = _silent_in(files, may_report=True)
    assert not silent, f"broad GUI except that neither raises nor reports the error: {silent}"
