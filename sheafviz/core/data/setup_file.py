"""One-file training setups: weights, data and (optionally) the first stalks in one ``.npz``.

The format (documented for users in ``docs/file-formats.md``):

* ``W1, b1, …, W{K+1}, b{K+1}`` and an optional 0-d string ``output`` — the weights format;
* ``X`` (n_train, n0) and ``Y`` (n_train, n_out) (``Y`` may be 1-D for one output);
  optional ``X_test``, ``Y_test`` (both or neither);
* optional stalks ``z1 … z{K+1}``, ``a1 … aK``, each (n_train, n_l) — all of them or none.

Any other array is refused, so a misspelt key is not silently ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sheafviz.core.data.datasets import TASKS, DataError, Dataset
from sheafviz.core.flows.stalkinit import StalkError, check_stalks
from sheafviz.core.model.network import Network, NetworkError, network_from_arrays

_WEIGHT_KEY = re.compile(r"^[Wb]\d+$|^output$")
_STALK_KEY = re.compile(r"^[za]\d+$")
_DATA_KEYS = ("X", "Y", "X_test", "Y_test")


@dataclass(frozen=True)
class Setup:
    """A loaded setup: the network, the data and the stalks (None when the file has none)."""

    network: Network
    data: Dataset
    stalks: tuple | None  #: (z list, a list) of (n_train, n_l) arrays


def _matrix(path: str, key: str, arr, width: int) -> np.ndarray:
    arr = np.asarray(arr)
    if arr.dtype.kind not in "fiu":
        raise DataError(f"{path}: array {key!r} must be numeric")
    arr = arr.astype(float)
    if arr.ndim == 1 and width == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] != width:
        raise DataError(f"{path}: array {key!r} has shape {arr.shape}, expected (n, {width})")
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{path}: array {key!r} contains NaN or inf")
    return arr


def load_setup(path) -> Setup:
    """Read and check a setup file.

    Raises
    ------
    DataError
        Unreadable file, unknown or missing arrays, shapes that do not fit the network or
        each other (the message names the file and the key).
    NetworkError, StalkError
        Malformed weights or stalks (also naming the file).
    """
    source = str(path)
    if not Path(path).is_file():
        raise DataError(f"{source}: no such file")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(f"{source}: not a readable .npz setup file ({exc})") from None
    unknown = sorted(k for k in arrays if not (_WEIGHT_KEY.match(k) or _STALK_KEY.match(k)
                                               or k in _DATA_KEYS))
    if unknown:
        raise DataError(f"{source}: unexpected arrays {unknown}; a setup holds W1, b1, …, "
                        f"output, X, Y, X_test, Y_test, z1, …, a1, …")
    network = network_from_arrays({k: v for k, v in arrays.items() if _WEIGHT_KEY.match(k)},
                                  source=source)
    for key in ("X", "Y"):
        if key not in arrays:
            raise DataError(f"{source}: missing array {key!r}")
    n0, n_out = network.arch[0], network.arch[-1]
    X, Y = _matrix(source, "X", arrays["X"], n0), _matrix(source, "Y", arrays["Y"], n_out)
    if len(X) != len(Y) or len(X) == 0:
        raise DataError(f"{source}: X and Y need the same, non-zero number of rows "
                        f"(got {len(X)} and {len(Y)})")
    if ("X_test" in arrays) != ("Y_test" in arrays):
        raise DataError(f"{source}: give both X_test and Y_test, or neither")
    if "X_test" in arrays:
        Xt = _matrix(source, "X_test", arrays["X_test"], n0)
        Yt = _matrix(source, "Y_test", arrays["Y_test"], n_out)
        if len(Xt) != len(Yt):
            raise DataError(f"{source}: X_test and Y_test have {len(Xt)} and {len(Yt)} rows")
    else:
        Xt, Yt = np.zeros((0, n0)), np.zeros((0, n_out))
    stalk_arrays = {k: v for k, v in arrays.items() if _STALK_KEY.match(k)}
    stalks = None
    if stalk_arrays:
        stalks = check_stalks(stalk_arrays, network.arch, len(X), source=source)
        expected = {f"z{l}" for l in range(1, network.n_hidden + 2)} | \
                   {f"a{l}" for l in range(1, network.n_hidden + 1)}
        extra = sorted(set(stalk_arrays) - expected)
        if extra:
            raise StalkError(f"{source}: arrays {extra} are no stalks of the network "
                             f"{list(network.arch)}")
    data = Dataset(Path(path).stem, X, Y, Xt, Yt, network.output, TASKS[network.output])
    return Setup(network=network, data=data, stalks=stalks)


__all__ = ["Setup", "load_setup", "DataError", "NetworkError", "StalkError"]
