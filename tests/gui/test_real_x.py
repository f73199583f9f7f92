"""The real app under a real X server (Xvfb), clicked with xdotool.

The app is started as a separate process with ``SHEAFVIZ_STATE_FILE`` set, so it reports its
pins and the on-screen position of every neuron; the test clicks ``a1[0]`` there with the
real X pointer and waits for the app to report the pin.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from realx import wait_for

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("xdotool") is None,
    reason="needs Xvfb and xdotool")




def read_state(path):
    try:
        with open(path) as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return None


@pytest.fixture
def xserver():
    """A private Xvfb on a free display number (``-displayfd`` picks it)."""
    read_fd, write_fd = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0",
                             "1920x1080x24", "-nolisten", "tcp"], pass_fds=(write_fd,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as fh:
        number = fh.readline().strip()
    assert number, "Xvfb did not report a display number"
    yield f":{number}"
    proc.terminate()
    proc.wait(timeout=10)


def test_click_neuron_in_real_window(xserver, tmp_path):
    state_file = tmp_path / "state.json"
    # the desktop app autosaves in its app-data folder and keeps its settings: both here
    env = dict(os.environ, DISPLAY=xserver, QT_QPA_PLATFORM="xcb",
               SHEAFVIZ_STATE_FILE=str(state_file), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"))
    app = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from sheafviz.gui.app import run_gui; "
         "sys.exit(run_gui(size='1280x720'))"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        state = wait_for(lambda: (s := read_state(state_file)) and s["neurons"] and s,
                         30, "the app's state file")
        xenv = dict(os.environ, DISPLAY=xserver)
        ids = subprocess.run(["xdotool", "search", "--sync", "--name", "sheafviz"],
                             env=xenv, capture_output=True, text=True, timeout=20
                             ).stdout.split()
        names = {i: subprocess.run(["xdotool", "getwindowname", i], env=xenv,
                                   capture_output=True, text=True, timeout=10).stdout.strip()
                 for i in ids}
        # Qt may own more than one X window with the application's name: take the main one
        wid, name = next((i, n) for i, n in names.items() if n.startswith("sheafviz — "))
        assert name.startswith("sheafviz — ")
        assert "a1[0]" not in state["pins"]["hard"]
        # The app rewrites the file twice a second; wait until three successive versions agree
        # and the neurons sit on distinct pixels (right after show() they all coincide).
        seen = {}

        def settled():
            s = read_state(state_file)
            if not (s and s["neurons"]):
                return None
            seen[s["serial"]] = s["neurons"]
            last = [seen[k] for k in sorted(seen)[-3:]]
            pixels = {tuple(p) for p in s["neurons"].values()}
            ok = (len(last) == 3 and last[0] == last[1] == last[2]
                  and len(pixels) == len(s["neurons"]))
            return s if ok else None

        state = wait_for(settled, 30, "the window layout to settle")
        x, y = state["neurons"]["a1[0]"]
        subprocess.run(["xdotool", "mousemove", str(x), str(y), "click", "1"], env=xenv,
                       check=True, timeout=10)
        pinned = wait_for(lambda: (s := read_state(state_file)) and
                          "a1[0]" in s["pins"]["hard"] and s, 15, "a1[0] to be pinned")
        # running-241 is [2,4,1]: cochain = x(2) z1(4) a1(4) z2(1) y(1), so a1[0] is entry 6;
        # the pin holds the value the neuron had when clicked.
        assert pinned["pins"]["hard"]["a1[0]"] == pytest.approx(state["cochain"][6], abs=1e-12)
        # the keyboard: Space plays the relaxation (the window needs the X focus first)
        assert pinned["steps"] == 0
        subprocess.run(["xdotool", "windowfocus", "--sync", wid], env=xenv, check=True,
                       timeout=10)
        subprocess.run(["xdotool", "key", "space"], env=xenv, check=True, timeout=10)
        wait_for(lambda: (s := read_state(state_file)) and s["steps"] > 0, 15,
                 "Space to start the flow")
    finally:
        app.terminate()
        try:
            out, _ = app.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            app.kill()
            out, _ = app.communicate()
    assert b"Traceback" not in out, out.decode(errors="replace")
