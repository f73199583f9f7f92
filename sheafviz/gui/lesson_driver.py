"""Lessons in the window: the lesson bar, the Lessons menu, Next / Back on PageDown / PageUp.

A :class:`LessonDriver` runs a :class:`~sheafviz.lessons.LessonRunner` on the window's
session: a step that opens a preset or a network hands the new session to the window
(``window.set_session``), every other step acts on ``window.session`` itself, so what the
class sees is what the step did. Back replays the lesson from its start up to the previous
step (each step's state depends on all before it). The GUI-only actions of a step work
here: ``show`` opens a dock (a name of the lesson format, see :data:`PANEL_DOCKS`) and
``highlight`` marks a vertex, an edge or a neuron in the path graph.

The bar (:class:`~.chapter.lesson_bar.LessonBar`) sits in a dock above the views, hidden
until a lesson opens; the dock has no title bar (the bar shows the lesson's title once, and
a ✕). Its caption is drawn larger than small text and at the text size once that is large
(presentation mode). In presentation mode the lesson keeps its bar and its panel, and a
panel that is a dock takes the flow panel's column (:meth:`LessonDriver.fit_presentation`). PageDown / PageUp are window-wide actions (what a presentation
clicker sends); the arrow keys keep their meaning (neuron selection, pinned values).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from sheafviz.gui import chapter_feed as feed
from sheafviz.gui.chapter.lesson_bar import LessonBar
from sheafviz.gui.highlight import Highlighter
from sheafviz.lessons import LessonError, list_lessons, load_lesson

#: Lesson panel names (``show = "…"``) → the window's dock (object name); the panels that
#: are always in the window (graph, drape, discord, energy, history) need no dock.
PANEL_DOCKS = {"ep": "chapter-ep", "phase": "chapter-phase", "data": "debug-data",
               "regions": "debug-data", "inverse": "debug-data",
               "spectrum": "debug-spectrum", "gradients": "debug-gradient",
               "weights": "Weights"}
ALWAYS_SHOWN = ("graph", "drape", "discord", "energy", "history")


def find_dock(window, key: str):
    """The window's dock with object name or title ``key``, else None."""
    for dock in window.findChildren(QtWidgets.QDockWidget):
        if key in (dock.objectName(), dock.windowTitle()):
            return dock
    return None


def show_panel(window, name: str) -> None:
    """Show the panel a lesson names (see :data:`PANEL_DOCKS`); ValueError if unknown."""
    if name in ALWAYS_SHOWN:
        return
    dock = find_dock(window, PANEL_DOCKS.get(name, name))
    if dock is None:
        raise ValueError(f"the window has no panel {name!r}")
    dock.setVisible(True)
    dock.raise_()


class LessonDriver(QtCore.QObject):
    """Runs one lesson at a time on ``window.session`` and shows its steps in the bar.

    Signals: ``stepShown(int)`` — step ``index`` (0-based) was run and shown.
    """

    stepShown = QtCore.Signal(int)

    def __init__(self, window, chapter, bar: LessonBar, dock: QtWidgets.QDockWidget) -> None:
        super().__init__(window)
        self.window, self.chapter, self.bar, self.dock = window, chapter, bar, dock
        self.lesson = None
        self.runner: LessonRunner | None = None
        self.index = -1
        self.result = None
        #: why the last open or step failed ("" when it did not)
        self.error = ""
        self.highlighter = Highlighter(window.graph, lambda: window.theme.SELECT_COLOR)
        self._fitted_width = -1
        #: the flow panel, while presentation mode hides it for the lesson's dock
        self._panel_hidden = False
        bar.nextRequested.connect(self.next)
        bar.backRequested.connect(self.back)
        bar.closeRequested.connect(self.close)
        bar.caption.installEventFilter(self)

    def open(self, name_or_path) -> bool:
        """Open a lesson (a shipped name, a file, or a Lesson) at its first step."""
        try:
            lesson = (load_lesson(name_or_path) if isinstance(name_or_path, str)
                      else name_or_path)
        except LessonError as exc:
            self.error = str(exc)
            self.window.show_message(self.error, "error")
            return False
        from sheafviz.lessons import LessonRunner  # its imports wait for the first lesson

        self.lesson, self.runner, self.index = lesson, LessonRunner(lesson), -1
        self.dock.setWindowTitle(f"Lesson: {lesson.title}")
        self.bar.set_lesson_title(lesson.title)
        self.dock.setVisible(True)
        return self.go(0)

    def close(self) -> None:
        """No lesson: the bar hides, the window keeps the last step's session."""
        self.lesson, self.runner, self.index, self.result = None, None, -1, None
        self.highlighter.clear()
        self.bar.clear()
        self.dock.setVisible(False)
        self.fit_presentation()

    def next(self) -> None:
        if self.runner is not None and self.index < len(self.lesson.steps) - 1:
            self.go(self.index + 1)

    def back(self) -> None:
        if self.runner is not None and self.index > 0:
            self.go(self.index - 1)

    def go(self, i: int) -> bool:
        """Run step ``i`` (the next one on the current session, any other by replaying the
        lesson up to it) and show it; False (and a message) when a step cannot run."""
        self.window.player.pause()
        runner = self.runner
        try:
            if i == self.index + 1:
                if runner.session is not None:
                    runner.session = self.window.session  # what the class sees
                result = runner.run_step(i)
            else:
                result = runner.run_to(i)
        except LessonError as exc:
            self.error = str(exc)
            self.window.show_message(self.error, "error")
            return False
        self.error = ""
        if runner.session is not None and runner.session is not self.window.session:
            self.window.set_session(runner.session)
        self.index, self.result = i, result
        self.dock.setVisible(True)  # closed with its ✕: the next step shows it again
        self._gui_actions(result)
        step = self.lesson.steps[i]
        self.bar.set_step(i, len(self.lesson.steps), feed.caption_html(step),
                          feed.failure_lines(result))
        self.fit_bar()
        self.fit_presentation()
        self.stepShown.emit(i)
        return True

    def fit_bar(self) -> None:
        """Make the bar tall enough for the whole caption at its width: a dock does not
        ask a word-wrapped label for its height at a width, so the bar says it."""
        bar = self.bar
        width = bar.caption.width() if bar.caption.width() > 50 else int(
            0.75 * self.window.width())
        bar.setFixedHeight(bar.wanted_height(width))
        self._fitted_width = width

    def presenting(self) -> bool:
        lecture = getattr(self.window, "lecture", None)
        return lecture is not None and bool(lecture.presentation.active)

    def fit_presentation(self, *_args) -> None:
        """In presentation mode the lesson keeps its bar and its panel (F5 hides the docks),
        and while that panel is a dock the dock takes the flow panel's column: at twice the
        text size 1080 px hold the bar, the graph, the drape and one dock, not a third
        column. The flow panel comes back when the lesson closes, shows no dock, or
        presentation mode ends (Space still plays)."""
        panel = getattr(self.window, "panel", None)
        dock_name = None
        if self.lesson is not None and self.presenting():
            self.dock.setVisible(True)
            shown = self.panel_at(self.index)
            if shown is not None and shown not in ALWAYS_SHOWN:
                try:
                    show_panel(self.window, shown)
                    dock_name = shown
                except ValueError:  # the step said so already
                    pass
        hide = dock_name is not None
        if panel is not None and hide != self._panel_hidden:
            panel.setVisible(not hide)
            self._panel_hidden = hide

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - Qt's virtual
        if (obj is self.bar.caption and ev.type() == QtCore.QEvent.Type.Resize
                and self.index >= 0 and obj.width() != self._fitted_width):
            self.fit_bar()
        return super().eventFilter(obj, ev)

    def panel_at(self, i: int) -> str | None:
        """The panel the lesson shows at step ``i``: the last ``show`` up to it (a step
        that shows nothing keeps the one before)."""
        shown = None
        for step in self.lesson.steps[: i + 1]:
            for action in step.actions:
                if action.verb == "show":
                    shown = str(action.value)
        return shown

    def _gui_actions(self, result) -> None:
        self.highlighter.clear()
        # Presentation mode hides the docks, and a dock may have been closed since: the
        # lesson's panel is shown again on every step, so the class sees what the caption
        # talks about.
        panel = self.panel_at(self.index)
        if panel is not None and not any(a.verb == "show" for a in result.gui_actions):
            try:
                show_panel(self.window, panel)
            except ValueError as exc:
                self.window.show_message(f"Lesson step {result.index}: {exc}", "warn")
        for action in result.gui_actions:
            try:
                if action.verb == "show":
                    show_panel(self.window, str(action.value))
                    if action.value == "regions":
                        self.regions_action.setChecked(True)
                elif action.verb == "highlight":
                    self.highlighter.show(self.window.session.layout, str(action.value))
            except ValueError as exc:
                self.window.show_message(f"Lesson step {result.index}: {exc}", "warn")


def lesson_bar_dock(window) -> tuple[LessonBar, QtWidgets.QDockWidget]:
    """The lesson bar in a dock above the views (hidden until a lesson opens)."""
    bar = LessonBar(theme=window.theme)
    dock = QtWidgets.QDockWidget("Lesson", window)
    dock.setObjectName("chapter-lesson")
    dock.setWidget(bar)
    dock.setFeatures(QtWidgets.QDockWidget.DockWidgetFeature.DockWidgetClosable)
    # no title bar: the bar shows the lesson's title once, and its own ✕
    dock.setTitleBarWidget(QtWidgets.QWidget(dock))
    window.addDockWidget(QtCore.Qt.DockWidgetArea.TopDockWidgetArea, dock)
    dock.setVisible(False)
    return bar, dock


def add_lessons_menu(window, driver: LessonDriver) -> QtWidgets.QMenu:
    """The Lessons menu: every shipped lesson (read when the menu first opens: reading the
    files at start-up cost ~20 ms of it), then Next / Back (PageDown / PageUp, also when the
    menu is closed) and Close."""
    menu = window.menuBar().addMenu("&Lessons")
    first = menu.addSeparator()  # the lessons go above it
    listed = []

    def add_lessons() -> None:
        if listed:
            return
        listed.append(True)
        try:
            lessons = list_lessons()
        except LessonError as exc:  # a broken shipped lesson: say so, list none
            window.show_message(str(exc), "error")
            lessons = []
        for lesson in lessons:
            act = QtGui.QAction(lesson.title, menu)
            act.setToolTip(lesson.summary)
            act.setData(lesson.name)
            act.triggered.connect(lambda *_, n=lesson.name: driver.open(n))
            menu.insertAction(first, act)

    menu.aboutToShow.connect(add_lessons)
    menu.setToolTipsVisible(True)
    regions = menu.addAction("Activation &regions on the data panel")
    regions.setCheckable(True)
    regions.setChecked(True)
    regions.setToolTip("Exact regions of constant forward pattern over the input plane "
                       "(2-D inputs); off: the predictions show instead")
    regions.toggled.connect(driver.chapter.show_regions)
    driver.regions_action = regions
    menu.addSeparator()
    for text, key, slot in (("&Next step", "PgDown", driver.next),
                            ("&Previous step", "PgUp", driver.back)):
        act = menu.addAction(text)
        act.setShortcut(QtGui.QKeySequence(key))
        act.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
        act.triggered.connect(lambda *_, f=slot: f())
        window.addAction(act)  # active whichever view has the focus
    menu.addAction("&Close lesson").triggered.connect(lambda *_: driver.close())
    return menu


def install_lessons(window, chapter) -> LessonDriver:
    """The lesson bar, its driver and the Lessons menu in ``window``; the bar follows the
    window's text size (presentation mode) with the other chapter views."""
    bar, dock = lesson_bar_dock(window)
    driver = LessonDriver(window, chapter, bar, dock)
    driver.menu = add_lessons_menu(window, driver)
    window.theme.changed.connect(lambda: (bar.set_theme(window.theme), bar.set_scale(1.0),
                                          driver.index >= 0 and driver.fit_bar()))
    return driver
