"""No silent failures: outside the GUI, a handler that catches everything (a bare ``except``,
``except Exception`` or ``except BaseException``) must raise, so the error reaches the user
as a named message (the command line prints it in one line) or goes on after a clean-up.
Narrow handlers (``except OSError``) name what they expect and are not checked here.

The GUI's own broad handlers turn errors into window messages; they are outside this rule.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sheafviz"
EXEMPT = ("gui",)  # folders of PACKAGE with their own rule (errors become window messages)
BROAD = {"Exception", "BaseException"}


def _catches_everything(handler: ast.ExceptHandler) -> bool:
    kind = handler.type
    if kind is None:
        return True
    names = kind.elts if isinstance(kind, ast.Tuple) else [kind]
    return any(isinstance(n, ast.Name) and n.id in BROAD for n in names)


def silent_handlers(source: str) -> list[int]:
    """Line numbers of catch-everything handlers in ``source`` whose body never raises."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ExceptHandler) and _catches_everything(node):
            raises = any(isinstance(n, ast.Raise) for stmt in node.body for n in ast.walk(stmt))
            if not raises:
                found.append(node.lineno)
    return found


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


def test_no_catch_everything_handler_outside_the_gui_swallows_the_error():
    files = [p for p in sorted(PACKAGE.rglob("*.py"))
             if p.relative_to(PACKAGE).parts[0] not in EXEMPT]
    assert len(files) > 20  # the walk found the package
    silent = [f"{p.relative_to(PACKAGE.parent)}:{line}" for p in files
              for line in silent_handlers(p.read_text(encoding="utf-8"))]
    assert not silent, f"broad except that neither raises nor names the error: {silent}"
