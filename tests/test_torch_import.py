"""Own models: PyTorch state_dicts (as numpy mappings; real torch files only when installed)."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.core.model.network import Network, NetworkError
from sheafviz.core.data.torch_import import (TorchImportError, load_network_file, load_torch_file,
                                        network_from_state_dict, torch_available)


def _sequential_state(rng, arch, prefix=""):
    """What ``nn.Sequential(Linear, ReLU, Linear, …)`` stores: Linear at even indices."""
    state = {}
    for l, (n_in, n_out) in enumerate(zip(arch[:-1], arch[1:])):
        state[f"{prefix}{2 * l}.weight"] = rng.normal(size=(n_out, n_in)).astype(np.float32)
        state[f"{prefix}{2 * l}.bias"] = rng.normal(size=n_out).astype(np.float32)
    return state


def _reference_forward(state, x):
    """The Sequential's own forward, written from the keys: Linear, ReLU, …, Linear."""
    idx = sorted({int(k.split(".")[-2]) for k in state})
    a = x
    for pos, i in enumerate(idx):
        w = state[[k for k in state if k.endswith(f"{i}.weight")][0]].astype(float)
        b = state[[k for k in state if k.endswith(f"{i}.bias")][0]].astype(float)
        a = w @ a + b
        if pos < len(idx) - 1:
            a = np.maximum(a, 0.0)
    return a


def test_state_dict_gives_the_same_function():
    rng = np.random.default_rng(3)
    state = _sequential_state(rng, [2, 5, 4, 1])
    net = network_from_state_dict(state)
    assert net.arch == (2, 5, 4, 1)
    for x in rng.normal(size=(10, 2)):
        assert net.predict(x) == pytest.approx(_reference_forward(state, x), rel=1e-6)
    assert net.weights[0].dtype == np.float64


def test_prefix_and_output_head_and_missing_bias():
    rng = np.random.default_rng(4)
    state = _sequential_state(rng, [3, 4, 2], prefix="model.layers.")
    del state["model.layers.2.bias"]  # Linear(bias=False)
    net = network_from_state_dict(state, output="softmax")
    assert net.output == "softmax"
    assert np.all(net.biases[1] == 0)


@pytest.mark.parametrize("mutate, words", [
    (lambda s: s.pop("0.weight"), "bias but no weight"),
    (lambda s: s.update({"1.running_mean": np.zeros(4)}), "running_mean"),
    (lambda s: s.update({"1.weight": np.ones(4)}), "not a Linear layer"),
    (lambda s: s.update({"4.weight": s.pop("2.weight"), "4.bias": s.pop("2.bias")}),
     "expected exactly one ReLU"),
    (lambda s: s.update({"2.weight": np.ones((1, 5))}), "takes 5 inputs"),
    (lambda s: s["0.weight"].__setitem__((0, 0), np.nan), "NaN"),
    (lambda s: s.update({"block.3.weight": np.ones((1, 1))}), "several containers"),
    (lambda s: s.update({"fc.weight": np.ones((1, 1))}), "not of the form"),
])
def test_clear_errors(mutate, words):
    state = _sequential_state(np.random.default_rng(5), [2, 4, 1])
    mutate(state)
    with pytest.raises(TorchImportError, match=words):
        network_from_state_dict(state, source="m.pt")


def test_first_module_must_be_linear_and_mapping_required():
    state = _sequential_state(np.random.default_rng(6), [2, 3, 1])
    shifted = {f"{int(k.split('.')[0]) + 1}.{k.split('.')[1]}": v for k, v in state.items()}
    with pytest.raises(TorchImportError, match="not 0"):
        network_from_state_dict(shifted)
    with pytest.raises(TorchImportError, match="non-empty state_dict"):
        network_from_state_dict({})
    assert issubclass(TorchImportError, NetworkError)  # the CLI maps it to exit 2


def test_load_network_file_npz_and_unknown_suffix(tmp_path):
    net = Network.he_init([2, 3, 1], seed=1)
    net.save(tmp_path / "w.npz")
    back = load_network_file(tmp_path / "w.npz", output="sigmoid")
    assert back.output == "sigmoid"
    assert np.array_equal(back.weights[0], net.weights[0])
    (tmp_path / "w.h5").write_bytes(b"x")
    with pytest.raises(NetworkError, match="unknown weights file type"):
        load_network_file(tmp_path / "w.h5")


@pytest.mark.skipif(torch_available(), reason="checks the message shown without torch")
def test_without_torch_the_message_says_what_to_do(tmp_path):
    (tmp_path / "m.pt").write_bytes(b"not really")
    with pytest.raises(TorchImportError, match="torch, which is not installed.*npz"):
        load_torch_file(tmp_path / "m.pt")


def test_real_torch_round_trip(tmp_path):
    torch = pytest.importorskip("torch")
    from sheafviz.core.data.torch_import import network_from_module

    model = torch.nn.Sequential(torch.nn.Linear(2, 6), torch.nn.ReLU(), torch.nn.Linear(6, 1),
                                torch.nn.Sigmoid())
    torch.save(model.state_dict(), tmp_path / "m.pt")
    net = load_torch_file(tmp_path / "m.pt", output="sigmoid")
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    with torch.no_grad():
        ref = model(torch.tensor(x, dtype=torch.float32)).double().numpy()
    assert net.predict(x) == pytest.approx(ref, rel=1e-5)
    assert network_from_module(model).output == "sigmoid"
    with pytest.raises(TorchImportError, match="Tanh"):
        network_from_module(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(),
                                                torch.nn.Linear(3, 1)))
    torch.save(model, tmp_path / "whole.pt")  # a pickled model, not a state_dict
    with pytest.raises(TorchImportError, match="weights-only"):
        load_torch_file(tmp_path / "whole.pt")
