"""Plays a :class:`sheafviz.Session` in the window: time lives here, not in the model.

A QTimer fires every :data:`FRAME_MS`; each frame calls ``session.step(k)`` once, with ``k``
the session's steps per frame, lowered when the flow is slow so that stepping stays within
:data:`FRAME_BUDGET_S` (the rest of the frame draws). The cost of one step is learned from
the frames before (a running mean), so a frame is one ``step`` call and the session's
``state_changed`` fires once per frame.
"""

from __future__ import annotations

import time
from collections import deque

from PySide6 import QtCore

FRAME_MS = 16
#: Most time one animation frame may spend stepping the flow (the rest draws); a slower
#: flow takes fewer steps per frame rather than freezing the window.
FRAME_BUDGET_S = 0.030
#: Weight of the newest frame in the running mean of the cost of one step.
COST_WEIGHT = 0.3


class Player(QtCore.QObject):
    """Play / pause / step for one session.

    Parameters
    ----------
    session : sheafviz.Session, or None until :meth:`set_session`
    frame_ms : timer interval
    budget_s : most time a frame spends in ``session.step``

    Signals
    -------
    playingChanged(bool)
    frameDone() : a frame was stepped (after the session's own events)
    message(str, str) : text and level, e.g. "Converged at t = …"
    """

    playingChanged = QtCore.Signal(bool)
    frameDone = QtCore.Signal()
    message = QtCore.Signal(str, str)

    def __init__(self, session=None, *, frame_ms: int = FRAME_MS,
                 budget_s: float = FRAME_BUDGET_S, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        if frame_ms < 1 or budget_s <= 0:
            raise ValueError(f"frame_ms must be >= 1 and budget_s > 0, got {frame_ms}, "
                             f"{budget_s}")
        self.session = session
        self.budget_s = float(budget_s)
        self.timer = QtCore.QTimer(self)
        self.timer.setTimerType(QtCore.Qt.TimerType.PreciseTimer)
        self.timer.setInterval(int(frame_ms))
        self.timer.timeout.connect(self.tick)
        self.step_cost_s: float | None = None  #: running mean of one step's cost
        self._frame_times: deque = deque(maxlen=90)
        self.steps_per_second = float("nan")

    def set_session(self, session) -> None:
        """Play ``session`` from now on (paused; the step cost is learned afresh)."""
        self.pause()
        self.session = session
        self.step_cost_s = None

    # -- transport ---------------------------------------------------------------------------
    @property
    def playing(self) -> bool:
        return self.timer.isActive()

    def play(self) -> None:
        if not self.playing and self.session is not None:
            self._frame_times.clear()
            self.timer.start()
            self.playingChanged.emit(True)

    def pause(self) -> None:
        if self.timer.isActive():
            self.timer.stop()
            self.playingChanged.emit(False)

    def toggle_play(self) -> None:
        self.pause() if self.playing else self.play()

    def step(self) -> None:
        """One frame's worth of steps while paused (the Step button)."""
        self.pause()
        if self.session is not None:
            self.session.step(self.session.rates.steps_per_frame)

    # -- frames ------------------------------------------------------------------------------
    def steps_this_frame(self) -> int:
        """The session's steps per frame, fewer when that would exceed the budget."""
        n = int(self.session.rates.steps_per_frame)
        if self.step_cost_s is None or self.step_cost_s <= 0:
            return 1 if n > 1 else n  # first frame: learn the cost on one step
        return max(1, min(n, int(self.budget_s / self.step_cost_s)))

    def tick(self) -> None:
        """One animation frame: step the session once, pause when a relaxation converged
        or the flow stopped (the session said why in a message)."""
        s = self.session
        if s is None:
            self.pause()
            return
        now = time.perf_counter()
        self._frame_times.append(now)
        k = self.steps_this_frame()
        before = s.steps
        converged = s.step(k)
        spent = time.perf_counter() - now
        done = s.steps - before
        if done > 0:
            cost = spent / done
            self.step_cost_s = cost if self.step_cost_s is None else \
                (1 - COST_WEIGHT) * self.step_cost_s + COST_WEIGHT * cost
        fps = self.fps
        self.steps_per_second = fps * done if fps == fps else float("nan")
        if converged or done == 0:
            self.pause()
        if converged:
            self.message.emit(f"Converged at t = {s.time:.4g} ({s.steps} steps).", "info")
        self.frameDone.emit()

    @property
    def fps(self) -> float:
        """Frames per second over the last frames (NaN before two frames)."""
        ft = self._frame_times
        if len(ft) < 2 or ft[-1] - ft[0] <= 0:
            return float("nan")
        return (len(ft) - 1) / (ft[-1] - ft[0])
