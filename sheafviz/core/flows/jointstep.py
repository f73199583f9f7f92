"""The paper-mode joint Euler step on preallocated, feature-major buffers.

Why this layout: at the paper's sizes (e.g. [2,30,1] × 300) a step is ~20 numpy calls on
small arrays and call overhead dominates. So

* all free stalks of the batch live in **one** array ``S`` of shape ``(rows, B)`` —
  vertex blocks ``z1, a1, 1, z2, a2, 1, …, z{K+1}`` stacked, every block a contiguous row
  range, one column per example — and all forces in an ``F`` of the same layout, so the
  state update is two calls however deep the network is;
* each ``a_{l-1}`` block (and ``x``) is followed by a constant row of ones, and each layer's
  parameters are stored as ``[W_l | b_l]``: the affine prediction ``W a + b`` and the
  parameter gradient ``[ρ aᵀ | Σρ]`` are then one GEMM each (the ones rows get zero force);
* all parameters live in one flat vector ``P`` (``[W_l | b_l]`` blocks are views), with a
  gradient vector ``G`` of the same layout, so the parameter update is also two calls.

The step is the paper's algorithm exactly: every force and every parameter gradient is
computed from the old state before anything is written.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.forces import check_force


class JointStepper:
    """Stalks and parameters of a pinned batch, stepped by simultaneous forward Euler.

    Parameters
    ----------
    weights, biases : lists of ndarray (n_l, n_{l-1}), (n_l,)
    output : output head
    X : ndarray (B, n0); Y : ndarray (B, n_out), the pinned ends
    z, a : lists of ndarray (B, n_l): initial stalks z_1..z_{K+1} and a_1..a_K
    alpha, beta, dt : float
    force : {"energy", "cross-entropy"}
    """

    def __init__(self, weights, biases, output: str, X, Y, z, a, *, alpha: float, beta: float,
                 dt: float, force: str = "energy") -> None:
        self.output, self.force = output, check_force(force)
        self.arch = (X.shape[1],) + tuple(w.shape[0] for w in weights)
        self.K = len(weights) - 1
        self.B = X.shape[0]
        K, B = self.K, self.B
        # -- row layout of S: z1, a1, 1, z2, a2, 1, ..., zK, aK, 1, z{K+1}
        rows, self._zr, self._ar = 0, [], []
        for l in range(1, K + 2):
            n = self.arch[l]
            self._zr.append((rows, rows + n))
            rows += n
            if l <= K:
                self._ar.append((rows, rows + n))
                rows += n + 1  # + the ones row
        self.S = np.zeros((rows, B))
        self.F = np.zeros((rows, B))
        self.z = [self.S[r0:r1] for r0, r1 in self._zr]
        self.a = [self.S[r0:r1] for r0, r1 in self._ar]
        self.a_aug = [self.S[r0:r1 + 1] for r0, r1 in self._ar]  # a_l with its ones row
        self.fz = [self.F[r0:r1] for r0, r1 in self._zr]
        self.fa = [self.F[r0:r1] for r0, r1 in self._ar]
        for (r0, r1) in self._ar:
            self.S[r1] = 1.0
        self.x_aug = np.ones((self.arch[0] + 1, B))
        self.x_aug[:-1] = X.T
        self.YT = np.ascontiguousarray(Y.T, dtype=float)
        # -- parameters [W_l | b_l] as views into one flat vector
        sizes = [self.arch[l] * (self.arch[l - 1] + 1) for l in range(1, K + 2)]
        self.P = np.empty(sum(sizes))
        self.G = np.empty_like(self.P)
        self.Wb, self.gWb, off = [], [], 0
        for l, size in enumerate(sizes, start=1):
            shape = (self.arch[l], self.arch[l - 1] + 1)
            self.Wb.append(self.P[off:off + size].reshape(shape))
            self.gWb.append(self.G[off:off + size].reshape(shape))
            off += size
        self.set_parameters(weights, biases)
        self.set_stalks(z, a)
        # -- temporaries
        self.rho = [np.empty((n, B)) for n in self.arch[1:]]
        self.m = [np.empty((n, B)) for n in self.arch[1:K + 1]]
        self.mb = [np.empty((n, B), dtype=bool) for n in self.arch[1:K + 1]]
        self.q = [np.empty((n, B)) for n in self.arch[1:K + 1]]
        self.negWT = [np.empty((self.arch[l - 1], self.arch[l])) for l in range(2, K + 2)]
        self.tmp_out = np.empty((self.arch[-1], B))
        self.set_rates(alpha=alpha, beta=beta, dt=dt)

    # -- state in and out ----------------------------------------------------------------
    def set_rates(self, *, alpha: float, beta: float, dt: float) -> None:
        self.alpha, self.beta, self.dt = float(alpha), float(beta), float(dt)
        self.kc, self.kp = self.alpha * self.dt, self.beta * self.dt

    def set_parameters(self, weights, biases) -> None:
        for wb, w, b in zip(self.Wb, weights, biases):
            wb[:, :-1] = w
            wb[:, -1] = b

    def set_stalks(self, z, a) -> None:
        for dst, src in zip(self.z, z):
            dst[...] = np.asarray(src).T
        for dst, src in zip(self.a, a):
            dst[...] = np.asarray(src).T

    @property
    def weights(self) -> list[np.ndarray]:
        return [wb[:, :-1].copy() for wb in self.Wb]

    @property
    def biases(self) -> list[np.ndarray]:
        return [wb[:, -1].copy() for wb in self.Wb]

    def stalks(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Copies ``(z list, a list)``, each (B, n_l)."""
        return [z.T.copy() for z in self.z], [a.T.copy() for a in self.a]

    # -- the step ------------------------------------------------------------------------
    def compute(self) -> None:
        """Forces ``F`` (= ċ/α) and parameter gradients ``G`` (= Σ_i ∇_θ E) at the state."""
        K, rho, z, m, q = self.K, self.rho, self.z, self.m, self.q
        # np.dot has less call overhead than np.matmul for these small 2-D products
        mm, sub, mul = np.dot, np.subtract, np.multiply
        prev = self.x_aug
        for l in range(K + 1):
            mm(self.Wb[l], prev, out=rho[l])          # W a + b (ones row carries b)
            sub(rho[l], z[l], out=rho[l])             # ρ_l = W a + b − z
            mm(rho[l], prev.T, out=self.gWb[l])       # [ρ aᵀ | Σρ]
            if l < K:
                prev = self.a_aug[l]
        for l in range(K):
            np.greater_equal(z[l], 0.0, out=self.mb[l])  # σ from the current z
            np.copyto(m[l], self.mb[l])               # (bool compare + cast beats a float compare)
            mul(m[l], z[l], out=q[l])
            sub(self.a[l], q[l], out=q[l])            # q = a − relu(z)
            mul(m[l], q[l], out=self.fz[l])
            self.fz[l] += rho[l]                      # ż/α = ρ − m(z − a)
            np.negative(self.Wb[l + 1][:, :-1].T, out=self.negWT[l])
            mm(self.negWT[l], rho[l + 1], out=self.fa[l])
            sub(self.fa[l], q[l], out=self.fa[l])     # ȧ/α = −q − Wᵀρ
        self._output_force()

    def _output_force(self) -> None:
        fz, zo, rho = self.fz[-1], self.z[-1], self.rho[-1]
        if self.output == "identity":
            np.subtract(self.YT, zo, out=fz)
            fz += rho
            return
        if self.output == "sigmoid":
            from scipy.special import expit  # scipy.special costs ~50 ms at start-up

            p = expit(zo)
        else:
            e = np.exp(zo - zo.max(axis=0, keepdims=True))
            p = e / e.sum(axis=0, keepdims=True)
        r = self.YT - p
        if self.force == "cross-entropy":
            np.add(rho, r, out=fz)
        elif self.output == "sigmoid":
            np.add(rho, p * (1.0 - p) * r, out=fz)
        else:
            np.add(rho, p * (r - np.sum(p * r, axis=0, keepdims=True)), out=fz)

    def apply(self) -> None:
        """``c ← c + αΔt·F``, ``θ ← θ − βΔt·G`` (after :meth:`compute`)."""
        self.F *= self.kc
        self.S += self.F
        self.G *= self.kp
        self.P -= self.G

    def step(self, n: int = 1) -> None:
        compute, apply = self.compute, self.apply
        for _ in range(int(n)):
            compute()
            apply()

    def relax(self, n: int = 1) -> None:
        """Heat flow of the stalks only (θ frozen): the β = 0 special case."""
        for _ in range(int(n)):
            self.compute()
            self.F *= self.kc
            self.S += self.F
