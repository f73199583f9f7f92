"""Discord space–time matrices: one row per edge (or edge coordinate), one column per step.

:class:`DiscordHistory` records ``r_e[j]²`` of every example at every recorded step;
:meth:`DiscordHistory.matrix` turns it into a :class:`DiscordMatrix` (rows in the order of
:func:`discord_rows`) for the batch mean or one example. A row of an edge is the sum of its
coordinate rows and ``Σ_e d_e = 2E``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.network import Network
from sheafviz.core.model.sheaf import SheafLayout, discrepancies
from sheafviz.core.flows.thinning import keep_every_other


@dataclass(frozen=True)
class DiscordRows:
    """The rows of a discord heatmap, in path order (see :func:`discord_rows`).

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
    """Row order of the heatmap: the edges in path order (aff1, relu1, aff2, …, out), the
    order of the graph, the drape and the discord bars, so a row reads as the same edge in
    every panel.

    With ``expand`` each edge becomes one row per coordinate (neuron of its head stalk).
    """
    labels, edge, coord, types, layers = [], [], [], [], []
    for e in sorted(layout.edges, key=lambda e: e.position):
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
            self.n = keep_every_other([self._buf, self._steps, self._times], self.n)
            self._stride *= 2
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
