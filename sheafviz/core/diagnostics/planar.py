"""Exact planar geometry for the input-plane views: convex polygons, lines, nearest points.

Everything here works in the 2-D coordinates ``p = (u, v)`` of a plane; a polygon is an
ndarray of shape (m, 2) of its vertices in counter-clockwise order, always convex (the
regions of a ReLU network in a plane are intersections of half-planes). A
:class:`PlaneSlice` maps those coordinates to network inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Signed values within this many units of the polygon's scale count as on the line.
LINE_RTOL = 1e-12


@dataclass(frozen=True)
class PlaneSlice:
    """The affine plane ``x = origin + u·d₁ + v·d₂`` of the input space.

    Attributes
    ----------
    origin : ndarray (n0,)
    directions : ndarray (2, n0), rows d₁ and d₂ (linearly independent)
    """

    origin: np.ndarray
    directions: np.ndarray

    def __post_init__(self) -> None:
        origin = np.asarray(self.origin, dtype=float).reshape(-1)
        dirs = np.asarray(self.directions, dtype=float)
        if dirs.shape != (2, origin.size):
            raise ValueError(f"a plane needs two directions of length {origin.size}, "
                             f"got an array of shape {dirs.shape}")
        if not (np.all(np.isfinite(origin)) and np.all(np.isfinite(dirs))):
            raise ValueError("the plane's origin and directions must be finite")
        if np.linalg.matrix_rank(dirs) < 2:
            raise ValueError("the plane's two directions are parallel (or zero)")
        object.__setattr__(self, "origin", origin)
        object.__setattr__(self, "directions", dirs)

    @classmethod
    def identity(cls) -> "PlaneSlice":
        """The plane of a 2-D input itself: plane coordinates are the input coordinates."""
        return cls(np.zeros(2), np.eye(2))

    def to_input(self, p: np.ndarray) -> np.ndarray:
        """Plane coordinates (..., 2) → inputs (..., n0)."""
        return self.origin + np.asarray(p, dtype=float) @ self.directions

    def to_plane(self, x: np.ndarray) -> np.ndarray:
        """Inputs (..., n0) → plane coordinates (..., 2) of their orthogonal projection
        onto the plane (least squares in the directions)."""
        rel = np.asarray(x, dtype=float) - self.origin
        coef, *_ = np.linalg.lstsq(self.directions.T, rel.reshape(-1, self.origin.size).T,
                                   rcond=None)
        return coef.T.reshape(rel.shape[:-1] + (2,))

    def pull_back(self, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The affine map ``x ↦ W x + b`` in plane coordinates: ``p ↦ A p + c``.

        Parameters
        ----------
        w : ndarray (n, n0); b : ndarray (n,)

        Returns
        -------
        A : ndarray (n, 2); c : ndarray (n,)
        """
        return w @ self.directions.T, w @ self.origin + b


def box_polygon(box) -> np.ndarray:
    """The rectangle ``(u_min, u_max, v_min, v_max)`` as a polygon (4, 2), counter-clockwise."""
    u0, u1, v0, v1 = check_box(box)
    return np.array([[u0, v0], [u1, v0], [u1, v1], [u0, v1]], dtype=float)


def check_box(box) -> tuple[float, float, float, float]:
    """Validate ``(u_min, u_max, v_min, v_max)``: finite, with positive width and height."""
    try:
        u0, u1, v0, v1 = (float(t) for t in box)
    except (TypeError, ValueError):
        raise ValueError(f"a box is (u_min, u_max, v_min, v_max), got {box!r}") from None
    if not all(np.isfinite([u0, u1, v0, v1])) or not (u0 < u1 and v0 < v1):
        raise ValueError(f"a box needs finite u_min < u_max and v_min < v_max, got {box!r}")
    return u0, u1, v0, v1


def area(polygon: np.ndarray) -> float:
    """Signed area (shoelace), positive for counter-clockwise order."""
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


def scale_of(polygon: np.ndarray) -> float:
    """A length scale of a polygon, for relative tolerances."""
    return max(1.0, float(np.max(np.abs(polygon))))


def clip(polygon: np.ndarray, values: np.ndarray, *, keep_positive: bool) -> np.ndarray:
    """The part of a convex polygon where an affine function is ≥ 0 (or ≤ 0).

    Parameters
    ----------
    polygon : ndarray (m, 2)
    values : ndarray (m,), the affine function at the vertices (already snapped: values
        within tolerance of 0 must be exactly 0)
    keep_positive : bool, keep ``{f ≥ 0}`` (else ``{f ≤ 0}``)

    Returns
    -------
    ndarray (k, 2), possibly with k < 3 (empty or degenerate)
    """
    s = values if keep_positive else -values
    out = []
    m = len(polygon)
    for i in range(m):
        j = (i + 1) % m
        if s[i] >= 0:
            out.append(polygon[i])
        if (s[i] > 0 > s[j]) or (s[i] < 0 < s[j]):
            t = s[i] / (s[i] - s[j])
            out.append(polygon[i] + t * (polygon[j] - polygon[i]))
    return np.array(out).reshape(-1, 2)


def split(polygon: np.ndarray, a: np.ndarray, c: float):
    """Split a convex polygon by the line ``a·p + c = 0``.

    Returns
    -------
    (positive, negative) : ndarray (k, 2) or None each — the parts where ``a·p + c ≥ 0`` and
        ``≤ 0``; None for a part that is empty or degenerate (no area)
    """
    values = polygon @ a + c
    tol = LINE_RTOL * scale_of(polygon) * max(1.0, float(np.abs(a).sum()), abs(c))
    values = np.where(np.abs(values) <= tol, 0.0, values)
    if np.all(values >= 0):
        return polygon, None
    if np.all(values <= 0):
        return None, polygon
    return (_nondegenerate(clip(polygon, values, keep_positive=True)),
            _nondegenerate(clip(polygon, values, keep_positive=False)))


def _nondegenerate(polygon: np.ndarray):
    if len(polygon) < 3 or area(polygon) <= (LINE_RTOL * scale_of(polygon)) ** 2:
        return None
    return polygon


def contains(polygon: np.ndarray, points: np.ndarray, *, tol: float = 0.0) -> np.ndarray:
    """Whether points (n, 2) lie in a counter-clockwise convex polygon (within ``tol``).

    Returns
    -------
    ndarray (n,) bool
    """
    points = np.atleast_2d(points)
    inside = np.ones(len(points), dtype=bool)
    for i in range(len(polygon)):
        p, q = polygon[i], polygon[(i + 1) % len(polygon)]
        edge = q - p
        length = np.hypot(*edge)
        if length == 0:
            continue
        cross = (edge[0] * (points[:, 1] - p[1]) - edge[1] * (points[:, 0] - p[0])) / length
        inside &= cross >= -tol
    return inside


def clip_line(polygon: np.ndarray, a: np.ndarray, c: float):
    """The segment of the line ``a·p + c = 0`` inside a convex polygon.

    Returns
    -------
    ndarray (2, 2), the end points, or None when the line misses the polygon
    """
    norm2 = float(a @ a)
    if norm2 == 0:
        return None
    base = -c * a / norm2  # the point of the line nearest the origin
    tangent = np.array([-a[1], a[0]]) / np.sqrt(norm2)
    lo, hi = -np.inf, np.inf
    for i in range(len(polygon)):
        p, q = polygon[i], polygon[(i + 1) % len(polygon)]
        normal = np.array([q[1] - p[1], p[0] - q[0]])  # outward for counter-clockwise order
        # Inside: normal · (base + s·tangent − p) ≤ 0.
        rate = float(normal @ tangent)
        offset = float(normal @ (base - p))
        if abs(rate) <= 1e-15 * np.hypot(*normal):
            if offset > LINE_RTOL * scale_of(polygon) * np.hypot(*normal):
                return None
            continue
        bound = -offset / rate
        if rate > 0:
            hi = min(hi, bound)
        else:
            lo = max(lo, bound)
    if not lo <= hi:
        return None
    return np.array([base + lo * tangent, base + hi * tangent])


def nearest_on_segment(segment: np.ndarray, point: np.ndarray) -> np.ndarray:
    """The point of a segment (2, 2) nearest ``point`` (2,)."""
    p, q = segment
    d = q - p
    denom = float(d @ d)
    t = 0.0 if denom == 0 else float(np.clip((point - p) @ d / denom, 0.0, 1.0))
    return p + t * d


def nearest_on_polygon(polygon: np.ndarray, point: np.ndarray) -> np.ndarray:
    """The point of a filled convex polygon (m, 2) nearest ``point`` (2,)."""
    if contains(polygon, point[None, :])[0]:
        return np.array(point, dtype=float)
    best, best_d = None, np.inf
    for i in range(len(polygon)):
        cand = nearest_on_segment(np.array([polygon[i], polygon[(i + 1) % len(polygon)]]), point)
        d = float(np.hypot(*(cand - point)))
        if d < best_d:
            best, best_d = cand, d
    return best
