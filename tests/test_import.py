"""``import sheafviz`` (and the CLI module) must stay Qt-free (the architecture rules in
the README's Layout section)."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import sys
import sheafviz, sheafviz.cli, sheafviz.cli.report
import sheafviz.core.data.presets, sheafviz.core.data.datasets, sheafviz.core.solvers.solve, sheafviz.core.flows.heat
from sheafviz.core.data.presets import list_presets, load_preset
for name in list_presets():
    load_preset(name)
bad = sorted(m for m in sys.modules
             if m.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph")
             or m.startswith("sheafviz.gui"))
print(",".join(bad))
"""


def test_import_sheafviz_imports_no_qt():
    proc = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_cli_solve_imports_no_qt():
    code = ("import sys, contextlib, io\n"
            "from sheafviz.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    rc = main(['solve', '--json'])\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')]\n"
            "print(rc, bad)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "0 []"


def test_viewer_is_loaded_lazily():
    """``sheafviz.Viewer`` and ``sheafviz.run`` are listed, and found on first use."""
    code = ("import sys, sheafviz\n"
            "qt = lambda: sorted(m for m in sys.modules if m.split('.')[0] in "
            "('PySide6', 'shiboken6', 'pyqtgraph'))\n"
            "print('Viewer' in dir(sheafviz), 'run' in dir(sheafviz), qt())\n"
            "viewer, run = sheafviz.Viewer, sheafviz.run\n"
            "print(viewer.__module__, run.__module__)\n"
            "try:\n"
            "    sheafviz.NoSuchName\n"
            "except AttributeError as exc:\n"
            "    print(exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "True True []",
        "sheafviz.gui.viewer sheafviz.gui.event_loop",
        "module 'sheafviz' has no attribute 'NoSuchName'",
    ]
