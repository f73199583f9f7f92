"""The ReLU network: architecture, weights, output head, forward pass, ``.npz`` I/O.

A network with architecture ``[n0, n1, ..., nK, nK+1]`` has K hidden ReLU layers and
``K+1`` affine maps. ``weights[l-1]`` is ``W_l`` of shape ``(n_l, n_{l-1})`` and
``biases[l-1]`` is ``b_l`` of shape ``(n_l,)``; the lists are 0-based, the maths 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sheafviz.core.data.atomic import atomic_write
from sheafviz.core.data.npzfile import NpzError, read_npz

OUTPUT_HEADS = ("identity", "sigmoid", "softmax")

#: Largest number of weights a network may have (≈ 400 MB of float64): beyond this the
#: dense structures of the tool would not fit in memory of the machines it targets.
MAX_PARAMETERS = 50_000_000


class NetworkError(ValueError):
    """A network, weights file or architecture that cannot be used; the message names why."""


def _check_finite(name: str, array: np.ndarray) -> None:
    if not np.all(np.isfinite(array)):
        raise NetworkError(f"{name} contains NaN or inf")


def phi(z: np.ndarray, output: str) -> np.ndarray:
    """Apply the output head φ along the last axis.

    Parameters
    ----------
    z : ndarray, shape (..., n_out)
    output : {"identity", "sigmoid", "softmax"}

    Returns
    -------
    ndarray, shape (..., n_out)
    """
    if output == "identity":
        return np.array(z, dtype=float, copy=True)
    if output == "sigmoid":
        # The two-branch form never overflows exp() for large |z|.
        e = np.exp(-np.abs(z))
        return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if output == "softmax":
        shifted = z - np.max(z, axis=-1, keepdims=True)
        e = np.exp(shifted)
        return e / np.sum(e, axis=-1, keepdims=True)
    raise NetworkError(f"unknown output head {output!r}; expected one of {OUTPUT_HEADS}")


def phi_jacobian(z: np.ndarray, output: str) -> np.ndarray:
    """Jacobian J_φ(z) of the output head for a single vector ``z``.

    Parameters
    ----------
    z : ndarray, shape (n_out,)
    output : {"identity", "sigmoid", "softmax"}

    Returns
    -------
    ndarray, shape (n_out, n_out)
    """
    n = z.shape[-1]
    if output == "identity":
        return np.eye(n)
    p = phi(z, output)
    if output == "sigmoid":
        return np.diag(p * (1.0 - p))
    return np.diag(p) - np.outer(p, p)


def relu_pattern(z: np.ndarray) -> np.ndarray:
    """Activation pattern σ = 1 where ``z >= 0`` (zero counts as active)."""
    return (np.asarray(z) >= 0).astype(float)


@dataclass(frozen=True)
class ForwardPass:
    """Every intermediate of a forward pass.

    Attributes
    ----------
    x : ndarray, shape (n0,) or (B, n0)
    z : list of ndarray, ``z[l-1]`` is z_l of shape (n_l,) or (B, n_l), l = 1..K+1
    a : list of ndarray, ``a[l-1]`` is a_l, l = 1..K (hidden layers only)
    y : ndarray, the output φ(z_{K+1})
    """

    x: np.ndarray
    z: list[np.ndarray]
    a: list[np.ndarray]
    y: np.ndarray

    @property
    def sigma(self) -> list[np.ndarray]:
        """The forward activation pattern of each hidden layer."""
        return [relu_pattern(z) for z in self.z[:-1]]


@dataclass(frozen=True)
class Network:
    """An MLP with ReLU hidden layers and an output head.

    Attributes
    ----------
    weights : list of ndarray, ``weights[l-1]`` has shape (n_l, n_{l-1})
    biases : list of ndarray, ``biases[l-1]`` has shape (n_l,)
    output : {"identity", "sigmoid", "softmax"}
    """

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    output: str = "identity"
    _arch: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.weights) == 0 or len(self.weights) != len(self.biases):
            raise NetworkError(
                f"need as many weight matrices as bias vectors (got {len(self.weights)} "
                f"and {len(self.biases)}), at least one of each")
        if self.output not in OUTPUT_HEADS:
            raise NetworkError(f"unknown output head {self.output!r}; expected one of "
                               f"{', '.join(OUTPUT_HEADS)}")
        weights = [np.array(w, dtype=float) for w in self.weights]
        biases = [np.array(b, dtype=float).reshape(-1) for b in self.biases]
        arch = [weights[0].shape[1] if weights[0].ndim == 2 else -1]
        for l, (w, b) in enumerate(zip(weights, biases), start=1):
            if w.ndim != 2:
                raise NetworkError(f"W{l} must be a matrix, got shape {w.shape}")
            if w.shape[1] != arch[-1]:
                raise NetworkError(f"W{l} has shape {w.shape}, but layer {l - 1} has "
                                   f"width {arch[-1]}")
            if b.shape != (w.shape[0],):
                raise NetworkError(f"b{l} has shape {b.shape}, expected ({w.shape[0]},)")
            _check_finite(f"W{l}", w)
            _check_finite(f"b{l}", b)
            arch.append(w.shape[0])
        if min(arch) < 1:
            raise NetworkError(f"every layer needs at least one neuron, got {arch}")
        if self.output == "softmax" and arch[-1] < 2:
            raise NetworkError("a softmax output needs at least 2 outputs")
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "biases", biases)
        object.__setattr__(self, "_arch", tuple(int(n) for n in arch))

    @property
    def arch(self) -> tuple[int, ...]:
        """Widths ``(n0, n1, ..., nK+1)``."""
        return self._arch

    @property
    def n_hidden(self) -> int:
        """K, the number of hidden ReLU layers."""
        return len(self.weights) - 1

    @classmethod
    def he_init(cls, arch, *, seed: int | None = None, rng: np.random.Generator | None = None,
                output: str = "identity") -> "Network":
        """He-normal weights ``W ~ N(0, 2/fan_in)`` and zero biases (the paper's default).

        Parameters
        ----------
        arch : sequence of int, ``[n0, ..., nK+1]`` with at least two entries
        seed : int, optional; used when ``rng`` is not given
        rng : numpy.random.Generator, optional
        output : output head
        """
        arch = validate_arch(arch)
        rng = np.random.default_rng(seed) if rng is None else rng
        weights = [rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
                   for n_in, n_out in zip(arch[:-1], arch[1:])]
        biases = [np.zeros(n) for n in arch[1:]]
        return cls(weights, biases, output)

    def forward(self, x: np.ndarray) -> ForwardPass:
        """The forward pass with every intermediate.

        Parameters
        ----------
        x : ndarray, shape (n0,) or (B, n0)
        """
        x = np.asarray(x, dtype=float)
        if x.shape[-1] != self.arch[0]:
            raise NetworkError(f"input has {x.shape[-1]} coordinates, the network takes "
                               f"{self.arch[0]}")
        zs, acts = [], []
        a = x
        for l, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            z = a @ w.T + b
            zs.append(z)
            if l <= self.n_hidden:
                a = np.maximum(z, 0.0)
                acts.append(a)
        return ForwardPass(x=x, z=zs, a=acts, y=phi(zs[-1], self.output))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """φ(z_{K+1}) for an input or a batch of inputs."""
        return self.forward(x).y

    def with_parameters(self, weights, biases) -> "Network":
        """A copy with other weights and biases (same output head)."""
        return Network(list(weights), list(biases), self.output)

    def copy(self) -> "Network":
        return Network([w.copy() for w in self.weights], [b.copy() for b in self.biases],
                       self.output)

    def save(self, path: str | Path) -> None:
        """Write the ``.npz`` weights format (see :meth:`load`), atomically."""
        arrays = {}
        for l, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            arrays[f"W{l}"] = w
            arrays[f"b{l}"] = b
        arrays["output"] = np.array(self.output)
        atomic_write(path, lambda fh: np.savez(fh, **arrays))

    @classmethod
    def load(cls, path: str | Path) -> "Network":
        """Read the ``.npz`` weights format (arrays ``W1, b1, W2, b2, …`` and ``output``).

        The archive is read without pickles, and the arrays' declared sizes are checked
        against :data:`MAX_PARAMETERS` before any is read.

        Raises
        ------
        NetworkError
            One line naming the file (and the array) and the problem.
        """
        try:
            arrays = read_npz(path, max_elements=MAX_PARAMETERS + 64, what="weights")
        except NpzError as exc:
            raise NetworkError(str(exc)) from None
        return network_from_arrays(arrays, source=str(path))


def _output_head(value, source: str) -> str:
    """The output head stored in a weights file: one string naming a head."""
    array = np.asarray(value)
    if array.dtype.kind not in "US" or array.size != 1:
        raise NetworkError(f"{source}: 'output' must be one string "
                           f"({', '.join(OUTPUT_HEADS)}), got an array of shape "
                           f"{array.shape} and dtype {array.dtype}")
    head = array.reshape(())[()]
    head = head.decode("utf-8", "replace") if isinstance(head, bytes) else str(head)
    if head not in OUTPUT_HEADS:
        raise NetworkError(f"{source}: unknown output head {head[:40]!r}; expected one of "
                           f"{', '.join(OUTPUT_HEADS)}")
    return head


def network_from_arrays(arrays: dict, *, source: str = "weights") -> Network:
    """Build a Network from ``{"W1": ..., "b1": ..., "output": ...}`` (``W_l`` of shape
    ``(n_l, n_{l-1})``, ``b_l`` of shape ``(n_l,)``, ``output`` one string)."""
    n_layers = 0
    while f"W{n_layers + 1}" in arrays:
        n_layers += 1
    if n_layers == 0:
        raise NetworkError(f"{source}: no array named W1")
    unexpected = set(arrays) - {f"{p}{l}" for p in "Wb" for l in range(1, n_layers + 1)}
    unexpected -= {"output"}
    if unexpected:
        raise NetworkError(f"{source}: unexpected arrays {sorted(unexpected)}")
    weights, biases = [], []
    for l in range(1, n_layers + 1):
        if f"b{l}" not in arrays:
            raise NetworkError(f"{source}: W{l} has no matching b{l}")
        w, b = np.asarray(arrays[f"W{l}"]), np.asarray(arrays[f"b{l}"])
        for name, array in ((f"W{l}", w), (f"b{l}", b)):
            if array.dtype.kind not in "fiu":
                raise NetworkError(f"{source}: {name} must be a numeric array, got dtype "
                                   f"{array.dtype}")
        weights.append(w.astype(float))
        biases.append(b.astype(float))
    output = "identity"
    if "output" in arrays:
        output = _output_head(arrays["output"], source)
    try:
        return Network(weights, biases, output)
    except NetworkError as exc:
        raise NetworkError(f"{source}: {exc}") from None


def validate_arch(arch) -> tuple[int, ...]:
    """Check an architecture ``[n0, ..., nK+1]`` and return it as a tuple of ints."""
    try:
        arch = tuple(int(n) for n in arch)
    except (TypeError, ValueError):
        raise NetworkError(f"architecture must be a list of integers, got {arch!r}") from None
    if len(arch) < 2:
        raise NetworkError(f"architecture needs at least an input and an output width, "
                           f"got {list(arch)}")
    if min(arch) < 1:
        raise NetworkError(f"every layer width must be at least 1, got {list(arch)}")
    n_params = sum(a * b + b for a, b in zip(arch[:-1], arch[1:]))
    if n_params > MAX_PARAMETERS:
        raise NetworkError(f"architecture {list(arch)} has {n_params:,} parameters; "
                           f"the limit is {MAX_PARAMETERS:,}")
    return arch
