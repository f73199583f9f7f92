"""The status line, item by item: each read-out named in words, with a tooltip that says
what it is (:func:`status_items`), and :class:`StatusLine`, the row of labels showing them.

The definitions are the read-outs' own (:class:`sheafviz.live.readouts.Readouts`): the
spectrum is that of ``L_free``, the sheaf Laplacian restricted to the values that are not
pinned, at the ReLU pattern of the state shown, so it follows the weights while training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6 import QtCore, QtWidgets

from . import style

#: Between two items of the status line.
SEPARATOR = "  │  "
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
        f"λmin: the smallest eigenvalue of L_free, the sheaf Laplacian on {scope}, at the "
        "state's ReLU pattern. E − R decays at least like exp(−2·α·λmin·t)."))
    items.append(StatusItem(
        "lambda_max", f"stiffest λmax = {lam_max}",
        f"λmax: the largest eigenvalue of L_free, the sheaf Laplacian on {scope}, at the "
        "state's ReLU pattern (recomputed whenever the weights move). Euler steps are "
        "stable while Δt < 2/(α·λmax)."))
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
    """A row of plain-text labels, one per :class:`StatusItem`, each with its tooltip.

    The labels ignore their text's width (a label that re-lays out the status bar on every
    change costs a frame's budget), so the row is sized by its stretch, not by its text.
    """

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                           QtWidgets.QSizePolicy.Policy.Fixed)
        self._lay = QtWidgets.QHBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self._lay.setSpacing(18)
        self._lay.addStretch(1)
        #: the labels by item key
        self.labels: dict[str, QtWidgets.QLabel] = {}
        self._keys: tuple = ()

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

    def _rebuild(self, keys: tuple) -> None:
        for lab in self.labels.values():
            self._lay.removeWidget(lab)
            lab.deleteLater()
        self.labels = {}
        for k, key in enumerate(keys):
            lab = QtWidgets.QLabel()
            lab.setObjectName(f"status-{key}")
            lab.setTextFormat(QtCore.Qt.TextFormat.PlainText)
            f = lab.font()
            f.setBold(True)
            lab.setFont(f)
            self._lay.insertWidget(k, lab)
            self.labels[key] = lab
        self._keys = keys

    def text(self) -> str:
        """The whole line as one string (items joined by │)."""
        return SEPARATOR.join(self.labels[k].text() for k in self._keys)
