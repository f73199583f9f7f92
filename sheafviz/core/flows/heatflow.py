"""HeatFlow: the sheaf heat equation stepped by forward Euler, σ from the state.

``HeatFlow`` is the stateful stepper the GUI animates; :func:`sheafviz.core.flows.heat.relax`
runs it to convergence for the CLI. Each step computes every force from the old state
(``forces.energy_gradient``), moves the free coordinates by ``−αΔt·∇``, and re-imposes the
hard pins.

Stability: before a run ``αΔt λ_max(L_free(σ₀)) < 2`` is required, else
:class:`UnstableStepError` (the message proposes a Δt). If ``αΔt`` times the σ-independent
path bound of :mod:`flowcheck` is below 2 no pattern can destabilise the run (the default Δt
is ``1/(α·bound)``, so no eigensolver runs at all then); otherwise the exact λ_max decides
at the start and is re-checked whenever the flow enters a pattern it has not seen, and the run
stops with :class:`FlowDivergedError` (state left at the last step, which is finite) if it
is too large. As a last guard the state is checked for non-finite values / explosive growth
every ``GUARD_EVERY`` steps and rolled back to the last good copy, so NaN never leaves here.

Sliding: where a switching surface ``z_j = 0`` attracts from both sides, Euler would
chatter forever; :mod:`sliding` holds such a neuron on the surface (Filippov sliding mode)
while the surface attracts, so the flow converges to the sliding equilibrium. The chatter
that led there is still reported as one merged switching event.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.events import SwitchEvent, SwitchRecorder
from sheafviz.core.flows.flowcheck import (FlowDivergedError, check_step, free_lambda,
                                           lambda_max_bound, spectral_norm, stable_dt)
from sheafviz.core.flows.flowstate import check_heat_state
from sheafviz.core.flows.forces import objective, pin_energy
from sheafviz.core.flows.heatparts import (check_heat_options, checked_cochain, neuron_indices,
                                           predicted_envelope)
from sheafviz.core.flows.heatplain import BufferedHeatSteps, buffered_steps_apply
from sheafviz.core.flows.heatstep import CompiledHeatSteps, HeatGradient
from sheafviz.core.flows.jointstep_compiled import compiled_available
from sheafviz.core.model.graphs import check_graph, graph_pins, slave_outputs, slaved_outputs
from sheafviz.core.model.network import Network
from sheafviz.core.model.sheaf import SheafLayout, energy
from sheafviz.core.solvers.sliding import SlidingSet

__all__ = ["HeatFlow"]

GUARD_EVERY = 64
RECHECK_LIMIT = 3000
#: The objective may not grow beyond this factor of (its starting value + 1).
GROWTH_LIMIT = 1e8


class HeatFlow:
    """Stateful forward-Euler heat flow of one cochain.

    Parameters
    ----------
    network : Network
    pins : PinSet
    c0 : ndarray, shape (size,), the initial state (hard pins are imposed on a copy)
    alpha : float, the stalk rate α
    dt : float or None; None → ``1/(α λ̄)`` with λ̄ the σ-independent path bound on
        λ_max(L_free) of :mod:`flowcheck` (within a few % of λ_max; at most half the Euler
        limit for every pattern)
    layout : SheafLayout, optional
    record_every : int, record ``(t, E)`` in ``energy_trace`` every this many steps
    force : {"energy", "cross-entropy"}
    tol : float, convergence when ``max |Δc| / Δt`` over free coordinates is below it
    engine : {"auto", "numpy"}; auto: whole steps compiled with numba when it imports
        (identity output, energy force); numpy (or numba absent): whole steps on buffered
        views (:mod:`heatplain`; identity output, energy force, no soft pins, chapter
        graph); the general numpy step elsewhere and for the steps with sliding neurons
    graph : {"chapter", "paper"} (:mod:`graphs`); on the paper graph the output coordinates
        that are not hard-pinned are held equal to ``z{K+1}`` (no ``out`` force there) and a
        soft pin on them acts on ``z{K+1}``
    """

    def __init__(self, network: Network, pins, c0, *, alpha: float = 1.0, dt: float | None = None,
                 layout: SheafLayout | None = None, record_every: int = 1,
                 force: str = "energy", tol: float = 1e-9, engine: str = "auto",
                 graph: str = "chapter") -> None:
        if engine not in ("auto", "numpy"):
            raise ValueError(f"engine {engine!r}: choose auto or numpy")
        self._engine = engine
        self._graph = check_graph(graph, network.output)
        self._layout = layout if layout is not None else SheafLayout(network.arch)
        self._force = check_heat_options(network, force=force, record_every=record_every)
        c0 = checked_cochain(c0, self._layout.size)
        self._network, self._pins = network, pins
        self._norms: list[float] | None = None  # ‖W_l‖₂, cached per network
        self._alpha, self._dt_auto = float(alpha), dt is None
        self._dt = None if dt is None else float(dt)
        self._tol, self._record_every = float(tol), int(record_every)
        self._c = c0
        self._time, self._steps, self._velocity = 0.0, 0, np.inf
        self.converged = False
        self._trace: list[tuple[float, float]] = []
        self._pending: float | None = None  # a recording time whose E is not yet stored
        self._z_index, a_index = neuron_indices(self._layout)
        self._recorder = SwitchRecorder([self._layout.neuron_name(i) for i in self._z_index])
        self._sliding = SlidingSet(self._z_index, a_index, np.ones(len(self._z_index), bool))
        self._configure()
        self._trace.append((0.0, self.energy))

    # -- configuration -------------------------------------------------------------------
    def _configure(self) -> None:
        """Resolve pins, impose them, (re)check the step size for the current state."""
        if hasattr(self, "_res"):
            self._flush()  # a pending record belongs to the state before this edit
        if not (np.isfinite(self._alpha) and self._alpha > 0):
            raise ValueError(f"α must be a positive number, got {self._alpha}")
        if not self._dt_auto and not (np.isfinite(self._dt) and self._dt > 0):
            raise ValueError(f"Δt must be a positive number, got {self._dt}")
        self._res = graph_pins(self._layout, self._pins, self._graph).resolve(self._layout)
        self._slaved = slaved_outputs(self._layout, self._pins, self._graph)
        self._c[self._res.hard_index] = self._res.hard_value
        slave_outputs(self._c, *self._slaved)
        self._sliding.reset(~np.isin(self._z_index, self._res.hard_index))
        self._lam_cache: dict[bytes, float] = {}
        if self._norms is None:
            self._norms = [spectral_norm(w) for w in self._network.weights]
        max_gamma = float(self._res.soft_gamma.max()) if self._res.soft_gamma.size else 0.0
        bound = lambda_max_bound(self._network, max_gamma, layout=self._layout,
                                 resolved=self._res, norms=self._norms)
        if self._dt_auto:
            # The path bound is within a few % of λ_max(L_free) and needs no eigensolver,
            # so pin edits (a drag in the GUI) stay cheap; 1/(α·bound) keeps a ≥ 2× margin.
            self._dt = stable_dt(bound, self._alpha)
        if self._alpha * self._dt * bound >= 2.0:
            check_step(self._alpha, self._dt, self._lambda_max_here())
        # Above RECHECK_LIMIT free coordinates an exact λ_max per new pattern costs too much
        # for an animation; the growth guard still stops a divergence there.
        self._needs_recheck = (self._alpha * self._dt * bound >= 2.0 and
                               self._res.free_index.size <= RECHECK_LIMIT)
        self._sign = self._c[self._z_index] >= 0
        self._start_objective = self.objective
        self.converged = False
        self._gradient = HeatGradient(self._layout, self._network, self._res, self._c,
                                      force=self._force)
        # Whole steps in one call where a stepper covers the case; the general numpy step
        # elsewhere. Neither stepper knows the paper graph's slaved outputs; the buffered
        # numpy one (engine "numpy", or numba absent) handles no soft pins either.
        self._stepper = None
        if (self._engine != "numpy" and self._force == "energy" and
                self._network.output == "identity" and not self._slaved[0].size and
                compiled_available()):
            self._stepper = CompiledHeatSteps(self._layout, self._network, self._res,
                                              self._c, self._z_index)
        elif buffered_steps_apply(self._network, self._res, self._slaved[0], self._force):
            self._stepper = BufferedHeatSteps(self._layout, self._network, self._res,
                                              self._c, self._z_index)

    def _lambda_max_here(self) -> float:
        key = (self._c[self._z_index] >= 0).tobytes()
        if key not in self._lam_cache:
            sigma = self._layout.sigma_of(self._c)
            self._lam_cache[key] = free_lambda(self._layout, self._network, self._pins, sigma,
                                               which="max", cochain=self._c,
                                               graph=self._graph)
        return self._lam_cache[key]

    def set_pins(self, pins) -> None:
        """New pins; the state is kept and the new hard pins are imposed on it."""
        self._pins = pins
        self._configure()

    def set_network(self, network: Network) -> None:
        """New weights of the same architecture; the state is kept."""
        if tuple(network.arch) != tuple(self._layout.arch):
            raise ValueError(f"network architecture {list(network.arch)} differs from the "
                             f"flow's {list(self._layout.arch)}")
        self._network = network
        self._norms = None
        self._configure()

    def set_rates(self, *, alpha: float | None = None, dt: float | None = None) -> None:
        """Change α and/or Δt (checked for stability; ``dt=None`` keeps the current rule)."""
        if alpha is not None:
            self._alpha = float(alpha)
        if dt is not None:
            self._dt, self._dt_auto = float(dt), False
        self._configure()

    # -- saved state (bit-for-bit resume, :mod:`flowstate`) -------------------------------
    def state_dict(self) -> dict:
        """What the next steps depend on beyond the network, pins and rates.

        Returns
        -------
        dict with ``kind="heat"``, ``cochain`` (size,), ``time``, ``steps``, ``velocity``
        (None before the first step), ``converged``, ``sign`` (n_z,) bool,
        ``sliding_active``, ``sliding_candidate`` (n_z,) bool, ``sliding_last_flip`` (n_z,)
        int, ``start_objective``, ``dt``, ``alpha``.
        """
        sl = self._sliding.state_dict()
        return {"kind": "heat", "cochain": self._c.copy(), "time": float(self._time),
                "steps": int(self._steps),
                "velocity": float(self._velocity) if np.isfinite(self._velocity) else None,
                "converged": bool(self.converged), "sign": np.array(self._sign, dtype=bool),
                "sliding_active": sl["active"], "sliding_candidate": sl["candidate"],
                "sliding_last_flip": sl["last_flip"],
                "start_objective": float(self._start_objective),
                "dt": float(self._dt), "alpha": float(self._alpha)}

    def load_state(self, state: dict) -> None:
        """Resume from :meth:`state_dict` of a flow with the same network, pins and rates.

        Everything is checked before anything changes.

        Raises
        ------
        FlowStateError
            Wrong kind, shapes that do not fit this sheaf, non-finite values, other α / Δt.
        """
        c, sign, sliding = check_heat_state(state, size=self._c.shape[0],
                                            n_z=len(self._z_index), dt=self._dt,
                                            alpha=self._alpha)
        self._c[...] = c
        self._time, self._steps = float(state["time"]), int(state["steps"])
        v = state.get("velocity")
        self._velocity = np.inf if v is None else float(v)
        self.converged = bool(state.get("converged", False))
        self._sign = sign.copy()
        self._sliding.load_state(**sliding)
        self._start_objective = float(state["start_objective"])

    # -- state -----------------------------------------------------------------------------
    @property
    def layout(self) -> SheafLayout:
        return self._layout

    @property
    def network(self) -> Network:
        return self._network

    @property
    def pins(self):
        return self._pins

    @property
    def graph(self) -> str:
        return self._graph

    @property
    def cochain(self) -> np.ndarray:
        return self._c.copy()

    @property
    def time(self) -> float:
        return self._time

    @property
    def steps(self) -> int:
        return self._steps

    @property
    def dt(self) -> float:
        return self._dt

    @property
    def alpha(self) -> float:
        return self._alpha

    @property
    def velocity(self) -> float:
        """``max |Δc|/Δt`` of the last step (inf before the first)."""
        return self._velocity

    @property
    def energy(self) -> float:
        """E = ½Σd_e over the sheaf's edges (soft pins excluded)."""
        return float(energy(self._layout, self._network, self._c))

    @property
    def pin_energy(self) -> float:
        return float(pin_energy(self._c, self._res))

    @property
    def objective(self) -> float:
        """What the flow descends: E + pin energy (CE output term in that force mode)."""
        return float(objective(self._layout, self._network, self._c, self._res,
                               force=self._force))

    @property
    def sigma(self) -> list[np.ndarray]:
        return self._layout.sigma_of(self._c)

    @property
    def sliding(self) -> list[str]:
        """Neurons currently held on their switching surface ``z = 0`` (sliding mode)."""
        return [self._layout.neuron_name(i)
                for i in self._z_index[self._sliding.active]]

    @property
    def events(self) -> list[SwitchEvent]:
        return self._recorder.events

    @property
    def energy_trace(self) -> list[tuple[float, float]]:
        """``[(t, E)]`` recorded at t = 0 and every ``record_every`` steps."""
        self._flush()
        return list(self._trace)

    def _flush(self) -> None:
        if self._pending is not None:
            self._trace.append((self._pending, self.energy))
            self._pending = None

    def lambda_min(self) -> float:
        """λ_min(L_free(σ)) at the current state (the rate of the predicted envelope)."""
        return free_lambda(self._layout, self._network, self._pins, self.sigma, which="min",
                           cochain=self._c, graph=self._graph)

    def predicted_envelope(self, times=None) -> tuple[np.ndarray, np.ndarray]:
        """``(t, E(0)·exp(−2αλt))`` with λ = λ_min(L_free) at the current pattern."""
        t = np.array([p[0] for p in self._trace]) if times is None else np.asarray(times)
        return t, predicted_envelope(self._trace[0][1], self.lambda_min(), t, alpha=self._alpha)

    # -- stepping --------------------------------------------------------------------------
    def advance(self, n_steps: int) -> bool:
        """Take up to ``n_steps`` Euler steps; stop early at convergence. Returns ``converged``.

        Raises
        ------
        FlowDivergedError
            The step became unstable for a pattern the flow entered, or the state blew up;
            the flow is left at its last good (finite) state.
        """
        good_c, good = self._c.copy(), (self._time, self._steps)
        n, i = int(n_steps), 0
        while i < n and not self.converged:
            sliding = self._sliding.active.any() or self._sliding.candidate.any()
            if self._stepper is not None and not sliding:
                i += self._whole_steps(min(n - i, GUARD_EVERY - i % GUARD_EVERY))
            else:
                self._numpy_step(sliding)
                i += 1
            if self._steps % self._record_every == 0:
                self._pending = self._time
            if self._velocity < self._tol:
                self.converged = True
            if i % GUARD_EVERY == 0 or i == n or self.converged:
                self._guard(good_c, good)
                good_c, good = self._c.copy(), (self._time, self._steps)
        self._flush()
        return self.converged

    def _numpy_step(self, sliding: bool) -> None:
        """One Euler step with the numpy gradient (sliding neurons handled here)."""
        if sliding:
            self._sliding.project(self._c)
            if self._sliding.active.any():
                self._sign = self._c[self._z_index] >= 0  # z = 0 exactly is not a switch
        # E of a recorded state comes free with the next step's gradient.
        grad, e_old = self._gradient.compute(with_energy=self._pending is not None)
        if self._pending is not None:
            self._trace.append((self._pending, e_old))
            self._pending = None
        if sliding:
            self._sliding.constrain(self._c, grad)
        self._velocity = self._alpha * float(np.abs(grad).max()) if grad.size else 0.0
        grad *= self._alpha * self._dt
        self._c -= grad
        self._c[self._res.hard_index] = self._res.hard_value
        slave_outputs(self._c, *self._slaved)
        self._time += self._dt
        self._steps += 1
        self._track_switches()

    def _whole_steps(self, n: int) -> int:
        """Up to ``n`` steps in one call of the stepper (compiled or buffered numpy); it
        stops after a ReLU switch (tracked here) or at convergence. Returns the steps taken."""
        steps0, every = self._steps, self._record_every
        done, status, self._velocity, energies, pending = self._stepper.run(
            n, step_size=self._alpha * self._dt, alpha=self._alpha, tol=self._tol,
            sign=self._sign, pending=self._pending is not None, record_every=every,
            steps0=steps0)
        times = [] if self._pending is None else [self._pending]
        for s in range(1, done + 1):  # the same sum as step by step
            self._time += self._dt
            if (steps0 + s) % every == 0:
                times.append(self._time)
        self._trace.extend(zip(times, energies))
        self._pending = times[-1] if pending else None
        self._steps += done
        if status == 1:
            self._track_switches()
        return done

    def _track_switches(self) -> None:
        sign = self._c[self._z_index] >= 0
        differs = sign != self._sign
        if not differs.any():
            return
        changed = np.flatnonzero(differs)
        self._sign = sign
        self._recorder.record(self._steps, self._time, changed, sign[changed])
        self._sliding.flipped(self._steps, changed)
        if self._needs_recheck:
            lam = self._lambda_max_here()
            if self._alpha * self._dt * lam >= 2.0:
                raise FlowDivergedError(
                    f"at t={self._time:.4g} the flow entered an activation pattern with "
                    f"λ_max(L_free) = {lam:.4g}, where Δt = {self._dt:g} is unstable "
                    f"(α Δt λ_max = {self._alpha * self._dt * lam:.3g} ≥ 2); stopped there; "
                    f"use Δt ≤ {stable_dt(lam, self._alpha):.3g}")

    def _guard(self, good_c: np.ndarray, good: tuple[float, int]) -> None:
        obj = self.objective if np.all(np.isfinite(self._c)) else np.inf
        if np.isfinite(obj) and obj <= GROWTH_LIMIT * (self._start_objective + 1.0):
            return
        self._c[...] = good_c  # in place: the gradient buffers hold views of it
        self._time, self._steps = good
        self._pending = None
        self._trace = [p for p in self._trace if p[0] <= self._time]
        self._sign = self._c[self._z_index] >= 0
        self._sliding.reset(self._sliding.free)
        raise FlowDivergedError(
            f"the heat flow diverged after t={self._time:.4g} (Δt = {self._dt:g}, "
            f"α = {self._alpha:g}); stopped at the last finite state; try a smaller Δt")
