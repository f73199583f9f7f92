"""The documents the CLI prints: the solve schema (JSON) and its aligned text form.

Kept apart from :mod:`sheafviz.cli` so the argument handling stays short. Qt-free.

The state document (``solve --json``; ``relax --json`` adds the flow fields) has the keys
``arch``, ``output``, ``pins`` (``PinSet.to_json``), ``vertices`` {name: values},
``forward`` {name: values} and ``forward_from`` ("pinned x" when every coordinate of ``x``
is hard-pinned, else "returned x": the forward pass of the returned cochain's own ``x``),
``energy`` (E = ½Σd over the sheaf's edges), ``discord_sum`` (Σd = 2E), ``pin_energy``,
``objective`` (E + pin energy), ``edges`` [{name, type, layer, tail, head, discord}],
``discord_by_type``, ``discord_by_layer`` (keys are the layer numbers as strings),
``sigma`` {"z1": [0/1, …]}, ``consistent``, ``flipped``, ``on_boundary``,
``underdetermined``, ``local``, ``method`` and ``spectrum`` (eigenvalues of L_free at the
returned pattern, linearised at the returned output for a nonlinear head; on the paper
graph without the output coordinates that are not hard-pinned) and ``graph``.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.graphs import graph_pins
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout, discords, group_discords
from sheafviz.core.solvers.solve import harmonic_extension, on_boundary
from sheafviz.core.solvers.spectrum import spectrum_summary

#: A flow state's |z| below this (relative to the stalk's scale) counts as on the switching
#: surface: looser than the solver's, because forward Euler ends within ~tol of a kink.
FLOW_BOUNDARY_RTOL = 1e-5
#: A flow state equals the fixed-σ harmonic extension when they differ by less than this
#: (relative to the cochain's scale).
FLOW_CONSISTENT_RTOL = 1e-6


def _z_out(layout: SheafLayout, c: np.ndarray) -> np.ndarray:
    return layout.hidden_z(c, layout.n_hidden + 1)


def spectrum_json(network: Network, pins: PinSet, layout: SheafLayout, c: np.ndarray,
                  sigma, *, graph: str = "chapter") -> dict:
    """SPEC §11 summary of L_free at pattern ``sigma`` as plain JSON values."""
    summary = spectrum_summary(network, pins, sigma, layout=layout, z_out=_z_out(layout, c),
                               graph=graph)
    doc = summary.to_json()
    if doc.get("condition") is not None and not np.isfinite(doc["condition"]):
        doc["condition"] = None
    return doc


def state_document(network: Network, pins: PinSet, layout: SheafLayout, c: np.ndarray, *,
                   sigma, consistent, flipped, on_boundary, underdetermined, local, method,
                   pin_energy, graph: str = "chapter") -> dict:
    """The solve schema for cochain ``c`` (shape (size,)); see the module docstring."""
    stalks = layout.split(c)
    x_pinned = pins.stalk_pinned(layout, "x")
    x = stalks["x"]
    if x_pinned:
        x = np.array([pins.hard[("x", i)] for i in range(layout.vertex("x").dim)])
    forward = layout.split(layout.forward_cochain(network, x))
    d = discords(layout, network, c)
    groups = group_discords(layout, d)
    energy = 0.5 * float(np.sum(d))
    return {
        "arch": list(network.arch),
        "output": network.output,
        "pins": pins.to_json(),
        "vertices": {name: v.tolist() for name, v in stalks.items()},
        "forward": {name: v.tolist() for name, v in forward.items()},
        "forward_from": "pinned x" if x_pinned else "returned x",
        "energy": energy,
        "discord_sum": float(np.sum(d)),
        "pin_energy": float(pin_energy),
        "objective": energy + float(pin_energy),
        "edges": [{"name": e.name, "type": e.type, "layer": e.layer, "tail": e.tail,
                   "head": e.head, "discord": float(v)} for e, v in zip(layout.edges, d)],
        "discord_by_type": groups["by_type"],
        "discord_by_layer": {str(k): v for k, v in groups["by_layer"].items()},
        "sigma": {f"z{l}": [int(s) for s in np.asarray(sig)]
                  for l, sig in enumerate(sigma, start=1)},
        "consistent": consistent,
        "flipped": list(flipped),
        "on_boundary": list(on_boundary),
        "underdetermined": bool(underdetermined),
        "local": bool(local),
        "method": method,
        "spectrum": spectrum_json(network, pins, layout, c, sigma, graph=graph),
        "graph": graph,
    }


def flow_state_document(network: Network, pins: PinSet, layout: SheafLayout, c: np.ndarray,
                        *, force: str = "energy", graph: str = "chapter") -> dict:
    """The solve schema for the end state of a heat flow.

    ``consistent`` compares the state with the fixed-σ harmonic extension of its own pattern
    (None under the cross-entropy force, whose rest point is not an energy minimiser);
    ``flipped`` is relative to the forward pattern of the state's own ``x``.
    """
    sigma = layout.sigma_of(c)
    forward_sigma = network.forward(c[layout.vertex("x").slice]).sigma
    flipped = [f"z{l}[{j}]" for l, (s, f) in enumerate(zip(sigma, forward_sigma), start=1)
               for j in np.flatnonzero(s != f)]
    solver_pins = graph_pins(layout, pins, graph)
    extension, underdetermined = harmonic_extension(network, solver_pins, sigma, layout=layout,
                                                    z_out=_z_out(layout, c))
    scale = max(1.0, float(np.max(np.abs(c))))
    consistent = None
    if force == "energy":
        consistent = bool(np.max(np.abs(extension - c)) <= FLOW_CONSISTENT_RTOL * scale)
    res = solver_pins.resolve(layout)
    pin_energy = 0.5 * float(np.sum(res.soft_gamma * (c[res.soft_index] - res.soft_value) ** 2))
    return state_document(network, pins, layout, c, sigma=sigma, consistent=consistent,
                          flipped=flipped, on_boundary=on_boundary(layout, c, rtol=FLOW_BOUNDARY_RTOL),
                          underdetermined=underdetermined, local=True, method="heat-flow",
                          pin_energy=pin_energy, graph=graph)


def event_json(event) -> dict:
    """A SwitchEvent as JSON (neuron, time, direction, count, t_end, final, description)."""
    return {"neuron": event.neuron, "time": float(event.time), "direction": int(event.direction),
            "count": int(event.count),
            "t_end": None if event.t_end is None else float(event.t_end),
            "final": None if event.final is None else int(event.final),
            "description": event.describe()}


# -- text -----------------------------------------------------------------------------------
MAX_SHOWN = 8


def _num(v) -> str:
    return "—" if v is None else f"{v:.6g}"


def _values(vals) -> str:
    shown = " ".join(f"{v:>9.4g}" for v in vals[:MAX_SHOWN])
    if len(vals) > MAX_SHOWN:
        shown += f"  … (+{len(vals) - MAX_SHOWN} more)"
    return shown


def _pins_line(pins: dict) -> str:
    parts = [f"{k}={v:g}" for k, v in pins["hard"].items()]
    parts += [f"{k}={v:g}@{g:g} (soft)" for k, (v, g) in pins["soft"].items()]
    if not parts:
        return "none"
    if len(parts) > 12:
        return ", ".join(parts[:12]) + f", … (+{len(parts) - 12} more)"
    return ", ".join(parts)


def format_state(doc: dict, *, title: str) -> str:
    """A readable, aligned report of a state document."""
    lines = [f"sheafviz {title}: network {doc['arch']} ({doc['output']} output)"
             + (f", preset {doc['preset']}" if doc.get("preset") else ""),
             f"pins: {_pins_line(doc['pins'])}"]
    flags = ["consistent" if doc["consistent"] else
             ("consistency n/a" if doc["consistent"] is None else "NOT consistent"),
             "local minimiser" if doc["local"] else "fixed pattern"]
    if doc["underdetermined"]:
        flags.append("UNDER-DETERMINED (" + ("minimum-norm solution shown)"
                                             if doc["method"] in ("direct", "active-set")
                                             else "one solution of a family shown)"))
    lines.append(f"method: {doc['method']} ({', '.join(flags)})")
    lines.append(f"energy E = ½Σd = {_num(doc['energy'])}   Σd = {_num(doc['discord_sum'])}"
                 f"   pin energy = {_num(doc['pin_energy'])}")
    lines.append("")
    width = max(6, max(len(n) for n in doc["vertices"]))
    lines.append(f"{'vertex':<{width}}  values ('fwd': the forward pass from the "
                 f"{doc['forward_from']}, shown when different)")
    for name, vals in doc["vertices"].items():
        lines.append(f"{name:<{width}}  {_values(vals)}")
        fwd = doc["forward"][name]
        if not np.allclose(vals, fwd, rtol=1e-9, atol=1e-12):
            lines.append(f"{'  fwd':<{width}}  {_values(fwd)}")
    lines.append("")
    lines.append(f"{'edge':<6} {'type':<8} {'layer':>5}  {'discord ‖r‖²':>14}")
    for e in doc["edges"]:
        lines.append(f"{e['name']:<6} {e['type']:<8} {e['layer']:>5}  {e['discord']:>14.6g}")
    by_type = ", ".join(f"{k} {v:.6g}" for k, v in doc["discord_by_type"].items())
    by_layer = ", ".join(f"{k}: {v:.6g}" for k, v in doc["discord_by_layer"].items())
    lines.append(f"by type: {by_type}")
    lines.append(f"by layer: {by_layer}")
    sigma = "  ".join(f"{k}=" + "".join(str(s) for s in v) for k, v in doc["sigma"].items())
    lines.append("")
    lines.append(f"sigma: {sigma or '(no hidden layer)'}")
    lines.append(f"flipped vs forward: {', '.join(doc['flipped']) or 'none'}")
    lines.append(f"on the boundary z = 0: {', '.join(doc['on_boundary']) or 'none'}")
    sp = doc["spectrum"]
    lines.append("")
    graph = "" if doc.get("graph", "chapter") == "chapter" else ", paper graph"
    lines.append(f"L_free (free dim {sp.get('free_dim')}{graph}): λ_min = {_num(sp['lambda_min'])}, "
                 f"λ_max = {_num(sp['lambda_max'])}, κ = {_num(sp['condition'])}")
    ev = sp["eigenvalues"]
    label = "extreme eigenvalues" if sp["eigenvalues_partial"] else "eigenvalues"
    lines.append(f"{label}: " + " ".join(f"{v:.6g}" for v in ev))
    return "\n".join(lines)


def format_relax(doc: dict) -> str:
    head = (f"relaxed {doc['steps']} steps (t = {doc['time']:.6g}, Δt = {doc['dt']:.4g}, "
            f"α = {doc['alpha']:g}, init {doc['init']}, force {doc['force']}): "
            + ("converged" if doc["converged"] else "NOT converged (step cap reached)"))
    events = doc["events"]
    tail = [f"switching events: {len(events)}"]
    tail += [f"  {e['description']}" for e in events[:10]]
    if len(events) > 10:
        tail.append(f"  … (+{len(events) - 10} more)")
    return "\n".join([head, format_state(doc, title="relax"), "", *tail])


def format_train(doc: dict) -> str:
    lines = [f"trained {doc['steps']} steps: mode {doc['mode']}, data {doc['data']}, "
             f"network {doc['arch']} ({doc['output']} output)"]
    if doc["mode"] == "paper":
        lines.append(f"stalks: init {doc.get('init')}"
                     + ("" if doc.get("warm_start", True) else ", restarted every epoch")
                     + f"; graph {doc.get('graph', 'chapter')}")
    lines.append(f"{'step':>8}  {'train loss':>12}  {'test loss':>12}  {'residual':>12}")
    steps = doc["recorded_steps"]
    idx = list(range(len(steps)))
    if len(idx) > 20:  # the first, the last, and evenly spaced in between
        idx = sorted(set(np.linspace(0, len(idx) - 1, 20).round().astype(int).tolist()))
    for i in idx:
        lines.append(f"{steps[i]:>8}  {_num(doc['train_loss'][i]):>12}  "
                     f"{_num(doc['test_loss'][i]):>12}  {_num(doc['residual'][i]):>12}")
    if doc.get("weights"):
        lines.append(f"weights written to {doc['weights']}")
    return "\n".join(lines)
