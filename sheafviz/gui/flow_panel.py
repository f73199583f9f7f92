"""The flow side panel: preset, transport buttons, mode, rates, example, neuron editor.

Every widget emits an intent signal; :meth:`FlowPanel.set_params` and
:meth:`FlowPanel.set_selection` redraw from pushed values under signal blockers, so a
redraw never echoes back as an intent.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from . import style


def _spin(minimum: float, maximum: float, decimals: int, step: float) -> QtWidgets.QDoubleSpinBox:
    s = QtWidgets.QDoubleSpinBox()
    s.setRange(minimum, maximum)
    s.setDecimals(decimals)
    s.setSingleStep(step)
    s.setKeyboardTracking(False)
    s.setAccelerated(True)
    return s


class FlowPanel(QtWidgets.QWidget):
    """Controls of the session; signals are intents for the wiring."""

    presetChosen = QtCore.Signal(str)
    playClicked = QtCore.Signal()
    stepClicked = QtCore.Signal()
    resetClicked = QtCore.Signal()
    equilibriumClicked = QtCore.Signal()
    modeChosen = QtCore.Signal(str)
    alphaChanged = QtCore.Signal(float)
    betaChanged = QtCore.Signal(float)
    dtChanged = QtCore.Signal(float)
    stepsPerFrameChanged = QtCore.Signal(int)
    exampleChanged = QtCore.Signal(int)
    batchToggled = QtCore.Signal(bool)
    pinValueEdited = QtCore.Signal(str, int, float)
    pinToggled = QtCore.Signal(str, int)

    def __init__(self, presets: list[str], parent=None) -> None:
        super().__init__(parent)
        self._selected = None
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.setSpacing(6)

        self.preset = QtWidgets.QComboBox()
        self.preset.addItems(presets)
        self.preset.setToolTip("Lesson presets")
        self.preset.activated.connect(lambda i: self.presetChosen.emit(self.preset.itemText(i)))
        outer.addWidget(self.preset)

        buttons = QtWidgets.QGridLayout()
        self.play = QtWidgets.QPushButton("▶ Play")
        self.play.setToolTip("Play / pause the flow (Space)")
        self.step = QtWidgets.QPushButton("Step")
        self.step.setToolTip("Advance one frame (S)")
        self.reset = QtWidgets.QPushButton("Reset")
        self.reset.setToolTip("Back to the initial state and weights (R)")
        self.jump = QtWidgets.QPushButton("Equilibrium")
        self.jump.setToolTip("Jump to the equilibrium of the current pins (J)")
        for i, b in enumerate((self.play, self.step, self.reset, self.jump)):
            b.setMinimumHeight(36)
            buttons.addWidget(b, i // 2, i % 2)
        self.play.clicked.connect(self.playClicked)
        self.step.clicked.connect(self.stepClicked)
        self.reset.clicked.connect(self.resetClicked)
        self.jump.clicked.connect(self.equilibriumClicked)
        outer.addLayout(buttons)

        mode = QtWidgets.QHBoxLayout()
        self.relax = QtWidgets.QRadioButton("Relax (heat)")
        self.joint = QtWidgets.QRadioButton("Joint (train)")
        self.relax.setToolTip("Relax the stalks only: the sheaf heat equation")
        self.joint.setToolTip("Stalks and weights together: sheaf training")
        self.relax.toggled.connect(lambda on: on and self.modeChosen.emit("relax"))
        self.joint.toggled.connect(lambda on: on and self.modeChosen.emit("joint"))
        mode.addWidget(self.relax)
        mode.addWidget(self.joint)
        outer.addLayout(mode)

        form = QtWidgets.QGridLayout()
        form.setHorizontalSpacing(8)
        self.alpha = _spin(1e-4, 1e3, 4, 0.1)
        self.beta = _spin(1e-6, 1e3, 5, 0.001)
        self.dt = _spin(1e-5, 10.0, 5, 0.005)
        self.spf = QtWidgets.QSpinBox()
        self.spf.setRange(1, 5000)
        self.spf.setKeyboardTracking(False)
        self.alpha.setToolTip("α: stalk rate")
        self.beta.setToolTip("β: parameter rate (applied to the batch sum)")
        self.dt.setToolTip("Δt: Euler step")
        self.spf.setToolTip("Euler steps per animation frame (speed)")
        rows = [("α", self.alpha), ("β", self.beta), ("Δt", self.dt), ("steps/frame", self.spf)]
        for i, (text, w) in enumerate(rows):
            form.addWidget(QtWidgets.QLabel(text), i // 2, 2 * (i % 2))
            form.addWidget(w, i // 2, 2 * (i % 2) + 1)
        self.alpha.valueChanged.connect(self.alphaChanged)
        self.beta.valueChanged.connect(self.betaChanged)
        self.dt.valueChanged.connect(self.dtChanged)
        self.spf.valueChanged.connect(self.stepsPerFrameChanged)
        self.example = QtWidgets.QSpinBox()
        self.example.setKeyboardTracking(False)
        self.example.setToolTip("Which training pair is pinned at x and y")
        self.batch = QtWidgets.QCheckBox("whole batch")
        self.batch.setToolTip("Joint flow on the whole training set (the pair above is shown)")
        form.addWidget(QtWidgets.QLabel("example"), 2, 0)
        form.addWidget(self.example, 2, 1)
        form.addWidget(self.batch, 2, 2, 1, 2)
        self.example.valueChanged.connect(self.exampleChanged)
        self.batch.toggled.connect(self.batchToggled)
        outer.addLayout(form)

        editor = QtWidgets.QHBoxLayout()
        self.sel_label = QtWidgets.QLabel("click a neuron")
        self.sel_label.setMinimumWidth(60)
        self.sel_label.setToolTip("Selected neuron (click one in the graph)")
        f = self.sel_label.font()
        f.setBold(True)
        self.sel_label.setFont(f)
        self.sel_value = _spin(-1e6, 1e6, 4, 0.05)
        self.sel_value.setToolTip("Pin the selected neuron to this value")
        self.sel_pin = QtWidgets.QPushButton("Pin")
        self.sel_pin.setCheckable(True)
        self.sel_pin.setToolTip("Pin / unpin the selected neuron")
        editor.addWidget(self.sel_label)
        editor.addWidget(self.sel_value, 1)
        editor.addWidget(self.sel_pin)
        self.sel_value.valueChanged.connect(self._edited)
        self.sel_pin.clicked.connect(self._pin_clicked)
        outer.addLayout(editor)
        for spin in (self.alpha, self.beta, self.dt, self.spf, self.example, self.sel_value):
            spin.installEventFilter(self)
        self._plots = QtWidgets.QVBoxLayout()
        outer.addLayout(self._plots, 1)

    #: Keys that end typing in a field: Enter applies the value, Esc puts the shown one back;
    #: both give the keyboard back to the window (its Space, S, J, R ... work again).
    LEAVE_KEYS = (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter, QtCore.Qt.Key.Key_Escape)

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - Enter / Esc leave a spin box
        t = ev.type()
        if not isinstance(obj, QtWidgets.QAbstractSpinBox) or t not in (
                QtCore.QEvent.Type.ShortcutOverride, QtCore.QEvent.Type.KeyPress):
            return super().eventFilter(obj, ev)
        if ev.key() not in self.LEAVE_KEYS:
            return super().eventFilter(obj, ev)
        if t == QtCore.QEvent.Type.ShortcutOverride:
            ev.accept()  # the key is the field's, not the window's Esc action
            return True
        if ev.key() == QtCore.Qt.Key.Key_Escape:
            with QtCore.QSignalBlocker(obj):
                obj.setValue(obj.value())  # drop the typed text: the value is unchanged
        else:
            obj.interpretText()  # apply what was typed (emits valueChanged when new)
        obj.clearFocus()
        self.window().setFocus()
        return True

    def add_plot(self, widget, stretch: int = 1) -> None:
        self._plots.addWidget(widget, stretch)

    def _edited(self, value: float) -> None:
        if self._selected is not None:
            self.pinValueEdited.emit(self._selected[0], self._selected[1], float(value))

    def _pin_clicked(self) -> None:
        if self._selected is not None:
            self.pinToggled.emit(*self._selected)

    # -- redraw from pushed values ----------------------------------------------------------
    def set_params(self, *, preset: str, alpha: float, beta: float, dt: float,
                   steps_per_frame: int, mode: str, n_examples: int, example: int,
                   whole_batch: bool) -> None:
        """Show the session's settings; ``n_examples`` = 0 when it has no data set."""
        blockers = [QtCore.QSignalBlocker(w) for w in (
            self.alpha, self.beta, self.dt, self.spf, self.example, self.batch, self.relax,
            self.joint, self.preset)]
        self.alpha.setValue(alpha)
        self.beta.setValue(beta)
        self.dt.setValue(dt)
        self.spf.setValue(steps_per_frame)
        self.relax.setChecked(mode == "relax")
        self.joint.setChecked(mode == "joint")
        self.beta.setEnabled(mode == "joint")
        has = n_examples > 0
        self.example.setEnabled(has)
        self.batch.setEnabled(has)
        self.example.setRange(0, n_examples - 1 if has else 0)
        self.example.setValue(example if has else 0)
        self.batch.setChecked(whole_batch)
        i = self.preset.findText(preset)
        if i < 0:
            self.preset.addItem(preset)
            i = self.preset.count() - 1
        self.preset.setCurrentIndex(i)
        del blockers

    def set_playing(self, playing: bool) -> None:
        self.play.setText("❚❚ Pause" if playing else "▶ Play")

    def set_selection(self, selected: tuple[str, int] | None, *, value: float = 0.0,
                      pinned: bool = False) -> None:
        """The neuron editor: ``selected`` = (name, index) or None, its value and pin."""
        blockers = [QtCore.QSignalBlocker(w) for w in (self.sel_value, self.sel_pin)]
        self._selected = selected
        ok = selected is not None
        for w in (self.sel_value, self.sel_pin):
            w.setEnabled(ok)
        if ok:
            name, i = selected
            self.sel_label.setText(f"{name}[{i}]")
            self.sel_value.setValue(float(value))
            self.sel_pin.setChecked(bool(pinned))
            self.sel_pin.setText("Unpin" if pinned else "Pin")
        else:
            self.sel_pin.setChecked(False)
            self.sel_pin.setText("Pin")
            self.sel_label.setText("click a neuron")
        del blockers

    def set_selected_value(self, value: float) -> None:
        """The selected neuron's live value (not while the user is typing one)."""
        if self._selected is not None and not self.sel_value.hasFocus():
            with QtCore.QSignalBlocker(self.sel_value):
                self.sel_value.setValue(float(value))
