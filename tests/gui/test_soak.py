"""Soak: thousands of real animation frames (advance + repaint of every panel) without a
crash and without growing memory. PySide6 6.12.0 aborted after ~5,000 repaints of Python
paint overrides (measured on these machines); this test is what would catch such a release again.

``SHEAFVIZ_SOAK_FRAMES`` asks for more (or fewer) frames than the default 6,000.

It takes minutes, so it is marked ``slow`` and left out of the default run and CI (where
``test_repaint_soak.py`` makes the thousands of Python paints in seconds). Run it with
``python -m pytest -m slow``; ``sheafviz bench --only soak`` plays 100,000 frames.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from sheafviz.cli.bench.soak import rss_kib

pytestmark = pytest.mark.slow


def test_soak_frames_no_crash_no_growth(qtbot, window):
    from PySide6 import QtWidgets

    app = QtWidgets.QApplication.instance()
    frames = int(os.environ.get("SHEAFVIZ_SOAK_FRAMES", "6000"))
    warmup = min(600, frames // 4)
    window.resize(960, 540)
    window.session.set_rates(steps_per_frame=4)

    def frame(k: int) -> None:
        if k % 500 == 250:
            window.wiring.reset()  # restart the relaxation so the picture keeps moving
        if k == frames // 2:
            window.session.set_mode("joint")  # second half: the weights move too
        window.player.tick()
        app.processEvents()  # delivers the repaint of every visible panel

    for k in range(warmup):
        frame(k)
    before = rss_kib()
    for k in range(warmup, frames):
        frame(k)
    after = rss_kib()
    assert window.session.history.n <= window.session.history.capacity
    assert np.all(np.isfinite(window.session.cochain))
    assert "nan" not in window.metrics.text().lower()
    growth_mib = (after - before) / 1024
    assert growth_mib < 40, f"RSS grew by {growth_mib:.1f} MiB over {frames - warmup} frames"
