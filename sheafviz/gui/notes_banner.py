"""The preset's notes as a banner across the top of the window, shown by default and
collapsible to one line, and :func:`notes_html`, which rewraps the notes' hard-wrapped plain
text into paragraphs, lists and tables, so they reflow to
any width (the banner, the gallery, the notes dock).
"""

from __future__ import annotations

import html
import math
import re

from PySide6 import QtCore, QtGui, QtWidgets

#: Lines of notes text the expanded banner shows before it scrolls.
BANNER_LINES = 3
_BULLET = re.compile(r"^\s*[*\-•]\s+")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+")


def _blocks(notes: str) -> list[tuple[str, list[str]]]:
    """The notes as (kind, lines) blocks, kind in "p", "ul", "ol", "pre": a bullet or a
    number starts a list item and indented lines continue it; an indented line after a
    paragraph is part of an aligned table; a blank line ends a block."""
    blocks: list[tuple[str, list[str]]] = []
    kind = None
    for raw in notes.splitlines():
        line = raw.rstrip()
        if not line.strip():
            kind = None
            continue
        indented = line.startswith("  ")
        if _BULLET.match(line) or _NUMBERED.match(line):
            kind = "ul" if _BULLET.match(line) else "ol"
            text = (_BULLET if kind == "ul" else _NUMBERED).sub("", line, count=1)
            if blocks and blocks[-1][0] == kind and blocks[-1][1] is not None:
                blocks[-1][1].append(text)
            else:
                blocks.append((kind, [text]))
        elif kind in ("ul", "ol") and (indented or not line[:1].isupper()):
            blocks[-1][1][-1] += " " + line.strip()
        elif indented:
            if kind != "pre":
                blocks.append(("pre", []))
                kind = "pre"
            blocks[-1][1].append(line)
        elif kind == "p":
            blocks[-1][1][-1] += " " + line.strip()
        else:
            blocks.append(("p", [line.strip()]))
            kind = "p"
    return blocks


def _table_rows(lines: list[str]) -> list[list[str]]:
    """An aligned plain-text table as rows of cells: columns are separated by two or more
    spaces; a line indented deeper than the table continues the first cell above."""
    base = min(len(l) - len(l.lstrip()) for l in lines)
    rows: list[list[str]] = []
    for line in lines:
        if rows and len(line) - len(line.lstrip()) > base:
            rows[-1][0] += " " + line.strip()
        else:
            rows.append(re.split(r"\s{2,}", line.strip()))
    return rows


def _table_html(lines: list[str]) -> str:
    """An aligned table as an HTML table, so its cells wrap instead of its lines."""
    rows = _table_rows(lines)
    width = max(len(r) for r in rows)
    cells = []
    for r in rows:
        tds = [f"<td>{html.escape(c)}</td>" for c in r]
        if len(r) < width:  # a short row's last cell spans the rest
            tds[-1] = f"<td colspan='{width - len(r) + 1}'>{html.escape(r[-1])}</td>"
        cells.append("<tr>" + "".join(tds) + "</tr>")
    return ("<table cellspacing='0' cellpadding='2' style='margin-left:12px'>"
            + "".join(cells) + "</table>")


def notes_html(notes: str, title: str = "") -> str:
    """``notes`` (hard-wrapped plain text) as HTML that reflows: paragraphs joined into one
    line each, ``*`` / ``1.`` items as lists, indented aligned tables as HTML tables (their
    cells wrap); ``title`` in bold on top when given."""
    out = [f"<p><b>{html.escape(title)}</b></p>"] if title else []
    for kind, lines in _blocks(notes or ""):
        if kind == "p":
            out.append(f"<p>{html.escape(lines[0])}</p>")
        elif kind == "pre":
            out.append(_table_html(lines))
        else:
            items = "".join(f"<li>{html.escape(t)}</li>" for t in lines)
            out.append(f"<{kind}>{items}</{kind}>")
    return "".join(out)


def line_bottoms(text: QtWidgets.QTextEdit) -> list[float]:
    """Bottom of every laid-out line of ``text``'s document, in document pixels, in order
    (table cells included)."""
    doc = text.document()
    layout = doc.documentLayout()
    out = []
    block = doc.begin()
    while block.isValid():
        top = layout.blockBoundingRect(block).top()
        lines = block.layout()
        for i in range(lines.lineCount()):
            line = lines.lineAt(i)
            out.append(top + line.y() + line.height())
        block = block.next()
    return sorted(out)


class NotesBanner(QtCore.QObject):
    """The banner (across the top of the window's panels, below the menus):
    the title with a ▾ / ▸ button that collapses it to that line, and the rewrapped notes
    (scrolling past :data:`BANNER_LINES` lines; the scroll bar says there is more). The
    notes show whole lines only: the text's viewport ends under the last line that fits
    (a short window cut "What to watch:" through). Hidden when a session has no notes.
    In presentation mode it folds to its title line, and while a dock is open above or
    below the plots it hides (the plots keep their height); after, it is back as the user
    left it.

    Attributes
    ----------
    bar : QFrame ; toggle : QToolButton ; title : QLabel ; text : QTextBrowser
    expanded : bool
    """

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        super().__init__(window)
        self.bar = QtWidgets.QFrame()
        self.bar.setObjectName("notes-banner")
        self.bar.setSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                               QtWidgets.QSizePolicy.Policy.Maximum)
        lay = QtWidgets.QGridLayout(self.bar)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(2)
        self.toggle = QtWidgets.QToolButton()
        self.toggle.setObjectName("notes-banner-toggle")
        self.toggle.setAutoRaise(True)
        self.toggle.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.title = QtWidgets.QLabel()
        self.title.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.title.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                                 QtWidgets.QSizePolicy.Policy.Fixed)  # one line, any width
        self.text = QtWidgets.QTextBrowser()
        self.text.setObjectName("notes-banner-text")
        self.text.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.text.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)
        self.text.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # at most BANNER_LINES lines, fewer when the window is short (down to none)
        self.text.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding,
                                QtWidgets.QSizePolicy.Policy.Maximum)
        self.text.setMinimumHeight(1)
        # the strip under the last whole line is painted like the text's background
        self.text.setAutoFillBackground(True)
        self.text.setBackgroundRole(QtGui.QPalette.ColorRole.Base)
        self.text.document().documentLayout().documentSizeChanged.connect(
            lambda *_: self._whole_lines())
        lay.addWidget(self.toggle, 0, 0, QtCore.Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.title, 0, 1)
        lay.addWidget(self.text, 1, 1)
        lay.setColumnStretch(1, 1)
        # above the window's panels, inside the central area (not a tool bar, whose height
        # would be a minimum): a short window shrinks the notes instead of refusing its size
        panels = window.takeCentralWidget()
        holder = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.bar)
        if panels is not None:
            column.addWidget(panels, 1)
        window.setCentralWidget(holder)
        self.toggle.clicked.connect(self._toggled)
        self._notes = None
        self.expanded = True
        #: what the user chose with the ▾ / ▸ button (a dock only folds it for a while)
        self.wanted = True
        self._window = window
        self._docks: set = set()
        #: why the banner is folded for now although the user wants it open
        self._folded_by: set[str] = set()
        self.set_expanded(True)
        self.set_notes("", "")
        window.installEventFilter(self)
        self.text.installEventFilter(self)

    def _toggled(self) -> None:
        self.wanted = not self.expanded
        self._folded_by.clear()  # the user's choice wins until the next reason to fold
        self.set_expanded(self.wanted)

    def fold_for(self, reason: str, on: bool) -> None:
        """Fold while ``reason`` holds ("dock": a dock takes the plots' height,
        "presentation": the room needs the pictures); unfold, as the user wanted, when no
        reason is left."""
        if on:
            self._folded_by.add(reason)
        else:
            self._folded_by.discard(reason)
        self.set_expanded(self.wanted and not self._folded_by)
        self._show_bar()

    def _show_bar(self) -> None:
        """The bar shows when there are notes and no dock takes the plots' height (with
        a dock open even the title line is height the pictures need; the window's title
        names the preset)."""
        has_notes = bool((self._notes or ("", ""))[1].strip())
        self.bar.setVisible(has_notes and "dock" not in self._folded_by)

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802 - follow the window's docks
        if obj is self.text and ev.type() == QtCore.QEvent.Type.Resize:
            self._whole_lines()
        # a dock is polished (complete) before it first shows: connect to it then
        if obj is self._window and ev.type() in (QtCore.QEvent.Type.ChildPolished,
                                                  QtCore.QEvent.Type.Show):
            for dock in self._window.findChildren(QtWidgets.QDockWidget):
                if id(dock) not in self._docks:
                    self._docks.add(id(dock))
                    dock.visibilityChanged.connect(self._follow_docks)
                    dock.topLevelChanged.connect(self._follow_docks)
        return super().eventFilter(obj, ev)

    def _follow_docks(self, *_) -> None:
        """Fold while a dock takes height from the plots; back as the user wanted after."""
        w = self._window
        areas = (QtCore.Qt.DockWidgetArea.BottomDockWidgetArea,
                 QtCore.Qt.DockWidgetArea.TopDockWidgetArea)
        try:
            open_ = w.isVisible() and any(
                d.isVisible() and not d.isFloating() and w.dockWidgetArea(d) in areas
                for d in w.findChildren(QtWidgets.QDockWidget))
        except RuntimeError:  # the window is being deleted: its docks hide on the way out
            return
        self.fold_for("dock", open_)

    def set_expanded(self, on: bool) -> None:
        """Show the notes under the title (True) or the title line only."""
        self.expanded = bool(on)
        self.text.setVisible(self.expanded)
        self.toggle.setText("▾" if self.expanded else "▸")
        self.toggle.setToolTip("Hide the notes (keep the title)" if self.expanded else
                               "Show this preset's notes")
        self._fit()

    def set_notes(self, title: str, notes: str) -> None:
        """The notes of the session shown (the banner hides when there are none)."""
        key = (title, notes)
        if key == self._notes:
            return
        self._notes = key
        self.title.setText(f"<b>{html.escape(title)}</b>" if title else "")
        self.text.setHtml(notes_html(notes))
        self._show_bar()
        self._fit()

    def _fit(self) -> None:
        """At most BANNER_LINES lines high; the rest scrolls."""
        line = self.text.fontMetrics().lineSpacing()
        self.text.setMaximumHeight(int(line * BANNER_LINES + 8))

    def _whole_lines(self) -> None:
        """End the text's viewport under the last line that fits whole (at the top of the
        notes); the strip below it stays empty."""
        t = self.text
        room = t.viewport().height() + t.viewportMargins().bottom()
        bottoms = line_bottoms(t)
        cut = bool(bottoms) and bottoms[-1] > room
        fit = max([b for b in bottoms if b <= room], default=0.0)
        margin = max(int(room - math.ceil(fit)), 0) if cut else 0
        if margin != t.viewportMargins().bottom():
            t.setViewportMargins(0, 0, 0, margin)

    def notes_text(self) -> str:
        """The notes as the banner shows them (plain text, for tests and tools)."""
        return self.text.toPlainText()
