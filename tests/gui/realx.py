"""Helpers for the tests that drive the real app on a virtual X display."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float, what: str):
    """Poll ``predicate`` every 0.1 s until it returns something truthy (returned), or fail
    after ``timeout`` seconds naming ``what`` was awaited."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
