"""Crash recovery for real: the desktop app, started in a subprocess on a virtual display
(xvfb-run), gets a pin (a real click) and a running flow (Space), autosaves, and is killed
with SIGKILL. Started again, it offers the autosaved session; Return accepts it and the
restored window has the pins and flow state the autosave file holds.

Everything the app touches lives in tmp_path: HOME, the XDG folders (the autosave file sits
in the app-data folder) and the settings (``SHEAFVIZ_SETTINGS``, autosave every second).
The app reports its pins, steps, cochain and neuron positions through
``SHEAFVIZ_STATE_FILE``. The driver below runs inside xvfb-run (one X server for both
starts) and writes what it saw to ``result.json``; the test checks it against the autosave
file, read through the public :meth:`sheafviz.Session.load`.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from realx import wait_for

pytestmark = pytest.mark.skipif(
    shutil.which("xvfb-run") is None or shutil.which("xdotool") is None,
    reason="needs xvfb-run and xdotool to run the real app on a virtual display")

APP = ("import sys; from sheafviz.gui.app import run_gui; "
       "sys.exit(run_gui(size='1280x720'))")




def _read(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _xdotool(*args, check=True) -> str:
    return subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=20,
                          check=check).stdout.strip()


def _windows(name: str) -> list[str]:
    return _xdotool("search", "--name", name, check=False).split()


def _start(root: Path, state_file: Path) -> subprocess.Popen:
    env = dict(os.environ, QT_QPA_PLATFORM="xcb", HOME=str(root / "home"),
               XDG_DATA_HOME=str(root / "data"), XDG_CONFIG_HOME=str(root / "config"),
               XDG_CACHE_HOME=str(root / "cache"), SHEAFVIZ_SETTINGS=str(root / "settings.ini"),
               SHEAFVIZ_STATE_FILE=str(state_file))
    return subprocess.Popen([sys.executable, "-c", APP], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)


def _settled(state_file: Path):
    """The state once three successive reports agree on distinct neuron pixels."""
    seen = {}

    def check():
        s = _read(state_file)
        if not (s and s["neurons"]):
            return None
        seen[s["serial"]] = s["neurons"]
        last = [seen[k] for k in sorted(seen)[-3:]]
        distinct = len({tuple(p) for p in s["neurons"].values()}) == len(s["neurons"])
        return s if len(last) == 3 and last[0] == last[1] == last[2] and distinct else None

    return wait_for(check, 30, "the window layout to settle")


def _autosave_file(root: Path):
    found = sorted((root / "data").rglob("autosave.sheafviz.json"))
    return found[0] if found else None


def _drive(root: Path) -> None:
    """Run inside xvfb-run: edit, autosave, SIGKILL, restart, accept the recovery."""
    result = {}
    first = _start(root, root / "state1.json")
    try:
        state = _settled(root / "state1.json")
        wid = next(w for w in _windows("sheafviz") if
                   _xdotool("getwindowname", w).startswith("sheafviz — "))
        x, y = state["neurons"]["a1[0]"]
        _xdotool("mousemove", str(x), str(y), "click", "1")
        wait_for(lambda: "a1[0]" in (_read(root / "state1.json") or {"pins": {"hard": {}}}
                                      )["pins"]["hard"], 15, "a1[0] to be pinned")
        _xdotool("windowfocus", "--sync", wid)
        _xdotool("key", "space")  # play: the flow state moves on
        wait_for(lambda: (s := _read(root / "state1.json")) and s["steps"] > 0, 15,
                  "Space to start the flow")
        # the autosave (every second while dirty) must have caught the pin and some steps
        wait_for(lambda: (p := _autosave_file(root)) and "a1[0]" in p.read_text()
                  and _read(p), 15, "the autosave file")
        time.sleep(1.5)
        _xdotool("key", "space")  # pause, so the next autosave holds a fixed state
        paused = wait_for(lambda: (s := _read(root / "state1.json")) and not s["playing"]
                           and s, 15, "the flow to pause")
        time.sleep(2.5)  # one more autosave after the pause
        result["before_kill"] = _read(root / "state1.json")
        result["paused_steps"] = paused["steps"]
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=10)
    result["killed_returncode"] = first.returncode
    saved = _autosave_file(root)
    result["autosave_after_kill"] = str(saved) if saved else None
    result["autosave_text"] = saved.read_text() if saved else None

    second = _start(root, root / "state2.json")
    try:
        dialog = wait_for(lambda: _windows("Recover session"), 30, "the recovery offer")
        result["offered"] = True
        _xdotool("windowactivate", "--sync", dialog[0], check=False)
        _xdotool("windowfocus", "--sync", dialog[0])
        _xdotool("key", "Return")
        result["after_restart"] = wait_for(
            lambda: (s := _read(root / "state2.json")) and "a1[0]" in s["pins"]["hard"] and s,
            20, "the recovered pins")
        time.sleep(1.0)  # the state file is rewritten twice a second: take a later one
        result["after_restart"] = _read(root / "state2.json")
    finally:
        second.send_signal(signal.SIGKILL)
        out, _ = second.communicate(timeout=10)
    result["second_output"] = out.decode(errors="replace")
    (root / "result.json").write_text(json.dumps(result))


def test_killed_app_offers_and_restores_its_autosave(tmp_path):
    (tmp_path / "settings.ini").write_text("[lecture]\nautosave_seconds=1\n")
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1280x720x24", sys.executable,
                          __file__, str(tmp_path)], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["killed_returncode"] == -signal.SIGKILL
    # the autosave survived the kill, in the app-data folder under our XDG_DATA_HOME
    assert result["autosave_after_kill"] is not None
    assert result["offered"]
    assert "Traceback" not in result["second_output"], result["second_output"]

    from sheafviz.session import Session

    saved_path = tmp_path / "saved.sheafviz.json"
    saved_path.write_text(result["autosave_text"])
    saved = Session.load(saved_path)
    before, after = result["before_kill"], result["after_restart"]
    # the autosave holds the pin the click made, at the value the first run showed
    assert saved.pins.to_json() == before["pins"]
    assert before["pins"]["hard"]["a1[0]"] == pytest.approx(
        saved.pins.hard[("a1", 0)], abs=0)
    # the restarted app shows exactly what was running when it was killed: pins, steps and
    # the flow state (the state was paused, and autosaved after the pause)
    assert after["pins"] == before["pins"]
    assert after["steps"] == before["steps"] == result["paused_steps"] > 0
    assert np.array_equal(after["cochain"], before["cochain"])
    assert np.array_equal(after["cochain"], saved.cochain)
    assert saved.steps == before["steps"]


if __name__ == "__main__":
    _drive(Path(sys.argv[1]))
