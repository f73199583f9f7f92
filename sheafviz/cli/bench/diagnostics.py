"""What the training diagnostics cost: the spectrum's share of a default ``train`` run.

On [784,512,512,10] × 1000 (random data, identity head) the pieces of a run are timed in
this process — one joint step, one plain record (losses, discords, gradient comparison),
one spectrum record (λ_min, λ_max with x and with x, y pinned over the 16-input subsample)
— and composed into the share of a 1000-step run at the defaults (a record every 10
steps; the spectrum at step 0 and every ``spectrum_every`` steps):

* now: eigenvalue-only Lanczos at tol 1e-6, ``spectrum_every`` from the size-based default;
* before: ``spectrum_summary`` at tol 1e-10 (with eigenvectors), every 100 steps.

Target: the spectrum ≤ 10 % of the run at the defaults.
"""

from __future__ import annotations

import time

import numpy as np

from sheafviz.cli.bench.timing import median_of
from sheafviz.core.flows.training import JointFlow
from sheafviz.core.model.network import Network

ARCH = [784, 512, 512, 10]
N_TRAIN, STEPS, RECORD_EVERY, OLD_SPECTRUM_EVERY = 1000, 1000, 10, 100


def _old_spectrum_record(flow) -> None:
    """The spectrum record as it was: spectrum_summary (tol 1e-10, eigenvectors) per input."""
    from sheafviz.core.model.network import phi
    from sheafviz.core.model.pins import PinSet
    from sheafviz.core.solvers.spectrum import spectrum_summary

    net = flow.network
    for i in flow._sub:
        x = flow.X[i]
        fp = net.forward(x)
        for pin_y in (False, True):
            pins = PinSet().pin(flow.layout, "x", x)
            if pin_y:
                pins = pins.pin(flow.layout, "y", phi(fp.z[-1], net.output))
            spectrum_summary(net, pins, fp.sigma, layout=flow.layout, n_extreme=1)


def _share(n_spectra: int, t_spec: float, t_step: float, t_record: float) -> float:
    total = STEPS * t_step + (STEPS // RECORD_EVERY + 1) * t_record + n_spectra * t_spec
    return n_spectra * t_spec / total


def measure() -> dict:
    rng = np.random.default_rng(0)
    X = rng.uniform(0.0, 1.0, size=(N_TRAIN, ARCH[0]))
    Y = np.eye(ARCH[-1])[rng.integers(0, ARCH[-1], N_TRAIN)]
    flow = JointFlow(Network.he_init(ARCH, seed=0), X, Y, dt=0.01,
                     record_every=RECORD_EVERY)
    stepper = flow._stepper
    stepper.step(1)
    t_step = median_of(lambda: stepper.step(1), repeat=5)
    t_record = median_of(lambda: flow._record(spectrum=False), repeat=3)
    start = time.perf_counter()
    flow._record_spectrum()
    t_new = time.perf_counter() - start
    start = time.perf_counter()
    _old_spectrum_record(flow)
    t_old = time.perf_counter() - start
    every = flow.spectrum_every
    n_new = STEPS // every + 1
    n_old = STEPS // OLD_SPECTRUM_EVERY + 1
    return {"step": t_step, "record": t_record, "spectrum_new": t_new, "spectrum_old": t_old,
            "every": every, "n_new": n_new, "n_old": n_old,
            "share_new": _share(n_new, t_new, t_step, t_record),
            "share_old": _share(n_old, t_old, t_step, t_record),
            "records_share": (STEPS // RECORD_EVERY + 1) * t_record / (
                STEPS * t_step + (STEPS // RECORD_EVERY + 1) * t_record)}


def run(print_fn=print) -> None:
    r = measure()
    print_fn(f"train {ARCH} x {N_TRAIN}: step {1e3 * r['step']:.1f} ms, plain record "
             f"{1e3 * r['record']:.1f} ms (every {RECORD_EVERY} steps: "
             f"{100 * r['records_share']:.1f}% of the steps+records)")
    print_fn(f"{'spectrum':>10} {'one record s':>13} {'every':>6} {'records/1000 steps':>19} "
             f"{'share of run':>13}")
    print_fn(f"{'before':>10} {r['spectrum_old']:>13.2f} {OLD_SPECTRUM_EVERY:>6} "
             f"{r['n_old']:>19} {100 * r['share_old']:>12.1f}%")
    print_fn(f"{'now':>10} {r['spectrum_new']:>13.2f} {r['every']:>6} {r['n_new']:>19} "
             f"{100 * r['share_new']:>12.1f}%")
    print_fn("Shares composed from the pieces timed above for a default 1000-step run "
             "(the spectrum at step 0 and every 'every' steps; --spectrum-every N sets it). "
             "Target: ≤ 10% at the defaults.")
