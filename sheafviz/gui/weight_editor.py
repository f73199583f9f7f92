"""The weight editor (issue 5): change one weight or bias and watch the drape answer.

A dock ("Weights", Edit ▸ Edit weights…, Ctrl+Shift+W) with a layer chooser (W1, b1, W2,
…), the matrix of that layer and a value field. Small layers (the [2,4,1] lessons) are a
table of numbers on a blue–white–red background; a layer with more than
:data:`TABLE_MAX_ROWS` rows or :data:`TABLE_MAX_COLS` columns is a heatmap (an
``ImageItem``; a [784,128,…] W1 as a table would be 100 000 widgets). Click a cell (or
type its row and column), type a value, press Enter: the edit goes through
:meth:`sheafviz.Session.set_network` of the window's session and is one step
``edit W2[0,3]`` of its undo history (the entry and its value: :mod:`.weight_edits`; the
table and the heatmap: :mod:`.weight_views`; the dock and its action: :mod:`.weight_dock`).
"""

from __future__ import annotations

import math
import time as _time

import numpy as np
from PySide6 import QtCore, QtWidgets

from . import style
from .theme import or_light
from .widgets import title_label
from .weight_edits import Entry, layer_array, parse_value, with_entry
from .weight_views import WeightHeatmap, WeightTable

#: Largest layer shown as a table (rows × columns); bigger ones are a heatmap.
TABLE_MAX_ROWS = 24
TABLE_MAX_COLS = 12
#: Fewest seconds between two redraws while the weights train.
THROTTLE_S = 0.25


class WeightEditor(QtWidgets.QWidget):
    """The editor panel. ``undo`` is the lecture :class:`UndoRecorder` (or None: edits
    are then applied without an undo step).

    Attributes for tests: ``layer_box``, ``row_box``, ``col_box``, ``table``
    (:class:`~.weight_views.WeightTable`), ``heatmap`` (:class:`~.weight_views.WeightHeatmap`),
    ``plot`` and ``image`` (the heatmap's), ``value_edit``, ``apply_button``, ``status``,
    :attr:`view_kind`.
    """

    def __init__(self, window, undo=None, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)
        self.window, self.undo = window, undo
        self._layers: list[tuple[str, int]] = []
        self._shown = None  # the network drawn last (redraw only when it changes)
        self._drawn_at = -math.inf
        self._dirty = True
        self._build()
        self._timer = QtCore.QTimer(self, singleShot=True, interval=int(THROTTLE_S * 1000))
        self._timer.timeout.connect(self.refresh)
        self.on_session()

    # -- construction ------------------------------------------------------------------------
    def _build(self) -> None:
        self.layer_box = QtWidgets.QComboBox()
        # never clipped ("W1  (128×784)"): the dock grows instead, also with big text
        self.layer_box.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_box.currentIndexChanged.connect(lambda *_: self._layer_changed())
        self.row_box, self.col_box = QtWidgets.QSpinBox(), QtWidgets.QSpinBox()
        for box in (self.row_box, self.col_box):
            box.valueChanged.connect(lambda *_: self._index_changed())
        top = QtWidgets.QHBoxLayout()
        top.addWidget(title_label("Layer"))
        top.addWidget(self.layer_box, 1)
        top.addWidget(QtWidgets.QLabel("row"))
        top.addWidget(self.row_box)
        top.addWidget(QtWidgets.QLabel("col"))
        top.addWidget(self.col_box)

        self.table = WeightTable(theme=self.theme)
        self.table.currentCellChanged.connect(lambda r, c, *_: self._cell_clicked(r, c))
        self.table.cellDoubleClicked.connect(lambda *_: self.value_edit.setFocus())
        self.heatmap = WeightHeatmap(theme=self.theme)
        self.plot, self.image = self.heatmap.plot, self.heatmap.image
        self.plot.scene().sigMouseClicked.connect(self._plot_clicked)
        self.plot.scene().sigMouseMoved.connect(self._plot_hovered)
        self.stack = QtWidgets.QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.plot)

        # the palette's text colour (a fixed style-sheet colour is unreadable in dark theme)
        self.readout = QtWidgets.QLabel("Click a cell to choose a weight.")
        self.readout.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.readout.setFont(style.font(0.95))
        self.readout.setWordWrap(True)
        self.value_edit = QtWidgets.QLineEdit()
        self.value_edit.setFont(style.font(1.0))
        self.value_edit.setPlaceholderText("new value, e.g. -0.5")
        self.value_edit.returnPressed.connect(self.apply_text)
        self.apply_button = QtWidgets.QPushButton("Apply")
        self.apply_button.setToolTip("Set the chosen weight to this value (Enter); undo: Ctrl+Z")
        self.apply_button.clicked.connect(self.apply_text)
        edit = QtWidgets.QHBoxLayout()
        edit.addWidget(QtWidgets.QLabel("New value"))
        edit.addWidget(self.value_edit, 1)
        edit.addWidget(self.apply_button)
        self.status = QtWidgets.QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        self.status.setFont(style.font(0.95))

        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.readout)
        lay.addLayout(edit)
        lay.addWidget(self.status)
        lay.addStretch(0)  # takes the room a small table does not need (see _fit_table)
        self._lay = lay

    # -- what is shown -----------------------------------------------------------------------
    @property
    def view_kind(self) -> str:
        """"table" or "heatmap": how the current layer is drawn."""
        return "table" if self.stack.currentWidget() is self.table else "heatmap"

    @property
    def layer(self) -> tuple[str, int]:
        return self._layers[max(self.layer_box.currentIndex(), 0)]

    def entry(self) -> Entry:
        kind, l = self.layer
        return Entry(kind, l, self.row_box.value(), self.col_box.value() if kind == "W" else 0)

    def _names(self, kind: str, l: int) -> tuple[list[str], list[str]]:
        """Row and column header labels: the neurons a weight connects."""
        arch = self.window.session.network.arch
        src = "x" if l == 1 else f"a{l - 1}"
        rows = [f"z{l}[{i}]" for i in range(arch[l])]
        cols = [f"b{l}"] if kind == "b" else [f"{src}[{j}]" for j in range(arch[l - 1])]
        return rows, cols

    def on_session(self) -> None:
        """A new network: list its layers (keeping the chosen one when it still exists)."""
        net = self.window.session.network
        keep = self.layer if self._layers else ("W", net.n_hidden + 1)
        self._layers = [(k, l) for l in range(1, len(net.weights) + 1) for k in ("W", "b")]
        with QtCore.QSignalBlocker(self.layer_box):
            self.layer_box.clear()
            for kind, l in self._layers:
                a = layer_array(net, kind, l)
                shape = f"{a.shape[0]}×{a.shape[1]}" if kind == "W" else f"{a.shape[0]}"
                self.layer_box.addItem(f"{kind}{l}  ({shape})")
            self.layer_box.setCurrentIndex(self._layers.index(keep) if keep in self._layers
                                           else len(self._layers) - 2)
        self._layer_changed()

    def _layer_changed(self) -> None:
        kind, l = self.layer
        n_rows, n_cols = layer_array(self.window.session.network, kind, l).shape
        for box, n in ((self.row_box, n_rows), (self.col_box, n_cols)):
            with QtCore.QSignalBlocker(box):
                box.setRange(0, n - 1)
                box.setValue(0)
        self.col_box.setEnabled(kind == "W")
        small = n_rows <= TABLE_MAX_ROWS and n_cols <= TABLE_MAX_COLS
        rows, cols = self._names(kind, l)
        if small:
            self.table.show_layer(rows, cols)
        else:
            self.table.clear_layer()
            self.heatmap.show_layer(rows, cols)
        self.stack.setCurrentWidget(self.table if small else self.plot)
        self._shown = None
        self.refresh()
        self._index_changed()
        self._fit_table()

    def _fit_table(self) -> None:
        """A table only as tall as its rows, the controls right under it; a heatmap takes
        all the height."""
        small = self.view_kind == "table"
        self.stack.setMaximumHeight(self.table.fit_rows() if small else 16_777_215)
        lay = self._lay
        lay.setStretch(lay.indexOf(self.stack), 0 if small else 1)
        lay.setStretch(lay.count() - 1, 1 if small else 0)

    def changeEvent(self, ev) -> None:  # noqa: N802 - presentation mode scales the fonts
        super().changeEvent(ev)
        if ev.type() == QtCore.QEvent.Type.FontChange and self._layers:
            QtCore.QTimer.singleShot(0, self, self._fit_table)

    # -- drawing -----------------------------------------------------------------------------
    def on_frame(self) -> None:
        if not self.isVisible():
            self._dirty = True  # drawn when shown again
            return
        if self.window.session.network is self._shown:
            return
        # an edit, an undo, a step: at once; an animation frame: at most every THROTTLE_S
        if not self.window.player.playing or \
                _time.perf_counter() - self._drawn_at >= THROTTLE_S:
            self.refresh()
        elif not self._timer.isActive():
            self._timer.start()

    def showEvent(self, ev) -> None:  # noqa: N802
        super().showEvent(ev)
        if self._dirty and self._layers:
            self.refresh()

    def refresh(self) -> None:
        """Redraw the current layer from the session's current weights."""
        if not self._layers:
            return
        net = self.window.session.network
        self._shown, self._dirty, self._drawn_at = net, False, _time.perf_counter()
        a = layer_array(net, *self.layer)
        scale = float(np.max(np.abs(a))) if a.size else 1.0
        scale = scale if scale > 0 else 1.0
        if self.view_kind == "table":
            self.table.fill(a, scale)
        else:
            self.heatmap.draw(a, scale)
        self._describe()

    def _describe(self) -> None:
        e = self.entry()
        rows, cols = self._names(e.kind, e.layer)
        now = e.get(self.window.session.network)
        start = e.get(self.window.session.initial_network)
        link = rows[e.row] if e.kind == "b" else f"{cols[e.col]} → {rows[e.row]}"
        text = f"{e.label} ({link}) = {style.fmt(now, 4)}"
        if now != start:
            text += f"   (initial {style.fmt(start, 4)})"
        self.readout.setText(text)

    # -- selection ---------------------------------------------------------------------------
    def select(self, row: int, col: int = 0) -> None:
        """Choose the entry at ``row``, ``col`` of the current layer."""
        with QtCore.QSignalBlocker(self.row_box), QtCore.QSignalBlocker(self.col_box):
            self.row_box.setValue(int(row))
            self.col_box.setValue(int(col))
        self._index_changed()

    def _cell_clicked(self, row: int, col: int) -> None:
        if row >= 0 and col >= 0:
            self.select(row, col)

    def _index_changed(self) -> None:
        if not self._layers:
            return
        e = self.entry()
        if self.view_kind == "table":
            with QtCore.QSignalBlocker(self.table):
                self.table.setCurrentCell(e.row, e.col)
        else:
            self.heatmap.mark(e.row, e.col)
        self.value_edit.setText(f"{e.get(self.window.session.network):.6g}")
        self._describe()

    def cell_at(self, x: float, y: float) -> tuple[int, int] | None:
        """(row, col) of the heatmap cell at view point (x, y), or None outside."""
        n_rows, n_cols = layer_array(self.window.session.network, *self.layer).shape
        col, row = int(math.floor(x)), int(math.floor(y))
        return (row, col) if 0 <= row < n_rows and 0 <= col < n_cols else None

    def _view_point(self, scene_pos):
        p = self.heatmap.view_point(scene_pos)
        return None if p is None else self.cell_at(*p)

    def _plot_clicked(self, ev) -> None:
        cell = self._view_point(ev.scenePos())
        if cell is not None and ev.button() == QtCore.Qt.MouseButton.LeftButton:
            self.select(*cell)

    def _plot_hovered(self, scene_pos) -> None:
        cell = self._view_point(scene_pos)
        if cell is None:
            return
        kind, l = self.layer
        e = Entry(kind, l, cell[0], cell[1] if kind == "W" else 0)
        self.plot.setToolTip(f"{e.label} = {style.fmt(e.get(self.window.session.network), 4)}")

    # -- the edit ----------------------------------------------------------------------------
    def _say(self, text: str, level: str = "info") -> None:
        """``text`` under the value field and on the window's status line."""
        self._show(text, level)
        self.window.show_message(text, level)

    def _show(self, text: str, level: str = "info") -> None:
        colors = getattr(style, "MESSAGE_COLORS", None) or {"error": "#b00020",
                                                            "warn": "#8a5a00",
                                                            "info": "#1a4d1a"}
        color = colors.get(level, colors.get("info", "#1a4d1a"))
        self.status.setStyleSheet(f"color: {color};")
        self.status.setText(text)

    def apply_text(self) -> bool:
        """Apply the value field to the chosen entry (Enter / Apply). False when refused."""
        if not self._layers:
            return False
        e = self.entry()
        try:
            value = parse_value(self.value_edit.text())
        except ValueError as exc:
            self._say(f"{e.label} not changed: {exc}.", "error")
            return False
        return self.apply_value(e, value)

    def apply_value(self, e: Entry, value: float) -> bool:
        """Set entry ``e`` to ``value`` in the session's weights, as one undo step."""
        s, rec = self.window.session, self.undo
        if rec is not None:
            rec.flush()  # a change still being coalesced becomes its own step first
        old = e.get(s.network)
        if value == old:
            self._say(f"{e.label} is already {style.fmt(value, 4)}.")
            return True
        try:
            with s.edit_group(f"edit {e.label}"):  # one named undo step
                ok = s.set_network(with_entry(s.network, e, value))
        except ValueError as exc:
            self._say(f"{e.label} not changed: {exc}", "error")
            return False
        if not ok:  # the session said why on the status line
            self._show(f"{e.label} not changed (see the status line).", "error")
            return False
        if rec is not None:
            rec.resync()
        self.refresh()
        self._say(f"{e.label}: {style.fmt(old, 4)} → {style.fmt(value, 4)}")
        if rec is not None:
            self.status.setText(self.status.text() + "   (Ctrl+Z undoes)")
        return True
