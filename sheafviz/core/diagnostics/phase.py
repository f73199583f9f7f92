"""The phase plane of the heat flow: its vector field in a 2-D slice of the state space.

Pick two free state coordinates ``u = c[i]`` and ``v = c[j]`` (each a neuron ``(vertex,
index)``), hold every other coordinate at the current state, and draw the heat-flow field
``(u̇, v̇) = −α (∂E/∂u, ∂E/∂v)`` (SPEC §8; E includes the soft-pin penalty, and the
cross-entropy force of SPEC §9 when asked) on a grid around the current state. The field is
exactly the flow's own field restricted to the slice; the live trajectory, however, moves in
every coordinate, so it crosses the slice's field lines — a view should say so.

Where the field bends. σ is read off the cochain's own ``z`` stalks (SPEC §3), so the field
is smooth except on the switching surfaces ``z_l[j] = 0`` of the hidden ``z`` coordinates.
In the slice every coordinate other than u and v is constant: the only switching lines are
``u = 0`` when u is a hidden ``z`` coordinate and ``v = 0`` when v is one
(:attr:`PhaseField.switching_lines`, exact). A different set of lines is often what one
wants to see next: where the *prediction* ``W_l a_{l−1} + b_l`` of a downstream neuron
changes sign (:attr:`PhaseField.prediction_lines`). It is exactly affine in the slice when
u or v lies in the stalk ``a_{l−1}`` (or ``x``) it reads, with no pattern to fix; the
downstream neuron switches there once the flow has relaxed its ``z`` to the prediction.

:func:`perturb` nudges a state (and, in joint mode, the parameters) by a chosen size, for the
"watch it come back" experiments (Theorem 11.6 of the course).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.diagnostics import planar
from sheafviz.core.flows.forces import check_force, gradient_and_energy, objective
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

FIELD_LABEL = "heat-flow field −α∇E in this slice (other coordinates held at the current state)"


@dataclass(frozen=True)
class PhaseLine:
    """A line segment of the slice, in (u, v) coordinates.

    Attributes
    ----------
    neuron : str, the hidden neuron it belongs to, e.g. "z2[1]"
    segment : ndarray (2, 2), end points (u, v)
    kind : {"switching", "prediction"}
    """

    neuron: str
    segment: np.ndarray
    kind: str


@dataclass(frozen=True)
class PhaseField:
    """The heat-flow field on an ``n_u × n_v`` grid of a 2-D slice through a state.

    Attributes
    ----------
    coords : tuple of two str, the neurons on the axes, e.g. ("z1[0]", "a1[0]")
    center : ndarray (2,), the current (u, v)
    u, v : ndarray (n_u,), (n_v,), the grid axes
    du, dv : ndarray (n_v, n_u), ``u̇`` and ``v̇`` at grid point (v[k], u[m]) as [k, m]
    objective : ndarray (n_v, n_u), what the flow descends (E + soft pins) on the grid
    switching_lines : list of PhaseLine, where the field has a kink (exact)
    prediction_lines : list of PhaseLine, where a downstream prediction changes sign (exact)
    label : str, what the arrows are
    """

    coords: tuple
    center: np.ndarray
    u: np.ndarray
    v: np.ndarray
    du: np.ndarray
    dv: np.ndarray
    objective: np.ndarray
    switching_lines: list
    prediction_lines: list
    label: str = FIELD_LABEL


def _coordinate(layout: SheafLayout, neuron, hard_index: np.ndarray) -> tuple[str, int, int]:
    """Validate a free neuron ("a1[0]" or ("a1", 0)) → (vertex, index, flat index)."""
    if isinstance(neuron, str):
        name, index = layout.parse_neuron(neuron)
        if index is None:
            raise ValueError(f"{neuron!r} is a whole stalk; pick one coordinate like {neuron}[0]")
    else:
        name, index = neuron
    flat = layout.index(name, int(index))
    if flat in set(hard_index.tolist()):
        raise ValueError(f"{name}[{index}] is hard-pinned; a phase plane needs free coordinates")
    return name, int(index), flat


def phase_field(network: Network, pins: PinSet, c: np.ndarray, coord_u, coord_v, *,
                half_width=(1.0, 1.0), n: int = 21, alpha: float = 1.0,
                force: str = "energy", layout: SheafLayout | None = None) -> PhaseField:
    """The heat-flow field in the slice of two free coordinates through state ``c``.

    Parameters
    ----------
    network : Network
    pins : PinSet, the flow's pins (hard pins may not be chosen; soft pins enter E)
    c : ndarray (size,), the current state
    coord_u, coord_v : neuron as "a1[0]" or ("a1", 0), two different free coordinates
    half_width : (float, float) > 0, the window is ``center ± half_width`` in u and v
    n : int ≥ 2, grid points per axis
    alpha : float > 0, the stalk rate α
    force : {"energy", "cross-entropy"}

    Returns
    -------
    PhaseField
    """
    layout = layout or SheafLayout(network.arch)
    check_force(force)
    res = pins.resolve(layout)
    nu, iu, fu = _coordinate(layout, coord_u, res.hard_index)
    nv, iv, fv = _coordinate(layout, coord_v, res.hard_index)
    if fu == fv:
        raise ValueError(f"pick two different coordinates (both are {nu}[{iu}])")
    hu, hv = (float(h) for h in half_width)
    if not (hu > 0 and hv > 0 and np.isfinite(hu) and np.isfinite(hv)):
        raise ValueError(f"half_width must be two positive numbers, got {half_width!r}")
    if int(n) < 2:
        raise ValueError(f"the grid needs at least 2 points per axis, got {n}")
    if not (np.isfinite(alpha) and alpha > 0):
        raise ValueError(f"alpha must be a positive number, got {alpha}")
    c = np.asarray(c, dtype=float)
    center = np.array([c[fu], c[fv]])
    u = np.linspace(center[0] - hu, center[0] + hu, int(n))
    v = np.linspace(center[1] - hv, center[1] + hv, int(n))
    uu, vv = np.meshgrid(u, v)
    batch = np.repeat(c[None, :], uu.size, axis=0)
    batch[:, fu], batch[:, fv] = uu.ravel(), vv.ravel()
    grad, _ = gradient_and_energy(layout, network, batch, res, force=force)
    shape = uu.shape
    box = (u[0], u[-1], v[0], v[-1])
    names = (f"{nu}[{iu}]", f"{nv}[{iv}]")
    return PhaseField(
        coords=names, center=center, u=u, v=v,
        du=-alpha * grad[:, fu].reshape(shape), dv=-alpha * grad[:, fv].reshape(shape),
        objective=np.asarray(objective(layout, network, batch, res, force=force)).reshape(shape),
        switching_lines=_switching_lines(layout, names, box),
        prediction_lines=_prediction_lines(layout, network, c, (nu, iu, fu), (nv, iv, fv), box))


def _switching_lines(layout: SheafLayout, names, box) -> list:
    """``u = 0`` if u is a hidden z coordinate, ``v = 0`` likewise (inside the window)."""
    u0, u1, v0, v1 = box
    out = []
    hidden_z = {f"z{l}" for l in range(1, layout.n_hidden + 1)}
    for axis, name in enumerate(names):
        if name[:name.index("[")] not in hidden_z:
            continue
        lo, hi = (u0, u1) if axis == 0 else (v0, v1)
        if lo <= 0.0 <= hi:
            seg = [[0.0, v0], [0.0, v1]] if axis == 0 else [[u0, 0.0], [u1, 0.0]]
            out.append(PhaseLine(name, np.array(seg), "switching"))
    return out


def _prediction_lines(layout: SheafLayout, network: Network, c, cu, cv, box) -> list:
    """Zero lines of ``W_l[j]·a_{l−1} + b_l[j]`` for the layers that read u's or v's stalk."""
    square = planar.box_polygon(box)
    out = []
    for l in range(1, layout.n_hidden + 1):
        reads = "x" if l == 1 else f"a{l - 1}"
        if cu[0] != reads and cv[0] != reads:
            continue
        w, b = network.weights[l - 1], network.biases[l - 1]
        a_prev = c[layout.vertex(reads).slice]
        # Affine in (u, v): the part from the held coordinates plus the two moving columns.
        col_u = w[:, cu[1]] if cu[0] == reads else np.zeros(len(b))
        col_v = w[:, cv[1]] if cv[0] == reads else np.zeros(len(b))
        held = a_prev.copy()
        if cu[0] == reads:
            held[cu[1]] = 0.0
        if cv[0] == reads:
            held[cv[1]] = 0.0
        offset = w @ held + b
        for j in range(len(b)):
            seg = planar.clip_line(square, np.array([col_u[j], col_v[j]]), float(offset[j]))
            if seg is not None:
                out.append(PhaseLine(f"z{l}[{j}]", seg, "prediction"))
    return out


def perturb(c: np.ndarray, *, size: float, rng: np.random.Generator,
            layout: SheafLayout, pins: PinSet | None = None, held=(),
            network: Network | None = None):
    """Nudge a state (and the parameters, if a network is given) by ``size`` in a random
    direction.

    Parameters
    ----------
    c : ndarray (size,) or (B, size), one state or a batch of states
    size : float ≥ 0, the Euclidean norm of each cochain's nudge (over its free
        coordinates) and of the parameters' nudge (over all W_l, b_l together)
    rng : numpy.random.Generator
    layout : SheafLayout
    pins : PinSet, optional, its hard-pinned coordinates are not moved
    held : sequence of vertex names, whole stalks not moved (e.g. ("x", "y") for the
        clamped examples of the joint flow)
    network : Network, optional; when given (joint mode) θ is nudged too

    Returns
    -------
    (ndarray like c, Network or None)
    """
    size = float(size)
    if not (np.isfinite(size) and size >= 0):
        raise ValueError(f"the perturbation size must be a non-negative number, got {size}")
    frozen = np.zeros(layout.size, dtype=bool)
    if pins is not None:
        frozen[pins.resolve(layout).hard_index] = True
    for name in held:
        frozen[layout.vertex(name).slice] = True
    c = np.array(c, dtype=float, copy=True)
    batch = np.atleast_2d(c)
    step = rng.standard_normal(batch.shape)
    step[:, frozen] = 0.0
    norms = np.linalg.norm(step, axis=1, keepdims=True)
    batch += size * np.divide(step, norms, out=np.zeros_like(step), where=norms > 0)
    c = batch.reshape(c.shape)
    if network is None:
        return c, None
    dirs = [rng.standard_normal(p.shape) for p in network.weights + network.biases]
    total = np.sqrt(sum(float(np.sum(d * d)) for d in dirs))
    dirs = [size * d / total for d in dirs]
    k = len(network.weights)
    return c, network.with_parameters([w + d for w, d in zip(network.weights, dirs[:k])],
                                      [b + d for b, d in zip(network.biases, dirs[k:])])
