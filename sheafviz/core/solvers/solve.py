"""Harmonic extension at fixed σ and the state-dependent equilibrium.

``equilibrium(..., sigma="auto")`` returns a local minimiser of the piecewise-quadratic
energy, the one reached from the forward pattern:

1. **Active set.** Solve at the forward pattern, read σ off the solution's ``z``, repeat.
   A pattern that reproduces itself is a consistent equilibrium.
2. **Sliding equilibria.** When a neuron has flipped back (or a whole pattern comes back,
   a cycle), the oscillating neurons are put on their switching surface ``z_j = 0`` (extra
   hard pins; at ``z_j = 0`` both branches of the relu edge agree). The candidate is accepted when the
   one-sided derivatives bracket zero, ``∂E/∂z_j|σ=0 ≤ 0 ≤ ∂E/∂z_j|σ=1``: the energy is a
   max of two convex quadratics around such a kink, so this subgradient condition is the
   exact local-optimality test. A neuron that violates it is released to the side where
   the energy decreases, and the active set continues (:mod:`surface`).
3. **Fallback.** If that still does not settle, the heat flow (gradient descent on the
   true energy) is run from the last iterate, and the boundary neurons it ends on are
   polished by step 2.

Nonlinear heads (sigmoid, softmax) use Gauss–Newton at each pattern. With the
identity head the many fixed-σ solves are low-rank updates of the forward pattern's
system (:mod:`sheafviz.core.solvers.lowrank`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.solvers.linear import FixedSigmaSystem
from sheafviz.core.solvers.lowrank import low_rank_solver
from sheafviz.core.solvers.surface import MAX_ITERATIONS, cycling_neurons, slide
from sheafviz.core.model.graphs import check_graph, graph_pins, slave_outputs, slaved_outputs
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout, energy as sheaf_energy, discrepancies

#: |z| below this (relative to the stalk's scale) counts as "on the switching surface".
BOUNDARY_RTOL = 1e-8
MAX_ACTIVE_SET_ITERATIONS = MAX_ITERATIONS
#: Flips after which a neuron counts as oscillating in the active set (back and forth).
OSCILLATION_FLIPS = 2
MAX_GAUSS_NEWTON_ITERATIONS = 60


@dataclass(frozen=True)
class Solution:
    """An equilibrium of the pinned sheaf and everything a solve reports.

    Attributes
    ----------
    cochain : ndarray, shape (size,)
    sigma : list of ndarray, the pattern of the returned cochain (rule z >= 0)
    energy : float, E = ½ Σ d_e over the sheaf's edges (soft pins excluded)
    pin_energy : float, ½ Σ γ (c_s − t_s)² of the soft pins
    consistent : bool, the cochain is the fixed-σ harmonic extension for its own pattern
    flipped : list of str, neurons ("z1[0]") whose σ differs from the forward pattern
    on_boundary : list of str, neurons with |z| below tolerance (on a switching surface)
    underdetermined : bool, L_free is singular at the returned cochain (its own pattern,
        these pins); a direct or active-set solve then returns the minimum-norm minimiser
        of that pattern, a sliding or heat-flow one a point of the family
    local : bool, True for a local minimiser (what "auto" returns)
    method : str, "direct", "active-set", "sliding" or "heat-flow"
    iterations : int, fixed-σ solves performed
    cycled : bool, the active-set iteration revisited a pattern
    """

    cochain: np.ndarray
    sigma: list
    energy: float
    pin_energy: float
    consistent: bool
    flipped: list
    on_boundary: list
    underdetermined: bool
    local: bool
    method: str
    iterations: int
    cycled: bool


def pin_energy(pins: PinSet, layout: SheafLayout, c: np.ndarray) -> float:
    """½ Σ γ (c_s − t_s)² over the soft pins."""
    res = pins.resolve(layout)
    return float(0.5 * np.sum(res.soft_gamma * (c[res.soft_index] - res.soft_value) ** 2))


def harmonic_extension(network: Network, pins: PinSet, sigma, *, layout=None, z_out=None):
    """Minimiser of the fixed-σ energy with the pins held.

    For a nonlinear head, Gauss–Newton from ``z_out`` (default: the forward pass).

    Returns
    -------
    cochain : ndarray, shape (size,)
    underdetermined : bool
    """
    layout = layout or SheafLayout(network.arch)
    c, system = _fixed_sigma_solve(layout, network, pins, sigma, z_out=z_out)
    return c, system.underdetermined


def _fixed_sigma_solve(layout, network, pins, sigma, *, z_out=None):
    """Solve at fixed σ; Gauss–Newton on the output edge for nonlinear heads."""
    if network.output == "identity":
        system = FixedSigmaSystem(layout, network, sigma, pins)
        return system.harmonic_extension(), system
    if z_out is None:
        z_out = network.forward(_input_guess(layout, pins)).z[-1]
    z_sl = layout.vertex(f"z{network.n_hidden + 1}").slice
    best, best_obj, system = None, np.inf, None
    for _ in range(MAX_GAUSS_NEWTON_ITERATIONS):
        system = FixedSigmaSystem(layout, network, sigma, pins, z_out=z_out)
        c = system.harmonic_extension()
        obj = _fixed_sigma_objective(layout, network, pins, sigma, c)
        if best is not None and obj > best_obj:
            # Damp the Gauss–Newton step: halve toward the best point until it helps.
            for _ in range(30):
                c = 0.5 * (c + best)
                obj = _fixed_sigma_objective(layout, network, pins, sigma, c)
                if obj <= best_obj:
                    break
        step = np.max(np.abs(c[z_sl] - z_out))
        if obj <= best_obj:
            best, best_obj = c, obj
        z_out = best[z_sl].copy()
        if step <= 1e-13 * max(1.0, np.max(np.abs(z_out))):
            break
    return best, system


def _fixed_sigma_objective(layout, network, pins, sigma, c) -> float:
    """E with σ held fixed (not read off c) plus the soft-pin energy."""
    stalks = layout.split(c)
    total = 0.0
    for edge, r in zip(layout.edges, discrepancies(layout, network, c)):
        if edge.type == "relu":
            r = stalks[edge.head] - sigma[edge.layer - 1] * stalks[edge.tail]
        total += 0.5 * float(r @ r)
    return total + pin_energy(pins, layout, c)


def _input_guess(layout: SheafLayout, pins: PinSet) -> np.ndarray:
    """x from its pins: hard values, soft targets, 0 for free coordinates."""
    x = np.zeros(layout.vertex("x").dim)
    for (name, i), value in pins.hard.items():
        if name == "x":
            x[i] = value
    for (name, i), (value, _) in pins.soft.items():
        if name == "x":
            x[i] = value
    return x


def _pattern_key(sigma) -> bytes:
    return b"".join(np.asarray(s, dtype=np.uint8).tobytes() for s in sigma)


def on_boundary(layout: SheafLayout, c: np.ndarray, *, rtol: float = BOUNDARY_RTOL) -> list[str]:
    """Hidden neurons ("z1[0]") with |z| ≤ rtol · max(1, max|z_l|): on a switching surface."""
    names = []
    for l in range(1, layout.n_hidden + 1):
        z = layout.hidden_z(c, l)
        scale = max(1.0, float(np.max(np.abs(z))))
        names += [f"z{l}[{j}]" for j in np.flatnonzero(np.abs(z) <= rtol * scale)]
    return names


def underdetermined_at(layout: SheafLayout, network: Network, pins: PinSet,
                       c: np.ndarray) -> bool:
    """Whether L_free is singular at cochain ``c``: its own pattern, ``pins``' free set.

    For a nonlinear head the output edge is linearised at ``c``'s own z_{K+1}.
    """
    res = pins.resolve(layout)
    if np.count_nonzero(res.hard_index < layout.vertex("x").dim) == layout.vertex("x").dim:
        # the whole input held: the rest of D is unit block-triangular, so L_free is
        # positive definite whatever the pattern (no system to build to know it)
        return False
    z_out = None if network.output == "identity" else \
        c[layout.vertex(f"z{network.n_hidden + 1}").slice]
    return FixedSigmaSystem(layout, network, layout.sigma_of(c), pins,
                            z_out=z_out).underdetermined


def _report(layout, network, pins, c, *, sigma_used, underdetermined, method, iterations,
            cycled, local) -> Solution:
    sigma = layout.sigma_of(c)
    forward_sigma = network.forward(c[layout.vertex("x").slice]).sigma
    flipped = [f"z{l}[{j}]" for l, (s, f) in enumerate(zip(sigma, forward_sigma), start=1)
               for j in np.flatnonzero(s != f)]
    consistent = sigma_used is not None and _pattern_key(sigma) == _pattern_key(sigma_used)
    if not consistent:
        # The flag must describe L_free at the returned point (its own pattern, the caller's
        # pins), not the system last solved: a sliding solve holds boundary neurons with
        # extra pins, and those can make a singular L_free look determined.
        underdetermined = underdetermined_at(layout, network, pins, c)
    return Solution(cochain=c, sigma=sigma, energy=float(sheaf_energy(layout, network, c)),
                    pin_energy=pin_energy(pins, layout, c), consistent=consistent,
                    flipped=flipped, on_boundary=on_boundary(layout, c),
                    underdetermined=underdetermined, local=local, method=method,
                    iterations=iterations, cycled=cycled)


def equilibrium(network: Network, pins: PinSet, *, sigma="auto", layout=None,
                graph: str = "chapter") -> Solution:
    """The state-dependent equilibrium (the one reached from the forward pattern).

    Parameters
    ----------
    network : Network
    pins : PinSet
    sigma : {"auto", "forward"} or list of ndarray
        ``"forward"`` holds the forward pattern (of the pinned input) fixed; an explicit
        pattern is held fixed likewise; ``"auto"`` finds the state-dependent equilibrium.
    graph : {"chapter", "paper"} (:mod:`sheafviz.core.model.graphs`). On the paper graph
        a soft pin on an output that is not hard-pinned acts on ``z{K+1}``; the chapter
        solve then returns that output equal to ``z{K+1}`` (zero ``out`` discord), which
        is the paper graph's minimiser; the returned ``y`` is set to it exactly.

    Returns
    -------
    Solution
    """
    layout = layout or SheafLayout(network.arch)
    pins.resolve(layout)  # validate before any work
    check_graph(graph, network.output)
    if graph != "chapter":
        sol = equilibrium(network, graph_pins(layout, pins, graph), sigma=sigma,
                          layout=layout)
        c = sol.cochain.copy()
        slave_outputs(c, *slaved_outputs(layout, pins, graph))
        return _with(sol, cochain=c, energy=float(sheaf_energy(layout, network, c)))
    forward_sigma = network.forward(_input_guess(layout, pins)).sigma
    if not isinstance(sigma, str):
        c, system = _fixed_sigma_solve(layout, network, pins, list(sigma))
        return _report(layout, network, pins, c, sigma_used=list(sigma),
                       underdetermined=system.underdetermined, method="direct",
                       iterations=1, cycled=False, local=False)
    if sigma not in ("auto", "forward"):
        raise ValueError(f"sigma must be 'auto' or 'forward', got {sigma!r}")
    if sigma == "forward":
        c, system = _fixed_sigma_solve(layout, network, pins, forward_sigma)
        sol = _report(layout, network, pins, c, sigma_used=forward_sigma,
                      underdetermined=system.underdetermined, method="direct",
                      iterations=1, cycled=False, local=False)
        return _with(sol, local=sol.consistent)
    return _auto_equilibrium(layout, network, pins, forward_sigma)


def _with(sol: Solution, **changes) -> Solution:
    fields = dict(sol.__dict__)
    fields.update(changes)
    return Solution(**fields)


def _pattern_solver(layout, network, pins, forward_sigma, *, low_rank: bool = True):
    """``solve(sigma, boundary) → (cochain, underdetermined)``: the fixed-σ minimiser with
    the ``boundary`` neurons ((l, j), 1-based l) held on z = 0. Low-rank updates of the
    forward pattern's system where they apply (:mod:`lowrank`), full systems otherwise."""
    fast = low_rank_solver(layout, network, pins, forward_sigma) if low_rank else None

    def solve(sigma, boundary=()):
        if fast is not None:
            return fast.solve(sigma, boundary), False
        held = pins
        for l, j in boundary:
            held = held.pin(layout, f"z{l}", 0.0, j)
        c, system = _fixed_sigma_solve(layout, network, held, sigma)
        return c, system.underdetermined
    return solve


def _auto_equilibrium(layout, network, pins, forward_sigma, *, low_rank: bool = True,
                      hold_oscillating: bool = True) -> Solution:
    """``low_rank=False``: a full system per pattern; ``hold_oscillating=False``: slide
    only after a whole pattern repeats. Both False: the method before (benchmarks)."""
    solve = _pattern_solver(layout, network, pins, forward_sigma, low_rank=low_rank)
    current = [s.copy() for s in forward_sigma]
    seen: list[bytes] = []
    flips = [np.zeros(len(s), dtype=int) for s in forward_sigma]
    iterations = 0
    c = None
    key = _pattern_key(current)
    for _ in range(MAX_ACTIVE_SET_ITERATIONS):
        c, underdetermined = solve(current)
        iterations += 1
        new = layout.sigma_of(c)
        new_key = _pattern_key(new)
        if new_key == key:
            method = "direct" if iterations == 1 else "active-set"
            return _report(layout, network, pins, c, sigma_used=current,
                           underdetermined=underdetermined, method=method,
                           iterations=iterations, cycled=False, local=True)
        seen.append(key)
        # A neuron that has flipped back is oscillating: hold it on its surface now
        # rather than after the whole pattern repeats (at depth that took ~30 solves).
        back = set()
        for l, (f, a, b) in enumerate(zip(flips, new, current), start=1):
            f += a != b
            if hold_oscillating:
                back |= {(l, int(j)) for j in np.flatnonzero(f >= OSCILLATION_FLIPS)}
        if new_key in seen or back:
            cycling = back
            if new_key in seen:
                cycling = cycling | cycling_neurons(layout, seen[seen.index(new_key):])
            sol = _sliding(layout, network, pins, new, cycling, iterations, solve)
            if sol is not None:
                return sol
            break
        current, key = new, new_key
    return _heat_flow_fallback(layout, network, pins, c, iterations, solve)


def _sliding(layout, network, pins, sigma, boundary, iterations, solve) -> Solution | None:
    """Active set with the neurons of ``boundary`` held on z = 0 (see the module notes and
    :mod:`sheafviz.core.solvers.surface`); None if it does not settle."""
    slid = slide(layout, network, sigma, boundary, solve)
    if slid is None:
        return None
    c, underdetermined, solves = slid
    return _report(layout, network, pins, c, sigma_used=None, underdetermined=underdetermined,
                   method="sliding", iterations=iterations + solves, cycled=True, local=True)


def _heat_flow_fallback(layout, network, pins, c0, iterations, solve) -> Solution:
    """The heat flow from the last iterate, then polish the boundary neurons it ends on."""
    from sheafviz.core.flows.heat import relax  # local import: heat.py builds on this module

    c = relax(network, pins, c0=c0, layout=layout, tol=1e-10, max_steps=200_000).cochain
    boundary = {(int(n[1:n.index("[")]), int(n[n.index("[") + 1:-1]))
                for n in on_boundary(layout, c, rtol=1e-6)}
    sol = _sliding(layout, network, pins, layout.sigma_of(c), boundary, iterations, solve)
    if sol is not None:
        return sol
    return _report(layout, network, pins, c, sigma_used=None, underdetermined=False,
                   method="heat-flow", iterations=iterations, cycled=True, local=True)

