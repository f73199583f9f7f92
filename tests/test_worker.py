"""The worker process: jobs run in a fresh interpreter (not this one), answers come back in
order, a failure comes back as its text, and a dead worker fails what was pending."""

from __future__ import annotations

import functools
import os
import pickle
from concurrent.futures.process import BrokenProcessPool

import numpy as np
import pytest

from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.solve import equilibrium
from sheafviz.gui.worker import WorkerError, WorkerProcess


@pytest.fixture(scope="module")
def worker():
    w = WorkerProcess()
    yield w
    w.shutdown()


def test_jobs_run_elsewhere_and_answer_in_order(worker):
    futures = [worker.submit(functools.partial(pow, 2), k) for k in range(6)]
    assert [f.result(timeout=60) for f in futures] == [2 ** k for k in range(6)]
    assert worker.submit(os.getpid).result(timeout=60) != os.getpid()


def test_a_solve_in_the_worker_equals_the_solve_here(worker):
    net = Network.he_init([2, 5, 4, 1], seed=1)
    lay = SheafLayout(net.arch)
    pins = PinSet().pin(lay, "x", [0.3, -0.2]).pin(lay, "y", [1.5])
    job = functools.partial(equilibrium, net, pins, sigma="auto", layout=lay)
    there, here = worker.submit(job).result(timeout=60), job()
    np.testing.assert_array_equal(there.cochain, here.cochain)
    assert there.energy == here.energy


def test_a_failure_comes_back_as_text_and_the_worker_goes_on(worker):
    bad = worker.submit(functools.partial(int, "not a number"))
    with pytest.raises(WorkerError, match="ValueError: invalid literal"):
        bad.result(timeout=60)
    assert worker.submit(abs, -3).result(timeout=60) == 3


def test_an_unpicklable_job_is_refused_at_once(worker):
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        worker.submit(lambda: 1)


def test_a_dead_worker_fails_pending_and_later_jobs():
    w = WorkerProcess()
    assert w.submit(abs, -1).result(timeout=60) == 1
    pending = w.submit(functools.partial(__import__("time").sleep, 30))
    w._proc.kill()
    with pytest.raises(BrokenProcessPool):
        pending.result(timeout=30)
    with pytest.raises(BrokenProcessPool):
        w.submit(abs, -1)

