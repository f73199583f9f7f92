"""Rewind: a time scrubber over the recorded trajectory, and "restart from the same initial
weights".

:class:`Trajectory` keeps the states the animation showed (cochain, time, step, and the
weights while training) in a bounded buffer: when full, every other state is dropped, so a
long run keeps its overall shape in flat memory (like the controller's History).
:class:`RewindPanel` (in the Rewind tool bar) is a slider over the recorded states; moving it
pauses and shows that state (``Controller.seek``); pressing play continues from it (the
states after it are forgotten, the energy history is cut there). In joint mode the weights
are restored with the state; the stalks of the batch restart from the shown state's network
(optimizer moments are not recorded).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from ..style import fmt

CAPACITY = 1000
#: Memory the recorded states may take (bytes); wide networks keep fewer states.
BUDGET_BYTES = 64_000_000


class Trajectory:
    """Recorded states ``(t, steps, cochain (size,), network or None)``, oldest first."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = int(capacity)
        self.items: list[tuple] = []
        self.limit = self.capacity
        self._stride, self._skip = 1, 0

    def clear(self) -> None:
        self.items.clear()
        self._stride, self._skip = 1, 0

    def __len__(self) -> int:
        return len(self.items)

    def record(self, t: float, steps: int, c: np.ndarray, network=None, *,
               weights_move: bool = True) -> None:
        """Keep state ``c`` (size,) at ``t`` / ``steps`` with its ``network``;
        ``weights_move`` False: the weights are shared between states (a relaxation), so
        they do not count against the memory budget."""
        if self.items and self.items[-1][1] == steps:
            self.items[-1] = (t, steps, c.copy(), network)  # same instant: newest wins
            return
        if self._skip > 0 and self.items:
            self._skip -= 1
            return
        if not self.items:
            size = np.size(c) + (sum(w.size + b.size for w, b in
                                     zip(network.weights, network.biases))
                                 if network is not None and weights_move else 0)
            self.limit = max(16, min(self.capacity, BUDGET_BYTES // (8 * size)))
        if len(self.items) >= self.limit:
            self.items = self.items[::2]
            self._stride *= 2
        self.items.append((float(t), int(steps), np.array(c, dtype=float), network))
        self._skip = self._stride - 1

    def truncate_after(self, k: int) -> None:
        del self.items[k + 1:]


class RewindController(QtCore.QObject):
    """Records the controller's frames and moves it back to a recorded one."""

    changed = QtCore.Signal()

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.ctl = controller
        self.trajectory = Trajectory()
        self._seeking = False
        self.position: int | None = None  #: index shown after a seek, until play resumes

    def clear(self) -> None:
        self.trajectory.clear()
        self.position = None
        self.changed.emit()

    def on_frame(self) -> None:
        ctl = self.ctl
        if self._seeking or getattr(ctl, "preset", None) is None:
            return
        tr = self.trajectory
        if self.position is not None:
            if ctl.steps == tr.items[self.position][1] and not ctl.playing:
                return
            tr.truncate_after(self.position)  # continuing from a rewound state
            self.position = None
        elif tr.items and ctl.steps < tr.items[-1][1]:
            tr.clear()  # a reset or restart
        # the weights too in a relaxation: a weight edit changes them between frames
        tr.record(ctl.t, ctl.steps, ctl.c, ctl.network, weights_move=ctl.mode == "joint")
        self.changed.emit()

    def seek(self, k: int) -> None:
        """Show recorded state ``k`` (paused); play continues from it."""
        tr = self.trajectory
        if not tr.items:
            return
        k = int(np.clip(k, 0, len(tr) - 1))
        t, steps, c, network = tr.items[k]
        self._seeking = True
        try:
            self.ctl.seek(t, steps, c, network)  # paused; the next frame starts from it
        finally:
            self._seeking = False
        self.position = k
        self.changed.emit()

    def restart(self) -> None:
        """Back to the initial state and the same initial weights (pins kept), then play."""
        self.ctl.reset()
        self.clear()
        self.on_frame()
        self.ctl.play()


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
            t, steps, _, _ = tr.items[max(0, self._shown())]
            self.label.setText(f"step {steps}  t = {fmt(t)}  ({len(tr)} states)")
        else:
            self.label.setText("no frames yet")
