"""The stall benchmark's machinery on a small window (the numbers are the bench's job)."""

from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets

from sheafviz.cli.bench.stall import ARCH, DRAG_SPAN, drag_problem, drag_values, measure_stall


def test_drag_reaches_the_window_and_gaps_are_measured(window):
    y0 = float(window.session.pins.hard[("y", 0)])
    values = drag_values(y0, 6)
    r = measure_stall(QtWidgets.QApplication.instance(), window, values, hz=60)
    assert r["moves"] == 6
    assert window.session.pins.hard[("y", 0)] == values[-1]  # every move went through the wiring
    assert r["seconds"] >= 6 / 60 + 0.4  # the drag, then the settling time
    assert 0 < r["median_gap_ms"] <= r["p99_gap_ms"] <= r["max_gap_ms"]


def test_drag_path_and_problem():
    v = drag_values(2.0, 120)
    assert np.isclose(v[-1], 2.0) and np.isclose(v.max(), 2.0 + DRAG_SPAN)
    assert np.isclose(v.min(), 2.0 - DRAG_SPAN)
    preset, y0 = drag_problem()
    assert list(preset.network.arch) == ARCH
    x = np.array([preset.pins.hard[("x", i)] for i in range(2)])
    # y is pinned at the forward value, by an independent forward pass
    a = x
    for W, b in zip(preset.network.weights[:-1], preset.network.biases[:-1]):
        a = np.maximum(W @ a + b, 0.0)
    y = preset.network.weights[-1] @ a + preset.network.biases[-1]
    assert np.isclose(preset.pins.hard[("y", 0)], y[0]) and np.isclose(y0, y[0])


def test_the_stall_section_runs_on_the_deep_network(qapp):
    """The whole section on its [2,128×8,1] network with a short drag: every move arrives,
    the last value lands, and the report names the stall, the solve time and the target."""
    from sheafviz.cli.bench import stall
    from sheafviz.gui import style

    lines: list[str] = []
    old_pt, old_font = style.base_pt(), qapp.font()
    try:
        r = stall.run(lines.append, drag_s=0.1)
    finally:  # the bench sizes the fonts for its 1920×1080 window
        style.set_base_point_size(old_pt)
        qapp.setFont(old_font)
    assert r["moves"] == 6
    assert r["max_gap_ms"] >= r["median_gap_ms"] > 0 and r["solve_ms"] > 0
    assert r["target_ms"] == max(stall.TARGET_MS, stall.TARGET_SOLVES * r["solve_ms"])
    assert r["met"] == (r["max_gap_ms"] <= r["target_ms"])
    assert "longest event-loop stall" in lines[0] and "fixed-σ solve" in lines[1]
