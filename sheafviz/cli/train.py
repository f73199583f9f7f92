"""``sheafviz train``: run a :class:`~sheafviz.core.flows.training.JointFlow` and build its JSON document.

The document has ``steps`` (the total, an int), ``recorded_steps`` and, per recorded step,
``train_loss``, ``test_loss`` (None without test data), ``residual`` (the batch mean of E of
the current stalks; for gd the two-sided R of the current weights), ``objective``, and per
layer the cosine and norm ratio of the sheaf gradient against backprop (``grad_cosine``,
``grad_norm_ratio``; None where undefined); plus the run's settings, the last recorded
discords and the spectrum statistics (medians over a subsample of inputs).
"""

from __future__ import annotations

from sheafviz.core.data.datasets import Dataset
from sheafviz.core.data.setup_file import load_setup
from sheafviz.core.flows.stalkinit import check_training_pins, load_stalks
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.flows.training import JointFlow

#: Options that name a network, data or stalks, which a --setup file already holds.
SETUP_CONFLICTS = (("preset", "--preset"), ("weights", "--weights"), ("arch", "--arch"),
                   ("data", "--data"), ("stalks", "--stalks"), ("seed", "--seed"))

#: SPEC §13: Δt = 0.005 with one hidden layer, 0.01 with two or more.
def paper_dt(network: Network) -> float:
    return 0.005 if network.n_hidden <= 1 else 0.01


def setup_from_args(args, error):
    """``(network, data, stalks)`` of ``--setup`` (None when not given); ``error(msg)`` makes
    the exception raised for a conflicting option."""
    if not args.setup:
        return None
    given = [flag for name, flag in SETUP_CONFLICTS if getattr(args, name, None) is not None]
    if given:
        raise error(f"--setup holds the weights, data and stalks; do not combine it with "
                    f"{', '.join(given)}")
    setup = load_setup(args.setup)
    network = setup.network
    if args.output and args.output != network.output:
        network = Network(network.weights, network.biases, args.output)
    return network, setup.data, setup.stalks


def training_pins(args, preset, layout: SheafLayout, apply_pin_ops, error) -> PinSet:
    """Hidden pins of a run: the preset's own (x and y dropped: they come from the data),
    then --pin / --soft / --unpin in order; x or y named there is refused."""
    pins = PinSet()
    if preset is not None:
        keep = lambda k: k[0] not in ("x", "y")  # noqa: E731
        pins = PinSet({k: v for k, v in preset.pins.hard.items() if keep(k)},
                      {k: v for k, v in preset.pins.soft.items() if keep(k)})
    pins = apply_pin_ops(layout, pins, args.pin_ops)
    try:
        return check_training_pins(pins)
    except ValueError as exc:
        raise error(str(exc)) from None


def stalk_options(args, mode: str, n_train: int, arch, stalks, error) -> dict:
    """``init``, ``state_seed``, ``stalks``, ``warm_start`` for :class:`JointFlow`; an
    explicit --init/--stalks/--no-warm-start outside the paper mode is refused."""
    if mode != "paper":
        given = [flag for flag, used in (("--init", args.init is not None),
                                         ("--stalks", bool(args.stalks)),
                                         ("--no-warm-start", not args.warm_start)) if used]
        if given:
            verb = "applies" if len(given) == 1 else "apply"
            raise error(f"{', '.join(given)} {verb} to the paper mode's stalks only; in the "
                        f"{mode} mode the stalks are equilibria")
        stalks = None  # a setup's stalks mean nothing outside the paper mode
    if args.stalks:
        stalks = load_stalks(args.stalks, arch, n_train)
    if args.init is not None and stalks is not None:
        raise error("--init and given stalks (--stalks or the --setup file's) exclude each "
                    "other")
    if args.state_seed is not None and args.init != "random":
        raise error("--state-seed seeds --init random; give --init random too")
    return {"init": args.init, "state_seed": args.state_seed or 0, "stalks": stalks,
            "warm_start": args.warm_start}


def run_training(network: Network, data: Dataset, *, mode: str, alpha: float, beta: float,
                 dt: float | None, optimizer: str, lr: float | None, force: str, steps: int,
                 record_every: int, spectrum_every: int | None = None, progress=None,
                 graph: str = "chapter", pins: PinSet | None = None,
                 start: dict | None = None) -> tuple[JointFlow, dict]:
    """Train ``network`` on ``data`` for ``steps`` steps; return the flow and its document.

    ``start`` holds :func:`stalk_options`' keywords; ``pins`` the hidden pins.

    Raises
    ------
    UnstableStepError, FlowDivergedError (from the flow)
    """
    dt = paper_dt(network) if dt is None else dt
    has_test = data.X_test.shape[0] > 0
    flow = JointFlow(network, data.X, data.Y, mode=mode, alpha=alpha, beta=beta, dt=dt,
                     optimizer=optimizer, lr=lr, force=force, record_every=record_every,
                     spectrum_every=spectrum_every,
                     X_test=data.X_test if has_test else None,
                     Y_test=data.Y_test if has_test else None, graph=graph, pins=pins,
                     **(start or {}))
    history = flow.run(steps, progress=progress)
    last = -1 if history.step else None
    doc = {
        "arch": list(network.arch), "output": network.output, "mode": mode,
        "alpha": alpha, "beta": flow.beta, "dt": dt, "optimizer": optimizer, "lr": flow.lr,
        "force": force, "spectrum_every": flow.spectrum_every, "graph": graph,
        "init": flow.init, "warm_start": flow.warm_start, "pins": flow.pins.to_json(),
        "n_train": data.n_train, "n_test": int(data.X_test.shape[0]),
        "steps": int(flow.steps),
        "recorded_steps": [int(s) for s in history.step],
        "train_loss": list(history.train_loss),
        "test_loss": list(history.test_loss),
        "residual": list(history.residual),
        "objective": list(history.objective),
        "discord_by_type": history.discord_by_type[last] if last is not None else None,
        "discord_by_layer": ({str(k): v for k, v in history.discord_by_layer[last].items()}
                             if last is not None else None),
        "spectrum_steps": [int(s) for s in history.spectrum_step],
        "lambda_min_median": [s[0] for s in history.lambda_min],
        "lambda_max_median": [s[0] for s in history.lambda_max],
        "condition_median": [s[0] for s in history.condition],
        "grad_cosine": [list(v) for v in history.grad_cosine],
        "grad_norm_ratio": [list(v) for v in history.grad_norm_ratio],
        "warnings": list(history.warnings),
    }
    return flow, doc
