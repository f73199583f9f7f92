"""Progress of long ``relax`` / ``train`` runs on stderr (see :class:`Progress`)."""

from __future__ import annotations

import sys
import time

#: Seconds between two progress lines when stderr is not a terminal (a log, a pipe).
PROGRESS_INTERVAL = 5.0


class Progress:
    """Progress of a long run on stderr: a bar redrawn in place on a terminal, else one
    line every :data:`PROGRESS_INTERVAL` seconds (so a piped or logged run shows it too).
    Silent when not enabled (``--quiet``)."""

    def __init__(self, label: str, *, enabled: bool, stream=None) -> None:
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.enabled = enabled
        self.terminal = enabled and _isatty(self.stream)
        self._shown = False
        self._start = self._last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        frac = min(1.0, done / total)
        if self.terminal:
            bar = "#" * int(30 * frac)
            self.stream.write(f"\r{self.label} [{bar:<30}] {100 * frac:5.1f}% {done}/{total}")
            self.stream.flush()
            self._shown = True
            return
        now = time.monotonic()
        if now - self._last >= PROGRESS_INTERVAL and done < total:
            self._last = now
            self.stream.write(f"{self.label}: {done}/{total} steps ({100 * frac:.0f}%), "
                              f"{now - self._start:.0f} s\n")
            self.stream.flush()

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
