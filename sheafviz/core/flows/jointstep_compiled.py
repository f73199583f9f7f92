"""The paper-mode joint step compiled with numba (the optional extra ``sheafviz[fast]``).

:class:`CompiledJointStepper` is a :class:`~sheafviz.core.flows.jointstep.JointStepper`
(same buffers ``S``, ``P``, ``G``, same state in and out) whose :meth:`step` and
:meth:`relax` run compiled kernels. The numpy stepper stays the fallback and the reference:
:func:`make_joint_stepper` picks the compiled one only when numba imports and the case is
one it handles (identity output, energy force); tests compare the two.

Two strategies, by size (:data:`FUSED_MAX_WORK`):

* **fused** (small networks, e.g. the paper's [2,30,1] × 300): the whole step — every
  product, force and update — in one compiled call. At these sizes a numpy step is ~20
  calls on small arrays and call overhead dominates.
* **split** (wide layers): the products stay in BLAS (numba's own loops lose to OpenBLAS
  there); everything elementwise between them is fused: one compiled pass per hidden
  layer computes the ReLU mask and both stalk forces and writes the new stalks, and the
  parameter update happens inside the gradient's own GEMM (BLAS's ``C ← αAB + βC``), so
  the step's only other work is one ``ρ = (W a + b) − z`` pass per layer.

Both keep the paper's algorithm: every force and gradient comes from the old state; a
stalk row is overwritten only after every product that reads it has run.

numba is imported on first use (never by ``import sheafviz``); kernels are compiled with
``cache=True`` so only the first run on a machine pays the compile time.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.jointstep import JointStepper

#: Largest product (multiply-adds per step, summed over layers) the fused kernel takes;
#: above it the products go to BLAS.
FUSED_MAX_WORK = 400_000

_kernels = None


def compiled_available() -> bool:
    """True when numba is installed (the ``fast`` extra). Found without importing it, so
    building a flow stays cheap; numba is imported at the first compiled step."""
    import importlib.util

    return importlib.util.find_spec("numba") is not None


def _load_kernels():
    """Import (and on first use compile) the numba kernels; cached for the process."""
    global _kernels
    if _kernels is None:
        from sheafviz.core.flows import jointstep_kernels
        _kernels = jointstep_kernels
    return _kernels


def make_joint_stepper(weights, biases, output: str, X, Y, z, a, *, alpha: float,
                       beta: float, dt: float, force: str = "energy",
                       engine: str = "auto") -> JointStepper:
    """A joint stepper: compiled when available and applicable, else the numpy one.

    Parameters
    ----------
    engine : {"auto", "numpy", "compiled"}
        ``auto``: compiled if numba imports and ``output == "identity"`` with the energy
        force, else numpy; ``compiled``: the same conditions, ValueError if unmet.
    (the rest as :class:`~sheafviz.core.flows.jointstep.JointStepper`)
    """
    if engine not in ("auto", "numpy", "compiled"):
        raise ValueError(f"engine {engine!r}: choose auto, numpy or compiled")
    applicable = output == "identity" and force == "energy"
    if engine == "compiled" and not compiled_available():
        raise ValueError("engine 'compiled' needs numba: pip install 'sheafviz[fast]'")
    if engine == "compiled" and not applicable:
        raise ValueError(f"engine 'compiled' handles the identity output with the energy "
                         f"force only (got {output!r}, {force!r})")
    cls = JointStepper
    if engine != "numpy" and applicable and compiled_available():
        cls = CompiledJointStepper
    return cls(weights, biases, output, X, Y, z, a, alpha=alpha, beta=beta, dt=dt,
               force=force)


class CompiledJointStepper(JointStepper):
    """:class:`JointStepper` with compiled :meth:`step` / :meth:`relax` (identity output,
    energy force). Parameters as :class:`JointStepper`."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.output != "identity" or self.force != "energy":
            raise ValueError("the compiled stepper handles the identity output with the "
                             "energy force only")
        self._k = self._gemm = None  # kernels (numba) and BLAS gemm, at the first step
        arch = np.asarray(self.arch, dtype=np.int64)
        self._arch = arch
        self._zrow = np.array([r0 for r0, _ in self._zr], dtype=np.int64)
        self._arow = np.array([r0 for r0, _ in self._ar] + [0], dtype=np.int64)
        self._poff = np.cumsum([0] + [int(arch[l] * (arch[l - 1] + 1))
                                      for l in range(1, len(arch))]).astype(np.int64)
        self._rho_all = np.empty((int(arch[1:].sum()), self.B))
        self._rrow = np.cumsum([0] + list(arch[1:-1])).astype(np.int64)
        self._acc = np.empty(self.B)
        self._wtr = [np.empty((n + 1, self.B)) for n in self.arch[1:self.K + 1]]
        self._prevs = [self.x_aug] + self.a_aug  # what each layer's [W|b] multiplies
        work = sum(int(arch[l] * (arch[l - 1] + 1)) for l in range(1, len(arch))) * self.B
        self.fused = work <= FUSED_MAX_WORK

    def step(self, n: int = 1) -> None:
        self._run(int(n), params=True)

    def relax(self, n: int = 1) -> None:
        """Heat flow of the stalks only (θ frozen)."""
        self._run(int(n), params=False)

    def _run(self, n: int, *, params: bool) -> None:
        if n <= 0:
            return
        if self._k is None:
            self._k = _load_kernels()
            from scipy.linalg import blas  # loaded with numba, only for the compiled step

            self._gemm = blas.get_blas_funcs("gemm", (self.P,))
        if self.fused:
            self._k.fused_steps(n, self.S, self.P, self.G, self.x_aug, self.YT,
                                self._rho_all, self._acc,
                                self._arch, self._zrow, self._arow, self._rrow, self._poff,
                                self.kc, self.kp if params else 0.0, params)
            return
        for _ in range(n):
            self._split_step(params)

    def _split_step(self, params: bool) -> None:
        """One step: products in BLAS, the elementwise work in compiled passes.

        Ordered for the paper's algorithm (every force and gradient from the old state) and
        for the cache: after the forward products, layer by layer from the output, the
        backward product ``W_{l+1}ᵀρ_{l+1}`` (old weights), then ``W_{l+1}`` updated in the
        gradient's own GEMM (``θ ← θ − βΔt ρ aᵀ`` as BLAS's ``C ← αAB + C``: no gradient
        buffer, no extra pass; old ``a_l``), then the stalks of layer ``l`` while its ρ and
        ``Wᵀρ`` are still in cache.
        """
        k, K, rho, dot, Wb = self._k, self.K, self.rho, np.dot, self.Wb
        prevs = self._prevs
        for l in range(K + 1):
            dot(Wb[l], prevs[l], out=rho[l])           # W a + b (ones row carries b)
            np.subtract(rho[l], self.z[l], out=rho[l])
        k.output_update(self.z[K], self.YT, rho[K], self.kc)
        for l in range(K - 1, -1, -1):
            # [W|b]ᵀ ρ: the first n_l rows are Wᵀρ (the last, bᵀρ, is not used)
            dot(Wb[l + 1].T, rho[l + 1], out=self._wtr[l])
            if params:
                self._descend(l + 1)
            k.hidden_update(self.z[l], self.a[l], rho[l], self._wtr[l], self.kc)
        if params:
            self._descend(0)

    def _descend(self, l: int) -> None:
        """``[W_l | b_l] ← [W_l | b_l] − βΔt ρ_l [a_{l−1}; 1]ᵀ`` in one GEMM, in place.

        Computed transposed (``[W|b]ᵀ`` is Fortran-ordered, which BLAS writes in place)."""
        wbt = self.Wb[l].T
        out = self._gemm(-self.kp, self._prevs[l].T, self.rho[l].T, beta=1.0, c=wbt,
                         trans_a=1, overwrite_c=1)
        if out.ctypes.data != wbt.ctypes.data:  # never expected: BLAS had to copy
            wbt[...] = out
