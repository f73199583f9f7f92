"""Rewind: a time scrubber over the recorded trajectory, and "restart from the same initial
weights".

The session records the states its flow shows (:attr:`sheafviz.Session.trajectory`, a
bounded :class:`~sheafviz.live.trajectory.Trajectory`: cochain, time, step, and the weights
while training); the bar only reads it.
:class:`RewindPanel` (in the Rewind tool bar) is a slider over the recorded states; moving it
pauses and shows that state (``Session.seek``); pressing play continues from it (the
states after it are forgotten, the energy history is cut there). In joint mode the weights
are restored with the state; the stalks of the batch restart from the shown state's network
(optimizer moments are not recorded).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from sheafviz.live.trajectory import Trajectory  # noqa: F401 - the recorded states' type
from ..style import fmt


class RewindController(QtCore.QObject):
    """The rewind bar's model: the window session's recorded trajectory
    (:attr:`sheafviz.Session.trajectory`, recorded by the session itself) and
    :meth:`sheafviz.Session.seek`.

    Parameters
    ----------
    owner : what holds the current session and player (the window): ``owner.session``,
        ``owner.player``
    """

    changed = QtCore.Signal()

    def __init__(self, owner, parent=None) -> None:
        super().__init__(parent)
        self.owner = owner

    @property
    def trajectory(self):
        return self.owner.session.trajectory

    @property
    def position(self) -> int | None:
        """Index shown after a seek, until the flow records again."""
        return self.owner.session.rewound_to

    def clear(self) -> None:
        """A new session: its own trajectory is shown."""
        self.changed.emit()

    def on_frame(self) -> None:
        """The session moved (it has recorded the state): redraw the bar."""
        self.changed.emit()

    def seek(self, k: int) -> None:
        """Show recorded state ``k`` (paused); play continues from it."""
        self.owner.player.pause()
        self.owner.session.seek(int(k))
        self.changed.emit()

    def restart(self) -> None:
        """Back to the initial state and the same initial weights (pins kept), then play."""
        self.owner.player.pause()
        self.owner.session.reset()
        self.changed.emit()
        self.owner.player.play()


class RewindPanel(QtWidgets.QWidget):
    """Slider over the recorded states, a read-out and the restart button."""

    def __init__(self, rewind: RewindController, parent=None) -> None:
        super().__init__(parent)
        self.rewind = rewind
        lay = QtWidgets.QHBoxLayout(self)
        lay.setContentsMargins(6, 2, 6, 2)
        self.restart = QtWidgets.QPushButton("↺ Restart (same initial weights)")
        self.restart.setToolTip("Back to the initial state and weights, then play")
        self.restart.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.setToolTip("Scrub through the recorded trajectory (play continues from "
                               "the shown state)")
        self.slider.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.label = QtWidgets.QLabel("no frames yet")
        self.label.setMinimumWidth(220)
        lay.addWidget(self.restart)
        lay.addWidget(self.slider, 1)
        lay.addWidget(self.label)
        self.restart.clicked.connect(rewind.restart)
        self.slider.valueChanged.connect(self._on_slider)
        rewind.changed.connect(self.refresh)
        self.refresh()

    def _on_slider(self, k: int) -> None:
        if k != self._shown():
            self.rewind.seek(k)

    def _shown(self) -> int:
        r = self.rewind
        return r.position if r.position is not None else len(r.trajectory) - 1

    def refresh(self) -> None:
        tr = self.rewind.trajectory
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setRange(0, max(0, len(tr) - 1))
            self.slider.setValue(max(0, self._shown()))
        if tr.items:
            if self.rewind.position is None:  # the live state: the status line's clock
                s = self.rewind.owner.session
                steps, t = s.steps, s.time
            else:  # a recorded state (after thinning, the newest kept may be older)
                t, steps, _, _ = tr.items[max(0, self._shown())]
            self.label.setText(f"step {steps}  t = {fmt(t)}  ({len(tr)} states)")
        else:
            self.label.setText("no frames yet")
