"""File > Open / Save / Save As / Recent, the unsaved-changes prompt, autosave with crash
recovery, and drag-and-drop of session (.json) and weights (.npz) files.

Saving and opening go through :mod:`session_io` (same picture, same next steps) and
:mod:`sheafviz.core.data.session_file` (versioned JSON, atomic writes). A file that cannot be opened
gives one clear message and leaves the window exactly as it was.

Questions and file choosers go through the ``dialogs`` object passed in
(:mod:`sheafviz.gui.dialogs`): the desktop app passes the real ones, a window built without
one never asks (unsaved changes are dropped, nothing is recovered), tests pass their own.

With an ``autosave_path`` (the desktop app passes the platform's app-data file), the
autosave file is written every ``autosave_seconds`` while there are unsaved changes, and
deleted when the window closes normally; if it exists at start-up the previous run did not
end normally and recovery is offered. Without one there is no autosave.
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from sheafviz.core.model.network import Network
from sheafviz.core.data.session_file import SessionError, load_session, save_session
from ..dialogs import CANCEL, DISCARD, SAVE, NoDialogs  # noqa: F401 - answers are API
from . import session_io
from .undo import replace_weights

__all__ = ["SAVE", "DISCARD", "CANCEL", "SessionManager", "default_autosave_path"]


def default_autosave_path() -> Path:
    base = QtCore.QStandardPaths.writableLocation(
        QtCore.QStandardPaths.StandardLocation.AppDataLocation) or str(Path.home() / ".sheafviz")
    return Path(base) / "autosave.sheafviz.json"


class SessionManager(QtCore.QObject):
    """Owns the current file name and the dirty flag of one window's session."""

    fileChanged = QtCore.Signal(str)
    dirtyChanged = QtCore.Signal(bool)

    def __init__(self, window: QtWidgets.QMainWindow, prefs, *, dialogs=None,
                 undo=None, autosave_path: str | Path | None = None, parent=None) -> None:
        super().__init__(parent or window)
        self.window, self.prefs, self.undo = window, prefs, undo
        self.dialogs = dialogs if dialogs is not None else NoDialogs()
        self.path: Path | None = None
        self._extra_dirty = False  # unsaved work the session does not know of (a recovery)
        self._shown_dirty = False
        self._loading = False
        self.autosave_path = Path(autosave_path) if autosave_path else None
        self.timer = QtCore.QTimer(self)
        self.timer.timeout.connect(self.autosave)
        self.set_autosave_seconds(prefs.get("autosave_seconds"))
        window.installEventFilter(self)
        window.setAcceptDrops(True)

    # -- dirty flag: the session's own `modified` (edits, not playing) ------------------------
    @property
    def dirty(self) -> bool:
        """Unsaved changes: the session's :attr:`~sheafviz.Session.modified`, or recovered
        work that was never saved."""
        return bool(self.window.session.modified or self._extra_dirty)

    def _set_dirty(self, on: bool) -> None:
        self._extra_dirty = bool(on)
        self._emit_dirty()

    def _emit_dirty(self) -> None:
        now = self.dirty
        if now != self._shown_dirty:
            self._shown_dirty = now
            self.dirtyChanged.emit(now)

    def on_modified(self) -> None:
        """The session's ``modified`` flag flipped."""
        self._emit_dirty()

    def on_session(self) -> None:
        if self._loading:
            return
        self.path = None  # a preset (or an import) is a new, untitled session
        self._mark_clean()
        self.fileChanged.emit("")

    def _mark_clean(self) -> None:
        self._extra_dirty = False
        self._emit_dirty()

    # -- open / save -----------------------------------------------------------------------
    def save(self, path: str | Path | None = None) -> bool:
        """Save to ``path`` (or the current file; asks for one when there is none)."""
        if path is None:
            path = self.path or self.ask_save_path()
            if not path:
                return False
        path = Path(path)
        if path.suffix.lower() != ".json":
            path = path.with_suffix(".json")
        try:
            self.window.session.save(path)  # clears the session's `modified`
        except (OSError, ValueError) as exc:
            self.window.show_message(f"Cannot save {path}: {exc}", "error")
            return False
        self.path = path
        self.prefs.add_recent(str(path))
        self._mark_clean()
        self.fileChanged.emit(str(path))
        self.window.show_message(f"Saved {path.name}.", "info")
        return True

    def save_as(self) -> bool:
        path = self.ask_save_path()
        return bool(path) and self.save(path)

    def open(self, path: str | Path | None = None, *, prompt: bool = True) -> bool:
        """Open a session file; on any problem: one message, nothing changed."""
        if prompt and not self.maybe_save():
            return False
        if path is None:
            path = self.ask_open_path()
            if not path:
                return False
        path = Path(path)
        try:
            session = load_session(path)
        except SessionError as exc:
            self.window.show_message(str(exc), "error")
            return False
        self._loading = True
        try:
            session_io.restore(self.window, session, name=path.stem)
        except SessionError as exc:
            self.window.show_message(f"{path}: {exc}", "error")
            return False
        finally:
            self._loading = False
        if self.undo is not None:
            self.undo.reset()
        self.path = path
        self.prefs.add_recent(str(path))
        self._mark_clean()
        self.fileChanged.emit(str(path))
        self.window.show_message(f"Opened {path.name}.", "info")
        return True

    def open_weights(self, path: str | Path) -> bool:
        """Replace the network by weights from an .npz file (undoable)."""
        try:
            network = Network.load(path)
        except (OSError, ValueError, KeyError) as exc:
            self.window.show_message(f"Cannot open weights {path}: {exc}", "error")
            return False
        run = (self.undo.record if self.undo is not None else (lambda f, *a: f(*a)))
        self._loading = True
        try:
            run(replace_weights, self.window, network)
        finally:
            self._loading = False
        self._set_dirty(True)
        self.window.show_message(f"Weights from {Path(path).name}: "
                              f"{list(network.arch)}.", "info")
        return True

    def load_preset(self, name: str) -> bool:
        """Open a shipped preset after the unsaved-changes prompt."""
        if not self.maybe_save():
            return False
        return bool(self.window.load_preset(name))

    # -- prompts ---------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current session (saved, discarded or clean)."""
        if not self.dirty:
            return True
        answer = self.dialogs.ask_save_changes(
            "Unsaved changes", "The session has unsaved changes. Save them first?")
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    def ask_open_path(self) -> str:
        return self.dialogs.ask_open("Open session", str(self.path.parent if self.path else ""),
                                     "sheafviz sessions (*.json);;Weights (*.npz)")

    def ask_save_path(self) -> str:
        return self.dialogs.ask_save("Save session", str(self.path or "session.json"),
                                     "sheafviz sessions (*.json)")

    # -- autosave and recovery -------------------------------------------------------------
    def set_autosave_seconds(self, seconds: int) -> None:
        self.timer.stop()
        if int(seconds) > 0 and self.autosave_path is not None:
            self.timer.start(int(seconds) * 1000)

    def set_autosave_path(self, path: str | Path | None) -> None:
        """Autosave to ``path`` (None: no autosave)."""
        self.autosave_path = Path(path) if path else None
        self.set_autosave_seconds(self.prefs.get("autosave_seconds"))

    def autosave(self) -> bool:
        """Write the autosave file when there are unsaved changes."""
        if (not self.dirty or self.window.session.preset is None
                or self.autosave_path is None):
            return False
        try:
            self.autosave_path.parent.mkdir(parents=True, exist_ok=True)
            save_session(session_io.capture(self.window), self.autosave_path)
        except (OSError, ValueError) as exc:
            self.window.show_message(f"Autosave failed: {exc}", "warn")
            return False
        return True

    def discard_autosave(self) -> None:
        if self.autosave_path is not None:
            self.autosave_path.unlink(missing_ok=True)

    def check_recovery(self) -> bool:
        """Offer the autosaved session of a run that did not close normally."""
        p = self.autosave_path
        if p is None or not p.exists():
            return False
        if not self.dialogs.ask_yes_no(
                "Recover session", f"sheafviz did not close normally last time. Recover the "
                f"autosaved session from {p}?"):
            self.discard_autosave()
            return False
        ok = self.open(p, prompt=False)
        if ok:
            self.path = None  # recovered work is untitled: Save asks where
            self._set_dirty(True)
            self.fileChanged.emit("")
        return ok

    # -- window events ---------------------------------------------------------------------
    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if obj is not self.window:
            return False
        t = ev.type()
        if t == QtCore.QEvent.Type.Close:
            if not self.maybe_save():
                ev.ignore()
                return True
            self.timer.stop()
            self.discard_autosave()
        elif t in (QtCore.QEvent.Type.DragEnter, QtCore.QEvent.Type.DragMove):
            if self._dropped_path(ev) is not None:
                ev.acceptProposedAction()
                return True
        elif t == QtCore.QEvent.Type.Drop:
            path = self._dropped_path(ev)
            if path is not None:
                ev.acceptProposedAction()
                self.open_dropped(path)
                return True
        return False

    @staticmethod
    def _dropped_path(ev) -> Path | None:
        md = ev.mimeData()
        if md is None or not md.hasUrls():
            return None
        for url in md.urls():
            p = Path(url.toLocalFile())
            if p.suffix.lower() in (".json", ".npz"):
                return p
        return None

    def open_dropped(self, path: Path) -> bool:
        if path.suffix.lower() == ".npz":
            return self.open_weights(path)
        return self.open(path)
