"""Ctrl-C in the Qt benchmark sections.

A ``KeyboardInterrupt`` raised inside a Python override that Qt calls (a ``paint`` or
``boundingRect`` of a pyqtgraph item, run by ``processEvents``) is printed by PySide as
"Error calling Python override …" and then dropped, so the benchmark would go on. While
:func:`deferred` is active, SIGINT only records the request; the frame loops call
:func:`check`, which raises ``KeyboardInterrupt`` from plain Python code, and leaving the
block raises it too if it was not yet raised.
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

_requested = False


def _record(signum, frame) -> None:
    global _requested
    _requested = True


def check() -> None:
    """Raise ``KeyboardInterrupt`` if Ctrl-C was pressed inside a :func:`deferred` block."""
    global _requested
    if _requested:
        _requested = False
        raise KeyboardInterrupt


@contextmanager
def deferred():
    """Record SIGINT instead of raising it at once (only where Python's own Ctrl-C handler
    is installed: an ignored SIGINT stays ignored, and only the main thread has signals)."""
    global _requested
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    _requested = False
    signal.signal(signal.SIGINT, _record)
    try:
        yield
        check()
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
