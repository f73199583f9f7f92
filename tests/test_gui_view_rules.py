"""The architecture rules of the GUI's views, read from the source (no Qt needed): a view
imports no other view, nor the controller, the window, the wiring or a session; no GUI
module imports another module's private names; no production code asks whether it runs
under pytest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "sheafviz"
GUI = PKG / "gui"

#: Modules that draw and emit intents (thin views).
VIEWS = ["graph_view", "drape", "flow_panel", "plots", "weight_views",
         "debug/compare_panel", "debug/data_panel", "debug/discord_heatmap",
         "debug/gradient_panel", "debug/import_panel", "debug/spectrum_panel",
         "debug/switch_timeline", "chapter/ep_view", "chapter/phase_view",
         "chapter/region_items", "chapter/inverse_items", "chapter/lesson_bar"]
#: What no view may import: the other views, and whatever holds the model or the window.
HOLDERS = {"controller", "main_window", "wiring", "feature_wiring", "player", "session",
           "lecture", "hub", "flow_driver", "pin_intents", "params", "saved_state", "weight_editor", "weight_dock", "app"}


def imported_modules(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every import in ``path``, relative imports resolved to dotted
    names inside ``sheafviz``."""
    tree = ast.parse(path.read_text())
    pkg = list(path.relative_to(PKG.parent).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = pkg[: len(pkg) - (node.level - 1)] if node.level else []
            mod = ".".join(base + ([node.module] if node.module else []))
            names = [a.name for a in node.names]
            if node.module is None:  # "from . import style": each name is a module
                out += [(f"{mod}.{n}", []) for n in names]
            else:
                out.append((mod, names))
        elif isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
    return out


@pytest.mark.parametrize("view", VIEWS)
def test_a_view_imports_no_other_view_and_nothing_that_holds_the_model(view):
    path = GUI / f"{view}.py"
    others = {v.split("/")[-1] for v in VIEWS} - {view.split("/")[-1]}
    for mod, _ in imported_modules(path):
        last = mod.split(".")[-1]
        assert last not in others, f"{view} imports the view {mod}"
        assert last not in HOLDERS, f"{view} imports {mod}"
        assert not mod.startswith("sheafviz.gui.lecture"), f"{view} imports {mod}"


def test_no_gui_module_imports_private_names_of_another():
    bad = []
    for path in GUI.rglob("*.py"):
        for mod, names in imported_modules(path):
            last = mod.split(".")[-1]
            if last.startswith("_") and last not in ("__future__", "__main__"):
                bad.append(f"{path.relative_to(PKG)} imports module {mod}")
            bad += [f"{path.relative_to(PKG)} imports {mod}.{n}" for n in names
                    if n.startswith("_") and not n.startswith("__")]
    assert not bad, bad


def test_no_production_code_asks_for_pytest():
    hits = [str(p.relative_to(PKG)) for p in PKG.rglob("*.py")
            if "PYTEST_CURRENT_TEST" in p.read_text() or "\"pytest\" in sys.modules" in
            p.read_text()]
    assert not hits, hits


def _private_session_reads(path: Path, tree: ast.AST) -> list[str]:
    """``….session._x`` reads in ``tree`` (of ``path``): a private name of the Session."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and \
                not node.attr.startswith("__"):
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else \
                getattr(owner, "id", "")
            if name == "session":
                out.append(f"{path.relative_to(PKG)}:{node.lineno} session.{node.attr}")
    return out


def test_the_gui_and_the_cli_use_the_session_and_the_window_public_api_only():
    """No compatibility adapter (``window.controller``) is left, and nothing outside the
    Session reads its private names: the features, the CLI and the window speak the
    Session's own API."""
    bad = []
    for folder in (GUI, PKG / "cli"):
        for path in folder.rglob("*.py"):
            tree = ast.parse(path.read_text())
            bad += _private_session_reads(path, tree)
            for node in ast.walk(tree):
                if isinstance(node, ast.Attribute) and node.attr == "controller":
                    bad.append(f"{path.relative_to(PKG)}:{node.lineno} .controller")
                elif isinstance(node, (ast.Import, ast.ImportFrom)):
                    names = [a.name for a in node.names] + [getattr(node, "module", "") or ""]
                    bad += [f"{path.relative_to(PKG)} imports {n}" for n in names
                            if n.split(".")[-1] in ("compat", "controller_session")]
    assert not bad, bad
