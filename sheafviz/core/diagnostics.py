"""Qt-free data behind the training-debug panels (issue 6): why a network learns or not.

Every panel of ``sheafviz.gui.debug`` draws one of these pure-numpy products:

* :class:`DiscordHistory` → :class:`DiscordMatrix` — the discord space–time heatmap: one row
  per edge (or per edge coordinate), one column per recorded step, for the batch mean or one
  example. A coordinate's value is ``r_e[j]²``, so a row of an edge is the sum of its
  coordinate rows and ``Σ_e d_e = 2E`` (SPEC §4).
* :func:`switching_timeline` → :class:`SwitchTimeline` — when each hidden neuron switched in
  a relaxation (from the heat flow's :class:`~sheafviz.core.events.SwitchEvent` list).
* :func:`compare_gradients` — the sheaf parameter gradient against backprop, per layer, at
  one state; :func:`history_series` — the same (and the spectrum, the losses) over training,
  as arrays with masks, out of a :class:`~sheafviz.core.training.JointFlow`'s history.
* :func:`prediction_grid` → :class:`PredictionGrid` — the learned function on a grid (2-D
  inputs) or a curve (1-D inputs).
* :func:`spectrum_detail` — ``L_free`` with its eigenvalues and extreme modes (SPEC §11).
* :func:`compare_training` — the joint flow and plain gradient descent from the same weights.

Undefined values (a cosine against a zero gradient, κ of a singular ``L_free``) are never
NaN here: they come with a boolean ``defined`` mask and a 0 in the value array.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import backprop, forward_loss
from .network import Network
from .pins import PinSet
from .sheaf import EDGE_TYPES, SheafLayout, discrepancies
from .spectrum import SINGULAR_RTOL, free_laplacian, spectrum_summary

#: A sheaf gradient with ‖g_s‖ ≤ this × ‖g_b‖ is round-off: its cosine is undefined.
GRADIENT_RTOL = 1e-9

__all__ = ["DiscordRows", "discord_rows", "DiscordMatrix", "DiscordHistory", "SwitchTimeline",
           "switching_timeline", "initial_active_from_events", "GradientComparison", "sheaf_parameter_gradient",
           "compare_gradients", "PredictionGrid", "prediction_grid",
           "SpectrumDetail", "spectrum_detail", "mode_ghost",
           "TrainingComparison", "compare_training", "history_series", "TrainingMonitor", "hidden_neurons"]


# ============================================================================================
# discord space–time matrices
# ============================================================================================
@dataclass(frozen=True)
class DiscordRows:
    """The rows of a discord heatmap, grouped by edge type, then by layer.

    Attributes
    ----------
    labels : list of str, ``"aff1"`` or ``"aff1[0]"`` per row
    edge : ndarray (rows,) int, the edge position (index into ``layout.edges``)
    coord : ndarray (rows,) int, the coordinate within the edge, −1 for a whole-edge row
    types : list of str, the edge type of each row
    layers : ndarray (rows,) int
    """

    labels: list
    edge: np.ndarray
    coord: np.ndarray
    types: list
    layers: np.ndarray

    def __len__(self) -> int:
        return len(self.labels)


def discord_rows(layout: SheafLayout, *, expand: bool = False) -> DiscordRows:
    """Row order of the heatmap: affine edges by layer, then relu, then output.

    With ``expand`` each edge becomes one row per coordinate (neuron of its head stalk).
    """
    labels, edge, coord, types, layers = [], [], [], [], []
    for etype in EDGE_TYPES:
        for e in sorted((e for e in layout.edges if e.type == etype), key=lambda e: e.layer):
            coords = range(e.dim) if expand else [-1]
            for j in coords:
                labels.append(e.name if j < 0 else f"{e.name}[{j}]")
                edge.append(e.position)
                coord.append(j)
                types.append(e.type)
                layers.append(e.layer)
    return DiscordRows(labels, np.array(edge, dtype=int), np.array(coord, dtype=int), types,
                       np.array(layers, dtype=int))


@dataclass(frozen=True)
class DiscordMatrix:
    """A discord heatmap: ``values[row, col]`` at recorded step ``steps[col]``.

    Attributes
    ----------
    values : ndarray (rows, cols), ``d_e`` (edge rows) or ``r_e[j]²`` (coordinate rows)
    steps : ndarray (cols,) int
    times : ndarray (cols,) float, flow time of each column
    rows : DiscordRows
    example : int or None, None for the batch mean
    """

    values: np.ndarray
    steps: np.ndarray
    times: np.ndarray
    rows: DiscordRows
    example: int | None

    def value_at(self, row: int, col: int) -> float:
        return float(self.values[row, col])


class DiscordHistory:
    """Bounded record of every coordinate's squared discrepancy for every example.

    Stores ``r_e[j]²`` of shape (B, edge_size) per recorded step, so the batch mean, any
    single example, per-edge and per-coordinate views all come from one buffer. When full,
    every other column is dropped (the record keeps the whole run at half the resolution),
    and later records are thinned by the same factor.

    Parameters
    ----------
    layout : SheafLayout
    n_examples : int, B
    capacity : int, most columns kept (even); lowered so the buffer holds at most
        ``max_floats`` numbers
    """

    def __init__(self, layout: SheafLayout, n_examples: int, *, capacity: int = 512,
                 max_floats: int = 4_000_000) -> None:
        if n_examples < 1:
            raise ValueError(f"n_examples must be at least 1, got {n_examples}")
        self.layout, self.n_examples = layout, int(n_examples)
        per_col = self.n_examples * layout.edge_size
        cap = max(16, min(int(capacity), int(max_floats) // per_col))
        self.capacity = cap - cap % 2
        self._buf = np.zeros((self.capacity, self.n_examples, layout.edge_size))
        self._steps = np.zeros(self.capacity, dtype=int)
        self._times = np.zeros(self.capacity)
        self.n, self._stride, self._skip = 0, 1, 0
        self._starts = np.array([e.offset for e in layout.edges], dtype=int)

    def clear(self) -> None:
        self.n, self._stride, self._skip = 0, 1, 0

    @property
    def steps(self) -> np.ndarray:
        return self._steps[: self.n].copy()

    def record(self, step: int, network: Network, cochains: np.ndarray, *,
               time: float | None = None) -> None:
        """Record the state of a batch of cochains, shape (B, size) (or (size,) for B = 1)."""
        c = np.atleast_2d(np.asarray(cochains, dtype=float))
        if c.shape != (self.n_examples, self.layout.size):
            raise ValueError(f"cochains have shape {c.shape}, expected "
                             f"({self.n_examples}, {self.layout.size})")
        if self._skip > 0 and self.n > 0:
            self._skip -= 1
            return
        if self.n == self.capacity:
            half = self.capacity // 2
            self._buf[:half] = self._buf[0::2]
            self._steps[:half] = self._steps[0::2]
            self._times[:half] = self._times[0::2]
            self.n, self._stride = half, self._stride * 2
        r = np.concatenate(discrepancies(self.layout, network, c), axis=-1)
        self._buf[self.n] = r * r
        self._steps[self.n] = int(step)
        self._times[self.n] = float(step if time is None else time)
        self.n += 1
        self._skip = self._stride - 1

    def coordinate_values(self, *, example: int | None = None) -> np.ndarray:
        """``r_e[j]²`` per stacked edge coordinate, shape (edge_size, cols)."""
        data = self._buf[: self.n]
        if example is None:
            return data.mean(axis=1).T
        if not 0 <= int(example) < self.n_examples:
            raise IndexError(f"example {example} out of range (0..{self.n_examples - 1})")
        return data[:, int(example)].T.copy()

    def matrix(self, *, example: int | None = None, expand: bool = False) -> DiscordMatrix:
        """The heatmap data (rows of :func:`discord_rows`) for the batch mean or one example."""
        rows = discord_rows(self.layout, expand=expand)
        coords = self.coordinate_values(example=example)
        if expand:
            offsets = np.array([self.layout.edges[e].offset for e in rows.edge])
            values = coords[offsets + rows.coord]
        elif self.n == 0:
            values = np.zeros((len(rows), 0))
        else:
            values = np.add.reduceat(coords, self._starts, axis=0)[rows.edge]
        return DiscordMatrix(values, self.steps, self._times[: self.n].copy(), rows, example)


# ============================================================================================
# ReLU switching timeline
# ============================================================================================
def hidden_neurons(layout: SheafLayout) -> list[str]:
    """Names ``z1[0], …, zK[n_K−1]`` of the neurons that carry a ReLU pattern."""
    return [f"z{l}[{j}]" for l in range(1, layout.n_hidden + 1) for j in range(layout.arch[l])]


@dataclass(frozen=True)
class SwitchTimeline:
    """When each hidden neuron switched during a relaxation.

    Attributes
    ----------
    neurons : list of str, one row per hidden z neuron in path order
    initial_active : ndarray (n,) bool, σ at the start
    t_start, t_end : float, the time span of the relaxation
    row, time, t_last, count, direction, final : ndarray (m,) per event (row index, first
        and last crossing, merged crossings, first direction ±1, state after the last ±1)
    labels : list of str, :meth:`SwitchEvent.describe` per event
    """

    neurons: list
    initial_active: np.ndarray
    t_start: float
    t_end: float
    row: np.ndarray
    time: np.ndarray
    t_last: np.ndarray
    count: np.ndarray
    direction: np.ndarray
    final: np.ndarray
    labels: list

    def active_at(self, t: float) -> np.ndarray:
        """σ of every neuron at time ``t`` (inside a chatter run: after its first crossing)."""
        state = self.initial_active.copy()
        for k in np.argsort(self.time, kind="stable"):
            if self.time[k] > t:
                break
            done = t >= self.t_last[k]
            state[self.row[k]] = (self.final[k] if done else self.direction[k]) > 0
        return state

    def switch_counts(self) -> np.ndarray:
        """Total crossings per neuron, shape (n,)."""
        out = np.zeros(len(self.neurons), dtype=int)
        np.add.at(out, self.row, self.count)
        return out

    def nearest_event(self, row: int, t: float) -> int | None:
        """Index of the event of neuron ``row`` closest in time to ``t`` (None if it has none)."""
        idx = np.flatnonzero(self.row == row)
        if idx.size == 0:
            return None
        return int(idx[np.argmin(np.abs(self.time[idx] - t))])


def initial_active_from_events(events, neurons: list[str], active_now) -> np.ndarray:
    """σ at the start of a run, recovered from σ now and the run's events.

    A neuron whose first event switched it on (direction +1) was inactive before it, and
    vice versa; a neuron without events kept its state. Shape (n,) bool.
    """
    state = np.asarray(active_now, dtype=bool).reshape(-1).copy()
    where = {n: i for i, n in enumerate(neurons)}
    seen = set()
    for ev in sorted(events, key=lambda e: e.time):
        if ev.neuron in where and ev.neuron not in seen:
            seen.add(ev.neuron)
            state[where[ev.neuron]] = ev.direction < 0
    return state


def switching_timeline(events, neurons: list[str], initial_active, *, t_end: float,
                       t_start: float = 0.0) -> SwitchTimeline:
    """Build a :class:`SwitchTimeline` from a heat flow's switching events (SPEC §8).

    Parameters
    ----------
    events : list of SwitchEvent (``HeatFlow.events`` / ``RelaxResult.events``)
    neurons : list of str, the rows (usually :func:`hidden_neurons`)
    initial_active : array-like (n,) bool, σ of each row at ``t_start``
    t_end : float, the time the relaxation reached

    Raises
    ------
    ValueError
        An event names a neuron that is not a row, or ``initial_active`` has the wrong size.
    """
    neurons = list(neurons)
    initial = np.asarray(initial_active, dtype=bool).reshape(-1)
    if initial.size != len(neurons):
        raise ValueError(f"initial_active has {initial.size} entries for {len(neurons)} neurons")
    where = {n: i for i, n in enumerate(neurons)}
    missing = sorted({ev.neuron for ev in events} - set(where))
    if missing:
        raise ValueError(f"events name neurons that are not rows: {', '.join(missing)}")
    ev = list(events)
    return SwitchTimeline(
        neurons=neurons, initial_active=initial, t_start=float(t_start), t_end=float(t_end),
        row=np.array([where[e.neuron] for e in ev], dtype=int),
        time=np.array([e.time for e in ev], dtype=float),
        t_last=np.array([e.time if e.t_end is None else e.t_end for e in ev], dtype=float),
        count=np.array([e.count for e in ev], dtype=int),
        direction=np.array([e.direction for e in ev], dtype=int),
        final=np.array([e.direction if e.final is None else e.final for e in ev], dtype=int),
        labels=[e.describe() for e in ev])


# ============================================================================================
# sheaf gradient against backprop
# ============================================================================================
def sheaf_parameter_gradient(layout: SheafLayout, network: Network, cochains: np.ndarray):
    """``Σ_i ∇_θ E(c_i; θ)`` (SPEC §10): ``∇_{W_l} = Σ_i ρ_l a_{l−1}ᵀ``, ``∇_{b_l} = Σ_i ρ_l``.

    Parameters
    ----------
    cochains : ndarray (B, size) or (size,)

    Returns
    -------
    grad_w, grad_b : lists of ndarray shaped like ``network.weights`` / ``network.biases``
    """
    st = layout.split(np.atleast_2d(np.asarray(cochains, dtype=float)))
    grad_w, grad_b = [], []
    for l, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        prev = st["x" if l == 1 else f"a{l - 1}"]
        rho = prev @ w.T + b - st[f"z{l}"]
        grad_w.append(rho.T @ prev)
        grad_b.append(rho.sum(axis=0))
    return grad_w, grad_b


@dataclass(frozen=True)
class GradientComparison:
    """Per layer l = 1..K+1: the sheaf gradient g_s against the backprop gradient g_b of
    ``[W_l, b_l]`` taken together.

    Attributes
    ----------
    cosine : ndarray (L,), ``⟨g_s, g_b⟩ / (‖g_s‖‖g_b‖)`` (0 where undefined)
    ratio : ndarray (L,), ``‖g_s‖ / ‖g_b‖`` (0 where undefined)
    defined : ndarray (L,) bool, both norms positive
    sheaf_norm, backprop_norm : ndarray (L,)
    loss_kind : str, the backprop loss compared against
    """

    cosine: np.ndarray
    ratio: np.ndarray
    defined: np.ndarray
    sheaf_norm: np.ndarray
    backprop_norm: np.ndarray
    loss_kind: str


def compare_gradients(network: Network, X: np.ndarray, Y: np.ndarray, cochains: np.ndarray, *,
                      layout: SheafLayout | None = None, force: str = "energy",
                      rtol: float | None = None) -> GradientComparison:
    """Cosine and norm ratio of the sheaf gradient against backprop, per layer (SPEC §10).

    The backprop loss is the one the sheaf's output edge stands for, summed over the batch
    like the sheaf gradient: ``½ Σ_i ‖φ(z_i) − y_i‖²`` for the energy force, ``Σ_i CE`` for
    the cross-entropy force. Then at a two-sided equilibrium with small tension the two
    agree up to the sharing factor of SPEC §6 (the ratio is at most about 1).

    Parameters
    ----------
    X : ndarray (B, n0); Y : ndarray (B, n_out); cochains : ndarray (B, size), the stalks
    force : {"energy", "cross-entropy"}
    rtol : float, a layer's comparison is undefined when ``‖g_s‖ ≤ rtol·‖g_b‖`` (a sheaf
        gradient at round-off level, e.g. at the forward pass where it is exactly 0) or
        ``‖g_b‖ = 0``
    """
    layout = layout if layout is not None else SheafLayout(network.arch)
    rtol = GRADIENT_RTOL if rtol is None else float(rtol)
    X, Y = np.atleast_2d(np.asarray(X, float)), np.atleast_2d(np.asarray(Y, float))
    sw, sb = sheaf_parameter_gradient(layout, network, cochains)
    kind, scale = ("ce", 1.0) if force == "cross-entropy" else ("squared", 0.5)
    _, bw, bb = backprop(network.weights, network.biases, network.output, X, Y, kind=kind,
                         scale=scale)
    n_layers = len(sw)
    cos, ratio, ns, nb = (np.zeros(n_layers) for _ in range(4))
    for l in range(n_layers):
        gs = np.concatenate([sw[l].ravel(), sb[l]])
        gb = np.concatenate([bw[l].ravel(), bb[l]])
        ns[l], nb[l] = np.linalg.norm(gs), np.linalg.norm(gb)
        if nb[l] > 0 and ns[l] > rtol * nb[l]:
            cos[l] = float(np.clip(gs @ gb / (ns[l] * nb[l]), -1.0, 1.0))
            ratio[l] = ns[l] / nb[l]
    return GradientComparison(cos, ratio, (nb > 0) & (ns > rtol * nb), ns, nb, kind)


# ============================================================================================
# predictions on a grid
# ============================================================================================
@dataclass(frozen=True)
class PredictionGrid:
    """The learned function over the data's input range.

    Attributes
    ----------
    kind : "curve" (1-D input) or "heatmap" (2-D input)
    xs : ndarray (nx,), first input coordinate
    ys : ndarray (ny,), second input coordinate (empty for a curve)
    values : ndarray (nx, n_out) for a curve; (nx, ny) for a heatmap: ŷ of the chosen output
        (identity), P(class 1) (sigmoid), or the winning class index (softmax)
    confidence : ndarray (nx, ny), the winning class's probability (softmax), else ones
    label : str, what ``values`` is
    """

    kind: str
    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    confidence: np.ndarray
    label: str


def _span(v: np.ndarray, margin: float) -> tuple[float, float]:
    lo, hi = float(np.min(v)), float(np.max(v))
    pad = margin * max(hi - lo, 1e-6)
    return lo - pad, hi + pad


def prediction_grid(network: Network, X: np.ndarray, *, resolution: int = 96,
                    margin: float = 0.08, output_index: int = 0) -> PredictionGrid:
    """Evaluate the network on a regular grid covering the inputs ``X`` (n, n0), n0 ∈ {1, 2}.

    Raises
    ------
    ValueError
        More than two inputs (no picture of the function), or an out-of-range output index.
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    n0, n_out = network.arch[0], network.arch[-1]
    if n0 not in (1, 2):
        raise ValueError(f"the prediction view needs 1 or 2 inputs; this network takes {n0}")
    if X.shape[1] != n0 or X.shape[0] == 0:
        raise ValueError(f"data has shape {X.shape}, the network takes {n0} input(s)")
    if not 0 <= output_index < n_out:
        raise ValueError(f"output index {output_index} out of range (0..{n_out - 1})")
    xs = np.linspace(*_span(X[:, 0], margin), int(resolution))
    if n0 == 1:
        y = network.predict(xs[:, None])
        return PredictionGrid("curve", xs, np.zeros(0), y, np.ones((xs.size, 0)), "ŷ")
    ys = np.linspace(*_span(X[:, 1], margin), int(resolution))
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    p = network.predict(np.column_stack([gx.ravel(), gy.ravel()]))
    shape = gx.shape
    if network.output == "softmax":
        return PredictionGrid("heatmap", xs, ys, np.argmax(p, axis=1).reshape(shape).astype(float),
                              np.max(p, axis=1).reshape(shape), "class")
    label = "P(class 1)" if network.output == "sigmoid" else (
        "ŷ" if n_out == 1 else f"ŷ[{output_index}]")
    return PredictionGrid("heatmap", xs, ys, p[:, output_index].reshape(shape),
                          np.ones(shape), label)


# ============================================================================================
# spectrum of L_free
# ============================================================================================
@dataclass(frozen=True)
class SpectrumDetail:
    """``L_free`` at one state with its extreme modes (SPEC §11).

    Attributes
    ----------
    matrix : ndarray (n_free, n_free) or None when larger than the dense limit
    eigenvalues : ndarray, ascending
    free_labels : list of str, the neuron of each free coordinate (matrix row order)
    blocks : list of (vertex name, start, stop) row ranges of ``matrix`` per vertex
    slow_mode, fast_mode : ndarray (size,), unit λ_1 / λ_max eigenvectors in cochain
        coordinates (0 on pinned coordinates); sign fixed so the largest entry is positive
    lambda_min, lambda_max : float
    condition : float (0 when undefined, see ``condition_defined``)
    condition_defined : bool
    block_energy_min, block_energy_max : dict {vertex: fraction}
    """

    matrix: np.ndarray | None
    eigenvalues: np.ndarray
    free_labels: list
    blocks: list
    slow_mode: np.ndarray
    fast_mode: np.ndarray
    lambda_min: float
    lambda_max: float
    condition: float
    condition_defined: bool
    block_energy_min: dict
    block_energy_max: dict


def _z_out(layout: SheafLayout, c: np.ndarray) -> np.ndarray:
    return c[layout.vertex(f"z{layout.n_hidden + 1}").slice]


def _signed(v: np.ndarray) -> np.ndarray:
    return v if v[np.argmax(np.abs(v))] >= 0 else -v


def spectrum_detail(network: Network, pins: PinSet, cochain: np.ndarray, *,
                    layout: SheafLayout | None = None, dense_limit: int = 400) -> SpectrumDetail:
    """``L_free(σ(c))`` (Gauss–Newton at ``c`` for a nonlinear head) and its extreme modes.

    Dense ``eigh`` up to ``dense_limit`` free coordinates; above it the summary comes from
    :func:`spectrum_summary` and the modes from ARPACK on the sparse matrix.
    """
    import scipy.sparse.linalg as spla

    layout = layout if layout is not None else SheafLayout(network.arch)
    c = np.asarray(cochain, dtype=float)
    sigma, z_out = layout.sigma_of(c), _z_out(layout, c)
    res = pins.resolve(layout)
    free = res.free_index
    lap = free_laplacian(network, pins, sigma, layout=layout, z_out=z_out)
    if free.size == 0:
        raise ValueError("every coordinate is pinned: L_free is empty")
    if free.size <= dense_limit:
        dense = lap.toarray()
        values, vectors = np.linalg.eigh(dense)
        low, high = vectors[:, 0], vectors[:, -1]
    else:
        dense = None
        summ = spectrum_summary(network, pins, sigma, layout=layout, z_out=z_out)
        values = summ.eigenvalues
        _, low = spla.eigsh(lap, k=1, which="SA", tol=1e-8, maxiter=50 * free.size)
        _, high = spla.eigsh(lap, k=1, which="LA", tol=1e-8)
        low, high = low[:, 0], high[:, 0]
    slow, fast = np.zeros(layout.size), np.zeros(layout.size)
    slow[free], fast[free] = _signed(low), _signed(high)
    lam_min, lam_max = float(max(values[0], 0.0)), float(values[-1])
    defined = lam_min > SINGULAR_RTOL * max(lam_max, 1.0)
    blocks, start = [], 0
    for v in layout.vertices:
        n = int(np.count_nonzero((free >= v.offset) & (free < v.offset + v.dim)))
        if n:
            blocks.append((v.name, start, start + n))
        start += n

    def energy(vec):
        return {v.name: float(np.sum(vec[v.slice] ** 2)) for v in layout.vertices}

    return SpectrumDetail(
        matrix=dense, eigenvalues=np.asarray(values, dtype=float),
        free_labels=[layout.neuron_name(int(i)) for i in free], blocks=blocks,
        slow_mode=slow, fast_mode=fast, lambda_min=lam_min if defined else 0.0,
        lambda_max=lam_max, condition=lam_max / lam_min if defined else 0.0,
        condition_defined=bool(defined), block_energy_min=energy(slow),
        block_energy_max=energy(fast))


def mode_ghost(cochain: np.ndarray, mode: np.ndarray, *, amplitude: float | None = None
               ) -> np.ndarray:
    """The state displaced along an eigenmode, for a "ghost" on the drape, shape (size,).

    ``amplitude`` defaults to a quarter of the state's largest absolute value (at least
    0.25), so the ghost is visible at the drape's scale; pinned coordinates do not move.
    """
    c = np.asarray(cochain, dtype=float)
    if amplitude is None:
        amplitude = 0.25 * max(1.0, float(np.max(np.abs(c))) if c.size else 1.0)
    return c + float(amplitude) * np.asarray(mode, dtype=float)


# ============================================================================================
# the joint flow against gradient descent
# ============================================================================================
@dataclass(frozen=True)
class TrainingComparison:
    """Forward losses of the two trainings at the same recorded steps.

    Attributes
    ----------
    steps : ndarray (n,) int
    sheaf_loss, gd_loss : ndarray (n,), forward loss (MSE or mean CE, SPEC §4)
    sheaf_residual : ndarray (n,), batch-mean E of the joint flow's stalks
    gd_residual : ndarray (n,), batch-mean two-sided R of the GD weights
    sheaf_network, gd_network : Network, the final weights
    """

    steps: np.ndarray
    sheaf_loss: np.ndarray
    gd_loss: np.ndarray
    sheaf_residual: np.ndarray
    gd_residual: np.ndarray
    sheaf_network: Network
    gd_network: Network


def compare_training(network: Network, X: np.ndarray, Y: np.ndarray, *, steps: int,
                     record_every: int = 10, alpha: float = 1.0, beta: float | None = None,
                     dt: float = 0.005, lr: float | None = None, force: str = "energy"
                     ) -> TrainingComparison:
    """Train the same initial weights by the paper-mode joint flow and by full-batch GD.

    Both runs are :class:`~sheafviz.core.training.JointFlow` (modes ``"paper"`` and ``"gd"``;
    ``lr`` None → ``Δt·β·B``, the same effective rate, SPEC §10).

    Raises
    ------
    FlowDivergedError, UnstableStepError
        From the flows (the message says which and where).
    """
    from .training import JointFlow

    kw = dict(alpha=alpha, beta=beta, dt=dt, force=force, record_every=int(record_every),
              spectrum_every=1 << 40)
    sheaf = JointFlow(network, X, Y, mode="paper", **kw)
    gd = JointFlow(network, X, Y, mode="gd", lr=lr, **kw)
    sheaf.advance(int(steps))
    gd.advance(int(steps))
    hs, hg = sheaf.history, gd.history
    return TrainingComparison(np.array(hs.step), np.array(hs.train_loss),
                              np.array(hg.train_loss), np.array(hs.residual),
                              np.array(hg.residual), sheaf.network, gd.network)


# ============================================================================================
# series out of a JointFlow's TrainingHistory
# ============================================================================================
def _masked(rows) -> tuple[np.ndarray, np.ndarray]:
    rows = [list(r) for r in rows]
    width = max((len(r) for r in rows), default=0)
    values, mask = np.zeros((len(rows), width)), np.zeros((len(rows), width), dtype=bool)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if v is not None and np.isfinite(v):
                values[i, j], mask[i, j] = float(v), True
    return values, mask


def history_series(history) -> dict:
    """Arrays for the plots from a :class:`~sheafviz.core.trainmetrics.TrainingHistory`.

    Returns
    -------
    dict with
    "step" (n,), "train_loss" (n,), "residual" (n,);
    "grad_cosine", "grad_ratio" (n, L) with masks "grad_cosine_defined", "grad_ratio_defined";
    "spectrum_step" (m,), "lambda_min", "lambda_max", "condition" (m, 3) as
    (median, q25, q75) columns, with "condition_defined" (m,) bool
    """
    cos, cos_ok = _masked(history.grad_cosine)
    ratio, ratio_ok = _masked(history.grad_norm_ratio)
    # a sheaf gradient at round-off level (exactly 0 in theory, e.g. at the forward pass)
    # has no direction: the same rule as compare_gradients' rtol
    if ratio.shape == cos.shape:
        noise = ratio_ok & (ratio <= GRADIENT_RTOL)
        cos_ok &= ~noise
        ratio_ok &= ~noise
    out = {"step": np.asarray(history.step, dtype=float),
           "train_loss": np.asarray(history.train_loss, dtype=float),
           "residual": np.asarray(history.residual, dtype=float),
           "grad_cosine": cos, "grad_cosine_defined": cos_ok,
           "grad_ratio": ratio, "grad_ratio_defined": ratio_ok,
           "spectrum_step": np.asarray(history.spectrum_step, dtype=float)}
    for key in ("lambda_min", "lambda_max", "condition"):
        vals, ok = _masked(getattr(history, key))
        out[key] = vals.reshape(-1, 3) if vals.size else np.zeros((0, 3))
        if key == "condition":
            out["condition_defined"] = ok.all(axis=1) if ok.size else np.zeros(0, dtype=bool)
    return out


class TrainingMonitor:
    """Records over training what a JointFlow's ``TrainingHistory`` holds, for a flow that
    was created with recording off (the GUI's flows): per-layer gradient comparison and
    λ_1 / λ_max / κ statistics across a fixed subsample of inputs.

    The spectrum follows :func:`~sheafviz.core.trainmetrics.free_lambdas` (x pinned, σ of the
    forward pass: the inference Laplacian), like the CLI's history. :meth:`series` returns
    the dictionary of :func:`history_series`.

    Parameters
    ----------
    n_inputs : int, the batch size B; spectrum_subsample : int; seed : int (the subsample)
    """

    def __init__(self, n_inputs: int, *, spectrum_subsample: int = 16, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        k = min(int(spectrum_subsample), int(n_inputs))
        self.subsample = np.sort(rng.choice(int(n_inputs), size=k, replace=False))
        self._g_step, self._cos, self._ratio, self._loss = [], [], [], []
        self._s_step, self._lmin, self._lmax, self._cond = [], [], [], []

    def record_gradients(self, step: float, network: Network, X, Y, cochains, *,
                         force: str = "energy") -> GradientComparison:
        g = compare_gradients(network, X, Y, cochains, force=force)
        self._g_step.append(float(step))
        self._cos.append([float(c) if ok else None for c, ok in zip(g.cosine, g.defined)])
        self._ratio.append([float(r) if ok else None for r, ok in zip(g.ratio, g.defined)])
        self._loss.append(forward_loss(network.weights, network.biases, network.output,
                                       np.atleast_2d(X), np.atleast_2d(Y)))
        return g

    def record_spectrum(self, step: float, network: Network, X) -> None:
        from .trainmetrics import free_lambdas, median_spread

        X = np.atleast_2d(X)
        pairs = np.array([free_lambdas(network.weights, network.biases, network.output, X[i])
                          for i in self.subsample])
        lmin, lmax = pairs[:, 0], pairs[:, 1]
        self._s_step.append(float(step))
        self._lmin.append(median_spread(lmin))
        self._lmax.append(median_spread(lmax))
        singular = lmin <= SINGULAR_RTOL * np.maximum(lmax, 1.0)
        self._cond.append(None if singular.any() else median_spread(lmax / lmin))

    def series(self) -> dict:
        """The arrays of :func:`history_series` (no "residual": zeros)."""
        from types import SimpleNamespace

        cond = [c if c is not None else (None, None, None) for c in self._cond]
        h = SimpleNamespace(step=self._g_step, train_loss=self._loss,
                            residual=[0.0] * len(self._g_step), grad_cosine=self._cos,
                            grad_norm_ratio=self._ratio, spectrum_step=self._s_step,
                            lambda_min=self._lmin, lambda_max=self._lmax, condition=cond)
        return history_series(h)
