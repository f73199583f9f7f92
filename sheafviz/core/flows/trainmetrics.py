"""What the joint flow records: history container and measurements."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sheafviz.core.solvers.batchsolve import free_block_columns
from sheafviz.core.flows.flowcheck import DENSE_LIMIT, _extreme_eigenvalue
from sheafviz.core.model.network import phi_jacobian


@dataclass
class TrainingHistory:
    """Lists indexed by record (one entry per recorded step unless stated).

    Attributes
    ----------
    step : list of int, total steps taken when recorded
    time : list of float, flow time (steps·Δt in paper mode, steps otherwise)
    residual : list of float, batch mean of E of the current stalks (paper), of the
        equilibria (adiabatic), or the two-sided R of the current weights (gd)
    residual_per_example : list of ndarray (B,)
    objective : list of float, batch mean of what the stalks descend (E, or CE variant)
    discord_by_edge : list of {edge name: batch-mean d_e} (d_e = ‖r_e‖², no ½)
    discord_by_type : list of {"affine"|"relu"|"output": batch-mean Σ d_e}
    discord_by_layer : list of {layer: batch-mean Σ d_e}
    train_loss, test_loss : list of float (test: None without test data); forward-pass MSE
        for identity, mean CE for sigmoid/softmax
    inconsistent : list of int, examples whose two-sided solve did not settle (adiabatic/gd)
    grad_cosine, grad_norm_ratio : list of list of float, per layer: cosine and
        ‖sheaf‖/‖backprop‖ of the ``[W_l | b_l]`` gradients (see ``JointFlow``)
    spectrum_step : list of int, steps at which the spectrum was measured
    lambda_min, lambda_max, condition : list of (median, q25, q75) over the subsample, of
        L_free with only x pinned (σ of the forward pass; the inference Laplacian)
    lambda_min_values, lambda_max_values : list of ndarray (subsample,), same
    lambda_min_clamped, lambda_max_clamped, condition_clamped : the same statistics with
        x and y pinned (the training clamp)
    warnings : list of str
    """

    step: list = field(default_factory=list)
    time: list = field(default_factory=list)
    residual: list = field(default_factory=list)
    residual_per_example: list = field(default_factory=list)
    objective: list = field(default_factory=list)
    discord_by_edge: list = field(default_factory=list)
    discord_by_type: list = field(default_factory=list)
    discord_by_layer: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    inconsistent: list = field(default_factory=list)
    grad_cosine: list = field(default_factory=list)
    grad_norm_ratio: list = field(default_factory=list)
    spectrum_step: list = field(default_factory=list)
    lambda_min: list = field(default_factory=list)
    lambda_max: list = field(default_factory=list)
    condition: list = field(default_factory=list)
    lambda_min_values: list = field(default_factory=list)
    lambda_max_values: list = field(default_factory=list)
    lambda_min_clamped: list = field(default_factory=list)
    lambda_max_clamped: list = field(default_factory=list)
    condition_clamped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


def edge_discords(layout, rho, q, r_out) -> tuple[dict, dict, dict, np.ndarray]:
    """Batch-mean discords per edge / type / layer and the per-example E.

    Parameters
    ----------
    rho : list of (B, n_l), l = 1..K+1; q : list of (B, n_l), l = 1..K; r_out : (B, n_out)
    """
    per_edge = {}
    for edge in layout.edges:
        if edge.type == "affine":
            r = rho[edge.layer - 1]
        elif edge.type == "relu":
            r = q[edge.layer - 1]
        else:
            r = r_out
        per_edge[edge.name] = np.sum(r * r, axis=1)
    energy = 0.5 * sum(per_edge.values())
    by_edge = {name: float(d.mean()) for name, d in per_edge.items()}
    by_type, by_layer = {"affine": 0.0, "relu": 0.0, "output": 0.0}, {}
    for edge in layout.edges:
        by_type[edge.type] += by_edge[edge.name]
        by_layer[edge.layer] = by_layer.get(edge.layer, 0.0) + by_edge[edge.name]
    return by_edge, by_type, by_layer, energy


def free_lambdas(weights, biases, output: str, x: np.ndarray, *,
                 pin_y: bool = False, graph: str = "chapter") -> tuple[float, float]:
    """λ_min and λ_max of ``L_free`` with x pinned (and y too when ``pin_y``), σ and the output
    linearisation taken at the forward pass of ``x`` (a function of θ only, so paper,
    adiabatic and gd runs are measured alike).

    Free coordinates: z1, a1, …, zK, aK, z{K+1} (, y); ``L_free = D_Ωᵀ D_Ω`` with ``D_Ω`` the
    coboundary's free columns. With y pinned, λ_min ≥ (3−√5)/2 whenever a hidden neuron is
    active (its z–a pair alone has that eigenvalue), so the input-only Laplacian — the one
    that sets the inference heat flow's rate — is the informative one over training.

    On the paper graph (``graph="paper"``, identity output) an unpinned output is no vertex:
    with ``pin_y=False`` the ``out`` edge and the y columns are left out (:mod:`graphs`);
    with ``pin_y=True`` both graphs agree.
    """
    no_out = graph == "paper" and not pin_y
    K = len(weights) - 1
    widths = [w.shape[0] for w in weights]
    a, sig = x, []
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = w @ a + b
        if l < K:
            sig.append((z >= 0).astype(float))
            a = np.maximum(z, 0.0)
    zc, ac, col = free_block_columns(widths)
    y_col = col
    n_free = col + (0 if pin_y or no_out else widths[K])
    if n_free > DENSE_LIMIT:
        return _lambdas_structured(weights, biases, output, x, sig, z, pin_y, graph)
    rows, cols, vals, row = [], [], [], 0

    def block(r0, c0, mat):
        rr, cc = np.nonzero(mat)
        rows.append(rr + r0)
        cols.append(cc + c0)
        vals.append(mat[rr, cc])

    for l in range(K + 1):
        n = widths[l]
        block(row, zc[l], np.eye(n))                  # aff{l+1}: +I on z
        if l > 0:
            block(row, ac[l - 1], -weights[l])        # −W on a_{l}
        row += n
        if l < K:
            block(row, ac[l], np.eye(n))              # relu: +I on a
            block(row, zc[l], -np.diag(sig[l]))       # −diag σ on z
            row += n
    if not no_out:
        jac = phi_jacobian(z, output)
        block(row, zc[K], -jac)                       # out: −J_φ on z{K+1}
        if not pin_y:
            block(row, y_col, np.eye(widths[K]))      # out: +I on a free y
        row += widths[K]
    import scipy.sparse as sp  # lazily: scipy costs ~0.2 s of the GUI's start-up

    D = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                      shape=(row, n_free))
    lap = (D.T @ D).tocsr()
    if n_free <= DENSE_LIMIT:
        ev = np.linalg.eigvalsh(lap.toarray())
        return float(ev[0]), float(ev[-1])
    return _extreme_eigenvalue(lap, "SA"), _extreme_eigenvalue(lap, "LA")


#: Relative tolerance of the Lanczos runs behind the training spectrum: the statistics are
#: medians and quartiles over a subsample, so 1e-6 is ample, and it saves ~40 % of the
#: iterations of spectrum_summary's 1e-10.
TRAINING_EIG_TOL = 1e-6


def _lambdas_structured(weights, biases, output, x, sigma, z_out, pin_y, graph):
    """Large free dimensions: Lanczos on the structured operator of
    :mod:`sheafviz.core.solvers.spectrum` (λ_min through its triangular inverse); same
    definition as the sparse path above, eigenvalues only. On the paper graph with a free
    output (no ``y`` vertex) the paper graph's own summary of :mod:`spectrum` is used."""
    import scipy.sparse.linalg as spla

    from sheafviz.core.model.network import Network, phi
    from sheafviz.core.model.pins import PinSet
    from sheafviz.core.model.sheaf import SheafLayout
    from sheafviz.core.solvers import spectrum
    from sheafviz.core.solvers.linear import FixedSigmaSystem

    net = Network(list(weights), list(biases), output)
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", x)
    if pin_y:
        pins = pins.pin(layout, "y", phi(z_out, output))  # the value does not enter L
    if graph == "paper" and not pin_y:  # the output is no vertex: the paper graph's matrix
        s = spectrum.spectrum_summary(net, pins, sigma, layout=layout, z_out=z_out,
                                      n_extreme=1, graph=graph)
        return float(s.lambda_min), float(s.lambda_max)
    # Both graphs agree from here on (y pinned, or the chapter graph).
    system = FixedSigmaSystem(layout, net, sigma, pins, z_out=z_out)
    if system.underdetermined:  # λ_min = 0: the general summary handles it
        s = spectrum.spectrum_summary(net, pins, sigma, layout=layout, z_out=z_out,
                                      n_extreme=1)
        return float(s.lambda_min), float(s.lambda_max)
    start = spectrum._start_vector(system.n_free)
    hi = spla.eigsh(spectrum._operator(system), k=1, which="LA", tol=TRAINING_EIG_TOL,
                    v0=start, return_eigenvectors=False)[0]
    mu = spla.eigsh(spectrum._inverse_operator(system), k=1, which="LA",
                    tol=TRAINING_EIG_TOL, v0=start, return_eigenvectors=False)[0]
    return float(1.0 / mu), float(hi)


#: Share of the stepping time the default spectrum frequency allows the spectrum.
SPECTRUM_SHARE = 0.05
#: Cost model of one spectrum record (2 × subsample λ pairs) in multiply-adds at the
#: speed of the steps' matrix products, calibrated where it matters (one spectrum record
#: ≈ 25 joint steps on [784,512,512,10] × 1000, ≈ 32 on [784,128,64,10] × 1000): a dense
#: eigvalsh costs ≈ 5 n³; a structured Lanczos pair (tol 1e-6) ≈ 80 operator
#: applications, each two passes over the weights at matrix-vector speed (≈ 15× slower).
_DENSE_EIG = 5
_LANCZOS_PAIR = 80 * 2 * 15
#: Below this free dimension a spectrum record is cheap in absolute terms (tens of ms):
#: keep every 10th record, the series matters more than the share there.
_CHEAP_FREE_DIM = 200


def default_spectrum_every(arch, n_examples: int, record_every: int,
                           subsample: int) -> int:
    """The spectrum frequency used when none is given: every 10th record, or rarer for
    large networks, where one spectrum record would cost more than
    :data:`SPECTRUM_SHARE` of the joint steps in between (cost model above).

    A deterministic function of the sizes (not of timings), so a run records the same
    steps on every machine. Always a multiple of ``record_every``.
    """
    base = 10 * int(record_every)
    n_free = 2 * sum(arch[1:-1]) + 2 * arch[-1]
    if n_free <= _CHEAP_FREE_DIM:
        return base
    weights = sum(arch[l] * (arch[l - 1] + 1) for l in range(1, len(arch)))
    per_pair = (_DENSE_EIG * n_free ** 3 if n_free <= DENSE_LIMIT
                else _LANCZOS_PAIR * weights)
    spectrum = 2 * subsample * per_pair
    step = 3 * weights * max(1, int(n_examples))
    steps = int(np.ceil(spectrum / (SPECTRUM_SHARE * step)))
    return max(base, -(-steps // int(record_every)) * int(record_every))


def median_spread(values: np.ndarray) -> tuple[float, float, float]:
    """(median, 25th percentile, 75th percentile)."""
    q25, med, q75 = np.percentile(values, [25, 50, 75])
    return float(med), float(q25), float(q75)


def compare_gradients(sheaf_w, sheaf_b, bp_w, bp_b) -> tuple[list[float], list[float]]:
    """Per layer cosine and norm ratio ‖sheaf‖/‖backprop‖ of the ``[W_l | b_l]`` gradients
    (None where a gradient is zero)."""
    cosines, ratios = [], []
    for sw, sb, bw, bb in zip(sheaf_w, sheaf_b, bp_w, bp_b):
        s = np.concatenate([sw.ravel(), sb.ravel()])
        b = np.concatenate([bw.ravel(), bb.ravel()])
        ns, nb = np.linalg.norm(s), np.linalg.norm(b)
        cosines.append(float(s @ b / (ns * nb)) if ns > 0 and nb > 0 else None)
        ratios.append(float(ns / nb) if nb > 0 else None)
    return cosines, ratios
