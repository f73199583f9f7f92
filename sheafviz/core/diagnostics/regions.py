"""The activation-region map of the input plane: exact polygons of constant forward pattern.

In a 2-D plane of inputs ``x = origin + u·d₁ + v·d₂`` (the input space itself for 2-D
inputs, see :class:`~sheafviz.core.diagnostics.planar.PlaneSlice`) every pre-activation is
piecewise affine in ``p = (u, v)``. Within a region where the patterns of layers 1..l are
fixed, ``z_{l+1} = A p + c`` is affine, so its neurons' zero sets are straight lines there:

* layer 1: the arrangement of the lines ``W₁[j]·x + b₁[j] = 0``, clipped to the box;
* deeper layers: every region of layers 1..l is split by the lines of layer l+1 *restricted
  to that region* (``A = W_{l+1} diag(σ_l) A_l``, ``c = W_{l+1}(σ_l ⊙ c_l) + b_{l+1}``).

Each region is an intersection of half-planes, hence a convex polygon, and no two regions
share a pattern. The pattern rule is that of SPEC §3 (``z ≥ 0`` is active); regions are open
cells, so the rule only matters on their boundaries, which have no area.

The number of regions can grow quickly with width and depth. A cap stops the refinement:
the map then keeps the last layer that was refined completely (``depth < K``) and says so
in ``message`` — a partial map, never a wrong one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.diagnostics import planar
from sheafviz.core.diagnostics.planar import PlaneSlice
from sheafviz.core.model.network import Network

#: Default cap on the number of regions (a view redraws thousands of polygons comfortably).
DEFAULT_MAX_REGIONS = 5000


@dataclass(frozen=True)
class Region:
    """One cell of constant forward pattern.

    Attributes
    ----------
    polygon : ndarray (m, 2), convex, counter-clockwise, in plane coordinates
    sigma : tuple of ndarray, the 0/1 pattern of hidden layers 1..depth, shapes (n_l,)
    maps : tuple of (A, c), ``z_l = A p + c`` on this region for l = 1..depth+1,
        A of shape (n_l, 2), c of shape (n_l,) (l = K+1 is the output pre-activation)
    area : float
    """

    polygon: np.ndarray
    sigma: tuple
    maps: tuple
    area: float

    @property
    def key(self) -> bytes:
        """The pattern as bytes (unique within a map)."""
        return b"".join(np.asarray(s, dtype=np.uint8).tobytes() for s in self.sigma)

    @property
    def centroid(self) -> np.ndarray:
        """The vertex mean (2,), an interior point of the convex polygon."""
        return self.polygon.mean(axis=0)


@dataclass(frozen=True)
class RegionMap:
    """The regions of a box in a plane of inputs.

    Attributes
    ----------
    regions : list of Region
    box : tuple (u_min, u_max, v_min, v_max)
    plane : PlaneSlice
    depth : int, the hidden layers whose lines were applied (K for a complete map)
    n_hidden : int, K
    capped : bool, the region cap stopped the refinement (then ``depth < K``)
    message : str, "" or a sentence saying what the cap left out
    """

    regions: list
    box: tuple
    plane: PlaneSlice
    depth: int
    n_hidden: int
    capped: bool
    message: str

    @property
    def complete(self) -> bool:
        return self.depth == self.n_hidden

    def region_of(self, point) -> int | None:
        """Index of the region holding a point (2,) in plane coordinates; None outside the box.

        A point on a boundary gets the region whose pattern (by SPEC §3's rule ``z ≥ 0``)
        it has, or else any region whose closure holds it.
        """
        point = np.asarray(point, dtype=float).reshape(2)
        u0, u1, v0, v1 = self.box
        if not (u0 <= point[0] <= u1 and v0 <= point[1] <= v1):
            return None
        key = _pattern_at(self, point)
        for i, region in enumerate(self.regions):
            if region.key == key:
                return i
        tol = 1e-9 * planar.scale_of(np.array([[u0, v0], [u1, v1]]))
        for i, region in enumerate(self.regions):
            if planar.contains(region.polygon, point[None, :], tol=tol)[0]:
                return i
        return None

    def region_of_input(self, x) -> int | None:
        """:meth:`region_of` for an input (n0,) (projected onto the plane)."""
        return self.region_of(self.plane.to_plane(np.asarray(x, dtype=float)))


def _pattern_at(region_map: RegionMap, point: np.ndarray) -> bytes | None:
    """The forward pattern (layers 1..depth) at a plane point, as bytes.

    Read off the regions' own affine maps: the map of z_l depends only on the patterns of
    layers before l, so it is shared by every region that agrees with the point so far.
    """
    candidates, parts = region_map.regions, []
    for l in range(region_map.depth):
        a, c = candidates[0].maps[l]
        sigma = (a @ point + c >= 0).astype(np.uint8)
        parts.append(sigma.tobytes())
        candidates = [r for r in candidates if np.array_equal(r.sigma[l], sigma)]
        if not candidates:
            return None
    return b"".join(parts)


def activation_regions(network: Network, box, *, plane: PlaneSlice | None = None,
                       max_regions: int = DEFAULT_MAX_REGIONS) -> RegionMap:
    """Exact polygons of constant forward activation pattern in a box of a plane.

    Parameters
    ----------
    network : Network
    box : (u_min, u_max, v_min, v_max), in plane coordinates
    plane : PlaneSlice, optional; required unless the network has 2 inputs
    max_regions : int ≥ 1, stop refining (and say so) when a layer would exceed it

    Returns
    -------
    RegionMap
    """
    plane = _plane_for(network, plane)
    if int(max_regions) < 1:
        raise ValueError(f"max_regions must be at least 1, got {max_regions}")
    box = planar.check_box(box)
    a1, c1 = plane.pull_back(network.weights[0], network.biases[0])
    box_area = (box[1] - box[0]) * (box[3] - box[2])
    regions = [Region(planar.box_polygon(box), (), ((a1, c1),), box_area)]
    depth, message = 0, ""
    for l in range(1, network.n_hidden + 1):
        refined = _refine_layer(regions, network, l, int(max_regions))
        if refined is None:
            message = (f"region cap {int(max_regions)} reached in hidden layer {l}: "
                       + (f"the map shows the regions of layers 1..{depth} only" if depth
                          else "the map shows the whole box as one region"))
            break
        regions, depth = refined, l
    return RegionMap(regions=regions, box=box, plane=plane, depth=depth,
                     n_hidden=network.n_hidden, capped=depth < network.n_hidden,
                     message=message)


def _plane_for(network: Network, plane: PlaneSlice | None) -> PlaneSlice:
    n0 = network.arch[0]
    if plane is None:
        if n0 != 2:
            raise ValueError(f"the network has {n0} inputs: give a plane (origin and two "
                             f"directions) to slice its input space")
        return PlaneSlice.identity()
    if plane.origin.size != n0:
        raise ValueError(f"the plane lives in R^{plane.origin.size}, the network takes "
                         f"{n0} inputs")
    return plane


def _refine_layer(regions, network: Network, l: int, cap: int):
    """Split every region by the lines of hidden layer l; None when the cap is exceeded."""
    out = []
    for region in regions:
        a, c = region.maps[-1]
        # Most lines miss a given region: settle those neurons from the vertex signs at once
        # and split only by the lines that cross it (snapping as planar.split does).
        values = region.polygon @ a.T + c
        tol = planar.LINE_RTOL * planar.scale_of(region.polygon) * \
            np.maximum(1.0, np.maximum(np.abs(a).sum(axis=1), np.abs(c)))
        values = np.where(np.abs(values) <= tol, 0.0, values)
        sigma = (values.min(axis=0) >= 0).astype(float)
        pieces = [(region.polygon, sigma)]
        for j in np.flatnonzero((values.min(axis=0) < 0) & (values.max(axis=0) > 0)):
            pieces = _split_pieces(pieces, a[j], c[j], j)
        for polygon, sigma in pieces:
            out.append(_child(region, polygon, sigma, network, l))
            if len(out) > cap:
                return None
    return out


def _split_pieces(pieces, a_j, c_j, j):
    """Split each (polygon, σ) by the line of neuron j, setting σ[j] on each side."""
    out = []
    for polygon, sigma in pieces:
        positive, negative = planar.split(polygon, a_j, c_j)
        for part, value in ((positive, 1.0), (negative, 0.0)):
            if part is not None:
                s = sigma.copy()
                s[j] = value
                out.append((part, s))
    return out


def _child(region: Region, polygon, sigma, network: Network, l: int) -> Region:
    """The sub-region with layer l's pattern σ, and the affine map of z_{l+1} on it."""
    a, c = region.maps[-1]
    w, b = network.weights[l], network.biases[l]
    next_map = (w @ (sigma[:, None] * a), w @ (sigma * c) + b)
    return Region(polygon, region.sigma + (sigma,), region.maps + (next_map,),
                  planar.area(polygon))
