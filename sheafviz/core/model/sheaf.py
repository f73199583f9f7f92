"""The neural sheaf on the path graph ``x — z1 — a1 — … — z{K+1} — y``.

A *cochain* is one flat float vector holding every stalk in vertex order; ``SheafLayout``
says where each vertex and each neuron lives in it. Every edge ``k`` joins vertex ``k``
(tail) to vertex ``k+1`` (head) and, with the activation pattern σ fixed, its discrepancy is
affine: ``r_k = c_head − T_k c_tail − g_k``. That single form covers the three edge types:

==========  ===================  =============  ==========
edge        T_k                  g_k            parameters
==========  ===================  =============  ==========
``aff{l}``  ``W_l``              ``b_l``        W_l, b_l
``relu{l}`` ``diag(σ_l)``        0              none
``out``     ``J_φ(z0)``          ``φ(z0) − J_φ(z0) z0``  none
==========  ===================  =============  ==========

(the ``out`` row is exact for the identity head and the Gauss–Newton linearisation at
``z0`` otherwise).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.network import Network, phi, phi_jacobian, relu_pattern

EDGE_TYPES = ("affine", "relu", "output")

_NEURON_RE = re.compile(r"^\s*([A-Za-z]+\d*)\s*(?:\[\s*(-?\d+)\s*\])?\s*$")


@dataclass(frozen=True)
class Vertex:
    """One vertex of the path graph: its name, stalk dimension and offset in a cochain."""

    name: str
    dim: int
    offset: int
    position: int  #: index along the path, 0 for x

    @property
    def slice(self) -> slice:
        return slice(self.offset, self.offset + self.dim)


@dataclass(frozen=True)
class Edge:
    """One edge of the path graph (oriented tail → head in forward order)."""

    name: str
    type: str  #: "affine", "relu" or "output"
    layer: int  #: l for aff{l} and relu{l}; K+1 for out
    tail: str
    head: str
    dim: int  #: dimension of the discrepancy (= the head's stalk)
    offset: int  #: offset of this edge's rows in a stacked discrepancy vector
    position: int  #: index k of the edge; it joins vertices k and k+1

    @property
    def slice(self) -> slice:
        return slice(self.offset, self.offset + self.dim)


class SheafLayout:
    """Vertex and edge bookkeeping for an architecture ``[n0, ..., nK+1]``.

    Attributes
    ----------
    vertices : list of Vertex, in path order ``x, z1, a1, ..., z{K+1}, y``
    edges : list of Edge, in path order ``aff1, relu1, ..., aff{K+1}, out``
    size : int, length of a cochain vector
    edge_size : int, length of the stacked discrepancy vector
    """

    def __init__(self, arch) -> None:
        arch = tuple(int(n) for n in arch)
        self.arch = arch
        k_hidden = len(arch) - 2
        names_dims = [("x", arch[0])]
        for l in range(1, k_hidden + 1):
            names_dims += [(f"z{l}", arch[l]), (f"a{l}", arch[l])]
        names_dims += [(f"z{k_hidden + 1}", arch[-1]), ("y", arch[-1])]
        offset = 0
        self.vertices: list[Vertex] = []
        for position, (name, dim) in enumerate(names_dims):
            self.vertices.append(Vertex(name, dim, offset, position))
            offset += dim
        self.size = offset
        self._by_name = {v.name: v for v in self.vertices}

        self.edges: list[Edge] = []
        offset = 0
        for k in range(len(self.vertices) - 1):
            tail, head = self.vertices[k], self.vertices[k + 1]
            if head.name == "y":
                name, etype, layer = "out", "output", k_hidden + 1
            elif head.name.startswith("z"):
                layer = int(head.name[1:])
                name, etype = f"aff{layer}", "affine"
            else:
                layer = int(head.name[1:])
                name, etype = f"relu{layer}", "relu"
            self.edges.append(Edge(name, etype, layer, tail.name, head.name, head.dim,
                                   offset, k))
            offset += head.dim
        self.edge_size = offset
        self._edge_by_name = {e.name: e for e in self.edges}

    # -- names ------------------------------------------------------------------------
    @property
    def n_hidden(self) -> int:
        return len(self.arch) - 2

    @property
    def vertex_names(self) -> list[str]:
        return [v.name for v in self.vertices]

    def vertex(self, name: str) -> Vertex:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"unknown vertex {name!r}; the vertices are "
                           f"{', '.join(self.vertex_names)}") from None

    def edge(self, name: str) -> Edge:
        try:
            return self._edge_by_name[name]
        except KeyError:
            raise KeyError(f"unknown edge {name!r}; the edges are "
                           f"{', '.join(e.name for e in self.edges)}") from None

    def index(self, name: str, i: int) -> int:
        """Flat cochain index of neuron ``name[i]``; raise KeyError / IndexError if invalid."""
        v = self.vertex(name)
        if not 0 <= i < v.dim:
            raise IndexError(f"{name}[{i}] is out of range: {name} has {v.dim} "
                             f"coordinate{'s' if v.dim != 1 else ''} (0..{v.dim - 1})")
        return v.offset + i

    def parse_neuron(self, text: str) -> tuple[str, int | None]:
        """Parse ``"a1[2]"`` → ("a1", 2) or ``"y"`` → ("y", None); validate both parts."""
        match = _NEURON_RE.match(text)
        if not match:
            raise KeyError(f"cannot read {text!r} as a vertex (like a1) or a neuron "
                           f"(like a1[0])")
        name, idx = match.group(1), match.group(2)
        self.vertex(name)
        if idx is None:
            return name, None
        self.index(name, int(idx))
        return name, int(idx)

    def neuron_name(self, flat_index: int) -> str:
        """``"a1[2]"`` for a flat cochain index."""
        for v in self.vertices:
            if v.offset <= flat_index < v.offset + v.dim:
                return f"{v.name}[{flat_index - v.offset}]"
        raise IndexError(f"cochain index {flat_index} out of range (size {self.size})")

    # -- cochains ---------------------------------------------------------------------
    def split(self, c: np.ndarray) -> dict[str, np.ndarray]:
        """Views of a cochain per vertex: ``{name: c[..., slice]}`` (works on batches)."""
        return {v.name: c[..., v.slice] for v in self.vertices}

    def join(self, stalks: dict[str, np.ndarray]) -> np.ndarray:
        """Inverse of :meth:`split` for one cochain."""
        c = np.empty(self.size)
        for v in self.vertices:
            c[v.slice] = stalks[v.name]
        return c

    def hidden_z(self, c: np.ndarray, l: int) -> np.ndarray:
        """z_l of a cochain (l = 1..K+1)."""
        return c[..., self.vertex(f"z{l}").slice]

    def sigma_of(self, c: np.ndarray) -> list[np.ndarray]:
        """The activation pattern of a cochain's own z stalks, one array per layer."""
        return [relu_pattern(self.hidden_z(c, l)) for l in range(1, self.n_hidden + 1)]

    def forward_cochain(self, network: Network, x: np.ndarray) -> np.ndarray:
        """The forward pass laid out as a cochain (zero energy)."""
        fp = network.forward(x)
        c = np.empty(self.size)
        c[self.vertex("x").slice] = fp.x
        for l, z in enumerate(fp.z, start=1):
            c[self.vertex(f"z{l}").slice] = z
        for l, a in enumerate(fp.a, start=1):
            c[self.vertex(f"a{l}").slice] = a
        c[self.vertex("y").slice] = fp.y
        return c


# -- restriction maps and the coboundary ------------------------------------------------
def edge_maps(layout: SheafLayout, network: Network, sigma, *, z_out=None):
    """The affine edge maps ``(T_k, g_k)`` for a fixed activation pattern.

    Parameters
    ----------
    sigma : list of ndarray, one 0/1 array of shape (n_l,) per hidden layer
    z_out : ndarray, shape (nK+1,), optional
        Linearisation point of a nonlinear output head (required unless it is identity).

    Returns
    -------
    list of (ndarray (d_head, d_tail), ndarray (d_head,)), one pair per edge in path order.
    """
    maps = []
    for edge in layout.edges:
        if edge.type == "affine":
            maps.append((network.weights[edge.layer - 1], network.biases[edge.layer - 1]))
        elif edge.type == "relu":
            maps.append((np.diag(np.asarray(sigma[edge.layer - 1], dtype=float)),
                         np.zeros(edge.dim)))
        elif network.output == "identity":
            maps.append((np.eye(edge.dim), np.zeros(edge.dim)))
        else:
            if z_out is None:
                raise ValueError("a nonlinear output head needs a linearisation point z_out")
            jac = phi_jacobian(np.asarray(z_out, dtype=float), network.output)
            maps.append((jac, phi(z_out, network.output) - jac @ z_out))
    return maps


def coboundary(layout: SheafLayout, network: Network, sigma, *, z_out=None):
    """The coboundary ``δ(σ)`` and the offset ``g`` with ``r = δ c − g``.

    Returns
    -------
    delta : scipy.sparse.csr_matrix, shape (edge_size, size)
        Block bidiagonal: ``+I`` on each edge's head, ``−T_k`` on its tail.
    g : ndarray, shape (edge_size,)
    """
    import scipy.sparse as sp  # lazily: scipy costs ~0.2 s of the GUI's start-up

    blocks = [[None] * len(layout.vertices) for _ in layout.edges]
    g = np.empty(layout.edge_size)
    for edge, (t_map, offset) in zip(layout.edges, edge_maps(layout, network, sigma,
                                                              z_out=z_out)):
        k = edge.position
        blocks[k][k] = sp.csr_matrix(-t_map)
        blocks[k][k + 1] = sp.identity(edge.dim, format="csr")
        g[edge.slice] = offset
    return sp.block_array(blocks, format="csr"), g


def laplacian(layout: SheafLayout, network: Network, sigma, *, z_out=None):
    """The sheaf Laplacian ``L(σ) = δᵀδ`` (sparse, block tridiagonal), shape (size, size)."""
    delta, _ = coboundary(layout, network, sigma, z_out=z_out)
    return (delta.T @ delta).tocsr()


# -- discrepancies and energy on the true (state-dependent σ) sheaf --------------------------
def discrepancies(layout: SheafLayout, network: Network, c: np.ndarray) -> list[np.ndarray]:
    """Exact discrepancies ``r_e`` with σ read off the cochain itself.

    Parameters
    ----------
    c : ndarray, shape (size,) or (B, size)

    Returns
    -------
    list of ndarray, one per edge in path order, each of shape (..., d_e)
    """
    stalks = layout.split(c)
    out = []
    for edge in layout.edges:
        tail, head = stalks[edge.tail], stalks[edge.head]
        if edge.type == "affine":
            w, b = network.weights[edge.layer - 1], network.biases[edge.layer - 1]
            out.append(head - tail @ w.T - b)
        elif edge.type == "relu":
            out.append(head - np.maximum(tail, 0.0))
        else:
            out.append(head - phi(tail, network.output))
    return out


def discords(layout: SheafLayout, network: Network, c: np.ndarray) -> np.ndarray:
    """Per-edge discord ``d_e = ‖r_e‖²`` (no ½), shape (n_edges,) or (B, n_edges)."""
    return np.stack([np.sum(r * r, axis=-1) for r in discrepancies(layout, network, c)],
                    axis=-1)


def energy(layout: SheafLayout, network: Network, c: np.ndarray) -> np.ndarray | float:
    """Dirichlet energy ``E = ½ Σ_e d_e`` (a float, or shape (B,) for a batch)."""
    total = 0.5 * np.sum(discords(layout, network, c), axis=-1)
    return float(total) if np.ndim(total) == 0 else total


def group_discords(layout: SheafLayout, d: np.ndarray) -> dict:
    """Discords summed per type and per layer (affine / relu / output, and layer by layer).

    Parameters
    ----------
    d : ndarray, shape (n_edges,) — per-edge discords

    Returns
    -------
    dict with keys "by_type" {type: float} and "by_layer" {layer: float}
    """
    by_type = {t: 0.0 for t in EDGE_TYPES}
    by_layer: dict[int, float] = {}
    for edge, value in zip(layout.edges, d):
        by_type[edge.type] += float(value)
        by_layer[edge.layer] = by_layer.get(edge.layer, 0.0) + float(value)
    return {"by_type": by_type, "by_layer": by_layer}
