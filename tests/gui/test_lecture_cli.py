"""``sheafviz render SESSION --png FILE --gif FILE --steps N`` headless."""

from __future__ import annotations

import os
import subprocess
import sys

from PIL import Image

from test_lecture_common import lecture  # noqa: F401


def run_cli(*args, cwd=None):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DISPLAY", None)
    return subprocess.run([sys.executable, "-m", "sheafviz", *args], capture_output=True,
                          text=True, env=env, cwd=cwd, timeout=300)


def test_render_session_png_and_gif(lecture, tmp_path):
    w, feats = lecture
    w.wiring.toggle_neuron("a1", 0)
    w.session.step(20)
    assert feats.sessions.save(tmp_path / "s.json")
    png, gif = tmp_path / "s.png", tmp_path / "s.gif"
    proc = run_cli("render", str(tmp_path / "s.json"), "--png", str(png), "--gif", str(gif),
                   "--steps", "10", "--frames", "4", "--steps-per-frame", "3",
                   "--size", "960x600")
    assert proc.returncode == 0, proc.stderr
    with Image.open(png) as im:
        assert im.size == (960, 600)
    with Image.open(gif) as im:
        assert im.size == (960, 600) and im.n_frames == 4


def test_render_bad_session_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "sheafviz-session", "version": 1, "netw')
    proc = run_cli("render", str(bad), "--png", str(tmp_path / "x.png"))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "not valid JSON" in proc.stderr
    assert not (tmp_path / "x.png").exists()
