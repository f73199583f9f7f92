"""The computing commands ``solve``, ``relax`` and ``train``, and the checks they share."""

from __future__ import annotations

import numpy as np

from sheafviz.cli import report
from sheafviz.cli.args import CLIError, apply_pin_ops, resolve_data, resolve_network, resolve_pins
from sheafviz.cli.output import dumps
from sheafviz.cli.progress import Progress
from sheafviz.core import threads
from sheafviz.core.data.atomic import atomic_write_bytes, check_output_path
from sheafviz.core.data.presets import Preset
from sheafviz.core.model.network import Network
from sheafviz.core.model.sheaf import SheafLayout


def _write(path: str, text: str, what: str) -> None:
    try:
        atomic_write_bytes(path, text.encode("utf-8"))
    except OSError as exc:
        raise CLIError(f"cannot write {what} {path}: {exc.strerror or exc}") from None


def _save_weights(network: Network, path: str) -> None:
    try:
        network.save(path)
    except OSError as exc:
        raise CLIError(f"cannot write weights {path}: {exc.strerror or exc}") from None



def cmd_solve(args) -> int:
    from sheafviz.core.solvers.solve import equilibrium

    network, preset = resolve_network(args)
    threads.apply_policy(work=threads.largest_product(network.arch))
    layout = SheafLayout(network.arch)
    pins = resolve_pins(args, network, preset, layout)
    _check_solve_cost(network, pins, layout)
    graph = _check_graph(args.graph, network)
    sol = equilibrium(network, pins, sigma=args.sigma, layout=layout, graph=graph)
    doc = report.state_document(network, pins, layout, sol.cochain, sigma=sol.sigma,
                                consistent=sol.consistent, flipped=sol.flipped,
                                on_boundary=sol.on_boundary,
                                underdetermined=sol.underdetermined, local=sol.local,
                                method=sol.method, pin_energy=sol.pin_energy, graph=graph)
    doc.update(iterations=sol.iterations, cycled=sol.cycled,
               preset=preset.name if preset else None)
    print(dumps(doc) if args.json else report.format_state(doc, title="solve"))
    return 0


def _check_solve_cost(network: Network, pins, layout: SheafLayout) -> None:
    """Refuse, before starting, a solve whose free inputs would make it take minutes."""
    from sheafviz.core.data.limits import ResourceError, check_solve_cost

    n_free_inputs = int(np.sum(pins.resolve(layout).free_index < network.arch[0]))
    try:
        check_solve_cost(network.arch, n_free_inputs)
    except ResourceError as exc:
        raise CLIError(str(exc)) from None


def _flow_defaults(args, preset: Preset | None) -> dict:
    """Rates and init: command line, else the preset's, else the defaults."""
    def pick(name, preset_value, default):
        value = getattr(args, name, None)
        if value is not None:
            return value
        return preset_value if preset is not None and preset_value is not None else default

    return {
        "alpha": pick("alpha", preset and preset.alpha, 1.0),
        "dt": pick("dt", preset and preset.dt, None),
        "init": pick("init", preset and preset.init, "forward"),
        "state_seed": pick("state_seed", preset and preset.state_seed, 0),
        "force": pick("force", preset and preset.output_force, "energy"),
    }


def _check_graph(graph: str, network: Network) -> str:
    if graph == "paper" and network.output != "identity":
        raise CLIError(f"--graph paper is defined for an identity output only; this network "
                       f"has a {network.output} output")
    return graph


def _check_force(force: str, network: Network) -> str:
    if force == "cross-entropy" and network.output == "identity":
        raise CLIError("--force cross-entropy needs a sigmoid or softmax output head")
    return force


def _check_run_outputs(args) -> None:
    """--out and --save-weights are checked before the run, so a run that could not save
    its result fails at once and writes nothing."""
    if args.out is not None:
        check_output_path(args.out, suffixes=(".json",), what="--out")
    if args.save_weights is not None:
        check_output_path(args.save_weights, suffixes=(".npz",), what="--save-weights")


def cmd_relax(args) -> int:
    from sheafviz.core.flows.heat import relax

    _check_run_outputs(args)
    network, preset = resolve_network(args)
    threads.apply_policy(work=threads.largest_product(network.arch))
    layout = SheafLayout(network.arch)
    data = resolve_data(args, network, preset)
    pins = resolve_pins(args, network, preset, layout, data)
    rates = _flow_defaults(args, preset)
    _check_force(rates["force"], network)
    graph = _check_graph(args.graph, network)
    progress = Progress("relax", enabled=not args.quiet)
    try:
        result = relax(network, pins, init=rates["init"], state_seed=rates["state_seed"],
                       alpha=rates["alpha"], dt=rates["dt"], tol=args.tol,
                       max_steps=100_000 if args.steps is None else args.steps,
                       record_every=args.record_every or 1, force=rates["force"],
                       layout=layout, progress=progress, graph=graph)
    finally:
        progress.close()
    doc = report.flow_state_document(network, pins, layout, result.cochain,
                                     force=rates["force"], graph=graph)
    doc.update(preset=preset.name if preset else None, steps=int(result.steps),
               converged=bool(result.converged), time=result.time, dt=result.dt,
               alpha=rates["alpha"], init=rates["init"], force=rates["force"],
               energy_trace=_thin(result.energy_trace, None if args.record_every else
                                  MAX_TRACE_POINTS),
               events=[report.event_json(ev) for ev in result.events])
    _finish(args, doc, network, lambda: report.format_relax(doc))
    return 0


#: Without --record-every, a relax's energy trace is thinned to this many points.
MAX_TRACE_POINTS = 2001


def _thin(trace, limit: int | None) -> list:
    """``[[t, E], ...]``, at most ``limit`` evenly spaced entries (first and last kept)."""
    trace = [[float(t), float(e)] for t, e in trace]
    if limit is None or len(trace) <= limit:
        return trace
    keep = np.unique(np.linspace(0, len(trace) - 1, limit).round().astype(int))
    return [trace[i] for i in keep]


def _finish(args, doc: dict, network: Network, text) -> None:
    if args.save_weights:
        _save_weights(network, args.save_weights)
        doc["weights"] = args.save_weights
    if args.out:
        _write(args.out, dumps(doc, indent=1) + "\n", "the run file")
    print(dumps(doc) if args.json else text())


def cmd_train(args) -> int:
    from sheafviz.cli import train as train_cli

    _check_run_outputs(args)
    setup = train_cli.setup_from_args(args, CLIError)
    if setup is not None:
        (network, data, stalks), preset = setup, None
    else:
        network, preset = resolve_network(args)
        data, stalks = resolve_data(args, network, preset), None
    if data is None:
        raise CLIError("train needs data: give --data NAME|FILE or a preset with data")
    _check_graph(args.graph, network)
    threads.apply_policy(work=threads.largest_product(network.arch, data.n_train))
    rates = _flow_defaults(args, preset)
    _check_force(rates["force"], network)
    mode = args.mode or (preset.mode if preset is not None and preset.mode != "relax"
                         else "paper")
    beta = args.beta if args.beta is not None else (preset.beta if preset else None)
    if beta is None:
        beta = 1.0 / data.n_train
    layout = SheafLayout(network.arch)
    pins = train_cli.training_pins(args, preset, layout, apply_pin_ops, CLIError)
    if pins and mode != "paper":
        raise CLIError(f"hidden pins apply to the paper mode's stalks, not to the {mode} mode")
    start = train_cli.stalk_options(args, mode, data.n_train, network.arch, stalks, CLIError)
    progress = Progress("train", enabled=not args.quiet)
    try:
        flow, doc = train_cli.run_training(
            network, data, mode=mode, alpha=rates["alpha"], beta=beta, dt=rates["dt"],
            optimizer=args.optimizer, lr=args.lr, force=rates["force"],
            steps=1000 if args.steps is None else args.steps,
            record_every=args.record_every or 10, spectrum_every=args.spectrum_every,
            progress=progress, graph=args.graph, pins=pins, start=start)
    finally:
        progress.close()
    doc.update(preset=preset.name if preset else None, data=data.name, setup=args.setup)
    _finish(args, doc, flow.network, lambda: report.format_train(doc))
    return 0
