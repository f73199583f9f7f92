"""An unreachable display is one line (not Qt's abort, exit 134), and Ctrl-C (SIGINT)
closes the window cleanly instead of showing "Internal error (KeyboardInterrupt)"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _env(**extra) -> dict:
    env = {"PYTHONPATH": str(ROOT), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "HOME": os.environ.get("HOME", "/tmp")}
    env.update(extra)
    return env


def test_unreachable_display_is_one_line(tmp_path):
    # no X server listens on display 97 (nor on its abstract socket)
    assert not Path("/tmp/.X11-unix/X97").exists()
    proc = subprocess.run([sys.executable, "-m", "sheafviz"], env=_env(DISPLAY=":97"),
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr[-500:]
    assert proc.stderr.splitlines() == [
        "sheafviz: error: cannot connect to the display :97 (no X server answers there); "
        "check DISPLAY, or use 'sheafviz render --out FILE.png'"]


def test_screenshot_with_unreachable_display_renders_offscreen(tmp_path):
    shot = tmp_path / "s.png"
    proc = subprocess.run([sys.executable, "-m", "sheafviz", "gui", "--screenshot", str(shot),
                           "--size", "640x480"], env=_env(DISPLAY=":97"),
                          capture_output=True, text=True, timeout=180, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-500:]
    assert shot.stat().st_size > 0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_until_idle(proc, give_up: float) -> None:
    """Until the process stops using CPU (the window is up and waiting for events)."""
    last = _cpu_seconds(proc.pid)
    while proc.poll() is None and time.monotonic() < give_up:
        time.sleep(1.0)
        now = _cpu_seconds(proc.pid)
        if now - last < 0.05:
            return
        last = now


def test_sigint_closes_the_window(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "sheafviz", "gui", "--size", "640x480"],
                            env=_env(QT_QPA_PLATFORM="offscreen"), cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        give_up = time.monotonic() + 180
        _wait_until_idle(proc, give_up)
        # the old behaviour ("Internal error (KeyboardInterrupt)", the window stays) never
        # exits: Ctrl-C a few times before giving up
        while proc.poll() is None and time.monotonic() < give_up:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=5.0)
            except subprocess.TimeoutExpired:
                pass
        assert proc.poll() is not None, "the window did not close on SIGINT"
    finally:
        if proc.poll() is None:
            proc.kill()
        out, err = proc.communicate()
    assert proc.returncode == 0, err[-800:]
    assert "Internal error" not in err and "Traceback" not in err, err[-800:]
