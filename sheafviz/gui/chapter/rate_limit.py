"""A Qt-free rate limiter for views that are expensive to recompute while training.

The activation-region map changes with every weight update, and recomputing it for every
animation frame would take the frame rate with it. The host offers the newest input every
frame and computes only when :meth:`RateLimiter.poll` hands one back: at most one
computation per ``min_interval`` seconds, and never more than ``max_busy`` of the wall time
(a computation that took 0.2 s with ``max_busy=0.25`` holds the next one off for 0.8 s).
The newest offered input always wins; a final :meth:`RateLimiter.flush` returns what is
still pending (when training pauses, draw the last state).

Typical use from a frame timer::

    limiter.offer(network)                   # every frame
    network = limiter.poll()
    if network is not None:
        started = time.monotonic()
        item.set_region_map(activation_regions(network, box))
        limiter.finished(time.monotonic() - started)
"""

from __future__ import annotations

import math
import time


class RateLimiter:
    """Hand back the newest offered input at a bounded rate.

    Parameters
    ----------
    min_interval : float ≥ 0, seconds between two computations at least
    max_busy : float in (0, 1], the largest share of wall time spent computing
    clock : callable returning seconds (monotonic), injectable for tests
    """

    def __init__(self, min_interval: float = 0.25, *, max_busy: float = 0.25,
                 clock=time.monotonic) -> None:
        min_interval, max_busy = float(min_interval), float(max_busy)
        if not (math.isfinite(min_interval) and min_interval >= 0):
            raise ValueError(f"min_interval must be a non-negative number of seconds, "
                             f"got {min_interval}")
        if not 0 < max_busy <= 1:
            raise ValueError(f"max_busy must be in (0, 1], got {max_busy}")
        self.min_interval, self.max_busy, self._clock = min_interval, max_busy, clock
        self._pending = None
        self._last_start = -math.inf
        self._hold = min_interval

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def offer(self, payload) -> None:
        """The newest input (not None); replaces any input still waiting."""
        if payload is None:
            raise ValueError("offer a value, not None (None means 'nothing to do')")
        self._pending = payload

    def poll(self):
        """The pending input if one is waiting and the interval has passed, else None."""
        if self._pending is None or self._clock() - self._last_start < self._hold:
            return None
        return self._take()

    def flush(self):
        """The pending input now, whatever the interval (None if nothing waits)."""
        return None if self._pending is None else self._take()

    def finished(self, seconds: float) -> None:
        """Report how long the computation took: the next one waits for the larger of
        ``min_interval`` and ``seconds / max_busy`` after this one started."""
        self._hold = max(self.min_interval, float(seconds) / self.max_busy)

    def reset(self) -> None:
        """Forget the pending input and the timing (e.g. a new network was opened)."""
        self._pending, self._last_start, self._hold = None, -math.inf, self.min_interval

    def _take(self):
        payload, self._pending = self._pending, None
        self._last_start = self._clock()
        return payload
