"""Hypothesis profiles of the fuzz tests.

``ci`` (the default): 40 examples per test, a few seconds in all. ``long``: 10,000 examples
per test, run with ``scripts/fuzz`` (or ``HYPOTHESIS_PROFILE=long python -m pytest
tests/fuzz -q``). No deadline in either: these machines are noisy, and a deadline is a
timing threshold. With ``FUZZ_REPORT=FILE`` the slowest example of each test is written to
FILE (JSON) at the end, for the hang count of the long run.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict

import pytest
from hypothesis import HealthCheck, settings

# database=None: the runs write nothing (no .hypothesis folder), so "no file changed on
# disk" can be checked over the whole tree.
_COMMON = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                    HealthCheck.function_scoped_fixture])
settings.register_profile("ci", max_examples=40, **_COMMON)
settings.register_profile("long", max_examples=10_000, **_COMMON)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

#: test name → [examples run, slowest example in seconds]
STATS: dict[str, list] = defaultdict(lambda: [0, 0.0])


@pytest.fixture
def timed(request):
    """``timed(fn, *args)`` calls fn and records its duration under the test's name."""
    name = request.node.originalname

    def call(fn, *args, **kwargs):
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            stat = STATS[name]
            stat[0] += 1
            stat[1] = max(stat[1], time.perf_counter() - start)

    return call


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("FUZZ_REPORT")
    if path and STATS:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({k: {"examples": v[0], "slowest_s": round(v[1], 3)}
                       for k, v in sorted(STATS.items())}, fh, indent=1)
