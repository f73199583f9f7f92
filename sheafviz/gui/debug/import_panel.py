"""Your own model and data: weights (.npz, or a PyTorch state_dict when torch is installed)
and samples (.csv / .npz). Every problem is shown as one readable line; a network (with its
data when loaded and fitting) is offered with ``modelLoaded(network, dataset_or_None)``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from sheafviz.core.data.datasets import DataError, load_data_file
from sheafviz.core.model.network import NetworkError
from sheafviz.core.data.torch_import import load_network_file, torch_available
from .. import style
from ..theme import or_light
from ..dialogs import NoDialogs
from ..widgets import title_label

HEADS = ("identity", "sigmoid", "softmax")


class ImportPanel(QtWidgets.QWidget):
    """Signals: ``modelLoaded(object, object)`` — a Network and a Dataset (or None)."""

    modelLoaded = QtCore.Signal(object, object)

    def __init__(self, parent=None, *, dialogs=None, theme=None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)
        #: file choosers (:mod:`sheafviz.gui.dialogs`); none by default
        self.dialogs = dialogs if dialogs is not None else NoDialogs()
        self.head_box = QtWidgets.QComboBox()
        for h in HEADS:
            self.head_box.addItem(h)
        self.weights_button = QtWidgets.QPushButton("Weights…")
        self.data_button = QtWidgets.QPushButton("Data…")
        self.apply_button = QtWidgets.QPushButton("Use this model")
        self.apply_button.setEnabled(False)
        self.weights_button.clicked.connect(self._pick_weights)
        self.data_button.clicked.connect(self._pick_data)
        self.apply_button.clicked.connect(self._apply)
        self.status = QtWidgets.QLabel("")
        self.status.setWordWrap(True)
        self.status.setFont(style.font(0.95))
        torch_note = ("PyTorch .pt state_dicts are readable." if torch_available() else
                      "PyTorch files need torch (not installed); .npz weights work.")
        help_text = QtWidgets.QLabel(
            "Weights: .npz with W1, b1, W2, b2, … (or a state_dict of nn.Sequential(Linear, "
            f"ReLU, …, Linear)). {torch_note} Data: .csv (last columns = targets) or .npz "
            "(X, Y).")
        help_text.setWordWrap(True)
        help_text.setFont(style.font(0.95))
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("output head"))
        row.addWidget(self.head_box)
        row.addWidget(self.weights_button)
        row.addWidget(self.data_button)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(title_label("Your own model and data"))
        lay.addLayout(row)
        lay.addWidget(help_text)
        lay.addWidget(self.status)
        lay.addStretch(1)
        self.network = None
        self.dataset = None
        self.weights_path: Path | None = None

    # -- loading (the buttons call these after a file dialog; tests call them directly) -----
    def load_weights(self, path: str | Path) -> bool:
        head = self.head_box.currentText()
        suffix = Path(path).suffix.lower()
        try:
            # .npz files carry their head unless the user picked a non-default one
            net = load_network_file(path, output=None if (suffix == ".npz" and
                                                          head == "identity") else head)
        except NetworkError as exc:
            return self._fail(str(exc))
        self.network, self.weights_path, self.dataset = net, Path(path), None
        self._set_head(net.output)
        return self._ready(f"network {list(net.arch)}, {net.output} output, from "
                           f"{Path(path).name}")

    def load_data(self, path: str | Path) -> bool:
        if self.network is None:
            return self._fail("load the weights first (the data must fit the network)")
        try:
            ds = load_data_file(path, n_outputs=self.network.arch[-1],
                                output=self.network.output)
            ds.check_network(self.network.arch)
        except DataError as exc:
            return self._fail(str(exc))
        self.dataset = ds
        return self._ready(f"network {list(self.network.arch)} and {ds.n_train} samples "
                           f"from {Path(path).name}")

    def _set_head(self, head: str) -> None:
        with QtCore.QSignalBlocker(self.head_box):
            self.head_box.setCurrentText(head)

    def _fail(self, text: str) -> bool:
        self.status.setText(f"⚠ {text}")
        self.status.setStyleSheet("color: #b00020;")
        self.apply_button.setEnabled(self.network is not None)
        return False

    def _ready(self, text: str) -> bool:
        self.status.setText(f"✓ {text}")
        self.status.setStyleSheet(f"color: {self.theme.FOREGROUND};")
        self.apply_button.setEnabled(True)
        return True

    def _apply(self) -> None:
        if self.network is not None:
            self.modelLoaded.emit(self.network, self.dataset)

    def _pick_weights(self) -> None:
        path = self.dialogs.ask_open("Weights", "", "Weights (*.npz *.pt *.pth);;All files (*)")
        if path:
            self.load_weights(path)

    def _pick_data(self) -> None:
        path = self.dialogs.ask_open("Data", "", "Data (*.csv *.npz);;All files (*)")
        if path:
            self.load_data(path)
