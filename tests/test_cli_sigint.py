"""Ctrl-C (SIGINT) during a long ``train``, ``relax`` or ``bench`` prints one line,
"sheafviz: interrupted", and exits 130 (the shell's code for an interrupt), no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: CPU seconds the child must have used before it is interrupted: Python and numpy start in
#: well under one, so by then the command's long loop is running. CPU time, not wall time,
#: so a loaded machine does not interrupt the imports instead.
BUSY_CPU_S = 1.0

LONG_RUNS = {
    "train": ["train", "--preset", "paraboloid", "--steps", "1000000000"],
    "relax": ["relax", "--steps", "1000000000", "--tol", "1e-300"],
    "bench": ["bench", "--only", "soak"],  # 100,000 frames of the window: most of an hour
}


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _sigint_default() -> None:
    # a shell without job control starts background jobs with SIGINT ignored, and an ignored
    # signal stays ignored across exec: give the child the ordinary Ctrl-C behaviour
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("command", sorted(LONG_RUNS))
def test_ctrl_c_is_one_line_and_exit_130(command, tmp_path):
    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/tmp"), "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen([sys.executable, "-m", "sheafviz", *LONG_RUNS[command]],
                            env=env, cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=_sigint_default)
    try:
        give_up = time.monotonic() + 120
        while proc.poll() is None and _cpu_seconds(proc.pid) < BUSY_CPU_S:
            assert time.monotonic() < give_up, "the command never got busy"
            time.sleep(0.1)
        assert proc.poll() is None, f"{command} ended by itself: {proc.stderr.read()[-500:]}"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert "Traceback" not in err, err[-800:]
    assert proc.returncode == 130, err[-800:]
    assert [line for line in err.splitlines() if "interrupted" in line] == \
        ["sheafviz: interrupted"]
    assert err.splitlines()[-1] == "sheafviz: interrupted"
