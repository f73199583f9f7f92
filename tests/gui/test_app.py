"""``run_gui``: validation before any window, screenshots, sessions, CLI pin strings."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from sheafviz.core.model.pins import PinError
from sheafviz.core.data.presets import load_preset
from sheafviz.core.data.session_file import save_session, session_from_preset
from sheafviz.gui.app import run_gui, session_preset


@pytest.mark.parametrize("kwargs, match", [
    (dict(preset="no-such-preset"), "no-such-preset"),
    (dict(size="12x34"), "out of range"),
    (dict(size="big"), "1920x1080"),
    (dict(steps=-1), "non-negative"),
    (dict(screenshot="shot.jpg"), ".png"),
])
def test_bad_input_raises_before_any_window(qapp, kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_gui(**kwargs)


def test_bad_pin_names_the_problem(qapp):
    with pytest.raises(PinError, match="a7"):
        run_gui(pins=["a7[0]=1"])


def test_screenshot_is_a_real_picture(qapp, tmp_path):
    out = tmp_path / "shot.png"
    assert run_gui(screenshot=str(out), size="1280x720", steps=20,
                   pins=["a1[0]=0.75"]) == 0
    img = np.asarray(Image.open(out).convert("L"), dtype=float)
    assert img.shape == (720, 1280)
    assert img.std() > 20  # not an empty canvas


def test_session_file_opens(qapp, qtbot, tmp_path):
    preset = load_preset("paraboloid")
    path = tmp_path / "s.json"
    save_session(session_from_preset(preset).with_changes(title="my lesson"), path)
    out = tmp_path / "s.png"
    assert run_gui(session=str(path), screenshot=str(out), size="1280x720") == 0
    assert out.stat().st_size > 10_000
    opened, dataset, _ = session_preset(path)
    assert opened.title == "my lesson"
    assert dataset is not None and dataset.n_train == 300
    np.testing.assert_array_equal(opened.network.weights[0], preset.network.weights[0])


def test_no_display_is_a_clear_error(qapp, monkeypatch):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(ValueError, match="no display"):
        run_gui()
