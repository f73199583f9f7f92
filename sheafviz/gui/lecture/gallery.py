"""The presets gallery: a dialog of thumbnails (drawn offscreen from each preset's network,
pins and equilibrium) with the preset's lesson notes, and the Presets menu. The guided
lessons follow the presets, each drawn from the network its first step opens; choosing one
opens it in the lesson bar (``lessonChosen``).

A thumbnail is the path graph in miniature: one column per vertex, one dot per neuron
(at most :data:`MAX_DOTS` shown per column) coloured by its equilibrium value (the views'
blue–white–red scale), pinned neurons as black squares, edges in their type colours.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from .. import engine, style
from ..notes_banner import notes_html
from ..theme import or_light

THUMB = QtCore.QSize(240, 150)
MAX_DOTS = 10


def _values(preset) -> tuple[object, np.ndarray]:
    from sheafviz.core.model.sheaf import SheafLayout

    layout = SheafLayout(preset.network.arch)
    try:
        c = np.asarray(engine.equilibrium(preset.network, preset.pins, layout).cochain, float)
    except (np.linalg.LinAlgError, ValueError, RuntimeError, ArithmeticError):
        # no equilibrium for these pins: the thumbnail falls back to the forward pass
        c = engine.initial_state(preset.network, preset.pins, layout)
    return layout, c


def render_thumbnail(preset, size: QtCore.QSize = THUMB, *, theme=None) -> QtGui.QImage:
    """An offscreen picture of ``preset`` (see the module notes) in ``theme``'s colours
    (default light)."""
    theme = or_light(theme)
    layout, c = _values(preset)
    img = QtGui.QImage(size, QtGui.QImage.Format.Format_RGB32)
    img.fill(QtGui.QColor(theme.BACKGROUND))
    p = QtGui.QPainter(img)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    w, h = size.width(), size.height()
    n = len(layout.vertices)
    xs = [(k + 0.5) * w / n for k in range(n)]
    cols = []
    for v in layout.vertices:
        m = min(v.dim, MAX_DOTS)
        idx = np.unique(np.linspace(0, v.dim - 1, m).astype(int))
        ys = [h * (0.15 + 0.7 * (j + 0.5) / len(idx)) for j in range(len(idx))]
        cols.append((idx, ys))
    for edge in layout.edges:
        k0, k1 = layout.vertex(edge.tail).position, layout.vertex(edge.head).position
        p.setPen(QtGui.QPen(QtGui.QColor(theme.EDGE_COLORS[edge.type]), 1.2))
        for ya in cols[k0][1][:4]:
            for yb in cols[k1][1][:4]:
                p.drawLine(QtCore.QPointF(xs[k0], ya), QtCore.QPointF(xs[k1], yb))
    scale = float(np.max(np.abs(c))) or 1.0
    lut = style.value_lut(65)
    r = max(3.0, min(9.0, 0.6 * h / (2 * MAX_DOTS) + 3))
    for k, v in enumerate(layout.vertices):
        idx, ys = cols[k]
        for i, y in zip(idx, ys):
            val = c[v.offset + i]
            rgb = lut[int(np.clip(np.rint((val / scale + 1) * 32), 0, 64))]
            pinned = preset.pins.is_pinned(v.name, int(i))
            p.setPen(QtGui.QPen(QtGui.QColor(theme.PIN_COLOR if pinned else "#555555"),
                                2.0 if pinned else 1.0))
            p.setBrush(QtGui.QColor(int(rgb[0]), int(rgb[1]), int(rgb[2])))
            rect = QtCore.QRectF(xs[k] - r, y - r, 2 * r, 2 * r)
            p.drawRect(rect) if pinned else p.drawEllipse(rect)
    p.setPen(QtGui.QColor(theme.FOREGROUND))
    f = p.font()
    f.setPointSizeF(8)
    p.setFont(f)
    p.drawText(QtCore.QRectF(0, h * 0.86, w, h * 0.14), QtCore.Qt.AlignmentFlag.AlignCenter,
               "[" + ", ".join(str(d) for d in layout.arch) + "]")
    p.end()
    return img


_CACHE: dict[str, QtGui.QImage] = {}
#: Item data role of a lesson's name (a preset's name is under UserRole).
LESSON_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1


def thumbnail(name: str) -> QtGui.QImage:
    if name not in _CACHE:
        _CACHE[name] = render_thumbnail(engine.load_preset(name))
    return _CACHE[name]


def lesson_thumbnail(lesson) -> QtGui.QImage:
    """The picture of the network a lesson's first ``open`` action opens (a preset's own
    thumbnail, or a seeded network's), blank when it opens none."""
    from types import SimpleNamespace

    from sheafviz.core.model.network import Network
    from sheafviz.core.model.pins import PinSet

    opened = next((a.value for step in lesson.steps for a in step.actions
                   if a.verb == "open"), None)
    if isinstance(opened, str):
        return thumbnail(opened)
    if isinstance(opened, dict) and "arch" in opened:
        net = Network.he_init([int(n) for n in opened["arch"]], seed=int(opened.get("seed", 0)),
                              output=opened.get("output", "identity"))
        return render_thumbnail(SimpleNamespace(network=net, pins=PinSet()))
    img = QtGui.QImage(THUMB, QtGui.QImage.Format.Format_RGB32)
    img.fill(QtGui.QColor("#ffffff"))
    return img


def lesson_notes(lesson) -> str:
    """A lesson's title, summary and step titles, as the gallery shows them."""
    steps = "\n".join(f"  {i}. {st.title or '(untitled)'}"
                      for i, st in enumerate(lesson.steps, start=1))
    return f"Lesson: {lesson.title}\n\n{lesson.summary}\n\nSteps:\n{steps}"


class GalleryDialog(QtWidgets.QDialog):
    """Thumbnails of every shipped preset and the chosen one's lesson notes.

    ``chosen`` holds the preset name after "Open" (``presetChosen(str)`` is emitted too);
    for a lesson ``chosen_lesson`` holds its name (``lessonChosen(str)``). ``lessons``: the
    lessons to list after the presets (default: every shipped lesson; ``[]``: none).
    """

    presetChosen = QtCore.Signal(str)
    lessonChosen = QtCore.Signal(str)

    def __init__(self, names: list[str] | None = None, parent=None, *, lessons=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Presets and lessons gallery")
        self.chosen: str | None = None
        self.chosen_lesson: str | None = None
        names = engine.list_presets() if names is None else names
        self.list = QtWidgets.QListWidget()
        self.list.setViewMode(QtWidgets.QListView.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setResizeMode(QtWidgets.QListView.ResizeMode.Adjust)
        self.list.setMovement(QtWidgets.QListView.Movement.Static)
        self.list.setSpacing(8)
        self.list.setWordWrap(True)
        self.presets = {}
        #: Presets that could not be opened, name -> the error, shown above the list.
        self.broken: dict[str, str] = {}
        for name in names:
            try:
                preset = engine.load_preset(name)
                icon = QtGui.QIcon(QtGui.QPixmap.fromImage(thumbnail(name)))
            except (OSError, ValueError, RuntimeError, ArithmeticError) as exc:
                self.broken[name] = f"{type(exc).__name__}: {exc}"  # the others still show
                continue
            self.presets[name] = preset
            item = QtWidgets.QListWidgetItem(icon, f"{preset.title}\n({name})")
            item.setData(QtCore.Qt.ItemDataRole.UserRole, name)
            item.setToolTip(preset.notes.splitlines()[0] if preset.notes else name)
            self.list.addItem(item)
        self._add_lessons(lessons)
        self.notes = QtWidgets.QTextBrowser()
        self.notes.setOpenExternalLinks(False)
        split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        split.addWidget(self.list)
        split.addWidget(self.notes)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Open
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QtWidgets.QVBoxLayout(self)
        #: Names each preset that cannot be opened and why (hidden when all open).
        self.status_message = QtWidgets.QLabel(self.broken_message())
        self.status_message.setWordWrap(True)
        self.status_message.setVisible(bool(self.broken))
        lay.addWidget(self.status_message)
        lay.addWidget(split, 1)
        lay.addWidget(buttons)
        self.list.currentItemChanged.connect(self._show_notes)
        self.list.itemDoubleClicked.connect(lambda *_: self.accept())
        if self.list.count():
            self.list.setCurrentRow(0)
        self.resize(1100, 700)

    def _add_lessons(self, lessons) -> None:
        from sheafviz.lessons import LessonError, list_lessons

        if lessons is None:
            try:
                lessons = list_lessons()
            except LessonError as exc:  # a broken shipped lesson: the presets still show
                self.broken["lessons"] = str(exc)
                lessons = []
        self.lessons = {lesson.name: lesson for lesson in lessons}
        for lesson in lessons:
            try:
                icon = QtGui.QIcon(QtGui.QPixmap.fromImage(lesson_thumbnail(lesson)))
            except (OSError, ValueError, RuntimeError, ArithmeticError) as exc:
                self.broken[f"lesson {lesson.name}"] = f"{type(exc).__name__}: {exc}"
                continue
            item = QtWidgets.QListWidgetItem(icon, f"Lesson: {lesson.title}\n({lesson.name})")
            item.setData(LESSON_ROLE, lesson.name)
            item.setToolTip(lesson.summary)
            self.list.addItem(item)

    def select_lesson(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(LESSON_ROLE) == name:
                self.list.setCurrentRow(i)
                return
        raise KeyError(f"no lesson {name!r} in the gallery")

    def broken_message(self) -> str:
        """One line per preset that could not be opened ("" when all opened)."""
        return "\n".join(f"Cannot open preset {n!r}: {e}" for n, e in self.broken.items())

    def current_name(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else item.data(QtCore.Qt.ItemDataRole.UserRole)

    def select(self, name: str) -> None:
        for i in range(self.list.count()):
            if self.list.item(i).data(QtCore.Qt.ItemDataRole.UserRole) == name:
                self.list.setCurrentRow(i)
                return
        raise KeyError(f"no preset {name!r} in the gallery")

    def _show_notes(self, item, _prev=None) -> None:
        if item is None:
            self.notes.clear()
            return
        lesson = item.data(LESSON_ROLE)
        if lesson is not None:
            self.notes.setPlainText(lesson_notes(self.lessons[lesson]))
            return
        p = self.presets[item.data(QtCore.Qt.ItemDataRole.UserRole)]
        self.notes.setHtml(notes_html(p.notes, p.title))

    def accept(self) -> None:
        self.chosen = self.current_name()
        item = self.list.currentItem()
        self.chosen_lesson = None if item is None else item.data(LESSON_ROLE)
        if self.chosen is not None:
            self.presetChosen.emit(self.chosen)
        elif self.chosen_lesson is not None:
            self.lessonChosen.emit(self.chosen_lesson)
        super().accept()
