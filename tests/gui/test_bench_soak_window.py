"""The soak benchmark on the real window: a short run reports its numbers, and a non-finite
value put into the drape's drawn data is counted."""

from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets

from sheafviz.cli.bench import soak


def test_short_soak_reports_and_finds_an_injected_nan(window):
    app = QtWidgets.QApplication.instance()
    lines = []
    r = soak.soak(app, window, frames=60, print_fn=lines.append)
    assert r["frames"] == 60 and r["bad_values"] == 0
    assert r["rss_warm_kib"] > 10_000 and r["rss_end_kib"] > 10_000  # a Qt app: > 10 MiB
    assert r["growth_percent"] == (r["rss_end_kib"] - r["rss_warm_kib"]) / r["rss_warm_kib"] * 100
    assert any("warm-up" in line for line in lines)

    views = [window.graph, window.drape]
    assert soak.drawn_bad_values(views) == 0
    x, y = window.drape.string.getData()
    y = np.array(y, dtype=float)
    y[[0, 3]] = np.nan
    window.drape.string.setData(x, y)
    assert soak.drawn_bad_values(views) == 2
