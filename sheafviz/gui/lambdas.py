"""The status line's λ_min and λ_max, off the GUI thread when their eigensolve is costly.

On a small network the two eigenvalues come from a dense ``eigh`` of L_free in a few
milliseconds and are computed where they are asked for. Above ``SYNC_FREE_DIM`` free
coordinates they take ARPACK (tens of milliseconds, more while a drag's solve shares the
interpreter), and a new pattern arrives with every drag move: there :class:`LambdaReadout`
hands the eigensolve to a :class:`~.background.LatestOnly` running in the worker process
(:mod:`.worker`), and the status line shows the last known values marked as pending until
the newest state's values land; the energy plot's envelope, which needs λ_min, waits too.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore

from .background import LatestOnly, shared_process_pool

#: Above this many free coordinates, λ is computed off the GUI thread (the limit of the
#: spectrum's dense branch: below it a dense eigh costs a few milliseconds).
SYNC_FREE_DIM = 200


class LambdaReadout(QtCore.QObject):
    """(λ_min, λ_max) of a session's shown state for the status line.

    Signals
    -------
    ready() : values for the shown state landed; the status line and the energy plot's
        envelope should refresh
    """

    ready = QtCore.Signal()

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = LatestOnly(parent=self, executor=shared_process_pool)
        self.worker.done.connect(self._landed)
        self.worker.failed.connect(self._failed)
        self._asked = None  # the read-outs whose values were last requested
        self._current = None  # the read-outs the status line shows now
        self._last: tuple[float, float] | None = None

    def known(self, readouts) -> tuple[float, float] | None:
        """(λ_min, λ_max) of ``readouts`` if known, or cheap enough to compute here (then
        computed; errors propagate as from ``readouts.lambda_min``); else None."""
        known = readouts.known_extremes()
        if known is None and readouts.free_dim_bound <= SYNC_FREE_DIM:
            known = (readouts.lambda_min, readouts.lambda_max)
        return known

    def request(self, readouts) -> None:
        """Compute ``readouts``' values off the GUI thread (once; a newer request
        supersedes a waiting one); ``ready`` follows when they land."""
        self._current = readouts
        if self._asked is not readouts:
            self._asked = readouts
            self.worker.submit(readouts.extremes_job(), tag=readouts)

    def values(self, readouts) -> tuple[float, float, bool]:
        """``(λ_min, λ_max, pending)`` of ``readouts``: its own values, or (pending) the
        last ones shown while its eigensolve runs (NaN before any)."""
        self._current = readouts
        known = self.known(readouts)
        if known is not None:
            self._last = known
            return known[0], known[1], False
        self.request(readouts)
        last = self._last if self._last is not None else (float("nan"), float("nan"))
        return last[0], last[1], True

    def envelope(self, session) -> tuple[np.ndarray, np.ndarray]:
        """``session.envelope()`` (the energy plot's predicted decay, which needs λ_min)
        once λ_min is known; until then empty, its eigensolve requested (``ready``
        follows)."""
        if session.mode != "relax":
            return session.envelope()  # none while training: no eigensolve for it
        r = session.readouts
        if self.known(r) is None:
            self.request(r)
            return np.zeros(0), np.zeros(0)
        return session.envelope()

    def cancel(self) -> None:
        """Forget every request (a new session: the old state's values must not land)."""
        self.worker.cancel()
        self._asked = self._current = self._last = None

    def _landed(self, values, readouts) -> None:
        readouts.adopt_extremes(values)  # memoised: a later state with this L_free reuses it
        if self._current is not None:  # the shown state's, or the same L_free's, or stale
            self.ready.emit()

    def _failed(self, _text: str, readouts) -> None:
        if readouts is self._current:
            readouts.adopt_extremes((float("nan"), float("nan")))
            self.ready.emit()
