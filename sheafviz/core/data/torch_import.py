"""Your own model: a PyTorch ``nn.Sequential`` of ``Linear`` and ``ReLU`` layers as a Network.

torch is optional and never imported at module load: :func:`network_from_state_dict` works on
any mapping of names to arrays (numpy arrays or tensors), and only reading a ``.pt`` file
(:func:`load_torch_file`) or inspecting a live module (:func:`network_from_module`) needs
torch. Files are read with ``torch.load(..., weights_only=True)``: a state_dict, never a
pickled model (unpickling a model runs arbitrary code).

What a state_dict can and cannot tell. ``nn.Sequential(Linear, ReLU, Linear)`` stores
``0.weight, 0.bias, 2.weight, 2.bias``: parameter-free modules (ReLU, Tanh, Dropout) leave no
keys, only a gap in the indices. So the rules are: the first Linear is module 0, consecutive
Linear layers are exactly 2 apart (one parameter-free module between them, taken to be the
ReLU), parameters other than ``weight``/``bias`` of a matrix (BatchNorm's running stats,
a 1-D ``weight``) are refused. A different activation in the gap cannot be seen in a
state_dict; :func:`network_from_module` checks the module types when you have the model.
The output head is not in a state_dict either: pass ``output``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from sheafviz.core.model.network import Network, NetworkError

__all__ = ["TorchImportError", "network_from_state_dict", "network_from_module",
           "load_torch_file", "load_network_file", "torch_available"]

_KEY_RE = re.compile(r"^(?P<prefix>(?:.*\.)?)(?P<index>\d+)\.(?P<name>[A-Za-z_]+)$")


class TorchImportError(NetworkError):
    """A PyTorch model or file that cannot become a ReLU Network; the message says why."""


def torch_available() -> bool:
    """True when ``import torch`` works (without importing it twice)."""
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def _to_numpy(value, key: str, source: str) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor: bfloat16 has no numpy dtype, go via float
        value = value.detach().cpu().double().numpy()
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise TorchImportError(f"{source}: parameter {key!r} is not an array ({exc})") from None
    if arr.dtype.kind not in "fiu":
        raise TorchImportError(f"{source}: parameter {key!r} is not numeric "
                               f"(dtype {arr.dtype})")
    return arr.astype(np.float64)


def _group(state_dict, source: str) -> dict[int, dict[str, np.ndarray]]:
    """``{module index: {"weight": W, "bias": b}}`` with one common key prefix."""
    if not hasattr(state_dict, "items") or len(state_dict) == 0:
        raise TorchImportError(f"{source}: expected a non-empty state_dict (a mapping of "
                               f"parameter names to tensors)")
    layers: dict[int, dict[str, np.ndarray]] = {}
    prefixes = set()
    for key, value in state_dict.items():
        match = _KEY_RE.match(str(key))
        if not match:
            raise TorchImportError(f"{source}: parameter {key!r} is not of the form "
                                   f"'<index>.weight' of an nn.Sequential")
        prefixes.add(match["prefix"])
        name, index = match["name"], int(match["index"])
        if name not in ("weight", "bias"):
            raise TorchImportError(f"{source}: module {index} has a parameter {name!r} "
                                   f"({key}): only Linear and ReLU layers are supported")
        layers.setdefault(index, {})[name] = _to_numpy(value, str(key), source)
    if len(prefixes) > 1:
        raise TorchImportError(f"{source}: parameters come from several containers "
                               f"({', '.join(sorted(repr(p) for p in prefixes))}); pass the "
                               f"state_dict of the nn.Sequential itself")
    return layers


def network_from_state_dict(state_dict, *, output: str = "identity",
                            source: str = "state_dict") -> Network:
    """Build a Network from the state_dict of ``nn.Sequential(Linear, ReLU, …, Linear)``.

    Parameters
    ----------
    state_dict : mapping of str to ndarray or torch.Tensor
    output : {"identity", "sigmoid", "softmax"}, the head applied after the last Linear
    source : str, named in error messages (e.g. the file name)

    Raises
    ------
    TorchImportError
        Anything but Linear layers separated by single parameter-free modules, a bias
        without a weight, a 1-D weight (BatchNorm/LayerNorm), shapes that do not chain,
        NaN or inf (the message names the module and the problem).
    """
    layers = _group(state_dict, source)
    indices = sorted(layers)
    if indices[0] != 0:
        raise TorchImportError(f"{source}: the first module with parameters is {indices[0]}, "
                               f"not 0: modules before the first Linear are not supported")
    weights, biases = [], []
    for pos, index in enumerate(indices):
        params = layers[index]
        if "weight" not in params:
            raise TorchImportError(f"{source}: module {index} has a bias but no weight")
        w = params["weight"]
        if w.ndim != 2:
            raise TorchImportError(f"{source}: module {index} has a weight of shape "
                                   f"{w.shape}: not a Linear layer (only Linear and ReLU are "
                                   f"supported)")
        if pos > 0 and index - indices[pos - 1] != 2:
            gap = index - indices[pos - 1] - 1
            raise TorchImportError(
                f"{source}: modules {indices[pos - 1]} and {index} are Linear layers with "
                f"{gap} module(s) between them; expected exactly one ReLU between Linear "
                f"layers")
        b = params.get("bias", np.zeros(w.shape[0]))  # Linear(bias=False) means b = 0
        if pos > 0 and w.shape[1] != weights[-1].shape[0]:
            raise TorchImportError(f"{source}: module {index} takes {w.shape[1]} inputs but "
                                   f"module {indices[pos - 1]} gives {weights[-1].shape[0]}")
        weights.append(w)
        biases.append(b)
    try:
        return Network(weights, biases, output)
    except NetworkError as exc:
        raise TorchImportError(f"{source}: {exc}") from None


def network_from_module(module) -> Network:
    """Build a Network from a live ``nn.Sequential`` (torch required), checking layer types.

    A trailing ``nn.Sigmoid`` or ``nn.Softmax`` becomes the output head.

    Raises
    ------
    TorchImportError
        A layer other than Linear / ReLU (or a final Sigmoid / Softmax), or two Linear or
        two ReLU layers in a row.
    """
    nn = _torch().nn
    if not isinstance(module, nn.Sequential):
        raise TorchImportError(f"expected an nn.Sequential, got {type(module).__name__}")
    layers, output = list(module), "identity"
    if layers and isinstance(layers[-1], (nn.Sigmoid, nn.Softmax)):
        output = "sigmoid" if isinstance(layers[-1], nn.Sigmoid) else "softmax"
        layers = layers[:-1]
    for i, layer in enumerate(layers):
        want = nn.Linear if i % 2 == 0 else nn.ReLU
        if not isinstance(layer, want):
            raise TorchImportError(f"module {i} is {type(layer).__name__}; expected "
                                   f"{want.__name__} (only Linear and ReLU layers, alternating, "
                                   f"are supported)")
    if not layers or len(layers) % 2 == 0:
        raise TorchImportError("the model must start and end with a Linear layer")
    state = {f"{i}.{k}": v for i, layer in enumerate(layers)
             for k, v in layer.state_dict().items()}
    return network_from_state_dict(state, output=output, source="model")


def _torch():
    try:
        import torch
    except ImportError:
        raise TorchImportError("reading a PyTorch model needs torch, which is not installed; "
                               "save the weights as .npz (arrays W1, b1, W2, b2, …) "
                               "instead") from None
    return torch


def load_torch_file(path: str | Path, *, output: str = "identity") -> Network:
    """Read a state_dict saved with ``torch.save(model.state_dict(), path)``.

    A checkpoint dict holding the state_dict under ``"state_dict"`` or ``"model_state_dict"``
    is accepted too.

    Raises
    ------
    TorchImportError
        torch missing, no such file, a file that is not a weights-only state_dict (e.g. a
        whole pickled model), or any of :func:`network_from_state_dict`'s errors.
    """
    torch = _torch()
    path = Path(path)
    if not path.is_file():
        raise TorchImportError(f"{path}: no such file")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many types; all mean "unreadable"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise TorchImportError(f"{path}: not a weights-only PyTorch state_dict ({first}); "
                               f"save it with torch.save(model.state_dict(), path)") from None
    if isinstance(obj, dict):
        for key in ("state_dict", "model_state_dict"):
            if isinstance(obj.get(key), dict):
                obj = obj[key]
                break
    if not isinstance(obj, dict):
        raise TorchImportError(f"{path}: holds a {type(obj).__name__}, not a state_dict")
    return network_from_state_dict(obj, output=output, source=str(path))


def load_network_file(path: str | Path, *, output: str | None = None) -> Network:
    """A network from ``.npz`` (arrays ``W1, b1, …``, ``output``) or a PyTorch ``.pt`` / ``.pth`` state_dict.

    ``output`` overrides the head of an ``.npz`` file and sets that of a state_dict
    (default identity).

    Raises
    ------
    NetworkError (TorchImportError for PyTorch files), naming the file and the problem.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        net = Network.load(path)
        return net if output is None else Network(net.weights, net.biases, output)
    if suffix in (".pt", ".pth"):
        return load_torch_file(path, output=output or "identity")
    raise NetworkError(f"{path}: unknown weights file type {suffix or '(none)'!r}; use .npz "
                       f"or a PyTorch .pt/.pth state_dict")
