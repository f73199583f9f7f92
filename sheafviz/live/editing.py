"""The edits of a :class:`sheafviz.Session`: pins, mode, rates, training options, example,
graph, weights and data.

Each function changes the session's model and marks the events of what it changed; the
session's public methods wrap them in one undoable, event-collecting edit
(:meth:`Session.edit_group`, recorded by :mod:`sheafviz.live.undo`). Validation comes
first: a refused edit (bad value, core error) leaves the session exactly as it was.
"""

from __future__ import annotations

import numpy as np

from sheafviz.core.model.graphs import GRAPHS, check_graph
from sheafviz.core.model.pins import PinSet
from sheafviz.live import flows
from sheafviz.live.modestate import ModeState
from sheafviz.live.options import MODES, one_of


def neuron(s, target: str, index: int | None) -> tuple[str, int | None]:
    """``(vertex name, index or None)`` of ``target`` ("a1[0]", or "a1" with ``index``);
    KeyError / IndexError / ValueError for a neuron the sheaf does not have."""
    name, parsed = s.layout.parse_neuron(target) if "[" in target else (target, None)
    if index is not None and parsed is not None and index != parsed:
        raise ValueError(f"{target!r} names index {parsed}, the call says {index}")
    s.layout.vertex(name)
    return name, parsed if parsed is not None else index


def pinned(s, target: str, value, *, index: int | None = None,
           stiffness: float | None = None) -> PinSet:
    """Session ``s``'s pins with ``target`` pinned to ``value`` (soft with ``stiffness``)."""
    name, idx = neuron(s, target, index)
    if stiffness is None:
        return s._pins.pin(s.layout, name, value, idx)
    return s._pins.pin_soft(s.layout, name, value, stiffness, idx)


def unpinned(s, target: str, *, index: int | None = None) -> PinSet:
    """Session ``s``'s pins without the pins of ``target``."""
    name, idx = neuron(s, target, index)
    return s._pins.unpin(s.layout, name, idx)


def toggled(s, target: str, *, index: int | None = None) -> PinSet:
    """Session ``s``'s pins with ``target`` pinned at its shown value, or unpinned when it
    is pinned already."""
    name, idx = neuron(s, target, index)
    c, lay = s._state.cochain, s.layout
    value = c[lay.vertex(name).slice].copy() if idx is None else c[lay.index(name, idx)]
    return s._pins.toggle(lay, name, value, idx)


def checked_neuron(s, target: str, index: int | None) -> tuple[str, int]:
    """``(vertex name, index)`` of one neuron ("a1[0]", or "a1" with ``index``); ValueError
    without an index, KeyError / IndexError for a neuron the sheaf does not have."""
    name, idx = neuron(s, target, index)
    if idx is None:
        raise ValueError(f"select needs a neuron index for {name!r}")
    s.layout.index(name, idx)
    return name, int(idx)


def select(s, name: str | None, index: int | None) -> None:
    """Select neuron ``name[index]`` of session ``s`` (or nothing: None); an event only
    when the selection changes."""
    sel = None if name is None else checked_neuron(s, name, index)
    if sel != s.selection:
        s.selection = sel
        s._tx.mark("selection_changed")


def checked_example(s, example) -> int | None:
    """``example`` as a row of the session's data (None stays None), else ValueError."""
    if example is None:
        return None
    n = s.data.n_train
    if isinstance(example, bool) or not isinstance(example, (int, np.integer)) \
            or not 0 <= example < n:
        raise ValueError(f"example must be an integer in 0..{n - 1} or None, got {example!r}")
    return int(example)


def example_pins(s, pins: PinSet, example: int) -> PinSet:
    """``pins`` with x and y pinned to training pair ``example``."""
    x, y = s.data.example(example)
    return pins.pin(s.layout, "x", x).pin(s.layout, "y", y)


def set_pins(s, pins: PinSet, *, jump: bool = False, solution=None) -> bool:
    """New pins. The relaxation keeps its state (the new hard pins imposed on it) or, with
    ``jump``, moves to the new equilibrium (a dragged value; ``solution``: that equilibrium
    already solved, by :meth:`Session.solver_for`, e.g. off the GUI thread). False (and an
    error message) when the pins do not fit the sheaf or the equilibrium cannot be solved
    for ``jump``."""
    if not isinstance(pins, PinSet):
        raise ValueError(f"set_pins needs a PinSet, got {type(pins).__name__}")
    if pins == s._pins:
        return True
    relax = s._modes["relax"]
    try:
        pinned = flows.impose(s, relax.cochain, pins)  # also validates every neuron
    except (KeyError, IndexError, ValueError) as exc:
        s._tx.message(f"Pin change refused: {exc}", "error")
        return False
    old = (s._pins, s._versions["pins"])
    s._pins = pins
    s._versions["pins"] += 1
    sol = None
    if jump and solution is not None:
        s._solution_cache = ((s._versions["weights"], s._versions["pins"], s.graph), solution)
    if jump:
        try:
            sol = flows.relax_solution(s)
            if not np.all(np.isfinite(sol.cochain)):
                raise ArithmeticError("the equilibrium is not finite")
        except flows.CORE_ERRORS as exc:
            s._pins, s._versions["pins"] = old
            s._tx.message(f"Pin change refused: {exc}", "error")
            return False
    relax.cochain = pinned if sol is None else np.array(sol.cochain, dtype=float)
    relax.drop_flow()
    relax.segment = None
    s._tx.mark("pins_changed")
    if s._mode == "relax":
        flows.moved(s)
    flows.set_shown_equilibrium(s, sol)  # the relaxation's state, shown or not
    if s._mode == "relax" and not jump:  # a drag's many values at one instant: no history
        flows.record(s)
    return True


def set_mode(s, mode: str) -> bool:
    """Switch what step() runs; each mode keeps its own state. Switching to joint builds
    the joint flow (False and an error message when it cannot be built)."""
    one_of("mode", mode, MODES)
    if mode == s._mode:
        return True
    old = s._mode
    s._mode = mode
    if mode == "joint" and s._modes["joint"] is None:
        s._modes["joint"] = ModeState("joint", s._modes["relax"].cochain,
                                      len(s.layout.edges))
        fresh = True
    else:
        fresh = False
    if mode == "joint" and not flows.ensure_flow(s):
        s._mode = old
        if fresh:
            s._modes["joint"] = None
        return False
    if fresh:
        flows.record(s)
    s._tx.mark("settings_changed", "state_changed")
    return True


def set_rates(s, *, force: bool = False, **changes) -> bool:
    """New α, β, Δt and/or steps per frame (ValueError for a bad value). A running flow
    takes the new rates in place (its state goes on); a rate the flow refuses (an unstable
    Δt) leaves the rates as they were, with an error message. With ``force`` (undo / redo
    giving back recorded rates) a refusing flow is dropped instead: the rates are set, and
    the next step rebuilds the flow and reports the instability, as it would have then."""
    new = s._rates.updated(**changes)
    if new == s._rates:
        return True
    retuned = []
    for ms in s._modes.values():
        if ms is None or ms.flow is None:
            continue
        try:
            _retune(ms, new, s._rates)
        except flows.CORE_ERRORS as exc:
            if force:
                ms.drop_flow()
                continue
            for done in retuned + [ms]:  # back to the old rates (accepted before)
                try:
                    _retune(done, s._rates, new)
                except flows.CORE_ERRORS:
                    done.drop_flow()  # rebuilt from its state by the next step
            s._tx.message(f"Rates not applied: {exc}", "error")
            return False
        retuned.append(ms)
    old = s._rates
    s._rates = new
    for ms in s._modes.values():  # the retuned flows are current for the new rates
        if ms is not None and ms.flow is not None and \
                ms.flow_key == flows.flow_key(s, ms.kind, rates=old):
            _rekey(s, ms)
    s._tx.mark("settings_changed")
    return True


def _rates_key(r) -> tuple:
    return (r.alpha, r.beta, r.dt)


def _retune(ms: ModeState, new, old) -> None:
    if _rates_key(new) == _rates_key(old):
        return
    if ms.kind == "relax":
        ms.flow.set_rates(alpha=new.alpha, dt=new.dt)
    else:
        ms.flow.set_rates(alpha=new.alpha, beta=new.beta, dt=new.dt)


def _rekey(s, ms: ModeState) -> None:
    """Give ``ms``'s retuned flow the key it would have now (so it is not rebuilt)."""
    ms.flow_key = flows.flow_key(s, ms.kind)


def set_training(s, **changes) -> bool:
    """New training options (mode, optimizer, lr); the joint flow restarts from the
    current weights when it runs next."""
    new = s._training.updated(**changes)
    if new == s._training:
        return True
    s._training = new
    if s._mode == "joint" and not flows.ensure_flow(s):
        return False
    s._tx.mark("settings_changed")
    return True


def set_example(s, example: int | None) -> bool:
    """Pin training pair ``example`` at x and y (None: train on the whole batch)."""
    if s._data is None:
        if example is None:
            return True
        raise ValueError("set_example needs data; this session has none")
    example = checked_example(s, example)
    if example == s._example:
        return True
    s._example = example
    if example is not None:
        s._shown = example
        set_pins(s, example_pins(s, s._pins, example))
    if s._mode == "joint":
        flows.ensure_flow(s)
    s._tx.mark("settings_changed", "state_changed")
    return True


def set_network(s, network, *, initial: bool = False) -> bool:
    """Make ``network`` (same architecture and head) the current weights (a weight edit).

    The relaxation jumps to the equilibrium under the new weights (as for a moved pin);
    while training the joint flow restarts from them on its next step (stalks at the forward
    pass, fresh optimizer). The initial weights follow when ``initial`` or when
    they still were the current ones (an edit before training edits the starting point).
    False (and an error message) when no finite equilibrium exists under them.
    """
    from sheafviz.core.model.network import Network

    if not isinstance(network, Network):
        raise ValueError(f"set_network needs a Network, got {type(network).__name__}")
    cur = s._network
    if tuple(network.arch) != tuple(cur.arch) or network.output != cur.output:
        raise ValueError(f"the new weights are a {list(network.arch)} network with "
                         f"{network.output} output; this session's network is "
                         f"{list(cur.arch)} with {cur.output} output")
    keep_initial = not (initial or s._network is s._initial)
    return install_weights(s, network,
                           initial_network=s._initial if keep_initial else network)


def install_weights(s, network, *, initial_network) -> bool:
    """Make ``network`` the current (and edited) weights and ``initial_network`` the
    initial ones; a relaxation jumps to the equilibrium under them. False (and an error
    message; nothing changed) when that equilibrium cannot be solved."""
    old = (s._network, s._initial, s._edited, s._versions["weights"])
    s._network = s._edited = network
    s._initial = initial_network
    s._versions["weights"] += 1
    if s._mode == "relax":
        try:
            sol = flows.relax_solution(s)
            if not np.all(np.isfinite(sol.cochain)):
                raise ArithmeticError("the equilibrium is not finite")
        except flows.CORE_ERRORS as exc:
            s._network, s._initial, s._edited, s._versions["weights"] = old
            s._tx.message(f"Weights not applied: {exc}", "error")
            return False
        relax = s._modes["relax"]
        relax.cochain = np.array(sol.cochain, dtype=float)
        relax.drop_flow()
        relax.segment = None
        flows.moved(s)
        flows.set_shown_equilibrium(s, sol)
    else:
        flows.moved(s)
    s._tx.mark("network_changed")
    return True


def set_graph(s, graph: str) -> bool:
    """Switch the graph the flows, the equilibrium and the read-outs use (ValueError for
    an unknown one). The paper graph is refused for a sigmoid / softmax head (False and an
    error message, nothing changed). The relaxation keeps its state with the paper graph's
    missing outputs held at ``z{K+1}``, or moves to the new equilibrium when it showed the
    old one; a running training goes on (x and y are pinned, both graphs agree there)."""
    one_of("graph", graph, GRAPHS)
    if graph == s._graph:
        return True
    try:
        check_graph(graph, s._network.output)
    except ValueError as exc:
        s._tx.message(f"Graph not changed: {exc}", "error")
        return False
    relax, at_equilibrium = s._modes["relax"], flows.shown_equilibrium(s) is not None
    s._graph = graph
    sol = None
    if at_equilibrium:
        try:
            sol = flows.relax_solution(s)
            sol = sol if np.all(np.isfinite(sol.cochain)) else None
        except flows.CORE_ERRORS:
            sol = None  # keep the state; the flow relaxes it
    relax.cochain = flows.impose(s, relax.cochain) if sol is None else \
        np.array(sol.cochain, dtype=float)
    relax.drop_flow()
    relax.segment = None
    if s._mode == "relax":
        flows.moved(s)
    flows.set_shown_equilibrium(s, sol)
    if s._mode == "relax":
        flows.record(s)
    s._tx.mark("settings_changed")
    return True


def set_data(s, data, *, spec=None) -> None:
    """Replace the data set (None: no data); the example goes back to 0 (pinned)."""
    if data is not None:
        data.check_network(s.layout.arch)
    s._data, s.data_spec = data, spec
    s._example = 0 if data is not None else None
    s._shown = 0
    if data is not None:
        set_pins(s, example_pins(s, s._pins, 0))
    joint = s._modes["joint"]
    if joint is not None:
        joint.drop_flow()
    if s._mode == "joint" and not flows.ensure_flow(s):
        s._mode = "relax"
        s._tx.mark("settings_changed", "state_changed")
    s._tx.mark("data_changed")
