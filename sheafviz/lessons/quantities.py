"""The closed vocabulary of read-outs a lesson's checks may name, and their evaluation.

A quantity is ``KIND`` or ``KIND ARGUMENT``: ``energy``, ``vertex z1[0]``, ``discord aff1``,
``grad W1[0,1]``, ``theta_from start``. :func:`parse_quantity` validates the kind and the
shape of the argument when a lesson is read; the argument's names (a vertex, an edge, a
parameter) are checked against the network when the check is evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sheafviz.lessons import probes
from sheafviz.lessons.probes import LessonState, ProbeError


class QuantityError(ValueError):
    """An unknown quantity or a malformed argument."""


_PARAM_RE = re.compile(r"^([Wb])([1-9][0-9]*)(?:\[(\d+)(?:,\s*(\d+))?\])?$")
_NEURON_RE = re.compile(r"^([a-z][a-z0-9]*)(?:\[(\d+)\])?$")
_EDGE_RE = re.compile(r"^(aff[1-9][0-9]*|relu[1-9][0-9]*|out)$")
_MARK_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")

#: kind → (argument: None | "vertex" | "edge" | "param" | "param?" | "mark", description)
KINDS: dict[str, tuple[str | None, str]] = {
    "energy": (None, "E = ½Σ d_e of the current state (soft pins excluded)"),
    "pin_energy": (None, "½Σγ(c − t)² of the soft pins at the current state"),
    "R": (None, "the residual: E at the equilibrium for the current pins and θ"),
    "discord_total": (None, "Σ d_e of the current state (= 2E)"),
    "discord": ("edge", "d_e = ‖r_e‖² of one edge (aff1, relu1, …, out)"),
    "vertex": ("vertex", "the current state's stalk or coordinate (z1, a1[0], y)"),
    "output": (None, "the forward output f(x) at the pinned input"),
    "sigma": ("vertex", "activation pattern (1 = on, z ≥ 0) of the current state's z stalk"),
    "flipped": (None, "neurons whose σ differs from the forward pattern (list of names)"),
    "on_boundary": (None, "neurons of the equilibrium on their switching surface z = 0"),
    "underdetermined": (None, "true when L_free of the equilibrium solve is singular"),
    "consistent": (None, "true when the equilibrium is the harmonic extension of its pattern"),
    "pinned": (None, "the hard-pinned coordinates, as names (x[0], a1[1], …)"),
    "free_dim": (None, "number of free coordinates (the size of L_free)"),
    "eigenvalues": (None, "all eigenvalues of L_free at the current state's pattern"),
    "lambda_min": (None, "smallest eigenvalue of L_free at the current state's pattern"),
    "lambda_max": (None, "largest eigenvalue of L_free at the current state's pattern"),
    "laplacian": (None, "L_free at the current state's pattern, a matrix over the free coordinates"),
    "free_rhs": (None, "b of the fixed-pattern system L_free c_Ω = b at the current pattern"),
    "trace_free": (None, "trace of L_free at the current state's pattern"),
    "det_free": (None, "determinant of L_free at the current state's pattern"),
    "nullity": (None, "number of zero eigenvalues of L_free (inputs the pins leave open)"),
    "param": ("param", "the current value of a weight or bias (W1, W1[0,1], b2[0])"),
    "grad": ("param", "∇_θE at the current state from the edge's two ends (ρ aᵀ, ρ)"),
    "delta": ("param", "the update per unit rate, −∇_θE (ΔW = η · delta W)"),
    "fd_grad": ("param", "∂E/∂θ by central differences of the whole energy, state fixed"),
    "locality": ("param", "change of fd_grad when every stalk off the edge's ends moves"),
    "edge_param_grad": ("edge", "‖∂(½d_e)/∂θ‖ of one edge by finite differences"),
    "backprop": ("param", "backprop gradient of ½‖f(x) − t‖², t the y pin's target"),
    "ep_gap": ("param?", "‖∇_θE/γ − backprop‖ / ‖backprop‖ (soft pin on y, stiffness γ)"),
    "ep_cosine": ("param?", "cosine between ∇_θE/γ and backprop"),
    "velocity": (None, "‖ċ‖ = α‖∇_c(E + pin energy)‖ over the free coordinates"),
    "theta_velocity": (None, "‖θ̇‖ = β‖∇_θE‖ at the current state"),
    "theta_from": ("mark", "‖θ − θ at the mark‖"),
    "state_from": ("mark", "‖c − c at the mark‖"),
    "steps": (None, "the session's step count"),
}


_EXAMPLES = {"vertex": "z1[0]", "edge": "aff1", "param": "W1[0,0]", "mark": "start"}


@dataclass(frozen=True)
class Quantity:
    kind: str
    arg: str | None
    text: str


def parse_quantity(text: str) -> Quantity:
    """Validate ``"KIND [ARG]"`` against :data:`KINDS`."""
    parts = text.split(None, 1)
    if not parts:
        raise QuantityError("empty quantity")
    kind = parts[0]
    arg = parts[1].strip() if len(parts) > 1 else None
    if kind not in KINDS:
        raise QuantityError(f"unknown quantity {kind!r}; expected one of {', '.join(KINDS)}")
    expects = KINDS[kind][0]
    if expects is None and arg is not None:
        raise QuantityError(f"{kind!r} takes no argument, got {arg!r}")
    if expects in _EXAMPLES and arg is None:
        raise QuantityError(f"{kind!r} needs a {expects} argument, like "
                            f"'{kind} {_EXAMPLES[expects]}'")
    pattern = {"vertex": _NEURON_RE, "edge": _EDGE_RE, "param": _PARAM_RE,
               "param?": _PARAM_RE, "mark": _MARK_RE}.get(expects)
    if arg is not None and pattern is not None and not pattern.match(arg):
        raise QuantityError(f"{kind!r}: cannot read {arg!r} as a {expects.rstrip('?')}")
    return Quantity(kind, arg, text)


def _param(state: LessonState, arg: str):
    """``"W1[0,1]"`` → ("W", 1, (0, 1)); ``"b2"`` → ("b", 2, None); validated on θ."""
    m = _PARAM_RE.match(arg)
    which, l = m.group(1), int(m.group(2))
    idx = tuple(int(g) for g in m.group(3, 4) if g is not None) or None
    net = state.network
    if not 1 <= l <= len(net.weights):
        raise ProbeError(f"{arg}: the network has layers 1..{len(net.weights)}")
    shape = (net.weights if which == "W" else net.biases)[l - 1].shape
    if idx is not None and (len(idx) != len(shape) or any(not 0 <= i < n
                                                          for i, n in zip(idx, shape))):
        raise ProbeError(f"{arg}: index out of range for shape {shape}")
    return which, l, idx


def _pick(gw, gb, which, l, idx):
    block = (gw if which == "W" else gb)[l - 1]
    return block if idx is None else float(block[idx])


def _neuron(state: LessonState, arg: str):
    try:
        name, idx = state.layout.parse_neuron(arg)
    except (KeyError, IndexError) as exc:
        raise ProbeError(str(exc.args[0]) if exc.args else str(exc)) from None
    return name, idx


def _vertex(state: LessonState, arg: str):
    name, idx = _neuron(state, arg)
    stalk = state.cochain[state.layout.vertex(name).slice]
    return stalk if idx is None else float(stalk[idx])


def _sigma(state: LessonState, arg: str):
    name, idx = _neuron(state, arg)
    if not (name.startswith("z") and int(name[1:]) <= state.layout.n_hidden):
        raise ProbeError(f"sigma needs a hidden z vertex, got {arg!r}")
    s = (state.cochain[state.layout.vertex(name).slice] >= 0).astype(float)
    return s if idx is None else float(s[idx])


def _discord(state: LessonState, arg: str) -> float:
    names = [e.name for e in state.layout.edges]
    if arg not in names:
        raise ProbeError(f"no edge {arg!r}; the edges are {', '.join(names)}")
    return 2.0 * probes.edge_energy(state.layout, state.network, state.cochain, arg)


def _flipped(state: LessonState) -> list[str]:
    lay = state.layout
    fwd = lay.forward_cochain(state.network, state.cochain[lay.vertex("x").slice])
    out = []
    for l in range(1, lay.n_hidden + 1):
        sl = lay.vertex(f"z{l}").slice
        for i, (now, then) in enumerate(zip(state.cochain[sl] >= 0, fwd[sl] >= 0)):
            if now != then:
                out.append(f"z{l}[{i}]")
    return out


def _fd(state, arg, fn):
    which, l, idx = _param(state, arg)
    if idx is None:
        raise ProbeError(f"{arg}: finite differences need one coordinate, like W1[0,0]")
    return fn(state, which, l, idx)


def _mark(state: LessonState, arg: str, part: int) -> float:
    if arg not in state.marks:
        raise ProbeError(f"no mark {arg!r} (set one with {{ mark = \"{arg}\" }})")
    now = probes.theta_vector(state.network) if part == 0 else state.cochain
    then = state.marks[arg][part]
    if now.shape != then.shape:
        raise ProbeError(f"mark {arg!r} belongs to another network")
    return float(np.linalg.norm(now - then))


def _ep(state: LessonState, arg: str | None, part: int) -> float:
    select = None
    if arg is not None:
        which, l, idx = _param(state, arg)
        if idx is not None:
            raise ProbeError(f"{arg}: the EP comparison takes a whole block, like W1")
        select = (which, l)
    return probes.ep_comparison(state, select)[part]


def _edge_grad(state: LessonState, arg: str) -> float:
    _discord(state, arg)  # validates the name
    return probes.edge_parameter_gradient_norm(state, arg)


_EVAL = {
    "energy": lambda s, a: probes.edge_energy(s.layout, s.network, s.cochain, None),
    "pin_energy": lambda s, a: float(0.5 * sum(
        g * (s.cochain[s.layout.index(n, i)] - v) ** 2 for (n, i), (v, g) in s.pins.soft.items())),
    "R": lambda s, a: float(s.solve().energy),
    "discord_total": lambda s, a: 2.0 * probes.edge_energy(s.layout, s.network, s.cochain, None),
    "discord": _discord,
    "vertex": _vertex,
    "output": lambda s, a: probes.forward_output(s),
    "sigma": _sigma,
    "flipped": lambda s, a: _flipped(s),
    "on_boundary": lambda s, a: list(s.solve().on_boundary),
    "underdetermined": lambda s, a: bool(s.solve().underdetermined),
    "consistent": lambda s, a: bool(s.solve().consistent),
    "pinned": lambda s, a: [f"{n}[{i}]" for n, i in sorted(
        s.pins.hard, key=lambda k: s.layout.index(*k))],
    "free_dim": lambda s, a: int(s.pins.resolve(s.layout).free_index.size),
    "eigenvalues": lambda s, a: probes.free_spectrum(s),
    "lambda_min": lambda s, a: float(probes.free_spectrum(s)[0]),
    "lambda_max": lambda s, a: float(probes.free_spectrum(s)[-1]),
    "laplacian": lambda s, a: probes.free_laplacian_matrix(s),
    "free_rhs": lambda s, a: probes.free_rhs(s),
    "trace_free": lambda s, a: float(np.sum(probes.free_spectrum(s))),
    "det_free": lambda s, a: float(np.prod(probes.free_spectrum(s))),
    "nullity": lambda s, a: probes.nullity(s),
    "param": lambda s, a: _pick(s.network.weights, s.network.biases, *_param(s, a)),
    "grad": lambda s, a: _pick(*probes.local_gradient(s), *_param(s, a)),
    "delta": lambda s, a: -np.asarray(_pick(*probes.local_gradient(s), *_param(s, a))),
    "fd_grad": lambda s, a: _fd(s, a, probes.fd_parameter_gradient),
    "locality": lambda s, a: _fd(s, a, probes.locality_defect),
    "edge_param_grad": _edge_grad,
    "backprop": lambda s, a: _pick(*probes.backprop_gradient(s), *_param(s, a)),
    "ep_gap": lambda s, a: _ep(s, a, 0),
    "ep_cosine": lambda s, a: _ep(s, a, 1),
    "velocity": lambda s, a: probes.state_velocity(s),
    "theta_velocity": lambda s, a: probes.theta_velocity(s),
    "theta_from": lambda s, a: _mark(s, a, 0),
    "state_from": lambda s, a: _mark(s, a, 1),
    "steps": lambda s, a: int(s.steps),
}
assert set(_EVAL) == set(KINDS)


def evaluate(quantity: Quantity | str, state: LessonState):
    """The value of ``quantity`` in ``state``: float, bool, int, list of str or ndarray."""
    q = parse_quantity(quantity) if isinstance(quantity, str) else quantity
    value = _EVAL[q.kind](state, q.arg)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return float(value)
    return value
