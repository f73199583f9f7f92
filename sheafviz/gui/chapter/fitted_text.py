"""A label of plain text that wraps into the height it is given and elides the rest.

A word-wrapped ``QLabel`` tells its layout it needs every line at its width (its height
for width is both its minimum and its size hint), so a long explanation in a short dock
pushes the plot under it off the widget, or makes the window taller than the screen.
:class:`FittedText` asks for all its lines (size hint) but needs one line only (minimum):
when the layout gives it less, it shows the lines that fit, the last one ending in "…",
and its tooltip holds the whole text.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

#: Width asked for before the widget has one (px).
DEFAULT_WIDTH = 300


def wrapped_lines(text: str, font: QtGui.QFont, width: int) -> list[str]:
    """``text`` broken into lines no wider than ``width`` px (at word boundaries)."""
    layout = QtGui.QTextLayout(text, font)
    option = QtGui.QTextOption()
    option.setWrapMode(QtGui.QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    lines = []
    layout.beginLayout()
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(width, 10))
        lines.append(text[line.textStart(): line.textStart() + line.textLength()].rstrip())
    layout.endLayout()
    return lines


class FittedText(QtWidgets.QLabel):
    """Plain text wrapped to the widget's width, shown in as many lines as its height
    holds (at least ``min_lines``: 0 lets a heading give way when the room is short);
    :meth:`text` is always the whole text."""

    def __init__(self, text: str = "", parent=None, *, min_lines: int = 1) -> None:
        if min_lines not in (0, 1):
            raise ValueError(f"min_lines must be 0 or 1, got {min_lines!r}")
        self.min_lines = min_lines
        super().__init__(text, parent)
        self.setWordWrap(False)  # the wrapping is ours: no height-for-width minimum
        self.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                           QtWidgets.QSizePolicy.Policy.Preferred)
        self._width = -1

    def lines(self) -> list[str]:
        """The text's lines at the current width."""
        return wrapped_lines(self.text(), self.font(), self.contentsRect().width())

    def shown_lines(self) -> list[str]:
        """The lines drawn at the current size (the last one elided when some are left)."""
        lines = self.lines()
        fm = QtGui.QFontMetrics(self.font())
        fit = max(self.min_lines, self.contentsRect().height() // max(fm.lineSpacing(), 1))
        if fit == 0:
            return []
        if len(lines) <= fit:
            return lines
        rest = " ".join(lines[fit - 1:])
        last = fm.elidedText(rest, QtCore.Qt.TextElideMode.ElideRight,
                             self.contentsRect().width())
        return lines[: fit - 1] + [last]

    def is_elided(self) -> bool:
        return len(self.lines()) > len(self.shown_lines())

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's virtual
        fm = QtGui.QFontMetrics(self.font())
        width = self.width() if self.width() > 20 else DEFAULT_WIDTH
        m = self.contentsMargins()
        n = len(wrapped_lines(self.text(), self.font(), width - m.left() - m.right()))
        return QtCore.QSize(width, max(n, 1) * fm.lineSpacing() + m.top() + m.bottom())

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt's virtual
        fm = QtGui.QFontMetrics(self.font())
        m = self.contentsMargins()
        return QtCore.QSize(fm.averageCharWidth() * 8,
                            self.min_lines * fm.lineSpacing() + m.top() + m.bottom())

    def setText(self, text: str) -> None:  # noqa: N802 - Qt's method
        super().setText(text)
        self.updateGeometry()
        self._sync_tip()

    def setFont(self, font: QtGui.QFont) -> None:  # noqa: N802 - Qt's method
        super().setFont(font)
        self.updateGeometry()

    def resizeEvent(self, ev) -> None:  # noqa: N802 - Qt's virtual
        super().resizeEvent(ev)
        if self.width() != self._width:  # a new width: a new number of lines to ask for
            self._width = self.width()
            self.updateGeometry()
        self._sync_tip()

    def _sync_tip(self) -> None:
        self.setToolTip(self.text() if self.is_elided() else "")

    def paintEvent(self, ev) -> None:  # noqa: N802 - Qt's virtual
        painter = QtGui.QPainter(self)
        painter.setFont(self.font())
        painter.setPen(self.palette().color(QtGui.QPalette.ColorRole.WindowText))
        rect = self.contentsRect()
        step = QtGui.QFontMetrics(self.font()).lineSpacing()
        for i, line in enumerate(self.shown_lines()):
            painter.drawText(QtCore.QRect(rect.left(), rect.top() + i * step, rect.width(),
                                          step),
                             int(QtCore.Qt.AlignmentFlag.AlignLeft
                                 | QtCore.Qt.AlignmentFlag.AlignVCenter), line)
        painter.end()
