"""Settle a freshly shown window for a screenshot: as soon as it has laid out and painted.

A fixed wait (the screenshot path used to spin the event loop for 0.6 s) costs the same on
every render and still races the window's deferred work. Here the deferred work is run
explicitly instead: posted events (layout requests, paints, zero-delay single shots) are
processed, then every *pending single-shot* timer of the window — the throttled read-out
refresh, the deferred spectrum, the value axes' delayed shrink (``widgets.ShrinkLater``) —
is fired at once, as if its delay had passed, and that repeats until nothing is pending.
Repeating timers (the animation clock, the state file) are left alone: they never settle.
"""

from __future__ import annotations

#: Single-shot timers up to this delay (ms) are fired early; a longer one (a status message
#: clearing after seconds) would have changed nothing within the old 0.6 s wait either.
MAX_DELAY_MS = 600
#: Rounds of "process events, fire the pending timers" before giving up (a timer that
#: restarts itself every time must not hang a render).
MAX_ROUNDS = 20


def pending_timers(*owners) -> list:
    """Active single-shot QTimers (delay ≤ :data:`MAX_DELAY_MS`) among the owners' children."""
    from PySide6 import QtCore

    found, seen = [], set()
    for owner in owners:
        for timer in owner.findChildren(QtCore.QTimer):
            if id(timer) in seen:
                continue
            seen.add(id(timer))
            if (timer.isActive() and timer.isSingleShot()
                    and timer.interval() <= MAX_DELAY_MS):
                found.append(timer)
    return found


def settle(app, *owners) -> int:
    """Process events and fire the owners' pending single-shot timers until none is left.

    Parameters
    ----------
    app : the QApplication
    owners : QObjects whose child timers may be pending (the window: its player, its wiring)

    Returns
    -------
    int, the rounds it took (:data:`MAX_ROUNDS` if it gave up)
    """
    for rounds in range(1, MAX_ROUNDS + 1):
        app.processEvents()
        timers = pending_timers(*owners)
        if not timers:
            return rounds
        for timer in timers:
            timer.stop()
            timer.timeout.emit()
    app.processEvents()
    return MAX_ROUNDS
