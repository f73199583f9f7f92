"""The status line, item by item: each read-out named in words, with a tooltip that says
what it is (:func:`status_items`), and :class:`StatusLine`, the row of labels showing them.

The definitions are the read-outs' own (:class:`sheafviz.live.readouts.Readouts`): the
spectrum is that of ``L_free``, the sheaf Laplacian restricted to the values that are not
pinned, at the ReLU pattern of the state shown, so it follows the weights while training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from . import style

#: Between two items of the status line.
SEPARATOR = "  │  "
#: The restricted Laplacian's name in a tooltip (rich text: a real subscript).
L_FREE = "L<sub>free</sub>"
_READ_ERRORS = (np.linalg.LinAlgError, ValueError, RuntimeError, ArithmeticError)


@dataclass(frozen=True)
class StatusItem:
    """One read-out: ``key`` (stable name), ``text`` (what the line shows) and ``tip``."""

    key: str
    text: str
    tip: str


def _num(r, name: str) -> str:
    try:
        return style.fmt(getattr(r, name))
    except _READ_ERRORS:  # a read-out the solver cannot give never stops the window
        return style.fmt(float("nan"))


def pattern_text(r) -> str:
    """The ReLU pattern's verdict in words: consistent (the state is its pattern's
    equilibrium), sliding (held on a kink z = 0, a legitimate equilibrium when the solver
    or the flow ends there), or not settled yet; "—" without a verdict (the
    cross-entropy rest point)."""
    if r.consistent is None:
        return "—"
    n = len(r.on_boundary)
    if r.consistent:
        return "consistent" + (f", {n} on a kink" if n else "")
    if n:
        return f"sliding, {n} on a kink z = 0"
    return "not settled"


def _spectrum_scope(s) -> str:
    if s.mode == "joint":
        return ("the values of the shown training example with its x and y pinned, at the "
                "current weights")
    return "the values that are not pinned, under the current pins and weights"


def _lambda_texts(r, lambdas) -> tuple[str, str]:
    """λmin and λmax as shown: from the read-outs, or from ``lambdas(readouts)`` →
    ``(λmin, λmax, pending)`` (:class:`~.lambdas.LambdaReadout`, which computes them off the
    GUI thread on wide networks; pending values are the last known ones, marked "…")."""
    if lambdas is None:
        return _num(r, "lambda_min"), _num(r, "lambda_max")
    try:
        lo, hi, pending = lambdas(r)
    except _READ_ERRORS:
        return style.fmt(float("nan")), style.fmt(float("nan"))
    mark = "…" if pending else ""
    return style.fmt(lo) + mark, style.fmt(hi) + mark


def status_items(s, player, *, lambdas=None) -> list[StatusItem]:
    """The status line of session ``s`` (played by ``player``) as named items; ``lambdas``
    as in :func:`_lambda_texts`."""
    r = s.readouts
    lam_min, lam_max = _lambda_texts(r, lambdas)
    scope = _spectrum_scope(s)
    items = [StatusItem("energy", f"energy E = {_num(r, 'energy')}",
                        "E = ½ Σ dₑ: half the total discord ‖rₑ‖² of the edges, for the "
                        "state shown.")]
    if s.mode == "joint":
        items.append(StatusItem("residual", f"batch mean R̄ = {_num(r, 'residual')}",
                                "R̄: the mean of E over the training batch (what the joint "
                                "flow lowers)."))
    else:
        items.append(StatusItem("residual", f"at rest R = {_num(r, 'residual')}",
                                "R: E at the equilibrium of the current pins, the lowest E "
                                "the relaxation can reach (E falls to R)."))
    if s.output_force == "cross-entropy":
        items.append(StatusItem("objective", f"objective (CE) = {_num(r, 'objective')}",
                                "What the relaxation descends under the cross-entropy "
                                "output force."))
    items.append(StatusItem(
        "lambda_min", f"slowest λmin = {lam_min}",
        f"<p>λmin: the smallest eigenvalue of {L_FREE}, the sheaf Laplacian on {scope}, at "
        "the state's ReLU pattern. E − R decays at least like exp(−2·α·λmin·t).</p>"))
    items.append(StatusItem(
        "lambda_max", f"stiffest λmax = {lam_max}",
        f"<p>λmax: the largest eigenvalue of {L_FREE}, the sheaf Laplacian on {scope}, at "
        "the state's ReLU pattern (recomputed whenever the weights move). Euler steps are "
        "stable while Δt &lt; 2/(α·λmax).</p>"))
    if s.mode == "relax":
        try:
            sigma = pattern_text(r)
        except _READ_ERRORS:
            sigma = "—"
        items.append(StatusItem(
            "sigma", f"σ: {sigma}",
            "σ, the ReLU pattern: which ReLUs are on. Not settled: the state is still on "
            "its way (not yet the equilibrium of its own pattern). Consistent: the state is the equilibrium of its own "
            "pattern. Sliding: a neuron is held exactly on its kink z = 0, where neither "
            "pattern is self-consistent; that is a genuine equilibrium, not an error."))
    items.append(StatusItem("clock", f"step {s.steps} (t = {style.fmt(s.time)})",
                            "Euler steps the flow has taken, and its time t (the sum of "
                            "the steps Δt); the rewind bar counts the same steps."))
    speed = (f"{style.fmt(player.fps, 2)} fps · {style.fmt(player.steps_per_second, 3)} "
             f"steps/s" if player.playing else "paused")
    items.append(StatusItem("speed", speed, "Frames drawn and flow steps taken per second "
                                            "while playing (Space plays and pauses)."))
    return items


def status_text(items: list[StatusItem]) -> str:
    return SEPARATOR.join(i.text for i in items)


class StatusLine(QtWidgets.QWidget):
    """Rows of plain-text labels, one per :class:`StatusItem`, each with its tooltip.

    The items flow into the rows the line's width needs when the text is enlarged (F5,
    Ctrl++: one line of twice the size is wider than a 1920-pixel screen), at most
    :data:`MAX_ROWS`; at the application's own text size they stay in one row. Rows are chosen when the width, the text size or the set of
    items changes, never when a number changes (a status line that re-laid out the status
    bar on every frame would cost a frame's budget): each item is given room for
    :data:`SLACK` more characters than its text has, and the rows are chosen again only
    when a text outgrows that room.
    """

    #: Room each item keeps for its numbers to grow ("0.5" → "0.51").
    SLACK = "00"
    #: Pixels between two items of a row.
    SPACING = 18
    #: At most this many rows when the text is enlarged (what twice the text needs on a
    #: 1280-pixel screen); one at the application's own text size.
    MAX_ROWS = 2

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                           QtWidgets.QSizePolicy.Policy.Fixed)
        self._grid = QtWidgets.QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(self.SPACING)
        self._grid.setVerticalSpacing(0)
        #: the labels by item key
        self.labels: dict[str, QtWidgets.QLabel] = {}
        self._keys: tuple = ()
        self._rows: list[list[str]] = []
        # bold for every item, at the size the window gives (only the weight is this
        # widget's own: a new look's text size reaches the labels through it)
        f = QtGui.QFont()
        f.setBold(True)
        self.setFont(f)

    def set_items(self, items: list[StatusItem]) -> None:
        keys = tuple(i.key for i in items)
        if keys != self._keys:
            self._rebuild(keys)
        for item in items:
            lab = self.labels[item.key]
            if lab.text() != item.text:
                lab.setText(item.text)
            if lab.toolTip() != item.tip:
                lab.setToolTip(item.tip)
        if keys != self._flowed_keys() or self._outgrown():
            self._flow()

    def _outgrown(self) -> bool:
        """Whether a label's text is now wider than the room its row gave it."""
        return any(lab.sizeHint().width() > lab.width() for lab in self.labels.values()
                   if lab.isVisible())

    def _rebuild(self, keys: tuple) -> None:
        for lab in self.labels.values():
            self._grid.removeWidget(lab)
            lab.deleteLater()
        self.labels = {}
        for key in keys:
            lab = QtWidgets.QLabel()
            lab.setObjectName(f"status-{key}")
            lab.setTextFormat(QtCore.Qt.TextFormat.PlainText)
            self.labels[key] = lab
        self._keys = keys
        self._rows = []

    def _flowed_keys(self) -> tuple:
        return tuple(k for row in self._rows for k in row)

    def rows(self) -> list[list[str]]:
        """The item keys of each row, top to bottom."""
        return [list(r) for r in self._rows]

    def _flow(self) -> None:
        """Put the items into rows that fit the line's width (greedy, in order)."""
        if not self._keys:
            return
        fm = QtGui.QFontMetrics(self.font())
        slack = fm.horizontalAdvance(self.SLACK)
        room = max(self.width(), 1)
        rows, used = [[]], 0
        for key in self._keys:
            need = fm.horizontalAdvance(self.labels[key].text()) + slack
            if rows[-1] and used + self.SPACING + need > room:
                rows.append([])
                used = 0
            used += (self.SPACING if rows[-1] else 0) + need
            rows[-1].append(key)
        # at most MAX_ROWS rows, one at the application's own text size: a narrow window
        # keeps its size, its last row holding the rest, cut at its end
        most = self.MAX_ROWS if self._enlarged() else 1
        rows = rows[:most - 1] + [sum(rows[most - 1:], [])]
        if rows == self._rows:
            return
        self._rows = rows
        for lab in self.labels.values():
            self._grid.removeWidget(lab)
        for r, row in enumerate(rows):
            for c, key in enumerate(row):
                self._grid.addWidget(self.labels[key], r, c)
        columns = max(len(row) for row in rows)
        for c in range(self._grid.columnCount()):
            self._grid.setColumnStretch(c, 0)
        self._grid.setColumnStretch(columns, 1)  # the items to the left, the room after
        self.setFixedHeight(fm.lineSpacing() * len(rows) + 2)

    def _enlarged(self) -> bool:
        """Whether the line's text is larger than the application's (F5, Ctrl++)."""
        app_pt = QtWidgets.QApplication.font().pointSizeF()
        return app_pt > 0 and self.font().pointSizeF() > 1.05 * app_pt

    def resizeEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(ev)
        if ev.size().width() != ev.oldSize().width():
            self._flow()

    def changeEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().changeEvent(ev)
        if ev.type() == QtCore.QEvent.Type.FontChange:
            self._rows = []  # the same keys, other widths: flow again
            self._flow()

    def text(self) -> str:
        """The whole line as one string (items joined by │)."""
        return SEPARATOR.join(self.labels[k].text() for k in self._keys)
