"""Numbers a lesson's checks read off a state: the Qt-free computations behind the quantities.

A :class:`LessonState` is what a check sees: the network θ, the pins, the current cochain, the
flow rates and the marks a lesson recorded. Everything here is computed afresh from it (never
from a view's cache), so a check is an independent reading of the state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sheafviz.core.flows.forces import energy_gradient
from sheafviz.core.model.backprop import backprop
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout, discrepancies
from sheafviz.core.solvers.solve import equilibrium
from sheafviz.core.solvers.linear import FixedSigmaSystem

#: Step of the central finite differences of the energy in θ (the energy is quadratic in
#: each single parameter, so central differences are exact up to round-off).
FD_STEP = 1e-4
#: Eigenvalues of L_free below this (relative to max(1, λ_max)) count towards the nullity.
NULL_RTOL = 1e-9


class ProbeError(ValueError):
    """A quantity that cannot be read in this state (e.g. no soft pin for an EP gap)."""


@dataclass
class LessonState:
    """What a check reads.

    Attributes
    ----------
    network : Network; pins : PinSet; layout : SheafLayout
    cochain : ndarray (size,), the state shown (one example's cochain in joint mode)
    alpha, beta : float, stalk and parameter rates (for the velocities)
    steps : int, the session's step clock
    marks : dict name → (theta ndarray, cochain ndarray)
    """

    network: Network
    pins: PinSet
    layout: SheafLayout
    cochain: np.ndarray
    alpha: float = 1.0
    beta: float = 1.0
    steps: int = 0
    marks: dict = field(default_factory=dict)
    _cache: dict = field(default_factory=dict)

    def solve(self):
        """The equilibrium for the current pins and θ (the state is not moved)."""
        if "solve" not in self._cache:
            self._cache["solve"] = equilibrium(self.network, self.pins, layout=self.layout)
        return self._cache["solve"]


def theta_vector(network: Network) -> np.ndarray:
    """All parameters in one vector: W1, b1, W2, b2, … (shape (n_params,))."""
    return np.concatenate([p.ravel() for w, b in zip(network.weights, network.biases)
                           for p in (w, b)])


def local_gradient(state: LessonState) -> tuple[list, list]:
    """``∇_{W_l} E = ρ_l a_{l−1}ᵀ``, ``∇_{b_l} E = ρ_l`` from each affine edge's two ends."""
    st = state.layout.split(state.cochain)
    gw, gb = [], []
    for l, (w, b) in enumerate(zip(state.network.weights, state.network.biases), start=1):
        prev = st["x" if l == 1 else f"a{l - 1}"]
        rho = w @ prev + b - st[f"z{l}"]
        gw.append(np.outer(rho, prev))
        gb.append(rho)
    return gw, gb


def _with_parameter(network: Network, which: str, l: int, index: tuple, delta: float):
    weights = [w.copy() for w in network.weights]
    biases = [b.copy() for b in network.biases]
    (weights if which == "W" else biases)[l - 1][index] += delta
    return network.with_parameters(weights, biases)


def edge_energy(layout: SheafLayout, network: Network, c: np.ndarray, edge: str | None) -> float:
    """½ d_e of one edge, or E (all edges) when ``edge`` is None."""
    res = discrepancies(layout, network, c)
    names = [e.name for e in layout.edges]
    chosen = res if edge is None else [res[names.index(edge)]]
    return 0.5 * float(sum(r @ r for r in chosen))


def fd_parameter_gradient(state: LessonState, which: str, l: int, index: tuple, *,
                          edge: str | None = None, cochain: np.ndarray | None = None) -> float:
    """Central difference of E (or of one edge's ½d_e) in one parameter, state held fixed."""
    c = state.cochain if cochain is None else cochain
    up = _with_parameter(state.network, which, l, index, FD_STEP)
    down = _with_parameter(state.network, which, l, index, -FD_STEP)
    return (edge_energy(state.layout, up, c, edge)
            - edge_energy(state.layout, down, c, edge)) / (2 * FD_STEP)


def all_parameter_indices(network: Network):
    """Every ``(which, l, index)`` of θ, in the order of :func:`theta_vector`."""
    for l, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        for idx in np.ndindex(w.shape):
            yield "W", l, idx
        for idx in np.ndindex(b.shape):
            yield "b", l, idx


def edge_parameter_gradient_norm(state: LessonState, edge: str) -> float:
    """‖∂(½ d_e)/∂θ‖ by finite differences over every parameter (0 for relu and out)."""
    g = [fd_parameter_gradient(state, which, l, idx, edge=edge)
         for which, l, idx in all_parameter_indices(state.network)]
    return float(np.linalg.norm(g))


def locality_defect(state: LessonState, which: str, l: int, index: tuple, *,
                    seed: int = 0, scale: float = 1.0) -> float:
    """How much the finite-difference gradient of E in one parameter of layer l changes when
    every stalk other than that affine edge's two ends is moved at random (0 = local)."""
    lay = state.layout
    ends = {"x" if l == 1 else f"a{l - 1}", f"z{l}"}
    rng = np.random.default_rng(seed)
    moved = state.cochain.copy()
    for v in lay.vertices:
        if v.name not in ends:
            moved[v.slice] += scale * rng.standard_normal(v.dim)
    return abs(fd_parameter_gradient(state, which, l, index, cochain=moved)
               - fd_parameter_gradient(state, which, l, index))


def free_laplacian_matrix(state: LessonState) -> np.ndarray:
    """L_free at the current state's pattern, dense (n_free, n_free), free coordinates in
    cochain order (linearised at the state for a nonlinear head)."""
    lay = state.layout
    z_out = state.cochain[lay.vertex(f"z{lay.n_hidden + 1}").slice]
    system = FixedSigmaSystem(lay, state.network, lay.sigma_of(state.cochain), state.pins,
                              z_out=z_out)
    if system.n_free == 0:
        return np.zeros((0, 0))
    return system.dense_free_laplacian()


def free_spectrum(state: LessonState) -> np.ndarray:
    """All eigenvalues of L_free at the current state's pattern (ascending)."""
    return np.linalg.eigvalsh(free_laplacian_matrix(state))


def free_rhs(state: LessonState) -> np.ndarray:
    """``b`` of ``L_free c_Ω = b``: the energy is quadratic at a fixed pattern, so
    ``b = L_free c_Ω − ∇_Ω E(c)`` at the current state (identity head), shape (n_free,)."""
    res = state.pins.resolve(state.layout)
    grad = energy_gradient(state.layout, state.network, state.cochain, res)
    free = res.free_index
    return free_laplacian_matrix(state) @ state.cochain[free] - grad[free]


def nullity(state: LessonState) -> int:
    lam = free_spectrum(state)
    if lam.size == 0:
        return 0
    return int(np.sum(lam <= NULL_RTOL * max(1.0, float(lam[-1]))))


def _pinned_input(state: LessonState) -> np.ndarray:
    lay = state.layout
    if not state.pins.stalk_pinned(lay, "x"):
        raise ProbeError("needs the input x hard-pinned")
    return state.cochain[lay.vertex("x").slice]


def forward_output(state: LessonState) -> np.ndarray:
    """f(x) at the pinned input."""
    return state.network.predict(_pinned_input(state))


def output_target(state: LessonState) -> tuple[np.ndarray, float | None]:
    """The y pin's target and its stiffness (None for a hard pin)."""
    lay = state.layout
    dim = lay.vertex("y").dim
    hard = [state.pins.hard.get(("y", i)) for i in range(dim)]
    soft = [state.pins.soft.get(("y", i)) for i in range(dim)]
    if all(h is not None for h in hard):
        return np.array(hard, float), None
    if all(s is not None for s in soft):
        gammas = {g for _, g in soft}
        if len(gammas) != 1:
            raise ProbeError("the soft pins on y have different stiffnesses")
        return np.array([v for v, _ in soft], float), gammas.pop()
    raise ProbeError("needs every coordinate of y pinned (hard or soft)")


def backprop_gradient(state: LessonState) -> tuple[list, list]:
    """Backprop gradient of ½‖f(x) − t‖² (t the y pin's target) in W_l, b_l."""
    x = _pinned_input(state)
    t, _ = output_target(state)
    net = state.network
    _, gw, gb = backprop(net.weights, net.biases, net.output, x[None, :], t[None, :],
                         kind="squared", scale=0.5)
    return gw, gb


def _block(gw, gb, select) -> np.ndarray:
    if select is None:
        return np.concatenate([p.ravel() for w, b in zip(gw, gb) for p in (w, b)])
    which, l = select
    return (gw if which == "W" else gb)[l - 1].ravel()


def ep_comparison(state: LessonState, select) -> tuple[float, float]:
    """(relative gap, cosine) of ``∇_θE / γ`` against backprop, for the soft pin on y."""
    _, gamma = output_target(state)
    if gamma is None:
        raise ProbeError("the EP gap needs a soft pin on y (the ratio is not defined for "
                         "a hard pin)")
    gs = _block(*local_gradient(state), select) / gamma
    gb = _block(*backprop_gradient(state), select)
    nb = float(np.linalg.norm(gb))
    if nb == 0:
        raise ProbeError("the backprop gradient is zero here: the gap is not defined")
    ns = float(np.linalg.norm(gs))
    cos = float(gs @ gb / (ns * nb)) if ns > 0 else 0.0
    return float(np.linalg.norm(gs - gb) / nb), cos


def state_velocity(state: LessonState) -> float:
    """‖ċ‖ = α‖∇_c(E + pin energy)‖ over the free coordinates."""
    g = energy_gradient(state.layout, state.network, state.cochain,
                        state.pins.resolve(state.layout))
    return state.alpha * float(np.linalg.norm(g))


def theta_velocity(state: LessonState) -> float:
    """‖θ̇‖ = β‖∇_θE‖ at the current state (one example)."""
    gw, gb = local_gradient(state)
    return state.beta * float(np.linalg.norm(_block(gw, gb, None)))
