"""Side by side: the same initial weights trained by the joint flow (paper mode) and by
gradient descent, forward losses on one plot (docs/mathematics.md). "Run" emits
``runRequested(steps)``; the owner runs :func:`~sheafviz.core.diagnostics.compare_training`
off the GUI thread and calls :meth:`ComparePanel.set_comparison`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from sheafviz.core.diagnostics import TrainingComparison
from .. import style
from ..theme import or_light
from ..widgets import (EmptyNote, ReadOut, finite_or_floor, hover_scene_pos, legend, make_plot,
                      title_label)

SHEAF_COLOR, GD_COLOR = "#0072B2", "#D55E00"


class ComparePanel(QtWidgets.QWidget):
    """Signals: ``runRequested(int)`` — train both from the initial weights for n steps."""

    runRequested = QtCore.Signal(int)

    def __init__(self, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)
        self.plot = make_plot(theme=self.theme, left="forward loss", bottom="step", log_y=True)
        pi = self.plot.plotItem
        legend(self.plot, theme=self.theme)
        self.sheaf = pi.plot(pen=pg.mkPen(SHEAF_COLOR, width=3), name="joint flow (sheaf)")
        self.gd = pi.plot(pen=pg.mkPen(GD_COLOR, width=3, style=QtCore.Qt.PenStyle.DashLine),
                          name="gradient descent (backprop)")
        self.note = EmptyNote(self.plot, "Press “Run both” to train the joint flow and "
                                         "gradient descent from the same initial weights",
                              theme=self.theme)
        self.steps_box = QtWidgets.QSpinBox()
        self.steps_box.setRange(10, 1_000_000)
        self.steps_box.setSingleStep(1000)
        self.steps_box.setValue(5000)
        self.steps_box.setSuffix(" steps")
        self.run_button = QtWidgets.QPushButton("Run both")
        self.run_button.clicked.connect(lambda: self.runRequested.emit(self.steps_box.value()))
        self.readout = ReadOut("Same initial weights, same data; press Run both.", theme=self.theme)
        head = QtWidgets.QHBoxLayout()
        head.addWidget(title_label("Joint flow vs gradient descent"))
        head.addStretch(1)
        head.addWidget(self.steps_box)
        head.addWidget(self.run_button)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(head)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.readout)
        hover_scene_pos(self.plot, self._on_hover)
        self.result: TrainingComparison | None = None

    def set_running(self, running: bool) -> None:
        self.run_button.setEnabled(not running)
        if running:
            self.readout.setText("training both…")

    def set_error(self, text: str) -> None:
        self.set_running(False)
        self.readout.setText(f"Could not run: {text}")

    def set_comparison(self, result: TrainingComparison | None) -> None:
        self.result = result
        self.set_running(False)
        self.note.set_empty(result is None or len(result.steps) == 0)
        if result is None:
            self.sheaf.setData([], [])
            self.gd.setData([], [])
            return
        s = np.asarray(result.steps, float)
        self.sheaf.setData(s, finite_or_floor(result.sheaf_loss))
        self.gd.setData(s, finite_or_floor(result.gd_loss))
        self.readout.setText(self.describe(len(s) - 1))

    def describe(self, k: int) -> str:
        r = self.result
        ratio = r.sheaf_loss[k] / r.gd_loss[k] if r.gd_loss[k] > 0 else float("nan")
        return (f"step {int(r.steps[k])}: joint flow {style.fmt(r.sheaf_loss[k], 4)}, "
                f"gradient descent {style.fmt(r.gd_loss[k], 4)} (ratio {style.fmt(ratio, 3)})")

    def _on_hover(self, p) -> None:
        r = self.result
        if p is None or r is None or len(r.steps) == 0:
            return
        self.readout.setText(self.describe(int(np.argmin(np.abs(r.steps - p.x())))))
