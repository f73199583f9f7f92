"""Lecture-hall features (issue 5), plugged into the main window with one call.

``install_lecture_features(main_window)`` adds:

* menus File (Open, Save, Save As, Recent, Export, Preferences), Edit (Undo / Redo),
  View (Presentation mode F5, Full screen F11, Hide controls, Theme, Palette, text size,
  Rewind), Presets (every preset, and the gallery with thumbnails and lesson notes);
* the keyboard control of :mod:`.shortcuts` (Space, S, J, R, P, arrows, T, F5, F11, Esc);
* the Rewind bar (a bottom tool bar: time scrubber, restart from the same initial
  weights; a tool bar, so it never takes room from the window's dock widgets);
* sessions (unsaved-changes prompt, autosave + recovery, drag-and-drop of .json / .npz),
  undo / redo, persistent preferences.

It returns a :class:`LectureFeatures` holding every part, for tests and for the window.

Integration: ``MainWindow.__init__`` ends with
``self.lecture = install_lecture_features(self, dialogs=…, autosave_path=…)``
(after the debug docks, so File / Edit / View / Presets come before the Debug menu); the
window keeps no shortcut of its own on the keys above (:mod:`..wiring`: only E, + and −).
Their connections to the session's events are made in :func:`..feature_wiring.wire_lecture`.
The flow panel's
preset combo box opens presets through ``MainWindow.open_preset``, whose
``preset_opener`` hook is set here to the unsaved-changes prompt
(:meth:`.sessions.SessionManager.load_preset`).

The lecture modules use only the window's :class:`sheafviz.Session` (its verbs, events,
undo history, ``save`` and ``seek``) and the window's public API (``player``, ``wiring``'s
intents, ``set_session`` / ``load_preset``, ``show_message``, ``sessionChanged``).
``run_gui`` and ``sheafviz render`` open a SESSION through :func:`.session_io.restore`; the
themes update the window's :class:`~sheafviz.gui.theme.Theme`, from which the views take
their colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6 import QtCore, QtGui, QtWidgets

from . import export as export_mod
from .gallery import GalleryDialog
from .prefs import Preferences, PreferencesDialog
from .looks import PALETTES, THEMES, Look
from .presentation import Presentation
from .rewind import RewindController, RewindPanel
from .sessions import SessionManager
from .shortcuts import install_shortcuts
from .undo import UndoRecorder
from ..notes_banner import notes_html
from ..feature_wiring import wire_lecture

__all__ = ["install_lecture_features", "LectureFeatures"]


@dataclass
class LectureFeatures:
    """Handles to everything :func:`install_lecture_features` created."""

    prefs: Preferences
    look: Look
    presentation: Presentation
    undo: UndoRecorder
    sessions: SessionManager
    rewind: RewindController
    rewind_bar: QtWidgets.QToolBar
    rewind_panel: RewindPanel
    notes_dock: QtWidgets.QDockWidget | None = None
    show_notes: object = None
    actions: dict = field(default_factory=dict)
    menus: dict = field(default_factory=dict)


def _menu(window: QtWidgets.QMainWindow, title: str) -> QtWidgets.QMenu:
    """The window's menu of that title (reused if it exists), else a new one."""
    plain = title.replace("&", "")
    bar = window.menuBar()
    for act in bar.actions():
        if act.menu() is not None and act.text().replace("&", "") == plain:
            return act.menu()
    before = getattr(window, "_lecture_first_menu", None)
    if before is None:
        return bar.addMenu(title)
    menu = QtWidgets.QMenu(title, bar)
    bar.insertMenu(before, menu)  # File, Edit, View, Presets before the window's own menus
    return menu


def _panels(window) -> dict:
    """Exportable panels by title (whatever of them the window has)."""
    out = {"Whole window": window}
    for attr, title in (("graph", "Path graph"), ("drape", "Drape"),
                        ("energy", "Residual energy"), ("bars", "Discord now"),
                        ("dhist", "Discord over time")):
        obj = getattr(window, attr, None)
        w = getattr(obj, "widget", obj)
        if isinstance(w, QtWidgets.QWidget):
            out[title] = w
    return out


def _file_menu(window, f: LectureFeatures) -> None:
    m = _menu(window, "&File")
    s = f.sessions
    std = QtGui.QKeySequence.StandardKey
    for name, text, key, slot in (("open", "&Open session…", std.Open, lambda: s.open()),
                                  ("save", "&Save session", std.Save, lambda: s.save()),
                                  ("save_as", "Save session &as…", std.SaveAs, s.save_as)):
        act = m.addAction(text)
        act.setShortcut(QtGui.QKeySequence(key))
        act.triggered.connect(lambda *_, fn=slot: fn())
        f.actions[name] = act
    recent = m.addMenu("Open &recent")

    def fill_recent() -> None:
        recent.clear()
        for path in f.prefs.get("recent_files"):
            recent.addAction(path).triggered.connect(lambda *_, p=path: s.open(p))
        recent.setEnabled(bool(f.prefs.get("recent_files")))

    recent.aboutToShow.connect(fill_recent)
    fill_recent()
    m.addSeparator()
    ex = m.addMenu("&Export")
    f.menus["export"] = ex
    _export_menu(window, f, ex)
    m.addSeparator()
    prefs = m.addAction("&Preferences…")
    prefs.triggered.connect(lambda *_: _edit_prefs(window, f))
    f.actions["preferences"] = prefs
    f.menus["file"] = m


def _ask_path(f: LectureFeatures, title: str, pattern: str, default: str) -> str:
    return f.sessions.dialogs.ask_save(title, default, pattern)


def _guarded(window, fn, *args, **kw) -> None:
    try:
        result = fn(*args, **kw)
    except (export_mod.ExportError, OSError) as exc:
        window.show_message(str(exc), "error")
        return
    window.show_message(f"Exported ({result}).", "info")


def _export_menu(window, f: LectureFeatures, ex: QtWidgets.QMenu) -> None:
    for title, widget in _panels(window).items():
        sub = ex.addMenu(title)
        sub.addAction("PNG…").triggered.connect(
            lambda *_, w=widget: (p := _ask_path(f, "Export PNG", "PNG (*.png)",
                                                 "sheafviz.png")) and
            _guarded(window, export_mod.export_png, w, p))
        sub.addAction("SVG…").triggered.connect(
            lambda *_, w=widget: (p := _ask_path(f, "Export SVG", "SVG (*.svg)",
                                                 "sheafviz.svg")) and
            _guarded(window, export_mod.export_svg, w, p))
    ex.addSeparator()
    redraw = getattr(window, "redraw", None)
    gif = ex.addAction("Animation as &GIF…")
    gif.triggered.connect(lambda *_: (p := _ask_path(f, "Export GIF", "GIF (*.gif)",
                                                     "sheafviz.gif")) and
                          _guarded(window, export_mod.export_gif, window, window, p,
                                   frame_ms=f.prefs.get("gif_frame_ms"), redraw=redraw))
    mp4 = ex.addAction("Animation as &MP4…")
    mp4.setEnabled(export_mod.mp4_available())
    if not mp4.isEnabled():
        mp4.setText("Animation as MP4 (needs imageio-ffmpeg)")
    mp4.triggered.connect(lambda *_: (p := _ask_path(f, "Export MP4", "MP4 (*.mp4)",
                                                     "sheafviz.mp4")) and
                          _guarded(window, export_mod.export_mp4, window, window, p,
                                   redraw=redraw))
    ex.addSeparator()
    ex.addAction("History as &CSV…").triggered.connect(
        lambda *_: (p := _ask_path(f, "Export CSV", "CSV (*.csv)", "history.csv")) and
        _guarded(window, export_mod.export_history_csv, window.session, p))
    ex.addAction("History as &JSON…").triggered.connect(
        lambda *_: (p := _ask_path(f, "Export JSON", "JSON (*.json)", "history.json"))
        and _guarded(window, export_mod.export_history_json, window.session, p))
    f.actions["export_gif"], f.actions["export_mp4"] = gif, mp4


def _edit_prefs(window, f: LectureFeatures) -> None:
    dlg = PreferencesDialog(f.prefs, window)
    if dlg.exec():
        _apply_current_look(f)
        f.sessions.set_autosave_seconds(f.prefs.get("autosave_seconds"))


def _apply_current_look(f: LectureFeatures) -> None:
    if f.presentation.active:
        f.presentation.apply_presentation_look()
    else:
        f.presentation.apply_window_look()


def _view_menu(window, f: LectureFeatures) -> None:
    m = _menu(window, "&View")
    for name in ("presentation", "fullscreen", "hide_controls"):
        m.addAction(f.actions[name])
    m.addSeparator()
    theme_menu = m.addMenu("&Theme")
    group = QtGui.QActionGroup(theme_menu)
    for name in THEMES:
        act = theme_menu.addAction(name)
        act.setCheckable(True)
        act.setChecked(name == f.prefs.get("theme"))
        group.addAction(act)
        act.triggered.connect(lambda *_, n=name: (f.prefs.set("theme", n),
                                                  _apply_current_look(f)))
    pal_menu = m.addMenu("&Palette")
    group2 = QtGui.QActionGroup(pal_menu)
    for name in PALETTES:
        act = pal_menu.addAction(name + (" (colour-blind safe)" if "okabe" in name else ""))
        act.setCheckable(True)
        act.setChecked(name == f.prefs.get("palette"))
        group2.addAction(act)
        act.triggered.connect(lambda *_, n=name: (f.prefs.set("palette", n),
                                                  _apply_current_look(f)))
    for text, key, delta in (("Larger text", "Ctrl++", 0.1), ("Smaller text", "Ctrl+-", -0.1)):
        act = m.addAction(text)
        act.setShortcut(QtGui.QKeySequence(key))
        pref = "font_scale"

        def bump(*_, d=delta) -> None:
            name = "presentation_font_scale" if f.presentation.active else pref
            f.prefs.set(name, round(min(3.0, max(0.5, f.prefs.get(name) + d)), 2))
            _apply_current_look(f)

        act.triggered.connect(bump)
    m.addSeparator()
    m.addAction(f.rewind_bar.toggleViewAction())
    f.menus["view"] = m


def _presets_menu(window, f: LectureFeatures) -> None:
    from .. import engine

    m = _menu(window, "&Presets")
    gallery = m.addAction("&Gallery…")
    gallery.setShortcut(QtGui.QKeySequence("Ctrl+G"))

    def show_gallery(*_) -> None:
        dlg = GalleryDialog(parent=window)
        if dlg.broken:  # the dialog lists the others; the window says which failed and why
            window.show_message(dlg.broken_message(), "warn")
        preset = window.session.preset
        if preset is not None and preset.name in dlg.presets:
            dlg.select(preset.name)
        if dlg.exec() and dlg.chosen:
            f.sessions.load_preset(dlg.chosen)
        elif dlg.chosen_lesson and getattr(window, "chapter", None) is not None:
            window.chapter.lessons.open(dlg.chosen_lesson)  # the lesson bar (issue 12)

    gallery.triggered.connect(show_gallery)
    f.actions["gallery"] = gallery
    m.addAction(f.notes_dock.toggleViewAction())
    m.addSeparator()
    try:
        names = engine.list_presets()
    except OSError:  # the presets folder cannot be read: the menu lists none
        names = []
    for name in names:
        m.addAction(name).triggered.connect(lambda *_, n=name: f.sessions.load_preset(n))
    f.menus["presets"] = m


def _edit_menu(window, f: LectureFeatures) -> None:
    m = _menu(window, "&Edit")
    # Plain actions, always enabled: a change still being coalesced (a drag that just
    # ended) is not on the stack yet, and the stack's own actions would be disabled then.
    undo = QtGui.QAction("&Undo", window)
    undo.setShortcut(QtGui.QKeySequence("Ctrl+Z"))
    redo = QtGui.QAction("&Redo", window)
    redo.setShortcuts([QtGui.QKeySequence("Ctrl+Shift+Z"), QtGui.QKeySequence("Ctrl+Y")])
    for act, fn in ((undo, f.undo.undo), (redo, f.undo.redo)):
        act.triggered.connect(lambda *_, g=fn: g())
        m.addAction(act)
        window.addAction(act)
    stack = f.undo.stack
    stack.undoTextChanged.connect(lambda t: undo.setText(f"&Undo {t}".strip()))
    stack.redoTextChanged.connect(lambda t: redo.setText(f"&Redo {t}".strip()))
    f.actions["undo"], f.actions["redo"] = undo, redo
    from ..weight_dock import install_weight_editor  # its edits are steps of this stack

    m.addSeparator()
    f.actions["edit_weights"] = install_weight_editor(window, undo=f.undo,
                                                      menu=m).open_action
    f.menus["edit"] = m


def _notes_dock(window) -> tuple[QtWidgets.QDockWidget, object]:
    """The current preset's lesson notes (hidden until chosen, F1), and the function that
    shows the current preset's."""
    dock = QtWidgets.QDockWidget("Lesson notes", window)
    dock.setObjectName("lecture-notes")
    text = QtWidgets.QTextBrowser()
    dock.setWidget(text)
    window.addDockWidget(QtCore.Qt.DockWidgetArea.RightDockWidgetArea, dock)
    dock.setVisible(False)
    dock.toggleViewAction().setShortcut(QtGui.QKeySequence("F1"))

    def show_notes() -> None:
        p = window.session.preset
        text.setHtml("" if p is None else notes_html(p.notes, p.title))

    show_notes()
    return dock, show_notes


def install_lecture_features(main_window: QtWidgets.QMainWindow, *,
                             settings: QtCore.QSettings | None = None, dialogs=None,
                             autosave_path=None, offer_recovery: bool = True
                             ) -> LectureFeatures:
    """Add the lecture features to ``main_window`` (see the module notes).

    Parameters
    ----------
    settings : QSettings to keep the preferences in (default: :func:`prefs.default_settings`)
    dialogs : the questions and file choosers (:mod:`..dialogs`; default: none are shown)
    autosave_path : file of the autosave (default: no autosave, no recovery)
    offer_recovery : offer an autosaved session at start-up (once the event loop runs)
    """
    w = main_window
    existing = w.menuBar().actions()
    w._lecture_first_menu = existing[0] if existing else None
    prefs = Preferences(settings, parent=w)
    look = Look(w)
    presentation = Presentation(look, prefs, parent=w)
    undo = UndoRecorder(w, parent=w)
    sessions = SessionManager(w, prefs, dialogs=dialogs, undo=undo,
                              autosave_path=autosave_path)
    rewind = RewindController(w, parent=w)
    panel = RewindPanel(rewind)
    bar = QtWidgets.QToolBar("Rewind", w)
    bar.setObjectName("lecture-rewind")
    bar.setMovable(False)
    bar.addWidget(panel)
    w.addToolBar(QtCore.Qt.ToolBarArea.BottomToolBarArea, bar)
    f = LectureFeatures(prefs, look, presentation, undo, sessions, rewind, bar, panel,
                        *_notes_dock(w))
    wire_lecture(w, f)
    hide = QtGui.QAction("&Hide controls", w)
    hide.setCheckable(True)
    hide.setShortcut(QtGui.QKeySequence("Ctrl+H"))
    hide.toggled.connect(presentation.set_controls_hidden)
    w.addAction(hide)
    extra = {"presentation": (["F5"], "&Presentation mode", presentation.toggle),
             "fullscreen": (["F11"], "&Full screen", presentation.toggle_fullscreen),
             "escape": (["Esc"], "Leave full screen", presentation.escape)}
    f.actions.update(install_shortcuts(w, extra))
    f.actions["hide_controls"] = hide
    presentation.modeChanged.connect(lambda on: hide.setChecked(presentation.controls_hidden))
    _file_menu(w, f)
    _edit_menu(w, f)
    _view_menu(w, f)
    _presets_menu(w, f)
    w.preset_opener = sessions.load_preset  # the combo box asks about unsaved changes
    # always: the window must look before F5 exactly as it will after Esc (palette included)
    presentation.apply_window_look()
    w.lecture = f
    if offer_recovery:
        QtCore.QTimer.singleShot(0, sessions.check_recovery)
    return f
