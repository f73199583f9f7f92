"""Where the stalks of the paper-mode joint flow start (and restart), and hidden pins on them.

Starts (``init``):

``"forward"``
    The forward pass of the current weights on each example (``z_l``, ``a_l``); the default.
``"random"``
    Standard normal from ``numpy.random.default_rng(state_seed)``, drawn in path order
    ``z1 (B, n1), a1 (B, n1), z2, a2, …, zK, aK, z{K+1} (B, nK+1)`` — the authors' start.
``"zeros"``
    Every stalk 0.
given stalks
    Arrays ``z1 … z{K+1}``, ``a1 … aK``, each (n_examples, n_l) (e.g. from an ``.npz`` file).

Without warm start, every epoch of :data:`EPOCH` steps begins from the same rule again: the
forward pass of the weights at that moment, the *same* random draw (same seed), zeros, or the
given arrays — so a run is reproducible from its settings alone.

Hidden pins (:class:`StalkPins`) apply to every example: a hard pin holds the coordinate
(its force is zeroed, its value re-imposed), a soft pin adds ``−γ(c − t)`` to its force
(SPEC §5, §8). ``x`` and ``y`` come from the data and cannot be pinned here.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet

STALK_INITS = ("forward", "random", "zeros")
#: Steps in one epoch (SPEC §13): the restart period without warm start.
EPOCH = 1000


class StalkError(ValueError):
    """Stalks that do not fit the network or the data (missing key, shape, NaN…)."""


def stalk_keys(arch) -> list[tuple[str, int]]:
    """``[("z1", n1), ("a1", n1), …, ("z{K+1}", nK+1)]`` in path order."""
    K = len(arch) - 2
    keys = []
    for l in range(1, K + 2):
        keys.append((f"z{l}", int(arch[l])))
        if l <= K:
            keys.append((f"a{l}", int(arch[l])))
    return keys


def check_stalks(arrays: dict, arch, n_examples: int, *, source: str = "stalks"):
    """Validate ``{"z1": (B, n1), "a1": …}`` and split it into ``(z list, a list)``.

    Raises
    ------
    StalkError
        A key is missing, an array has the wrong shape or is not finite; the message names
        ``source``, the key and both shapes.
    """
    z, a = [], []
    for key, width in stalk_keys(arch):
        if key not in arrays:
            raise StalkError(f"{source}: missing array {key!r} (shape ({n_examples}, {width}))")
        arr = np.asarray(arrays[key])
        if arr.dtype.kind not in "fiu":
            raise StalkError(f"{source}: array {key!r} must be numeric")
        arr = arr.astype(float)
        if arr.ndim == 1 and width == 1:
            arr = arr[:, None]
        if arr.shape != (n_examples, width):
            raise StalkError(f"{source}: array {key!r} has shape {arr.shape}, expected "
                             f"({n_examples}, {width}) (examples, width)")
        if not np.all(np.isfinite(arr)):
            raise StalkError(f"{source}: array {key!r} contains NaN or inf")
        (z if key[0] == "z" else a).append(arr)
    return z, a


def load_stalks(path, arch, n_examples: int):
    """Read and check an ``.npz`` of stalks (see :func:`check_stalks`); other arrays in
    the file are ignored."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise StalkError(f"{path}: no such file") from None
    except (OSError, ValueError, EOFError) as exc:
        raise StalkError(f"{path}: not a readable .npz file ({exc})") from None
    return check_stalks(arrays, arch, n_examples, source=str(path))


def initial_stalks(network: Network, X: np.ndarray, *, init: str = "forward",
                   state_seed: int = 0, stalks=None):
    """The stalks a paper-mode run starts from (module docstring).

    Parameters
    ----------
    X : ndarray (B, n0)
    stalks : (z list, a list) of (B, n_l) arrays, optional; overrides ``init``

    Returns
    -------
    (z list l=1..K+1, a list l=1..K), each (B, n_l), new arrays
    """
    if stalks is not None:
        return [z.copy() for z in stalks[0]], [a.copy() for a in stalks[1]]
    if init not in STALK_INITS:
        raise ValueError(f"unknown init {init!r}; expected one of {', '.join(STALK_INITS)}")
    B = X.shape[0]
    if init == "forward":
        fwd = network.forward(X)
        return [np.array(z) for z in fwd.z], [np.array(a) for a in fwd.a]
    rng = np.random.default_rng(state_seed) if init == "random" else None
    z, a = [], []
    for key, width in stalk_keys(network.arch):
        arr = rng.standard_normal((B, width)) if rng is not None else np.zeros((B, width))
        (z if key[0] == "z" else a).append(arr)
    return z, a


def check_training_pins(pins: PinSet | None) -> PinSet:
    """The hidden pins of a training run; refuse pins on ``x`` or ``y`` (they come from
    the data)."""
    pins = PinSet() if pins is None else pins
    for name, i in list(pins.hard) + list(pins.soft):
        if name in ("x", "y"):
            raise ValueError(f"a pin on {name}[{i}] cannot apply while training: x and y "
                             f"come from the data; pin hidden coordinates (z…, a…) only")
    return pins


class StalkPins:
    """Hidden pins held on the stalks of a :class:`~sheafviz.core.flows.jointstep.JointStepper`.

    Works through the stepper's per-vertex row views ``z``/``a`` (state) and ``fz``/``fa``
    (forces ``ċ/α``), so it does not depend on how the rows are stacked.
    """

    def __init__(self, pins: PinSet) -> None:
        self.hard = sorted(pins.hard.items())
        self.soft = sorted(pins.soft.items())

    def __bool__(self) -> bool:
        return bool(self.hard or self.soft)

    @property
    def max_gamma(self) -> float:
        return max((g for _, (_, g) in self.soft), default=0.0)

    @staticmethod
    def _rows(stepper, name: str, i: int, *, force: bool):
        l = int(name[1:]) - 1
        if name[0] == "z":
            return (stepper.fz if force else stepper.z)[l], i
        return (stepper.fa if force else stepper.a)[l], i

    def impose(self, stepper) -> None:
        """Write the hard-pinned values into the state (every example)."""
        for (name, i), value in self.hard:
            rows, i = self._rows(stepper, name, i, force=False)
            rows[i] = value

    def constrain(self, stepper) -> None:
        """After ``compute``: zero hard-pinned forces, add the soft pins' ``−γ(c − t)``."""
        for (name, i), _ in self.hard:
            rows, i = self._rows(stepper, name, i, force=True)
            rows[i] = 0.0
        for (name, i), (target, gamma) in self.soft:
            frows, i = self._rows(stepper, name, i, force=True)
            srows, _ = self._rows(stepper, name, i, force=False)
            frows[i] -= gamma * (srows[i] - target)

    def apply_to(self, z: list, a: list) -> None:
        """Impose the hard pins on stalk lists ``z``, ``a`` of (B, n_l) arrays (in place)."""
        for (name, i), value in self.hard:
            (z if name[0] == "z" else a)[int(name[1:]) - 1][:, i] = value


def check_start(mode: str, *, init, stalks, warm_start: bool, pins: PinSet) -> str:
    """Validate the stalk options of a joint flow; return the init rule's name.

    Adiabatic and gd runs hold their stalks at equilibria, so an explicit ``init``,
    ``stalks``, ``warm_start=False`` or hidden pins are refused there.
    """
    if init is not None and stalks is not None:
        raise ValueError("give init or stalks, not both")
    if mode != "paper":
        given = [name for name, used in (("init", init is not None),
                                          ("stalks", stalks is not None),
                                          ("warm_start=False", not warm_start),
                                          ("pins", bool(pins.hard or pins.soft))) if used]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise ValueError(f"{', '.join(given)} {verb} to the paper mode's stalks only; in "
                             f"the {mode} mode the stalks are equilibria (or unused)")
    if stalks is not None:
        return "given"
    init = "forward" if init is None else init
    if init not in STALK_INITS:
        raise ValueError(f"unknown init {init!r}; expected one of {', '.join(STALK_INITS)}")
    return init
