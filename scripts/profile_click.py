#!/usr/bin/env python3
"""Profile one neuron click: a real ``QTest.mouseClick`` on neuron a1[0] of the default preset
in the main window (offscreen, 1280x720), under cProfile.

    python scripts/profile_click.py              # pin a1[0]: calls, files, hot functions
    python scripts/profile_click.py --top 30     # the 30 sheafviz functions called most
    python scripts/profile_click.py --settle 300 # and the 300 ms of events after it
                                                 # (repaints, the throttled status line)

Prints the Python function calls and the distinct source files the click ran through, all and
sheafviz-only, and the counts of the functions a click should run once (``PinSet.resolve``,
the views' ``set_frame``, the session's trajectory recording). The click is made once
before the measured one (pin and unpin a1[1]) so lazy imports and first-time caches are
not counted. Exit 0 after printing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: Functions whose call counts the report prints: (file suffix, function name).
WATCHED = (("core/model/pins.py", "resolve"), ("gui/graph_view.py", "set_frame"),
           ("gui/drape.py", "set_frame"), ("live/flows.py", "record"),
           ("live/trajectory.py", "record"), ("gui/wiring.py", "redraw"),
           ("live/flows.py", "relax_solution"))


def open_window():
    """(app, window, click): the settled window and a function clicking neuron (name, i)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("SHEAFVIZ_SETTINGS",
                          str(Path(tempfile.mkdtemp(prefix="sheafviz-profile-")) / "s.ini"))
    from PySide6 import QtCore, QtWidgets
    from PySide6.QtTest import QTest

    from sheafviz.gui.app import prepare_app
    from sheafviz.gui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    prepare_app(app, (1280, 720))
    window = MainWindow()
    window.resize(1280, 720)
    window.show()
    settle(app, 800)
    graph = window.graph

    def click(name: str, i: int) -> None:
        k = graph.layout_.vertex(name).position
        scene = graph.vb.mapViewToScene(QtCore.QPointF(float(k), float(graph.ys[k][i])))
        QTest.mouseClick(graph.viewport(), QtCore.Qt.MouseButton.LeftButton,
                         pos=graph.mapFromScene(scene))

    return app, window, click


def settle(app, ms: int) -> None:
    from PySide6 import QtCore

    deadline = QtCore.QDeadlineTimer(ms)
    while not deadline.hasExpired():
        app.processEvents()


def summarise(stats: pstats.Stats) -> dict:
    """Calls and distinct files, all and sheafviz-only, and the watched functions' counts."""
    pkg = str(ROOT / "sheafviz")
    calls = files = 0
    own_calls, own_files, all_files = 0, set(), set()
    watched = {f"{suffix}:{fn}": 0 for suffix, fn in WATCHED}
    for (path, _line, fn), (_cc, nc, *_rest) in stats.stats.items():
        calls += nc
        if path.startswith("~") or path.startswith("<"):
            continue  # builtins: counted as calls, they have no file
        all_files.add(path)
        if path.startswith(pkg):
            own_calls += nc
            own_files.add(path)
        for suffix, name in WATCHED:
            if fn == name and path.endswith(suffix):
                watched[f"{suffix}:{name}"] += nc
    files = len(all_files)
    return {"calls": calls, "files": files, "sheafviz_calls": own_calls,
            "sheafviz_files": len(own_files), "watched": watched}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--top", type=int, default=0, help="print the N sheafviz functions "
                                                     "called most")
    p.add_argument("--settle", type=int, default=0, metavar="MS",
                   help="also profile MS milliseconds of event processing after the click")
    args = p.parse_args(argv)
    app, window, click = open_window()
    click("a1", 1)  # warm-up: imports and first-time caches
    settle(app, 200)
    click("a1", 1)
    settle(app, 200)
    prof = cProfile.Profile()
    prof.enable()
    click("a1", 0)
    if args.settle:
        from PySide6.QtTest import QTest

        QTest.qWait(args.settle)  # the event loop runs in C++: only handlers are counted
    prof.disable()
    assert window.session.pins.is_pinned("a1", 0), "the click did not pin a1[0]"
    stats = pstats.Stats(prof)
    out = summarise(stats)
    after = f" and {args.settle} ms of events" if args.settle else ""
    print(f"one click on a1[0]{after}: {out['calls']} Python function calls in {out['files']} files "
          f"({out['sheafviz_calls']} sheafviz calls in {out['sheafviz_files']} files)")
    for name, n in out["watched"].items():
        print(f"  {n:3d}  {name}")
    if args.top:
        pkg = str(ROOT / "sheafviz")
        rows = sorted(((nc, f"{Path(path).relative_to(ROOT)}:{line} {fn}")
                       for (path, line, fn), (_cc, nc, *_r) in stats.stats.items()
                       if path.startswith(pkg)), reverse=True)[:args.top]
        for nc, where in rows:
            print(f"  {nc:5d}  {where}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
