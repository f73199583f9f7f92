"""The lesson bar: a lesson step's caption, large, with Back and Next.

Input: :meth:`LessonBar.set_step` (step index, step count, the caption as Qt rich text, and
the claims whose live check failed) or :meth:`LessonBar.clear`; :meth:`LessonBar.set_scale`
for presentation mode. Intents: ``nextRequested()``, ``backRequested()`` (from the buttons).

Keys are the installer's business, not the bar's: a presentation clicker sends PageDown and
PageUp, which must work whichever view has the focus, so whoever docks the bar in the window
adds window-wide shortcuts, e.g.::

    for key, signal in ((Qt.Key_PageDown, bar.nextRequested), (Qt.Key_PageUp, bar.backRequested)):
        QtGui.QShortcut(QtGui.QKeySequence(key), window, signal.emit,
                        context=Qt.ShortcutContext.WindowShortcut)

and leaves the arrow keys to their current meaning.
"""

from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets

from sheafviz.gui.chapter import look

#: The caption's size relative to the base text (before the presentation factor) …
CAPTION_SCALE = 1.45
#: … up to this many points: beyond it the base text itself is large (presentation mode,
#: larger text) and the caption stays at the base size, every line of it costs the room
#: a line of the pictures (at 2.9 × base a three-line caption took a quarter of 1080 px).
CAPTION_CAP_PT = 24.0
EMPTY_TEXT = "No lesson is open: choose one from the Lessons menu or the gallery."


def failures_html(failures, color: str) -> str:
    """Failed claims as rich text in ``color``, one per line."""
    lines = "<br>".join(f"✗ {html.escape(str(f))}" for f in failures)
    return f"<span style='color:{color}'><b>Check failed:</b><br>{lines}</span>"


def caption_point_size(base_pt: float) -> float:
    """The caption's point size over base text of ``base_pt`` points: :data:`CAPTION_SCALE`
    × base while that is at most :data:`CAPTION_CAP_PT`, never less than the base."""
    return max(min(CAPTION_SCALE * base_pt, CAPTION_CAP_PT), base_pt)


class LessonBar(QtWidgets.QFrame):
    """Signals: ``nextRequested()``, ``backRequested()``, ``closeRequested()``."""

    nextRequested = QtCore.Signal()
    backRequested = QtCore.Signal()
    closeRequested = QtCore.Signal()

    def __init__(self, parent=None, *, theme=None) -> None:
        super().__init__(parent)
        self._scale = 1.0
        self._palette = look.Palette.from_theme(theme)
        self.index, self.total, self.failures = -1, 0, []
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.caption = QtWidgets.QLabel()
        self.caption.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.caption.setWordWrap(True)
        self.caption.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft
                                  | QtCore.Qt.AlignmentFlag.AlignTop)
        self.caption.setTextInteractionFlags(
            QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding,
                                   QtWidgets.QSizePolicy.Policy.Preferred)
        self.failure_label = QtWidgets.QLabel()
        self.failure_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.failure_label.setWordWrap(True)
        self.failure_label.setToolTip("Numbers this step's caption claims that the live "
                                      "model does not reproduce within their tolerance")
        self.step_label = QtWidgets.QLabel()
        self.step_label.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.step_label.setToolTip("This step and the lesson's number of steps")
        #: the lesson's title, once (its dock has no title bar), on the line of the count
        self.lesson_label = QtWidgets.QLabel()
        self.lesson_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                                        QtWidgets.QSizePolicy.Policy.Preferred)
        self.close_button = QtWidgets.QToolButton()
        self.close_button.setText("✕")
        self.close_button.setToolTip("Close the lesson (the window keeps its state)")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.closeRequested.emit)
        self.back_button = QtWidgets.QPushButton("◀ Back")
        self.back_button.setToolTip("The previous step (Page Up)")
        self.next_button = QtWidgets.QPushButton("Next ▶")
        self.next_button.setToolTip("The next step (Page Down)")
        self.back_button.clicked.connect(self.backRequested.emit)
        self.next_button.clicked.connect(self.nextRequested.emit)
        for button in (self.back_button, self.next_button, self.close_button):
            button.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)  # keys stay with the window
        self._layout_widgets()
        self.clear()
        self.set_scale(1.0)

    def _layout_widgets(self) -> None:
        head = QtWidgets.QHBoxLayout()
        head.addWidget(self.lesson_label, 1)
        head.addWidget(self.step_label)
        head.addWidget(self.close_button)
        text = QtWidgets.QVBoxLayout()
        text.addWidget(self.caption, 1)
        text.addWidget(self.failure_label)
        row = QtWidgets.QHBoxLayout()
        top = QtCore.Qt.AlignmentFlag.AlignTop
        row.addWidget(self.back_button, 0, top)
        row.addLayout(text, 1)
        row.addWidget(self.next_button, 0, top)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(8, 2, 8, 6)
        lay.setSpacing(2)
        lay.addLayout(head)
        lay.addLayout(row, 1)

    # -- inputs ------------------------------------------------------------------------
    def set_lesson_title(self, title: str) -> None:
        """The lesson's title, shown once above the caption (elided when long)."""
        self._title = str(title)
        self._elide_title()

    def set_step(self, index: int, total: int, caption_html: str, failures=()) -> None:
        """Show step ``index`` (0-based) of ``total``, its caption (Qt rich text) and the
        claims that failed their check (strings; empty: none failed)."""
        index, total = int(index), int(total)
        if not 0 <= index < total:
            raise ValueError(f"step {index} is not in 0..{total - 1}")
        self.index, self.total, self.failures = index, total, list(failures)
        self.caption.setText(caption_html)
        self.step_label.setText(f"Step {index + 1} / {total}")
        self.back_button.setEnabled(index > 0)
        self.next_button.setEnabled(index < total - 1)
        self.failure_label.setText(failures_html(self.failures, self._palette.failure)
                                   if self.failures else "")
        self.failure_label.setVisible(bool(self.failures))

    def clear(self) -> None:
        """No lesson: say where to find one; the buttons do nothing."""
        self.index, self.total, self.failures = -1, 0, []
        self.set_lesson_title("")
        self.caption.setText(f"<span style='color:{self._palette.muted}'>{EMPTY_TEXT}</span>")
        self.step_label.setText("")
        self.failure_label.setVisible(False)
        self.back_button.setEnabled(False)
        self.next_button.setEnabled(False)

    def set_theme(self, theme) -> None:
        """Failure and muted text in a theme's colours (re-shows the current step)."""
        self._palette = look.Palette.from_theme(theme)
        if self.index < 0:
            self.clear()
        else:
            self.failure_label.setText(failures_html(self.failures, self._palette.failure)
                                       if self.failures else "")

    def set_scale(self, factor: float) -> None:
        """Caption, buttons and step count at ``factor`` × normal (presentation mode)."""
        self._scale = s = float(factor)
        base = look.base_pt()
        self.caption.setFont(look.font(caption_point_size(base * s) / base))
        self.lesson_label.setFont(look.font(0.9 * s))
        self.close_button.setFont(look.font(0.9 * s))
        self.failure_label.setFont(look.font(1.1 * s))
        self.step_label.setFont(look.font(1.0 * s, bold=True))
        for button in (self.back_button, self.next_button):
            button.setFont(look.font(1.1 * s, bold=True))
            button.setMinimumHeight(int(look.base_pt() * 2.6 * s))
        self._elide_title()

    def wanted_height(self, width: int) -> int:
        """The bar's height for the whole caption (and failures) at caption width
        ``width``: a dock does not ask a word-wrapped label for its height at a width."""
        height = self.caption.heightForWidth(width)
        if self.failure_label.isVisibleTo(self):
            height += self.failure_label.heightForWidth(width) + 6
        height = max(height, self.next_button.sizeHint().height())
        head = max(self.lesson_label.sizeHint().height(), self.step_label.sizeHint().height(),
                   self.close_button.sizeHint().height())
        m = self.layout().contentsMargins()
        return head + self.layout().spacing() + height + m.top() + m.bottom() + 4

    def resizeEvent(self, ev) -> None:  # noqa: N802 - Qt's virtual
        super().resizeEvent(ev)
        self._elide_title()

    def _elide_title(self) -> None:
        title = getattr(self, "_title", "")
        fm = self.lesson_label.fontMetrics()
        width = max(self.lesson_label.width(), 50)
        self.lesson_label.setText(fm.elidedText(title, QtCore.Qt.TextElideMode.ElideRight,
                                                width))
        self.lesson_label.setToolTip(title)
