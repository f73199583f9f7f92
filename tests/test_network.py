"""Network, weights file and pins: validation and round trips."""

import numpy as np
import pytest

from sheafviz.core.model.network import Network, NetworkError, phi, validate_arch
from sheafviz.core.model.pins import PinError, PinSet, parse_pin_spec
from sheafviz.core.model.sheaf import SheafLayout


def test_forward_pass_by_hand():
    net = Network([np.eye(2), np.array([[1.0, 1.0]])], [np.array([0.0, -1.0]), np.zeros(1)])
    fp = net.forward(np.array([1.0, 2.0]))
    np.testing.assert_allclose(fp.z[0], [1, 1])
    np.testing.assert_allclose(fp.y, [2])


def test_he_init_statistics_and_seed():
    a = Network.he_init([400, 300, 2], seed=5)
    b = Network.he_init([400, 300, 2], seed=5)
    np.testing.assert_array_equal(a.weights[0], b.weights[0])
    assert np.var(a.weights[0]) == pytest.approx(2 / 400, rel=0.02)
    assert not np.any(a.biases[0])


def test_output_heads():
    z = np.array([1000.0, -1000.0, 0.0])
    np.testing.assert_allclose(phi(z, "sigmoid"), [1, 0, 0.5])
    p = phi(np.array([1.0, 2.0, 3.0]), "softmax")
    np.testing.assert_allclose(p, np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())


def test_npz_round_trip(tmp_path):
    net = Network.he_init([3, 4, 2], seed=1, output="softmax")
    path = tmp_path / "w.npz"
    net.save(path)
    back = Network.load(path)
    assert back.output == "softmax" and back.arch == (3, 4, 2)
    for w, v in zip(net.weights, back.weights):
        np.testing.assert_array_equal(w, v)


@pytest.mark.parametrize("arrays, message", [
    ({"W1": np.ones((2, 3))}, "no matching b1"),
    ({"W1": np.ones((2, 3)), "b1": np.ones(3)}, "b1 has shape"),
    ({"W1": np.ones((2, 3)), "b1": np.ones(2), "W2": np.ones((1, 5)), "b2": np.ones(1)},
     "W2 has shape"),
    ({"W1": np.full((2, 3), np.nan), "b1": np.ones(2)}, "NaN"),
    ({"b1": np.ones(2)}, "no array named W1"),
    ({"W1": np.ones((2, 3)), "b1": np.ones(2), "output": np.array("tanh")}, "output head"),
])
def test_malformed_weights_files_name_the_problem(tmp_path, arrays, message):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    with pytest.raises(NetworkError, match=message):
        Network.load(path)


def test_not_an_npz(tmp_path):
    path = tmp_path / "bad.npz"
    path.write_text("hello")
    with pytest.raises(NetworkError, match="not an .npz archive"):
        Network.load(path)


def test_too_large_architecture():
    with pytest.raises(NetworkError, match="parameters"):
        validate_arch([100000, 100000, 10])


def test_pins_edit_and_parse():
    layout = SheafLayout([2, 4, 1])
    pins = PinSet().pin(layout, "x", [1, 2]).pin_soft(layout, "y", [3], 0.1)
    assert pins.stalk_pinned(layout, "x") and pins.is_pinned("y", 0)
    pins = pins.pin(layout, "y", 4.0, 0)  # a hard pin replaces the soft one
    assert pins.soft == {} and pins.hard[("y", 0)] == 4.0
    assert parse_pin_spec(layout, "a1[2]=0.5") == ("a1", 2, np.array([0.5]), None)
    name, idx, values, gamma = parse_pin_spec(layout, "y=3@0.1", soft=True)
    assert (name, idx, gamma) == ("y", None, 0.1)
    for bad, msg in [("q=1", "unknown vertex"), ("a1[7]=1", "out of range"),
                     ("x=1,nan", "finite"), ("x=a,b", "numbers"), ("x", "form")]:
        with pytest.raises((PinError, KeyError, IndexError), match=msg):
            parse_pin_spec(layout, bad)
    with pytest.raises(PinError, match="x has 2 coordinates"):
        PinSet().pin(layout, "x", [1, 2, 3])
    rebuilt = PinSet.from_json(layout, pins.to_json())
    assert rebuilt == pins
