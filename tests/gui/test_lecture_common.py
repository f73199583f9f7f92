"""Shared fixtures of the lecture-feature tests (no tests here): the real main window with
``install_lecture_features`` called on it, preferences in a temporary INI file and the
autosave in a temporary folder, so no test touches a user's settings."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from sheafviz.gui.dialogs import NoDialogs


class FakeDialogs(NoDialogs):
    """The window's questions answered by plain functions a test sets: ``save_changes()``
    (unsaved changes: "save" / "discard" / "cancel"), ``yes_no(text)``, ``save_path(title,
    pattern, default)`` and ``open_path(title, pattern)`` (a path or "")."""

    def __init__(self) -> None:
        self.save_changes = lambda: pytest.fail("unexpected unsaved-changes prompt")
        self.yes_no = lambda text: False
        self.save_path = lambda title, pattern, default: ""
        self.open_path = lambda title, pattern: ""

    def ask_save_changes(self, title, text):
        return self.save_changes()

    def ask_yes_no(self, title, text):
        return self.yes_no(text)

    def ask_save(self, title, default, pattern):
        return self.save_path(title, pattern, default)

    def ask_open(self, title, directory, pattern):
        return self.open_path(title, pattern)


def make_window(qtbot, tmp_path, *, size=(1280, 720), preset=None, show=True):
    """(window, features) on ``preset`` (the default one when None)."""
    from sheafviz.gui.app import prepare_app
    from sheafviz.gui.lecture import install_lecture_features
    from sheafviz.gui.main_window import MainWindow

    prepare_app(QtWidgets.QApplication.instance(), size)
    # closed by close_window (qtbot's own close would hit the prompt)
    w = MainWindow(dialogs=FakeDialogs())
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"),
                                QtCore.QSettings.Format.IniFormat)
    existing = getattr(w, "lecture", None)
    if existing is not None:  # already integrated into the window: re-point its storage
        existing.prefs.settings = settings
        existing.sessions.set_autosave_path(tmp_path / "autosave.json")
        existing.presentation.apply_window_look()  # the look these preferences say
        feats = existing
    else:
        feats = install_lecture_features(w, settings=settings,
                                         autosave_path=tmp_path / "autosave.json",
                                         offer_recovery=False)
    feats.sessions.set_autosave_seconds(0)  # tests call autosave() themselves
    assert w.load_preset(preset)
    w.resize(*size)
    if show:
        w.show()
        qtbot.waitExposed(w)
    return w, feats


def close_window(w, feats) -> None:
    feats.presentation.look.apply()  # back to the light look: the text size is global
    w.player.pause()
    feats.sessions._mark_clean()
    feats.sessions.dialogs.save_changes = lambda: "discard"
    w.close()
    w.deleteLater()


@pytest.fixture
def lecture(qtbot, tmp_path):
    w, feats = make_window(qtbot, tmp_path)
    yield w, feats
    close_window(w, feats)
