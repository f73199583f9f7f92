"""``sheafviz.run()`` in a plain script blocks until the last window closes; a close the
script asks for does not stop at a "save changes?" box."""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = r"""
import time
import sheafviz
from PySide6 import QtCore

print("before", sheafviz.run())          # no window yet: returns at once
v = sheafviz.Viewer(preset="course-221")
fired = []

def close():
    fired.append(v.session.steps)
    v.close()

v.session.step(30)
v.session.pin("a1[0]", 0.25)             # an unsaved edit: close() must not ask about it
QtCore.QTimer.singleShot(400, close)
t = time.perf_counter()
rc = sheafviz.run()
print("after", rc, fired, v.is_open, time.perf_counter() - t >= 0.35)
"""


def test_run_blocks_until_the_window_is_closed(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=60, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["before 0", "after 0 [30] False True"]


def test_no_display_is_one_clear_error(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    code = ("import sheafviz\n"
            "try:\n"
            "    sheafviz.Viewer()\n"
            "except RuntimeError as exc:\n"
            "    print(exc)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("no display to open a window on (DISPLAY is not set)")
