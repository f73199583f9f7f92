"""The two views of one weight layer in the weight editor (:mod:`.weight_editor`).

:class:`WeightTable` shows a small layer as a table of numbers on a blue–white–red
background; :class:`WeightHeatmap` shows a big one as an image with a colour bar (a
[784,128,…] W1 as a table would be 100 000 widgets). Both mark the chosen entry without
hiding its colour; which view a layer gets, and what a click does, is the editor's business.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from . import style
from .theme import Theme, or_light
from .widgets import make_plot


class CellDelegate(QtWidgets.QStyledItemDelegate):
    """Draws the chosen cell with its own value colour and a thick outline: the usual
    selection fill would hide the colour (and the sign) of exactly that weight."""

    def __init__(self, parent=None, *, theme: Theme | None = None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)

    def paint(self, painter, option, index) -> None:
        selected = bool(option.state & QtWidgets.QStyle.StateFlag.State_Selected)
        opt = QtWidgets.QStyleOptionViewItem(option)
        opt.state &= ~QtWidgets.QStyle.StateFlag.State_Selected
        opt.state &= ~QtWidgets.QStyle.StateFlag.State_HasFocus
        super().paint(painter, opt, index)
        if selected:
            painter.save()
            pen = QtGui.QPen(QtGui.QColor(self.theme.SELECT_COLOR), 3)
            pen.setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
            painter.setPen(pen)
            painter.drawRect(QtCore.QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5))
            painter.restore()

    def sizeHint(self, option, index) -> QtCore.QSize:  # noqa: N802
        # room for the outline around the text (it crossed the digits on tight rows)
        pad = int(option.fontMetrics.height() * 0.6)
        return super().sizeHint(option, index) + QtCore.QSize(pad, pad)


class WeightTable(QtWidgets.QTableWidget):
    """A small layer as a read-only table (the editor's value field does the editing), one
    row per neuron the weights feed, one column per neuron they come from (or the bias)."""

    def __init__(self, parent=None, *, theme: Theme | None = None) -> None:
        super().__init__(parent)
        self.theme = or_light(theme)
        self.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self.verticalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.setItemDelegate(CellDelegate(self, theme=self.theme))

    def show_layer(self, rows: list[str], cols: list[str]) -> None:
        """Empty cells under the header labels ``rows`` × ``cols`` (no signals emitted)."""
        n_rows, n_cols = len(rows), len(cols)
        with QtCore.QSignalBlocker(self):
            self.clear()
            self.setRowCount(n_rows)
            self.setColumnCount(n_cols)
            self.setVerticalHeaderLabels(rows)
            self.setHorizontalHeaderLabels(cols)
            for i in range(n_rows):
                for j in range(n_cols):
                    item = QtWidgets.QTableWidgetItem()
                    item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
                    self.setItem(i, j, item)
        mode = (QtWidgets.QHeaderView.ResizeMode.Stretch if n_cols <= 6 else
                QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setSectionResizeMode(mode)

    def clear_layer(self) -> None:
        """No cells at all (the layer is drawn as a heatmap)."""
        self.clear()
        self.setRowCount(0)
        self.setColumnCount(0)

    def fill(self, a: np.ndarray, scale: float) -> None:
        """Write the values ``a`` (rows, cols), each on its colour (``±scale`` → the ends of
        the blue–white–red scale)."""
        lut = style.value_lut()
        k = np.rint((np.clip(a / scale, -1, 1) + 1) * (len(lut) // 2)).astype(int)
        for i in range(a.shape[0]):
            for j in range(a.shape[1]):
                item = self.item(i, j)
                r, g, b, _ = (int(v) for v in lut[k[i, j]])
                item.setText(style.fmt(a[i, j], 3))
                item.setBackground(QtGui.QColor(r, g, b))
                dark = 0.299 * r + 0.587 * g + 0.114 * b < 140
                # the cell colours are the same in every theme, so is their text colour
                item.setForeground(QtGui.QColor("#ffffff" if dark else "#111111"))

    def fit_rows(self) -> int:
        """Size the rows to their text and return the height that shows every row."""
        self.resizeRowsToContents()
        h = (self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth() +
             sum(self.rowHeight(i) for i in range(self.rowCount())))
        if self.horizontalScrollBar().isVisible():
            h += self.horizontalScrollBar().sizeHint().height()
        return h


def _diverging_map() -> pg.ColorMap:
    lut = style.value_lut()
    return pg.ColorMap(np.linspace(0.0, 1.0, len(lut)), lut)


class WeightHeatmap:
    """A big layer as an image (row-major, row 0 on top) with a colour bar, the chosen cell
    outlined and crossed (one cell of a 128×784 matrix is under a pixel); zoom reaches
    single cells.

    Attributes
    ----------
    plot : pg.PlotWidget, the widget to lay out
    image : pg.ImageItem
    marker : QGraphicsRectItem, the chosen cell's outline; cross : two pg.InfiniteLine
    colorbar : pg.ColorBarItem
    """

    def __init__(self, *, theme: Theme | None = None) -> None:
        self.theme = or_light(theme)
        self.plot = make_plot(theme=self.theme)
        pi = self.plot.plotItem
        pi.showGrid(x=False, y=False)
        pi.vb.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(style.value_lut())
        pi.addItem(self.image)
        self.marker = QtWidgets.QGraphicsRectItem()
        pen = pg.mkPen(self.theme.SELECT_COLOR, width=3)
        pen.setCosmetic(True)
        self.marker.setPen(pen)
        self.marker.setZValue(10)
        pi.addItem(self.marker)
        # a cross through the chosen cell: one cell of a 128×784 matrix is under a pixel
        self.cross = [pg.InfiniteLine(angle=a, movable=False,
                                      pen=pg.mkPen(self.theme.SELECT_COLOR, width=1.5))
                      for a in (0, 90)]
        for line in self.cross:
            pi.addItem(line)
        self.colorbar = pg.ColorBarItem(values=(-1, 1), colorMap=_diverging_map(),
                                        interactive=False, width=16, colorMapMenu=False)
        self.colorbar.setImageItem(self.image, insert_in=pi)
        ax = self.colorbar.axis
        ax.setTickFont(style.font(0.9))
        ax.setTextPen(pg.mkPen(self.theme.FOREGROUND))
        self._bar_pen = self.theme.FOREGROUND

    def show_layer(self, rows: list[str], cols: list[str]) -> None:
        """Axis labels (the vertex of the rows and of the columns) and a view of the whole
        ``len(rows)`` × ``len(cols)`` matrix, zoomable down to single cells."""
        n_rows, n_cols = len(rows), len(cols)
        pi = self.plot.plotItem
        size = {"font-size": f"{style.base_pt():.0f}pt"}
        pi.setLabel("left", f"row: {rows[0].split('[')[0]}", **size)
        pi.setLabel("bottom", f"column: {cols[0].split('[')[0]}", **size)
        vb = pi.vb
        vb.setMouseEnabled(x=True, y=True)  # zoom in to reach single cells
        vb.setLimits(xMin=0, xMax=n_cols, yMin=0, yMax=n_rows)
        vb.setRange(xRange=(0, n_cols), yRange=(0, n_rows), padding=0)

    def draw(self, a: np.ndarray, scale: float) -> None:
        """Show the values ``a`` (rows, cols) on the colour range ``±scale``."""
        self.image.setImage(a, autoLevels=False, levels=(-scale, scale))
        self.image.setRect(QtCore.QRectF(0, 0, a.shape[1], a.shape[0]))
        self.colorbar.setLevels((-scale, scale))
        if self._bar_pen != self.theme.FOREGROUND:  # the theme changed (not a plot axis)
            self._bar_pen = self.theme.FOREGROUND
            self.colorbar.axis.setTextPen(pg.mkPen(self.theme.FOREGROUND))
            self.colorbar.axis.setPen(pg.mkPen(self.theme.FOREGROUND))

    def mark(self, row: int, col: int) -> None:
        """Outline and cross the cell at ``row``, ``col``."""
        self.marker.setRect(QtCore.QRectF(col, row, 1, 1))
        self.cross[0].setValue(row + 0.5)
        self.cross[1].setValue(col + 0.5)

    def view_point(self, scene_pos) -> tuple[float, float] | None:
        """(x, y) in matrix coordinates (x = column, y = row) of a scene point, or None
        outside the plot's view box."""
        vb = self.plot.plotItem.vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        return p.x(), p.y()
