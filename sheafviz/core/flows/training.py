"""Joint state–parameter flow: sheaf training, and the backprop baseline.

Modes
-----
``"paper"``
    The paper's algorithm exactly: B cochains (x, y pinned per example), one shared θ,
    simultaneous forward Euler of stalks (rate α) and parameters (rate β on the batch *sum*)
    from the old state, full batch, stalks warm-started across steps. Stalks start at the
    forward pass with y clamped to the target, or as :mod:`stalkinit` says (random, zeros,
    given arrays; optionally restarted every epoch; hidden pins held on every example).
``"adiabatic"``
    Every cochain relaxed to its two-sided equilibrium (batched active set, warm-started from
    the previous equilibria's patterns, :mod:`batchsolve`), then one optimizer step on the mean
    sheaf-loss gradient ``(1/B) Σ_i ∇_θ E(c_i*)`` — exact gradient descent on
    ``L(θ) = mean_i R(θ; x_i, y_i)`` by the envelope theorem.
``"gd"``
    Backprop gradient descent on the forward loss (MSE mean over samples and outputs for an
    identity head, mean CE otherwise), same optimizers — the baseline.

In adiabatic and gd modes ``lr`` defaults to ``Δt·β·B`` (= 0.005 with the paper's defaults,
the same effective rate as paper mode) for sgd / momentum, and 1e-3 for adam.

Recording (every ``record_every`` steps, see :class:`TrainingHistory`): the sheaf gradient
compared with backprop is the gradient the flow uses (current stalks in paper mode, the
equilibria otherwise), against the backprop gradient of ``Σ_i ½‖φ(z_i) − y_i‖²`` (energy
force) or ``Σ_i CE_i`` (cross-entropy force), i.e. the sum that the sheaf loss approaches as
the residuals shrink.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from sheafviz.core.solvers.batchsolve import equilibrium_at
from sheafviz.core.flows.flowcheck import FlowDivergedError, UnstableStepError, check_step, lambda_max_bound
from sheafviz.core.flows.flowstate import check_joint_state
from sheafviz.core.flows.jointstep_compiled import make_joint_stepper
from sheafviz.core.flows.stalkbatch import (cochains_to_stalks, stalk_residuals,
                                            stalks_to_cochains)
from sheafviz.core.flows.stalkinit import (EPOCH, StalkPins, check_start, check_training_pins,
                                           initial_stalks)
from sheafviz.core.model.graphs import check_graph
from sheafviz.core.model.network import Network
from sheafviz.core.flows.optim import make_optimizer
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.flows.trainmetrics import TrainingHistory, default_spectrum_every, free_lambdas
from sheafviz.core.flows.trainoptions import (MODES, check_batch, check_choices,
                                              check_given_stalks, check_rates, default_lr)
from sheafviz.core.flows.trainrecord import record_point, record_spectrum
from sheafviz.core.flows.trainsteps import adiabatic_update, batch_equilibria, gd_update

__all__ = ["JointFlow", "TrainingHistory", "MODES", "FlowDivergedError", "UnstableStepError"]

#: Steps between finiteness checks (the state is snapshotted at each check).
GUARD_EVERY = 250
#: A state entry beyond this magnitude counts as divergence (long before overflow).
BLOWUP = 1e12


class JointFlow:
    """Sheaf training of a network on a data set.

    Parameters
    ----------
    network : Network, the initial θ (copied)
    X : ndarray (B, n0); Y : ndarray (B, n_out) (or (B,) for one output)
    mode : {"paper", "adiabatic", "gd"}
    alpha : float, stalk rate α
    beta : float, parameter rate on the batch sum; None → 1/B (the paper's 1/n_train)
    dt : float, Euler step of the paper mode (also sets the default ``lr``)
    optimizer : {"sgd", "momentum", "adam"} (adiabatic and gd)
    lr : float, optional (see the module docstring for the default)
    X_test, Y_test : optional test data (forward loss only)
    force : {"energy", "cross-entropy"} (cross-entropy needs sigmoid/softmax)
    record_every : int; spectrum_every : int (None → 10·record_every, rarer for large
        networks: :func:`~sheafviz.core.flows.trainmetrics.default_spectrum_every`)
    spectrum_subsample : int, inputs over which λ_1, λ_max, κ are measured
    seed : int, picks the spectrum subsample
    init : {"forward", "random", "zeros"} or None (= "forward"), paper mode's first stalks
    state_seed : int, seed of ``init="random"`` (standard normal, :mod:`stalkinit`)
    stalks : dict {"z1": (B, n1), …, "a1": …} or (z list, a list), given first stalks
    warm_start : bool; False restarts the stalks every epoch of 1,000 steps the way they
        started (same rule, same seed, same arrays)
    pins : PinSet of hidden hard / soft pins held on every example (paper mode); x and y
        pins are refused
    graph : {"chapter", "paper"}; sets the input-only spectrum records (the output is no
        vertex on the paper graph while free; with x and y pinned both graphs agree, so the
        dynamics are the same). Paper graph: identity output only.

    An explicit ``init``, ``stalks``, ``warm_start=False`` or ``pins`` is refused in the
    adiabatic and gd modes (ValueError).
    """

    def __init__(self, network: Network, X, Y, *, mode: str = "paper", alpha: float = 1.0,
                 beta: float | None = None, dt: float = 0.005, optimizer: str = "sgd",
                 lr: float | None = None, X_test=None, Y_test=None, force: str = "energy",
                 record_every: int = 100, spectrum_every: int | None = None,
                 spectrum_subsample: int = 16, seed: int = 0, init: str | None = None,
                 state_seed: int = 0, stalks=None, warm_start: bool = True,
                 pins: PinSet | None = None, graph: str = "chapter") -> None:
        self.force = check_choices(network, mode=mode, optimizer=optimizer, force=force)
        arch = network.arch
        self.X, self.Y, self.X_test, self.Y_test = check_batch(arch, X, Y, X_test, Y_test)
        self.mode, self.output, self.layout = mode, network.output, SheafLayout(arch)
        self.graph = check_graph(graph, network.output)
        B = len(self.X)
        pins = check_training_pins(pins)
        self.init = check_start(mode, init=init, stalks=stalks, warm_start=warm_start,
                                pins=pins)
        if pins:
            pins.resolve(self.layout)  # names and indices fit the network
        stalks = check_given_stalks(stalks, arch, B)
        self.state_seed, self.warm_start, self.pins = int(state_seed), bool(warm_start), pins
        self._given_stalks = stalks
        self._stalk_pins = StalkPins(pins)
        self.alpha, self.dt = float(alpha), float(dt)
        self.beta = 1.0 / B if beta is None else float(beta)
        check_rates(alpha=self.alpha, beta=self.beta, dt=self.dt)
        if int(record_every) < 1:
            raise ValueError(f"record_every must be at least 1, got {record_every}")
        self.record_every = int(record_every)
        self.spectrum_every = (
            default_spectrum_every(arch, len(self.X), self.record_every, spectrum_subsample)
            if spectrum_every is None else max(1, int(spectrum_every)))
        rng = np.random.default_rng(seed)
        self._sub = np.sort(rng.choice(B, size=min(max(1, int(spectrum_subsample)), B),
                                       replace=False))
        if lr is None:
            lr = default_lr(optimizer, dt=self.dt, beta=self.beta, B=B)
        self.lr = float(lr)
        self._opt = make_optimizer(optimizer, self.lr) if mode != "paper" else None
        z0, a0 = self._start_stalks(network)
        # Hidden pins step through the stepper's public compute()/apply() (numpy code the
        # compiled stepper inherits, same rows); unpinned paper runs use its compiled step().
        self._stepper = make_joint_stepper(network.weights, network.biases, network.output,
                                           self.X, self.Y, z0, a0, alpha=self.alpha,
                                           beta=self.beta, dt=self.dt, force=force,
                                           engine="auto" if mode == "paper" else "numpy")
        self._eq = None
        self._steps = 0
        self._clamp_pins = PinSet(dict(pins.hard), {}).pin(self.layout, "x", self.X[0]).pin(
            self.layout, "y", self.Y[0])  # only which stalks are pinned
        self.history = TrainingHistory()
        if mode == "paper":
            self._check_stalk_step(self.alpha, self.dt)
        if mode == "adiabatic":
            self._relax()
        self._record(spectrum=True)

    # -- state -----------------------------------------------------------------------------
    #: A joint flow never "converges" in the heat-flow sense; kept for a uniform interface.
    converged = False

    @property
    def steps(self) -> int:
        return self._steps

    @property
    def time(self) -> float:
        """Flow time: steps·Δt in paper mode, the step count in adiabatic and gd modes."""
        return self._steps * self.dt if self.mode == "paper" else float(self._steps)

    @property
    def network(self) -> Network:
        """The current θ as a (new) Network."""
        st = self._stepper
        return Network(st.weights, st.biases, self.output)

    @property
    def stalks(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Copies of the current stalks: ``(z list (B, n_l) l=1..K+1, a list l=1..K)``.
        In gd mode these are the two-sided equilibria of the current weights."""
        if self.mode == "gd":
            eq = self._solve()
            return [z.copy() for z in eq.z], [a.copy() for a in eq.a]
        return self._stepper.stalks()

    @property
    def cochains(self) -> np.ndarray:
        """The B cochains, shape (B, size), x and y pinned to the data (a copy)."""
        z, a = self.stalks
        return stalks_to_cochains(self.layout, self.X, self.Y, z, a)

    def set_rates(self, *, alpha: float | None = None, beta: float | None = None,
                  dt: float | None = None, lr: float | None = None) -> None:
        """Change α, β, Δt (paper mode; Δt is checked for stability) or ``lr`` mid-run."""
        new = {"alpha": self.alpha if alpha is None else float(alpha),
               "beta": self.beta if beta is None else float(beta),
               "dt": self.dt if dt is None else float(dt)}
        check_rates(**new)
        if self.mode == "paper" and (alpha is not None or dt is not None):
            self._check_stalk_step(new["alpha"], new["dt"])
        self.alpha, self.beta, self.dt = new["alpha"], new["beta"], new["dt"]
        self._stepper.set_rates(alpha=self.alpha, beta=self.beta, dt=self.dt)
        if lr is not None and self._opt is not None:
            if not (np.isfinite(lr) and lr > 0):
                raise ValueError(f"lr must be a positive number, got {lr}")
            self.lr = self._opt.lr = float(lr)

    def set_state(self, *, network: Network | None = None, cochains=None) -> None:
        """Move the flow by hand (a perturbation): new θ and/or new stalks; the clock, the
        batch and the optimizer's moments are kept, so the flow goes on from there.

        Parameters
        ----------
        network : Network, optional, the new θ (same architecture and head); the adiabatic
            mode re-solves its equilibria under it
        cochains : ndarray (B, size), optional, the new stalks (paper mode only: the other
            modes hold the stalks at equilibria of θ); their x and y must be the batch's,
            hidden hard pins are imposed

        Raises
        ------
        ValueError
            Another architecture or head, a cochain batch of the wrong shape, not finite or
            with other x / y, or stalks in the adiabatic or gd mode. Nothing changes then.
        """
        if network is not None and (tuple(network.arch) != tuple(self.layout.arch)
                                    or network.output != self.output):
            raise ValueError(f"the new weights are a {list(network.arch)} network with "
                             f"{network.output} output; the flow trains "
                             f"{list(self.layout.arch)} with {self.output} output")
        if cochains is not None:
            z, a = self._stalks_of(np.asarray(cochains, dtype=float))
        if network is not None:
            self._stepper.set_parameters(network.weights, network.biases)
        if cochains is not None:
            self._stalk_pins.apply_to(z, a)
            self._stepper.set_stalks(z, a)
        if network is not None and self.mode == "adiabatic":
            self._relax()

    def _stalks_of(self, c: np.ndarray) -> tuple[list, list]:
        """(z list, a list) of (B, n_l) from a cochain batch ``c`` (B, size), validated."""
        if self.mode != "paper":
            raise ValueError(f"the {self.mode} training holds its stalks at the equilibria "
                             f"of θ; only the paper mode's stalks can be set")
        return cochains_to_stalks(self.layout, c, self.X, self.Y)

    def _check_stalk_step(self, alpha: float, dt: float) -> None:
        """αΔtλ_max < 2 for the stalks (x, y pinned): the σ-independent path bound of
        :mod:`flowcheck` settles it for every example at once when it can; otherwise the
        exact λ_max over the spectrum subsample decides."""
        resolved = self._clamp_pins.resolve(self.layout)
        gamma = self._stalk_pins.max_gamma
        if alpha * dt * lambda_max_bound(self.network, gamma, layout=self.layout,
                                         resolved=resolved) < 2.0:
            return
        lam = max(self._lambdas(pin_y=True)[1]) + gamma
        check_step(alpha, dt, lam, what="the stalks of the joint flow")

    # -- saved state (bit-for-bit resume, :mod:`flowstate`) -------------------------------
    def state_dict(self) -> dict:
        """What the next steps depend on beyond the network, batch and rates.

        Returns
        -------
        dict with ``kind="joint"``, ``mode``, ``S`` (rows, B) stalk buffer, ``P`` (n_params,)
        flat parameters, ``steps``, ``alpha``, ``beta``, ``dt``, ``optimizer`` (name, lr,
        moments ``v`` / ``m`` (n_params,), ``t``) and, in the adiabatic mode, the last batch
        equilibria's ``eq_consistent`` (B,) bool and ``eq_iterations`` (their stalks are
        ``S``): the next solve is warm-started from them and the active set picks among
        several equilibria by that start, so re-solving would not resume bit for bit.
        """
        st = self._stepper
        out = {"kind": "joint", "mode": self.mode, "S": st.S.copy(), "P": st.P.copy(),
               "steps": int(self._steps), "alpha": float(self.alpha), "beta": float(self.beta),
               "dt": float(self.dt),
               "optimizer": self._opt.state_dict() if self._opt is not None else {}}
        if self.mode == "adiabatic":
            out["eq_consistent"] = np.array(self._eq.consistent, dtype=bool)
            out["eq_iterations"] = int(self._eq.iterations)
        return out

    def load_state(self, state: dict) -> None:
        """Resume from :meth:`state_dict` of a flow with the same network (the saved
        parameters), batch and rates. Everything is checked before anything changes.

        A state without ``eq_consistent`` (sessions written before it was saved) re-solves
        the adiabatic equilibria from the saved stalks' patterns: the same equilibria up to
        round-off where they are unique, not bit for bit.

        Raises
        ------
        FlowStateError
            Wrong kind or mode, shapes that do not fit, non-finite values, another optimizer.
        """
        st, opt = self._stepper, self._opt
        S, P, saved, consistent = check_joint_state(
            state, mode=self.mode, S_shape=st.S.shape, P_shape=st.P.shape, optimizer=opt,
            batch=len(self.X))
        st.S[...] = S
        st.P[...] = P
        self._steps = int(state["steps"])
        if opt is not None and saved:
            opt.load_state(saved)
        if self.mode != "adiabatic":
            return
        if consistent is None:
            self._relax()
            return
        z, a = st.stalks()
        self._eq = equilibrium_at(st.weights, st.biases, self.output, self.X, self.Y, z, a,
                                  consistent=consistent,
                                  iterations=int(state.get("eq_iterations", 0)))

    # -- stepping --------------------------------------------------------------------------
    def advance(self, n_steps: int) -> bool:
        """Take ``n_steps`` steps of the chosen mode, recording as configured.

        Returns False (a joint flow has no convergence test; same interface as HeatFlow).

        Raises
        ------
        FlowDivergedError
            The state or θ blew up; both are rolled back to the last finite snapshot.
        """
        remaining = int(n_steps)
        while remaining > 0:
            to_record = self.record_every - self._steps % self.record_every
            chunk = min(remaining, to_record, GUARD_EVERY, EPOCH - self._steps % EPOCH)
            if self._steps and self._steps % EPOCH == 0 and not self.warm_start:
                self._stepper.set_stalks(*self._start_stalks(self.network))
            self._guarded(chunk)
            self._steps += chunk
            remaining -= chunk
            if self._steps % self.record_every == 0:
                self._record(spectrum=self._steps % self.spectrum_every == 0)
        return False

    def run(self, steps: int, progress: Callable[[int, int], None] | None = None) -> TrainingHistory:
        """Advance ``steps`` steps, calling ``progress(done, steps)`` about 200 times."""
        chunk, done = max(1, int(steps) // 200), 0
        while done < steps:
            n = min(chunk, int(steps) - done)
            self.advance(n)
            done += n
            if progress is not None:
                progress(done, int(steps))
        return self.history

    def _guarded(self, n: int) -> None:
        st = self._stepper
        S0, P0 = st.S.copy(), st.P.copy()  # gd never touches S; the copy is cheap anyway
        with np.errstate(all="ignore"):
            if self.mode == "paper" and self._stalk_pins:
                for _ in range(n):
                    st.compute()
                    self._stalk_pins.constrain(st)
                    st.apply()
            elif self.mode == "paper":
                st.step(n)
            elif self.mode == "adiabatic":
                for _ in range(n):
                    self._adiabatic_step()
            else:
                for _ in range(n):
                    self._gd_step()
        bad = not (np.all(np.isfinite(st.P)) and np.max(np.abs(st.P)) < BLOWUP and
                   np.all(np.isfinite(st.S)) and np.max(np.abs(st.S)) < BLOWUP)
        if bad:
            st.S[...], st.P[...] = S0, P0
            hint = ("lower Δt or β (β·n_train above ≈10 diverges)"
                    if self.mode == "paper" else "lower the learning rate")
            raise FlowDivergedError(f"the {self.mode} training diverged between steps "
                                    f"{self._steps} and {self._steps + n}; stopped at step "
                                    f"{self._steps} (finite state kept); {hint}")

    def _start_stalks(self, network: Network):
        """(z list, a list) of (B, n_l): the start rule applied to ``network`` now, hidden
        hard pins imposed."""
        z, a = initial_stalks(network, self.X, init=self.init, state_seed=self.state_seed,
                              stalks=self._given_stalks)
        self._stalk_pins.apply_to(z, a)
        return z, a

    def _solve(self, warm: bool = False):
        return batch_equilibria(self._stepper, self.output, self.X, self.Y, force=self.force,
                                previous=self._eq if warm else None)

    def _relax(self) -> None:
        self._eq = self._solve(warm=True)
        self._stepper.set_stalks(self._eq.z, self._eq.a)

    def _adiabatic_step(self) -> None:
        adiabatic_update(self._stepper, self._eq, self.X, self._opt)
        self._relax()

    def _gd_step(self) -> None:
        gd_update(self._stepper, self.output, self.X, self.Y, self._opt)

    # -- recording -------------------------------------------------------------------------
    def _current_residuals(self):
        """(ρ list, q list, r_out, consistent or None, a list, z_out), all (B, n), now."""
        if self.mode == "paper":
            st = self._stepper
            return stalk_residuals(st.weights, st.biases, self.output, self.X, self.Y,
                                   *st.stalks())
        eq = self._eq if self.mode == "adiabatic" else self._solve()
        return eq.rho, eq.q, eq.r_out, eq.consistent, eq.a, eq.z[-1]

    def _lambdas(self, *, pin_y: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """λ_min, λ_max of L_free over the spectrum subsample (σ of the forward pass)."""
        st = self._stepper
        w, b = st.weights, st.biases
        pairs = np.array([free_lambdas(w, b, self.output, self.X[i], pin_y=pin_y,
                                       graph=self.graph) for i in self._sub])
        return pairs[:, 0], pairs[:, 1]

    def _record(self, *, spectrum: bool) -> None:
        st = self._stepper
        record_point(self.history, self._current_residuals(), step=self._steps,
                     time=self.time, layout=self.layout, force=self.force, output=self.output,
                     weights=st.weights, biases=st.biases, X=self.X, Y=self.Y,
                     X_test=self.X_test, Y_test=self.Y_test)
        if spectrum:
            self._record_spectrum()

    def _record_spectrum(self) -> None:
        record_spectrum(self.history, step=self._steps, free=self._lambdas(),
                        clamped=self._lambdas(pin_y=True),
                        stalk_rate=self.alpha * self.dt if self.mode == "paper" else None)
