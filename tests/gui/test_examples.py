"""The scripts in ``examples/`` run headless (offscreen) and do what they say."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]


def _run(script: str, *args: str, cwd) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, str(REPO / "examples" / script), *args],
                          capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


def test_pin_and_screenshot_writes_one_picture_per_pin(tmp_path):
    proc = _run("pin_and_screenshot.py", "--out", str(tmp_path / "shots"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "shots").iterdir())
    assert names == ["0-start.png", "1-output-low.png", "2-output-mid.png",
                     "3-output-high.png", "4-hidden-neuron-held.png"]
    images = [np.asarray(Image.open(tmp_path / "shots" / n).convert("RGB"), dtype=int)
              for n in names]
    assert all(im.shape == (720, 1280, 3) for im in images)
    for a, b in zip(images, images[1:]):  # every pin changed the picture
        assert (a != b).any(axis=-1).sum() > 500
    # the output is clamped where the script put it
    lines = proc.stdout.splitlines()
    assert [line.split("y = ")[-1] for line in lines[:3]] == ["[1.5]", "[2.5]", "[3.5]"]
    assert lines[3].startswith("4-hidden-neuron-held.png: a1[0] = 0.0")


def test_train_live_steps_and_exits(tmp_path):
    proc = _run("train_live.py", "--steps", "100", "--chunk", "25", "--exit", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("100 steps in ")
