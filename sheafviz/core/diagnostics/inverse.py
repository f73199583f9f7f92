"""Inverse questions in the input plane (SPEC §15): which inputs reach the pinned values?

With ``y`` and possibly hidden coordinates pinned and ``x`` free, an input *reaches the
pins* when its forward pass has exactly the pinned values there (zero energy). Within one
activation region (see :mod:`.regions`) every pre-activation is affine in the plane
coordinates ``p``, ``z_l = A_l p + c_l``, so each pin is a linear equation in ``p`` or no
condition at all:

* ``z_l[i] = v``: ``A_l[i]·p = v − c_l[i]``;
* ``a_l[i] = v``: where the neuron is active, the same equation on z_l[i]; where it is
  inactive, ``a_l[i] = 0`` always — no condition when v = 0, unreachable otherwise;
* ``y[i] = v``: the equation on ``z_{K+1}`` through the inverse head — identity:
  ``z = v``; sigmoid: ``z = log(v / (1 − v))`` for 0 < v < 1; softmax (the whole stalk
  pinned to a probability vector): ``z_i − z_0 = log(v_i / v_0)``.

The equations of a region have rank 0, 1 or 2: the family meets the region in the whole
polygon, a segment (the line clipped to the polygon) or a single point — exact pieces.
Over all regions these pieces are the family, a curve or region of the input plane.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.diagnostics import planar
from sheafviz.core.diagnostics.planar import PlaneSlice
from sheafviz.core.diagnostics.regions import DEFAULT_MAX_REGIONS, RegionMap, activation_regions
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

#: Relative tolerance of "the pins' equations are consistent" and of duplicate points.
CONSISTENT_RTOL = 1e-10
PIECE_KINDS = ("point", "segment", "polygon")


@dataclass(frozen=True)
class FamilyPiece:
    """One exact piece of the family, inside one activation region.

    Attributes
    ----------
    kind : {"point", "segment", "polygon"}
    vertices : ndarray (k, 2) in plane coordinates: k = 1 (point), 2 (end points), or the
        convex polygon's vertices (counter-clockwise)
    region : int, index of the region in ``InverseFamily.region_map.regions``
    """

    kind: str
    vertices: np.ndarray
    region: int

    def nearest(self, point: np.ndarray) -> np.ndarray:
        """The point (2,) of this piece nearest ``point`` (2,)."""
        if self.kind == "point":
            return self.vertices[0].copy()
        if self.kind == "segment":
            return planar.nearest_on_segment(self.vertices, point)
        return planar.nearest_on_polygon(self.vertices, point)


@dataclass(frozen=True)
class NearestPoint:
    """Where a click lands on the family.

    Attributes
    ----------
    point : ndarray (2,), plane coordinates
    x : ndarray (n0,), the input there (pin x to this)
    distance : float, from the click, in plane coordinates
    piece : int, index into ``InverseFamily.pieces``
    """

    point: np.ndarray
    x: np.ndarray
    distance: float
    piece: int


@dataclass(frozen=True)
class InverseFamily:
    """The inputs (within a box of a plane) whose forward pass has the pinned values.

    Attributes
    ----------
    pieces : list of FamilyPiece (empty when no input in the box reaches the pins)
    region_map : RegionMap, the activation regions the pieces live in
    complete : bool, False when the region cap stopped the map (then ``pieces`` is empty)
    message : str, "" or why the family is not shown
    """

    pieces: list
    region_map: RegionMap
    complete: bool
    message: str

    @property
    def plane(self) -> PlaneSlice:
        return self.region_map.plane

    def nearest(self, point) -> NearestPoint | None:
        """The point of the family nearest a clicked point (2,) of the plane; None if empty."""
        point = np.asarray(point, dtype=float).reshape(2)
        best = None
        for i, piece in enumerate(self.pieces):
            cand = piece.nearest(point)
            dist = float(np.hypot(*(cand - point)))
            if best is None or dist < best.distance:
                best = NearestPoint(cand, self.plane.to_input(cand), dist, i)
        return best


def inverse_family(network: Network, pins: PinSet, box, *, plane: PlaneSlice | None = None,
                   max_regions: int = DEFAULT_MAX_REGIONS,
                   region_map: RegionMap | None = None) -> InverseFamily:
    """The family of inputs reaching the hard pins, as exact pieces in a box of a plane.

    Parameters
    ----------
    network : Network
    pins : PinSet, hard pins on ``y`` and/or hidden coordinates; ``x`` must be free
    box : (u_min, u_max, v_min, v_max), plane coordinates
    plane : PlaneSlice, optional; required unless the network has 2 inputs
    max_regions : int, the region cap of :func:`~.regions.activation_regions`
    region_map : RegionMap, optional, a complete map of the same network, box and plane to
        reuse (the region view has usually built it already)

    Returns
    -------
    InverseFamily
    """
    layout = SheafLayout(network.arch)
    equations = _pin_equations(layout, network, pins)
    if region_map is None:
        region_map = activation_regions(network, box, plane=plane, max_regions=max_regions)
    if not region_map.complete:
        return InverseFamily([], region_map, False,
                             region_map.message + "; the inverse family needs every layer")
    pieces = []
    for index, region in enumerate(region_map.regions):
        piece = _piece_in_region(region, equations)
        if piece is not None:
            pieces.append(FamilyPiece(piece[0], piece[1], index))
    return InverseFamily(_without_duplicate_points(pieces), region_map, True, "")


@dataclass(frozen=True)
class _Equation:
    """Pins as ``coef @ z_layer = rhs``; ``gate`` (l, i) is the hidden neuron an ``a`` pin
    needs active (inactive: the pin holds iff ``value`` is 0); ``unreachable`` for a value
    the output head never takes."""

    layer: int
    coef: np.ndarray
    rhs: np.ndarray
    gate: tuple | None = None
    value: float = 0.0
    unreachable: bool = False


def _pin_equations(layout: SheafLayout, network: Network, pins: PinSet) -> list:
    """Validate the pins and turn them into :class:`_Equation` s."""
    if pins.soft:
        raise ValueError("the inverse family takes hard pins only; "
                         f"soft pins on {', '.join(f'{n}[{i}]' for n, i in sorted(pins.soft))}")
    if any(name == "x" for name, _ in pins.hard):
        raise ValueError("the inverse family needs x free; unpin the input first")
    if not pins.hard:
        raise ValueError("pin y or a hidden coordinate to ask which inputs reach it")
    pins.resolve(layout)
    eqs, y_pins = [], {}
    for (name, i), value in sorted(pins.hard.items()):
        if name == "y":
            y_pins[i] = value
            continue
        row = np.zeros((1, layout.vertex(name).dim))
        row[0, i] = 1.0
        gate = (int(name[1:]), i) if name.startswith("a") else None
        eqs.append(_Equation(int(name[1:]), row, np.array([value]), gate, value))
    if y_pins:
        eqs.append(_output_equation(network, y_pins))
    return eqs


def _output_equation(network: Network, y_pins: dict) -> _Equation:
    """The pins on y as linear equations on z_{K+1} through the inverse head."""
    k1, n_out = network.n_hidden + 1, network.arch[-1]
    idx = sorted(y_pins)
    vals = np.array([y_pins[i] for i in idx])
    never = _Equation(k1, np.zeros((0, n_out)), np.zeros(0), unreachable=True)
    if network.output == "identity":
        return _Equation(k1, np.eye(n_out)[idx], vals)
    if network.output == "sigmoid":
        if np.any(vals <= 0) or np.any(vals >= 1):
            return never
        return _Equation(k1, np.eye(n_out)[idx], np.log(vals / (1 - vals)))
    if len(idx) != n_out:
        raise ValueError("a softmax output reaches a pinned value only as a whole: pin every "
                         "coordinate of y (a probability vector) for the inverse family")
    if np.any(vals <= 0) or abs(vals.sum() - 1.0) > 1e-9:
        return never
    return _Equation(k1, np.eye(n_out)[1:] - np.eye(n_out)[0], np.log(vals[1:] / vals[0]))


def _piece_in_region(region, equations):
    """``(kind, vertices)`` of the family inside one region, or None."""
    rows, rhs = [np.zeros((0, 2))], [np.zeros(0)]
    for eq in equations:
        if eq.unreachable:
            return None
        if eq.gate is not None and region.sigma[eq.gate[0] - 1][eq.gate[1]] == 0:
            if eq.value != 0.0:
                return None  # an inactive neuron's a is 0, never the pinned value
            continue
        if eq.gate is not None and eq.value == 0.0:
            # Active, a = z > 0 inside; its zero set is the region's edge, which the closed
            # polygon of the inactive neighbour already holds.
            return None
        a_map, c_map = region.maps[eq.layer - 1]
        rows.append(eq.coef @ a_map)
        rhs.append(eq.rhs - eq.coef @ c_map)
    return _solve_in_polygon(region.polygon, np.vstack(rows), np.concatenate(rhs))


def _solve_in_polygon(polygon, m, r):
    """The solutions of ``m p = r`` (k, 2) inside a convex polygon: point, segment, polygon."""
    scale = planar.scale_of(polygon)
    tol = CONSISTENT_RTOL * max(1.0, float(np.max(np.abs(r), initial=0.0)),
                                float(np.max(np.abs(m), initial=0.0)) * scale)
    if m.shape[0] == 0:
        return "polygon", polygon
    u, sv, vt = np.linalg.svd(m)
    rank = int(np.sum(sv > CONSISTENT_RTOL * max(1.0, sv[0])))
    if rank == 0:
        return ("polygon", polygon) if np.max(np.abs(r)) <= tol else None
    p0 = np.linalg.lstsq(m, r, rcond=None)[0]
    if np.max(np.abs(m @ p0 - r)) > tol:
        return None  # the pins contradict each other here
    if rank == 2:
        inside = planar.contains(polygon, p0[None, :], tol=CONSISTENT_RTOL * scale)[0]
        return ("point", p0[None, :]) if inside else None
    normal = vt[0]
    segment = planar.clip_line(polygon, normal, -float(normal @ p0))
    if segment is None:
        return None
    if np.max(np.abs(segment[1] - segment[0])) <= CONSISTENT_RTOL * scale:
        return "point", segment[:1]  # the line only touches the region at a corner
    return "segment", segment


def _without_duplicate_points(pieces: list) -> list:
    """Drop a point piece that repeats an earlier one (a point on a shared region edge)."""
    kept, seen = [], []
    for piece in pieces:
        if piece.kind == "point":
            p = piece.vertices[0]
            tol = CONSISTENT_RTOL * max(1.0, float(np.max(np.abs(p))))
            if any(np.max(np.abs(p - q)) <= 1e3 * tol for q in seen):
                continue
            seen.append(p)
        kept.append(piece)
    return kept
