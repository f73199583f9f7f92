"""The guided tour (Help > Guided tour): each panel of the window in turn, framed, with a
card saying what it shows and what to try. Next / Back (or → / ←) move, Esc or Close ends.

The frame is a transparent child of the window drawn over the panel (it takes no clicks);
the graph step also rings the input vertex with :class:`~.highlight.Highlighter`, the
same highlight lessons use.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from .highlight import Highlighter

#: Thickness of the frame drawn around the panel of a step (pixels).
FRAME_PX = 4


@dataclass(frozen=True)
class TourStep:
    """One stop: ``title``, ``text`` (rich text), ``find(window)`` → the widget to frame
    (None: the step is skipped), and a graph element to ring (or None)."""

    title: str
    text: str
    find: Callable
    graph_target: str | None = None


def _titled(title: str) -> Callable:
    """Finder of the box of the panel titled ``title`` (title line and plot)."""
    def find(window):
        label = getattr(window, "_titles", {}).get(title)
        return None if label is None else label.parentWidget()
    return find


def _attr(name: str) -> Callable:
    return lambda window: getattr(window, name, None)


def _banner(window):
    b = getattr(window, "notes_banner", None)
    return b.bar if b is not None else None


def _rewind(window):
    lecture = getattr(window, "lecture", None)
    return None if lecture is None else lecture.rewind_bar


STEPS = (
    TourStep("Lesson notes", "What this preset shows and what to try. Hide them with the "
             "arrow at the left; Presets &gt; Lesson notes brings them back.", _banner),
    TourStep("Path graph", "The network's forward pass laid out as a path: every quantity "
             "is a vertex, every operation an edge. <b>Click</b> a neuron to pin it, "
             "<b>drag</b> a pinned one to move it. The ringed vertex x is the input.",
             _titled("Path graph"), "x"),
    TourStep("Drape", "The same values as a string over the layers: pinned values are "
             "clamps, the springs are the edges' residuals, the faint curve is the plain "
             "forward pass.", _titled("Drape")),
    TourStep("Controls", "Play the flow (Space), step (S), jump to the equilibrium (J), "
             "reset (R); switch between relaxing the values and training the weights (T); "
             "the rates; the selected neuron's value and its Pin button.", _attr("panel")),
    TourStep("Residual energy", "E over time while a flow runs (log scale), with the "
             "predicted envelope and a mark at each ReLU switch.", _titled("Residual energy")),
    TourStep("Discord now", "Each edge's discord d<sub>e</sub> = ‖r<sub>e</sub>‖² now, "
             "then the totals per edge type. All zero: the values are at equilibrium with "
             "no tension.", _titled("Discord now")),
    TourStep("Discord over time", "The total discord of each edge type while a flow "
             "runs.", _titled("Discord over time")),
    TourStep("Status line", "The read-outs of the shown state, each named; hover over it "
             "for what every number means.", lambda w: w.statusBar()),
    TourStep("Rewind", "Scrub back through the recorded states; play continues from the "
             "one shown.", _rewind),
)


class _Frame(QtWidgets.QWidget):
    """A coloured rectangle outline over a panel; clicks pass through it."""

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setObjectName("tour-frame")
        self.color = QtGui.QColor("#E69F00")
        self.hide()

    def paintEvent(self, ev) -> None:  # noqa: N802 - Qt override
        p = QtGui.QPainter(self)
        pen = QtGui.QPen(self.color, FRAME_PX)
        pen.setJoinStyle(QtCore.Qt.PenJoinStyle.MiterJoin)
        p.setPen(pen)
        half = FRAME_PX // 2
        p.drawRect(self.rect().adjusted(half, half, -half, -half))
        p.end()


class _Card(QtWidgets.QFrame):
    """The step's title, text and Back / Next / Close; ← → and Esc work while it has focus
    (it claims them before the window's shortcuts on the same keys)."""

    KEYS = (QtCore.Qt.Key.Key_Escape, QtCore.Qt.Key.Key_Left, QtCore.Qt.Key.Key_Right)

    def __init__(self, parent: QtWidgets.QWidget, tour: "GuidedTour") -> None:
        super().__init__(parent)
        self.tour = tour
        self.setObjectName("tour-card")
        self.setFrameShape(QtWidgets.QFrame.Shape.Box)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        lay = QtWidgets.QVBoxLayout(self)
        self.title = QtWidgets.QLabel()
        self.text = QtWidgets.QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(QtCore.Qt.TextFormat.RichText)
        row = QtWidgets.QHBoxLayout()
        self.back = QtWidgets.QPushButton("← Back")
        self.next = QtWidgets.QPushButton("Next →")
        self.close_button = QtWidgets.QPushButton("Close (Esc)")
        for b in (self.back, self.next, self.close_button):
            b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
            row.addWidget(b)
        lay.addWidget(self.title)
        lay.addWidget(self.text)
        lay.addLayout(row)
        self.back.clicked.connect(tour.back)
        self.next.clicked.connect(tour.next)
        self.close_button.clicked.connect(tour.stop)
        self.hide()

    def event(self, ev) -> bool:
        if ev.type() == QtCore.QEvent.Type.ShortcutOverride and ev.key() in self.KEYS:
            ev.accept()  # ours, not the window's Esc / ← / → actions
            return True
        return super().event(ev)

    def keyPressEvent(self, ev) -> None:  # noqa: N802 - Qt override
        key = ev.key()
        if key == QtCore.Qt.Key.Key_Escape:
            self.tour.stop()
        elif key == QtCore.Qt.Key.Key_Right:
            self.tour.next()
        elif key == QtCore.Qt.Key.Key_Left:
            self.tour.back()
        else:
            super().keyPressEvent(ev)


class GuidedTour(QtCore.QObject):
    """The tour over ``window``'s panels (see the module notes).

    Attributes
    ----------
    index : int or None, the step shown (None: not running)
    steps : list of TourStep, the steps whose panel this window has
    frame, card : the outline and the card (children of the window)
    """

    stepChanged = QtCore.Signal(int)
    finished = QtCore.Signal()

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.index: int | None = None
        self.steps: list[TourStep] = []
        self.frame = _Frame(window)
        self.card = _Card(window, self)
        self._highlighter: Highlighter | None = None
        window.installEventFilter(self)

    @property
    def running(self) -> bool:
        return self.index is not None

    def target(self) -> QtWidgets.QWidget | None:
        """The widget framed now."""
        return None if self.index is None else self.steps[self.index].find(self.window)

    def start(self) -> None:
        """Begin at the first panel the window shows."""
        self.steps = [s for s in STEPS if self._visible(s.find(self.window))]
        if not self.steps:
            return
        self._go(0)

    @staticmethod
    def _visible(w) -> bool:
        return w is not None and w.isVisible() and w.width() > 0 and w.height() > 0

    def next(self) -> None:
        if self.index is not None:
            if self.index + 1 >= len(self.steps):
                self.stop()
            else:
                self._go(self.index + 1)

    def back(self) -> None:
        if self.index is not None and self.index > 0:
            self._go(self.index - 1)

    def stop(self) -> None:
        """End the tour: the frame, the card and the highlight go."""
        if self.index is None:
            return
        self.index = None
        self.frame.hide()
        self.card.hide()
        self._ring(None)
        self.window.activateWindow()
        self.window.setFocus()
        self.finished.emit()

    def _go(self, k: int) -> None:
        self.index = k
        step = self.steps[k]
        self.card.title.setText(f"<b>{step.title}</b> &nbsp; ({k + 1} of {len(self.steps)})")
        self.card.text.setText(step.text)
        self.card.back.setEnabled(k > 0)
        self.card.next.setText("Finish" if k + 1 == len(self.steps) else "Next →")
        self._ring(step.graph_target)
        self._place()
        self.card.setFocus()
        self.stepChanged.emit(k)

    def _ring(self, target: str | None) -> None:
        graph = getattr(self.window, "graph", None)
        if graph is None:
            return
        if self._highlighter is None:
            theme = getattr(self.window, "theme", None)
            self._highlighter = Highlighter(
                graph, lambda: getattr(theme, "SELECT_COLOR", "#E69F00"))
        if target is None:
            self._highlighter.clear()
        else:
            self._highlighter.show(self.window.session.layout, target)

    def _place(self) -> None:
        """Frame the target and put the card beside it, inside the window."""
        w = self.target()
        if w is None:
            return
        top_left = w.mapTo(self.window, QtCore.QPoint(0, 0))
        self.frame.setGeometry(QtCore.QRect(top_left, w.size()))
        self.frame.show()
        self.frame.raise_()
        win = self.window.rect()
        width = min(420, max(240, win.width() // 3))
        self.card.setFixedWidth(width)
        self.card.adjustSize()
        size = self.card.sizeHint()
        frame = self.frame.geometry()
        x = frame.right() + 8 if frame.right() + 8 + width <= win.right() else \
            max(0, frame.left() - 8 - width)
        if frame.width() > win.width() - width - 16:  # a wide panel: card inside its corner
            x = max(0, frame.right() - width - 12)
        y = min(max(0, frame.top()), max(0, win.bottom() - size.height()))
        self.card.move(x, y)
        self.card.show()
        self.card.raise_()

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - follow the window's size
        if obj is self.window and ev.type() == QtCore.QEvent.Type.Resize and self.running:
            QtCore.QTimer.singleShot(0, self._place)
        return super().eventFilter(obj, ev)
