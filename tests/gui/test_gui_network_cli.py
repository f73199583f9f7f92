"""``sheafviz gui`` / ``render`` with the network options of ``solve`` (``--arch --seed``,
``--weights``, ``--output``), ``--data`` and ``--presentation``: the window shows that
network, and bad combinations end with exit 2 and one line on stderr."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from sheafviz.cli.commands import main
from sheafviz.core.data.datasets import load_dataset
from sheafviz.core.model.network import Network
from sheafviz.gui import app as app_module


@pytest.fixture
def captured(qapp, monkeypatch, tmp_path):
    """Run ``main([...])`` in-process; the window is inspected instead of being saved."""
    monkeypatch.setenv("SHEAFVIZ_SETTINGS", str(tmp_path / "settings.ini"))
    seen = {}

    def capture(window, path):
        seen.update(arch=list(window.session.network.arch), weights=[w.copy() for w in window.session.network.weights],
                    output=window.session.network.output, dots=np.bincount(window.graph.dot_vertex),
                    pins=window.session.pins, dataset=window.session.data,
                    presentation=window.lecture.presentation.active,
                    fullscreen=window.isFullScreen(), size=(window.width(), window.height()))
        if window.lecture.presentation.active:
            window.lecture.presentation.leave()  # the look is module state: put it back
        window.close()
        window.deleteLater()  # no window of this test outlives it
        return True

    from sheafviz.gui import style

    old_pt, old_font = style.base_pt(), qapp.font()
    monkeypatch.setattr(app_module, "save_screenshot", capture)
    yield seen
    style.set_base_point_size(old_pt)
    qapp.setFont(old_font)
    qapp.processEvents()


def test_arch_and_seed_open_that_network(captured, tmp_path):
    assert main(["gui", "--arch", "2,4,1", "--seed", "3", "--screenshot",
                 str(tmp_path / "a.png"), "--size", "1280x720"]) == 0
    # the graph has one dot per neuron: x, z1, a1, z2, y
    assert captured["dots"].tolist() == [2, 4, 4, 1, 1]
    expected = Network.he_init([2, 4, 1], seed=3)
    for got, want in zip(captured["weights"], expected.weights):
        np.testing.assert_array_equal(got, want)
    assert not captured["presentation"] and captured["size"] == (1280, 720)
    # without --data, x is pinned at evenly spaced values in [-1, 1] and y is free
    assert captured["pins"].hard == {("x", 0): -1.0, ("x", 1): 1.0}


def test_pins_apply_after_the_default_input(captured, tmp_path):
    assert main(["gui", "--arch", "3,2,1", "--pin", "y=0.5", "--unpin", "x[1]",
                 "--screenshot", str(tmp_path / "p.png")]) == 0
    assert captured["pins"].hard == {("x", 0): -1.0, ("x", 2): 1.0, ("y", 0): 0.5}


def test_weights_file_output_and_data(captured, tmp_path):
    net = Network.he_init([2, 3, 1], seed=5)
    path = tmp_path / "w.npz"
    net.save(path)
    assert main(["gui", "--weights", str(path), "--output", "sigmoid", "--data", "xor",
                 "--screenshot", str(tmp_path / "w.png")]) == 0
    assert captured["dots"].tolist() == [2, 3, 3, 1, 1] and captured["output"] == "sigmoid"
    np.testing.assert_array_equal(captured["weights"][0], net.weights[0])
    ds = load_dataset("xor", seed=42)
    assert captured["dataset"].n_train == ds.n_train
    # --data pins its first example at x and y, as relax/train do
    hard = captured["pins"].hard
    assert [hard[("x", 0)], hard[("x", 1)], hard[("y", 0)]] == [*ds.X[0], *ds.Y[0]]


def test_presentation_flag_turns_presentation_on(captured, tmp_path):
    assert main(["gui", "--presentation", "--screenshot", str(tmp_path / "p.png"),
                 "--size", "1280x720"]) == 0
    assert captured["presentation"] and not captured["fullscreen"]
    assert captured["size"] == (1280, 720)


def test_screenshot_png_has_the_asked_size(qapp, monkeypatch, tmp_path):
    monkeypatch.setenv("SHEAFVIZ_SETTINGS", str(tmp_path / "settings.ini"))
    out = tmp_path / "shot.png"
    assert main(["render", "--arch", "16,8,1", "--presentation", "--out", str(out),
                 "--size", "1280x720"]) == 0
    img = np.asarray(Image.open(out).convert("L"), dtype=float)
    assert img.shape == (720, 1280) and img.std() > 20


@pytest.mark.parametrize("argv, words", [
    (["gui", "--seed", "1"], "give --arch too"),
    (["gui", "--arch", "2,4,1", "--preset", "paraboloid"], "not allowed with"),
    (["gui", "--arch", "2,x"], "comma-separated"),
    (["gui", "--arch", "3,4,1", "--data", "paraboloid"], "2 input(s)"),
    (["gui", "--data", "no-such-data"], "unknown data set"),
    (["gui", "--data-seed", "3"], "give --data too"),
    (["gui", "--output", "tanh"], "invalid choice"),
    (["gui", "--arch", "2,4,1", "--pin", "a7[0]=1"], "a7"),
    (["render", "--arch", "2,4,1", "--out", "x.gif"], "apply to a .png"),
])
def test_bad_combinations_exit_2_with_one_line(qapp, capsys, tmp_path, argv, words):
    if "--screenshot" not in argv and argv[0] == "gui":
        argv = [*argv, "--screenshot", str(tmp_path / "never.png")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err
    assert not (tmp_path / "never.png").exists()


def test_session_file_refuses_network_options(qapp, capsys, tmp_path):
    from sheafviz.core.data.presets import load_preset
    from sheafviz.core.data.session_file import save_session, session_from_preset

    path = tmp_path / "s.json"
    save_session(session_from_preset(load_preset("paraboloid")), path)
    assert main(["gui", str(path), "--arch", "2,4,1", "--screenshot",
                 str(tmp_path / "s.png")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "SESSION" in err
