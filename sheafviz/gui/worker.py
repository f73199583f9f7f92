"""The window's worker process for slow pure computations (solves, eigensolves). Qt-free:
the child imports nothing of Qt.

Why a process: a solve written in Python holds the interpreter lock most of the time, and a
GUI thread waits for that lock after every call into Qt, so a busy worker *thread* slows
every redraw of a wide network several times over. A separate process shares no lock.

Why not ``multiprocessing``: its "spawn" start re-imports the parent's ``__main__`` in the
child, which re-runs a user's script that has no ``if __name__ == "__main__"`` guard (a
script that opens a Viewer would open another one); "fork" is unsafe in a process running
Qt's threads. The child here is a fresh interpreter running this module (``python -m
sheafviz.gui.worker``), and jobs travel over its stdin/stdout as length-prefixed pickles:
``(function, args)`` in, ``(ok, result or error text)`` out, answered in order.

:class:`WorkerProcess` is a :class:`concurrent.futures.Executor`; a job's function and
arguments must pickle (a ``functools.partial`` of a module-level function, not a lambda).
"""

from __future__ import annotations

import collections
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

_HEADER = struct.Struct("<Q")


class WorkerError(RuntimeError):
    """A job failed in the worker; the message is the error's type and text there."""


def _read_frame(stream) -> bytes | None:
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        return None
    (n,) = _HEADER.unpack(head)
    data = stream.read(n)
    return data if len(data) == n else None


def _write_frame(stream, data: bytes) -> None:
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


class WorkerProcess(Executor):
    """One child interpreter running jobs one after the other, in submission order.

    The child starts at construction; if it dies, every pending job fails with
    ``BrokenProcessPool`` and so does every later :meth:`submit` (make a new one).
    """

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [package_root] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
        self._proc = subprocess.Popen([sys.executable, "-m", "sheafviz.gui.worker"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self._pending: collections.deque[Future] = collections.deque()
        self._lock = threading.Lock()
        self._outbox: queue.Queue = queue.Queue()
        self.broken = False
        # the writer: a job's bytes may wait for the child to finish the job before it
        threading.Thread(target=self._write_loop, daemon=True, name="worker-in").start()
        threading.Thread(target=self._read_loop, daemon=True, name="worker-out").start()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        payload = pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL)
        future: Future = Future()
        with self._lock:
            if self.broken:
                raise BrokenProcessPool("the worker process has stopped")
            self._pending.append(future)
            self._outbox.put(payload)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the child (it exits when its input closes); pending jobs are cancelled."""
        self._outbox.put(None)
        with self._lock:
            self.broken = True
            pending, self._pending = list(self._pending), collections.deque()
        for future in pending:
            future.cancel()
        if wait:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()

    def _write_loop(self) -> None:
        while True:
            payload = self._outbox.get()
            try:
                if payload is None:
                    self._proc.stdin.close()
                    return
                _write_frame(self._proc.stdin, payload)
            except (BrokenPipeError, OSError, ValueError):
                self._fail_all()
                return

    def _read_loop(self) -> None:
        while True:
            frame = _read_frame(self._proc.stdout)
            if frame is None:
                self._fail_all()
                return
            ok, value = pickle.loads(frame)
            with self._lock:
                future = self._pending.popleft() if self._pending else None
            if future is None or not future.set_running_or_notify_cancel():
                continue
            if ok:
                future.set_result(value)
            else:
                future.set_exception(WorkerError(value))

    def _fail_all(self) -> None:
        with self._lock:
            self.broken = True
            pending, self._pending = list(self._pending), collections.deque()
        for future in pending:
            if future.set_running_or_notify_cancel():
                future.set_exception(BrokenProcessPool("the worker process has stopped"))


def _report_failure(out, exc: BaseException) -> None:
    """Answer a job with its error, as text (the type and the message)."""
    _write_frame(out, pickle.dumps((False, f"{type(exc).__name__}: {exc}")))


def _serve(inp, out) -> None:
    while True:
        frame = _read_frame(inp)
        if frame is None:
            return
        try:
            fn, args, kwargs = pickle.loads(frame)
            result = fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the window
            _report_failure(out, exc)
            continue
        try:
            data = pickle.dumps((True, result), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # noqa: BLE001 - an unpicklable result, reported back
            _report_failure(out, exc)
            continue
        _write_frame(out, data)


def main() -> None:
    """The child: read jobs from stdin, answer each on stdout, until stdin closes."""
    from sheafviz.core.threads import use_one_thread

    use_one_thread("a background worker: one core each with the window")
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a stray print must not corrupt the answers
    try:
        _serve(inp, out)
    except (BrokenPipeError, ConnectionResetError):  # the window closed while a job ran
        return


if __name__ == "__main__":
    main()
