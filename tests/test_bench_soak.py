"""The soak benchmark's arithmetic: what counts as a bad drawn value, the frame count from
the environment, and the RSS trend."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.cli.bench import soak

nan, inf = np.nan, np.inf


def test_nan_separators_of_a_finite_polyline_are_not_bad_values():
    x = np.array([0.0, 1.0, nan, 2.0, 3.0, nan])
    y = np.array([5.0, 6.0, nan, 7.0, 8.0, nan])
    assert soak.bad_values(x, y, "finite") == 0
    y_bad = y.copy()
    y_bad[1] = nan   # a value went bad: NaN in y where x is finite
    assert soak.bad_values(x, y_bad, "finite") == 1
    y_inf = y.copy()
    y_inf[0] = inf
    assert soak.bad_values(x, y_inf, "finite") == 1


def test_other_data_must_be_finite_throughout():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([1.0, nan, -inf, 2.0])
    assert soak.bad_values(x, y, "pairs") == 2
    assert soak.bad_values(x, y, "all") == 2
    assert soak.bad_values(np.array([nan, 1.0]), None, "all") == 1


def test_frame_count_reads_the_environment(monkeypatch):
    monkeypatch.delenv("SHEAFVIZ_SOAK_FRAMES", raising=False)
    assert soak.frame_count() == 100_000
    monkeypatch.setenv("SHEAFVIZ_SOAK_FRAMES", "20000")
    assert soak.frame_count() == 20_000
    for bad, words in (("lots", "not a whole number"), ("3", "too few")):
        monkeypatch.setenv("SHEAFVIZ_SOAK_FRAMES", bad)
        with pytest.raises(ValueError, match=words):
            soak.frame_count()


def test_trend_is_the_least_squares_slope_per_ten_thousand_frames():
    # RSS = 1000 + 0.02·frame ± 5 alternating: slope 0.02 KiB/frame = 200 KiB per 10k
    frames = np.arange(0, 20_000, 1000)
    rss = 1000 + 0.02 * frames + 5 * (-1) ** np.arange(frames.size)
    expected = np.linalg.lstsq(np.c_[frames, np.ones_like(frames)], rss, rcond=None)[0][0] * 1e4
    assert soak._trend(list(zip(frames.tolist(), rss.tolist()))) == pytest.approx(expected)
    assert expected == pytest.approx(200, abs=5)
    assert soak._trend([(0, 1), (10, 2)]) == 0.0


def test_the_warm_up_plays_both_modes_and_then_they_alternate():
    warmup = 4000
    modes = [soak.mode_at(k, warmup) for k in range(warmup)]
    # both modes before the first RSS sample, relax first
    assert modes[0] == "relax" and modes[-1] == "joint"
    assert modes.count("relax") == modes.count("joint") == warmup // 2
    # after the warm-up: blocks of MODE_EVERY frames, alternating, starting with relax
    every = soak.MODE_EVERY
    after = [soak.mode_at(warmup + k, warmup) for k in (0, every - 1, every, 2 * every - 1,
                                                         2 * every)]
    assert after == ["relax", "relax", "joint", "joint", "relax"]
