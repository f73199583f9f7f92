"""Start-up benchmark: ``sheafviz gui --screenshot`` against a bare PySide6 + pyqtgraph window.

Each run is a fresh ``python`` subprocess, so the time counts the interpreter, every import,
building the window, laying it out, painting it and writing the PNG — what a user waits
for. The reference is the least any pyqtgraph window can do: one ``PlotWidget`` with one
curve, shown offscreen at 1920×1080 and grabbed to a PNG. The two are run alternately
(so a burst of load on a shared machine hits both) and the median of each is printed with
their ratio (target, issue 13: ≤ 1.5), in wall-clock time and in the processes' CPU time
(on a shared machine the wall clock also counts other processes' time slices). The import
time of ``sheafviz.gui.app`` is printed on its own, also from fresh subprocesses. Byte code
is cached (in a temporary directory) and a first run of each is not counted, as for an
installed package.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 7
SIZE = "1920x1080"

#: The reference: a bare pyqtgraph window, one plot, one curve, grabbed to a PNG.
BARE_WINDOW = """
import sys
import numpy as np
from PySide6 import QtWidgets
import pyqtgraph as pg
app = QtWidgets.QApplication([sys.argv[0]])
w = QtWidgets.QMainWindow()
plot = pg.PlotWidget()
plot.plot(np.arange(100.0), np.sin(np.arange(100.0) / 10.0))
w.setCentralWidget(plot)
w.resize(1920, 1080)
w.show()
app.processEvents()
w.grab().save(sys.argv[1], "PNG")
"""

IMPORT_APP = "import time; t = time.perf_counter(); import sheafviz.gui.app; " \
             "print(time.perf_counter() - t)"


def _env(pycache: str) -> dict:
    """The subprocesses' environment: offscreen without a display, and byte code cached in
    ``pycache`` (an installed package has its ``.pyc`` files; a checkout run with
    PYTHONDONTWRITEBYTECODE would compile every module of the package at every start)."""
    env = dict(os.environ)
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one subprocess; RuntimeError with its
    stderr if it fails."""
    t0 = time.perf_counter()
    with subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE) as proc:
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} … failed: "
                           f"{err.decode(errors='replace').strip()[-400:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def measure(*, runs: int = RUNS) -> dict:
    """Medians over ``runs`` fresh subprocesses each, run alternately.

    Returns
    -------
    dict with ``bare``, ``sheafviz`` (wall seconds), ``bare_cpu``, ``sheafviz_cpu`` (CPU
    seconds), ``ratio``, ``ratio_cpu`` and ``import_app`` (seconds)
    """
    times: dict[str, list] = {"bare": [], "sheafviz": []}
    imports = []
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(os.path.join(tmp, "pycache"))
        png = os.path.join(tmp, "shot.png")
        commands = {"bare": [sys.executable, "-c", BARE_WINDOW, png],
                    "sheafviz": [sys.executable, "-m", "sheafviz", "gui", "--screenshot", png,
                                 "--size", SIZE]}
        for cmd in commands.values():  # a first run of each writes the byte code: not counted
            _timed(cmd, env)
        for _ in range(runs):
            for key, cmd in commands.items():
                times[key].append(_timed(cmd, env))
            out = subprocess.run([sys.executable, "-c", IMPORT_APP], env=env,
                                 capture_output=True, text=True, check=True).stdout
            imports.append(float(out.strip().splitlines()[-1]))
    r = {"import_app": statistics.median(imports)}
    for key, samples in times.items():
        r[key] = statistics.median(s[0] for s in samples)
        r[f"{key}_cpu"] = statistics.median(s[1] for s in samples)
    r["ratio"], r["ratio_cpu"] = r["sheafviz"] / r["bare"], r["sheafviz_cpu"] / r["bare_cpu"]
    return r


def run(print_fn=print) -> None:
    """Print the medians and the ratios (see the module docstring)."""
    r = measure()
    print_fn(f"bare PySide6+pyqtgraph window, grab to PNG : {r['bare'] * 1e3:6.0f} ms wall "
             f"{r['bare_cpu'] * 1e3:6.0f} ms CPU (median of {RUNS} fresh processes)")
    print_fn(f"sheafviz gui --screenshot --size {SIZE}  : {r['sheafviz'] * 1e3:6.0f} ms wall "
             f"{r['sheafviz_cpu'] * 1e3:6.0f} ms CPU")
    print_fn(f"ratio sheafviz / bare                      : {r['ratio']:6.2f} wall    "
             f"{r['ratio_cpu']:6.2f} CPU (target ≤ 1.5)")
    print_fn(f"import sheafviz.gui.app                    : {r['import_app'] * 1e3:6.0f} ms")
