"""LatestOnly with the worker process: a request whose worker dies still gets its answer."""

from __future__ import annotations

import functools
import time

from sheafviz.gui.background import LatestOnly
from sheafviz.gui.worker import WorkerProcess


def test_latest_only_falls_back_to_threads_when_the_worker_dies(qtbot):
    """A request whose worker process dies mid-job still gets its answer (on a thread)."""
    w = WorkerProcess()
    latest = LatestOnly(executor=lambda: w)
    got = []
    latest.done.connect(lambda result, tag: got.append((result, tag)))
    latest.submit(functools.partial(time.sleep, 0.5), tag="slow")
    w._proc.kill()
    qtbot.waitUntil(lambda: len(got) == 1, timeout=20000)
    assert got == [(None, "slow")]  # time.sleep's result, computed on the thread pool
    latest.submit(abs, -4, tag="next")
    qtbot.waitUntil(lambda: len(got) == 2, timeout=20000)
    assert got[1] == (4, "next") and latest._future is None  # threads from now on
