"""Slow work off the GUI thread, newest request first: :class:`LatestOnly`.

A solve that may take more than a frame (a wide network's equilibrium) must not stall the
event loop. :meth:`LatestOnly.submit` runs a function on Qt's thread pool, one at a time;
while it runs, a newer request replaces any waiting one. Results arrive in request order
and never one older than a result already delivered, so a drag that moves a pin 60 times a
second solves one position after another, each the newest at its start, and the window
follows with the delay of one solve; the last result stays on screen meanwhile
(``busyChanged`` lets the window mark it as out of date). A cancelled request's result is
dropped.

A running numerical solve cannot be interrupted halfway (numpy does not poll for that):
cancelling means its result is never delivered and nothing queued after it runs.

Threads or a process: a solve written in Python holds the interpreter lock most of the time,
and the GUI thread waits for that lock after every call into Qt, so a busy worker *thread*
slows each redraw of a wide network several times over (measured: one drag landing's
redraw and repaint, 31 ms alone, 140-200 ms beside a solving thread). Given
``executor=shared_process_pool`` the work runs in a separate process instead
(:class:`~.worker.WorkerProcess`, one for the whole application, started on
first use), which shares nothing with the GUI thread; its function and arguments must then
pickle (a ``functools.partial`` of a module-level function, not a lambda).
"""

from __future__ import annotations

import atexit
from concurrent.futures import CancelledError, Executor
from concurrent.futures.process import BrokenProcessPool

from PySide6 import QtCore

from .worker import WorkerError, WorkerProcess

_POOL: list[WorkerProcess] = []


def shared_process_pool() -> WorkerProcess:
    """The application's one worker process for slow work (started on the first call,
    stopped at exit; a new one replaces it if it died)."""
    if _POOL and _POOL[0].broken:
        _POOL.clear()
    if not _POOL:
        pool = WorkerProcess()
        _POOL.append(pool)
        atexit.register(pool.shutdown, wait=False)
    return _POOL[0]


def warm_process_pool() -> None:
    """Start the worker process now (its start-up, ~1 s of imports, then delays no job)."""
    shared_process_pool().submit(int)


class _Relay(QtCore.QObject):
    """Carries a worker's outcome to the GUI thread (a queued signal)."""

    finished = QtCore.Signal(int, bool, object)  # generation, ok, result or error text


class _Job(QtCore.QRunnable):
    def __init__(self, generation: int, fn, args, relay: _Relay) -> None:
        super().__init__()
        self.generation, self.fn, self.args, self.relay = generation, fn, args, relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            result = self.fn(*self.args)
        except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
            self.relay.finished.emit(self.generation, False, f"{type(exc).__name__}: {exc}")
            return
        self.relay.finished.emit(self.generation, True, result)


class LatestOnly(QtCore.QObject):
    """One function at a time on a thread pool; only the newest request's result counts.

    Parameters
    ----------
    pool : QThreadPool, optional (default: a private pool with one thread)
    executor : callable () -> concurrent.futures.Executor, optional; when given, the work
        runs there instead of on ``pool`` (e.g. :func:`shared_process_pool`), created at
        the first request

    Signals
    -------
    done(object, object) : a result and the ``tag`` of its request (never older than one
        delivered before, never a cancelled one)
    failed(str, object) : the error text and the ``tag`` of a failed request (same rule)
    busyChanged(bool) : work started (True) or nothing is left to do (False)
    """

    done = QtCore.Signal(object, object)
    failed = QtCore.Signal(str, object)
    busyChanged = QtCore.Signal(bool)

    def __init__(self, pool: QtCore.QThreadPool | None = None,
                 parent: QtCore.QObject | None = None, *, executor=None) -> None:
        super().__init__(parent)
        self._executor_factory = executor
        self._future = None
        if pool is None:
            pool = QtCore.QThreadPool(self)
            pool.setMaxThreadCount(1)
        self.pool = pool
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finished, QtCore.Qt.ConnectionType.QueuedConnection)
        self._generation = 0
        self._floor = 0  # requests up to this number are cancelled or already outdone
        self._running = False
        self._waiting = None  # (generation, fn, args, tag) to start when the running one ends
        self._tags: dict[int, object] = {}

    @property
    def busy(self) -> bool:
        """True while a request runs or waits."""
        return self._running or self._waiting is not None

    def submit(self, fn, *args, tag=None) -> int:
        """Run ``fn(*args)`` off the GUI thread (``fn`` must not touch Qt widgets nor any
        state the GUI thread changes); supersedes every earlier request. Returns the
        request's number."""
        self._generation += 1
        g = self._generation
        self._tags[g] = tag
        was_busy = self.busy
        if self._running:
            self._waiting = (g, fn, args)
        else:
            self._start(g, fn, args)
        if not was_busy:
            self.busyChanged.emit(True)
        return g

    def cancel(self) -> None:
        """Drop every request: nothing waiting starts, a running one's result is ignored."""
        was_busy = self.busy
        self._floor = self._generation
        self._waiting = None
        self._tags = {}
        if was_busy and not self._running:
            self.busyChanged.emit(False)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the pool is idle (scripts and tests; never the GUI's event path)."""
        if self._future is not None:
            from concurrent.futures import wait

            done, _ = wait([self._future], timeout=None if msecs < 0 else msecs / 1000.0)
            return bool(done)
        return self.pool.waitForDone(msecs)

    def _start(self, generation: int, fn, args) -> None:
        self._running = True
        if self._executor_factory is None:
            self.pool.start(_Job(generation, fn, args, self._relay))
            return
        executor: Executor = self._executor_factory()
        relay = self._relay

        def landed(future) -> None:  # on the executor's own thread: hand over to Qt's
            try:
                error = future.exception()
                if isinstance(error, BrokenProcessPool):  # the worker died: threads then
                    self._use_threads(generation, fn, args)
                elif error is None:
                    relay.finished.emit(generation, True, future.result())
                else:
                    text = (str(error) if isinstance(error, WorkerError)
                            else f"{type(error).__name__}: {error}")
                    relay.finished.emit(generation, False, text)
            except (RuntimeError, CancelledError):  # the window closed, or the app exits
                pass

        try:
            self._future = executor.submit(fn, *args)
        except (BrokenProcessPool, OSError):  # no worker process: threads then
            self._use_threads(generation, fn, args)
            return
        self._future.add_done_callback(landed)

    def _use_threads(self, generation: int, fn, args) -> None:
        """Run this and every later request on the thread pool (the worker process died
        or cannot start: slower redraws beside it, but the work gets done)."""
        self._executor_factory, self._future = None, None
        self.pool.start(_Job(generation, fn, args, self._relay))

    def _finished(self, generation: int, ok: bool, payload) -> None:
        self._running = False
        tag = self._tags.pop(generation, None)
        if self._waiting is not None:
            self._start(*self._waiting)
            self._waiting = None
        elif not self.busy:
            self.busyChanged.emit(False)
        if generation <= self._floor:
            return  # cancelled, or a newer result is on screen already
        self._floor = generation
        for g in [g for g in self._tags if g < generation]:
            del self._tags[g]  # requests that were replaced before they ran
        if ok:
            self.done.emit(payload, tag)
        else:
            self.failed.emit(str(payload), tag)
