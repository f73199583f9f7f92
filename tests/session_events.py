"""Counting a live Session's events in tests (shared by the Session's test modules)."""

from __future__ import annotations

#: Every signal of :class:`sheafviz.live.signals.SessionEvents`.
EVENTS = ("network_changed", "pins_changed", "state_changed", "settings_changed",
          "selection_changed", "data_changed", "modified_changed", "message")


def count_events(s) -> dict:
    """{event name: times fired}, updated as session ``s`` fires them."""
    counts = dict.fromkeys(EVENTS, 0)
    for name in EVENTS:
        getattr(s.events, name).connect(lambda *a, n=name: counts.__setitem__(n, counts[n] + 1))
    return counts
