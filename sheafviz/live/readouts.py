"""The read-outs of the shown state, each computed on first use.

:class:`Readouts` is built by the session for one (state, weights, pins, mode) key and
thrown away when any of them changes, so no number goes stale (θ included: λ_max moves while
training). The numbers are those of ``sheafviz solve --json``: at an equilibrium the session
jumped to, σ, the flipped and boundary neurons, consistency and under-determination are the
solver's own report; at any other state (a flow on its way) they are read off the state
like ``sheafviz relax --json`` does.
"""

from __future__ import annotations

import functools
from functools import cached_property
from typing import Callable

import numpy as np

from sheafviz.core.diagnostics.gradients import sheaf_parameter_gradient
from sheafviz.core.flows.forces import objective as flow_objective
from sheafviz.core.model.graphs import check_graph, graph_pins, slave_outputs, slaved_outputs
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout, discords, energy, group_discords
from sheafviz.core.solvers.solve import Solution, harmonic_extension, on_boundary
from sheafviz.core.solvers.spectrum import (SpectrumSummary, extreme_eigenvalues,
                                            spectrum_summary)
from sheafviz.live import flows

#: A flow state's |z| below this (relative to its scale) counts as on the switching surface
#: (looser than the solver's: forward Euler ends within ~tol of a kink); as the CLI's relax.
FLOW_BOUNDARY_RTOL = 1e-5
#: A flow state is consistent when it equals its own pattern's harmonic extension this
#: closely (relative to the cochain's scale); as the CLI's relax.
FLOW_CONSISTENT_RTOL = 1e-6
#: Spectra kept in a session's memo (patterns seen recently under the current θ and pins).
MEMO_SIZE = 16


class Readouts:
    """Read-outs of cochain ``cochain`` under ``network`` and ``pins`` (all lazy).

    Parameters
    ----------
    layout : SheafLayout
    network : Network
    pins : PinSet, the clamps of the shown state (the session's pins when relaxing; x and y
        of the shown example while training)
    cochain : ndarray (size,)
    solution : Solution, optional, the equilibrium the state *is* (its report is used)
    force : {"energy", "cross-entropy"}
    residual : callable () -> float, optional, R (see :attr:`residual`)
    memo : dict, optional, spectra shared between read-outs: L_free depends only on σ, θ,
        which neurons are pinned (and z_out for a nonlinear head), so a relaxation that
        keeps its pattern reuses its eigensolve. ``memo_key`` must name θ's version (the
        session's counter); the graph, the pinned coordinates (not their values) and the
        pattern are added here.
    graph : {"chapter", "paper"} (:mod:`sheafviz.core.model.graphs`): on the paper graph an
        output coordinate that is not hard-pinned is no vertex, so the spectrum leaves it
        out and a soft pin on it acts on ``z{K+1}`` (pin energy, objective, consistency)

    Attributes (all computed on first access)
    ----------
    vertices : dict {vertex name: ndarray}
    discords : ndarray (n_edges,), ``d_e = ‖r_e‖²``
    energy : float, ``E = ½ Σ d_e``
    discord_by_type, discord_by_layer : dict, as in ``solve --json`` (layer keys are str)
    pin_energy, objective : float (soft pins' energy; E + pin energy)
    sigma : dict {"z1": ndarray of 0/1, ...}, the pattern of the state
    flipped : list of str, neurons whose σ differs from the forward pattern
    on_boundary : list of str, neurons on a switching surface
    underdetermined : bool ; consistent : bool or None
    spectrum : SpectrumSummary of L_free at the state's pattern ; lambda_min, lambda_max
    parameter_gradients : (grad_w list, grad_b list), ``∇_θ E`` at the state
    residual : float, R (equilibrium energy when relaxing, batch mean E while training)
    """

    def __init__(self, layout: SheafLayout, network: Network, pins: PinSet,
                 cochain: np.ndarray, *, solution: Solution | None = None,
                 force: str = "energy", residual: Callable[[], float] | None = None,
                 memo: dict | None = None, memo_key: tuple = (),
                 graph: str = "chapter") -> None:
        self.layout, self.network, self.pins = layout, network, pins
        self.graph = check_graph(graph, network.output)
        self._solver_pins = graph_pins(layout, pins, self.graph)
        self.cochain = np.array(cochain, dtype=float)
        self.solution, self.force = solution, force
        self._residual = residual
        self._memo, self._memo_key = memo, memo_key

    # -- energy and discords --------------------------------------------------------------
    @cached_property
    def vertices(self) -> dict:
        return {name: v.copy() for name, v in self.layout.split(self.cochain).items()}

    @cached_property
    def discords(self) -> np.ndarray:
        return np.asarray(discords(self.layout, self.network, self.cochain), dtype=float)

    @cached_property
    def energy(self) -> float:
        return 0.5 * float(np.sum(self.discords))

    @cached_property
    def _groups(self) -> dict:
        return group_discords(self.layout, self.discords)

    @property
    def discord_by_type(self) -> dict:
        return dict(self._groups["by_type"])

    @property
    def discord_by_layer(self) -> dict:
        return {str(k): v for k, v in self._groups["by_layer"].items()}

    @cached_property
    def pin_energy(self) -> float:
        res = self._solver_pins.resolve(self.layout)
        c = self.cochain
        return 0.5 * float(np.sum(res.soft_gamma * (c[res.soft_index] - res.soft_value) ** 2))

    @cached_property
    def objective(self) -> float:
        """What the relaxation descends: E + pin energy (the output edge's term replaced by
        the cross-entropy under that force)."""
        if self.force == "energy":
            return self.energy + self.pin_energy
        return float(flow_objective(self.layout, self.network, self.cochain,
                                    self._solver_pins.resolve(self.layout), force=self.force))

    # -- pattern ---------------------------------------------------------------------------
    @cached_property
    def _sigma_list(self) -> list:
        if self.solution is not None:
            return [np.asarray(s) for s in self.solution.sigma]
        return self.layout.sigma_of(self.cochain)

    @property
    def sigma(self) -> dict:
        return {f"z{l}": np.asarray(s, dtype=int) for l, s in enumerate(self._sigma_list, 1)}

    @cached_property
    def flipped(self) -> list:
        if self.solution is not None:
            return list(self.solution.flipped)
        c = self.cochain
        forward = self.network.forward(c[self.layout.vertex("x").slice]).sigma
        return [f"z{l}[{j}]" for l, (s, f) in enumerate(zip(self._sigma_list, forward), 1)
                for j in np.flatnonzero(np.asarray(s) != np.asarray(f))]

    @cached_property
    def on_boundary(self) -> list:
        if self.solution is not None:
            return list(self.solution.on_boundary)
        return list(on_boundary(self.layout, self.cochain, rtol=FLOW_BOUNDARY_RTOL))

    @cached_property
    def _extension(self) -> tuple:
        c, under = harmonic_extension(self.network, self._solver_pins, self._sigma_list,
                                      layout=self.layout, z_out=self._z_out)
        slave_outputs(c, *slaved_outputs(self.layout, self.pins, self.graph))
        return c, under

    @property
    def underdetermined(self) -> bool:
        if self.solution is not None:
            return bool(self.solution.underdetermined)
        return bool(self._extension[1])

    @cached_property
    def consistent(self) -> bool | None:
        if self.solution is not None:
            return bool(self.solution.consistent)
        if self.force != "energy":
            return None  # the cross-entropy rest point is not an energy minimiser
        scale = max(1.0, float(np.max(np.abs(self.cochain))))
        return bool(np.max(np.abs(self._extension[0] - self.cochain))
                    <= FLOW_CONSISTENT_RTOL * scale)

    # -- spectrum and gradients ----------------------------------------------------------
    @property
    def _z_out(self) -> np.ndarray:
        return self.layout.hidden_z(self.cochain, self.layout.n_hidden + 1)

    def _spectrum_key(self) -> tuple:
        """The memo key of L_free: θ's version (in ``memo_key``), the graph, which
        coordinates are pinned and how stiffly (never the pinned values, which L_free does
        not depend on: a drag of a pin keeps its eigensolves), the pattern, and z_out for a
        nonlinear head."""
        res = self.pins.resolve(self.layout)
        key = self._memo_key + (self.graph, res.hard_index.tobytes(), res.soft_index.tobytes(),
                                res.soft_gamma.tobytes())
        key += tuple(np.asarray(s, dtype=bool).tobytes() for s in self._sigma_list)
        if self.network.output != "identity":
            key += (self._z_out.tobytes(),)
        return key

    def _memoised(self, key: tuple, compute: Callable):
        if self._memo is None:
            return compute()
        if key not in self._memo:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.pop(next(iter(self._memo)))  # the oldest
            self._memo[key] = compute()
        return self._memo[key]

    @cached_property
    def spectrum(self) -> SpectrumSummary:
        return self._memoised(self._spectrum_key(), self._eigensolve)

    def _eigensolve(self) -> SpectrumSummary:
        return spectrum_summary(self.network, self.pins, self._sigma_list, layout=self.layout,
                                z_out=self._z_out, graph=self.graph)

    @cached_property
    def _extremes(self) -> tuple[float, float]:
        """(λ_min, λ_max): the full summary's when it is known already, else the cheap
        extremes (:func:`extreme_eigenvalues`, one eigenvalue per end: the status line asks
        for them at every refresh, and the summary of a wide network costs ~10× more)."""
        if "spectrum" in self.__dict__:
            return (float(self.spectrum.lambda_min), float(self.spectrum.lambda_max))
        key = self._spectrum_key()
        if self._memo is not None and key in self._memo:
            full = self._memo[key]
            return (float(full.lambda_min), float(full.lambda_max))
        return self._memoised(key + ("extremes",), lambda: extreme_eigenvalues(
            self.network, self.pins, self._sigma_list, layout=self.layout, z_out=self._z_out,
            graph=self.graph))

    def known_extremes(self) -> tuple[float, float] | None:
        """(λ_min, λ_max) when known without an eigensolve (computed, memoised or adopted),
        else None."""
        if "_extremes" in self.__dict__ or "spectrum" in self.__dict__:
            return self._extremes
        if self._memo is None:
            return None
        key = self._spectrum_key()
        for k in (key, key + ("extremes",)):
            if k in self._memo:
                return self._extremes
        return None

    def extremes_job(self) -> Callable[[], tuple[float, float]]:
        """A function of no arguments computing (λ_min, λ_max) of this state, safe to run on
        another thread or in another process (it pickles): it holds its own copies of
        everything it reads (the network, pins and layout are immutable values). Hand its
        result to :meth:`adopt_extremes`."""
        sigma = [np.array(s, copy=True) for s in self._sigma_list]
        return functools.partial(extreme_eigenvalues, self.network, self.pins, sigma,
                                 layout=self.layout, z_out=np.array(self._z_out, copy=True),
                                 graph=self.graph)

    def adopt_extremes(self, values: tuple[float, float]) -> None:
        """Take (λ_min, λ_max) computed by :meth:`extremes_job` (and memoise them)."""
        values = (float(values[0]), float(values[1]))
        if self._memo is not None:
            self._memoised(self._spectrum_key() + ("extremes",), lambda: values)
        self.__dict__["_extremes"] = values

    @property
    def free_dim_bound(self) -> int:
        """Coordinates that are not hard-pinned: an upper bound of L_free's size (what an
        eigensolve costs), without building it."""
        return self.layout.size - int(self.pins.resolve(self.layout).hard_index.size)

    @property
    def lambda_min(self) -> float:
        return self._extremes[0]

    @property
    def lambda_max(self) -> float:
        return self._extremes[1]

    @cached_property
    def parameter_gradients(self) -> tuple[list, list]:
        grad_w, grad_b = sheaf_parameter_gradient(self.layout, self.network, self.cochain)
        return grad_w, grad_b

    @cached_property
    def residual(self) -> float:
        return float(self._residual()) if self._residual is not None else self.energy


def session_readouts(s) -> Readouts:
    """The read-outs of session ``s``'s shown state: under the session's pins when relaxing
    (with the equilibrium's own report when the state is one), under the x and y clamps of
    the shown training pair while training (R then is the batch mean of E)."""
    c = s._state.cochain
    if s.mode == "joint":
        lay, network, flow = s.layout, s.network, s._state.flow
        pins = PinSet().pin(lay, "x", c[lay.vertex("x").slice]).pin(
            lay, "y", c[lay.vertex("y").slice])

        def residual() -> float:
            if flow is None:
                return float("nan")
            return float(np.mean(energy(lay, network, flow.cochains)))
        return Readouts(lay, network, pins, c, force=s.output_force, residual=residual,
                        memo=s._spectra, memo_key=("joint", s._versions["weights"]),
                        graph=s.graph)
    return Readouts(s.layout, s.network, s.pins, c, solution=flows.shown_equilibrium(s),
                    force=s.output_force, graph=s.graph,
                    residual=lambda: float(flows.relax_solution(s).energy),
                    memo=s._spectra,
                    memo_key=("relax", s._versions["weights"]))


def envelope(s) -> tuple[np.ndarray, np.ndarray]:
    """The predicted energy envelope of the relaxation since its last pin or state change
    (empty while training or under the cross-entropy force).

    ``E* + (E0 − E*)·exp(−2αλ_min (t − t0))`` over the history's times ``t ≥ t0``, with
    ``E*`` the equilibrium energy and λ_min that of the current pattern: within one linear
    region ``E − E*`` decays at least that fast.

    Returns
    -------
    t, E : ndarray (n,) each (both empty when there is no envelope)
    """
    empty = (np.zeros(0), np.zeros(0))
    ms = s._state
    if ms.segment is None or s.mode == "joint" or s.output_force != "energy":
        return empty
    t0, e0 = ms.segment
    h = ms.history
    t = h.t[: h.n]
    t = t[t >= t0]
    if t.size < 2 or e0 <= 0:
        return empty  # nothing to draw: no eigensolve (a drag's jumps end here)
    lam = s.readouts.lambda_min
    if not np.isfinite(lam):
        return empty
    try:
        e_star = min(max(float(flows.relax_solution(s).energy), 0.0), e0)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError, RuntimeError):
        e_star = 0.0
    return t, e_star + (e0 - e_star) * np.exp(-2.0 * s.rates.alpha * lam * (t - t0))


def cached_readouts(s) -> Readouts:
    """Session ``s``'s read-outs (:attr:`sheafviz.Session.readouts`), built once per state
    key (mode, state, weights, pins and graph versions)."""
    key = s._key()
    if s._readouts_cache is None or s._readouts_cache[0] != key:
        s._readouts_cache = (key, session_readouts(s))
    return s._readouts_cache[1]
