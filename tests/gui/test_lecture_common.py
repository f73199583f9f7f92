"""Shared fixtures of the lecture-feature tests (no tests here): the real main window with
``install_lecture_features`` called on it, preferences in a temporary INI file and the
autosave in a temporary folder, so no test touches a user's settings."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets


def make_window(qtbot, tmp_path, *, size=(1280, 720), preset=None, show=True):
    """(window, controller, features) on ``preset`` (the default one when None)."""
    from sheafviz.gui.app import prepare_app
    from sheafviz.gui.lecture import install_lecture_features
    from sheafviz.gui.main_window import MainWindow

    prepare_app(QtWidgets.QApplication.instance(), size)
    w = MainWindow()  # closed by close_window (qtbot's own close would hit the prompt)
    settings = QtCore.QSettings(str(tmp_path / "settings.ini"),
                                QtCore.QSettings.Format.IniFormat)
    existing = getattr(w, "lecture", None)
    if existing is not None:  # already integrated into the window: re-point its storage
        existing.prefs.settings = settings
        existing.sessions.set_autosave_path(tmp_path / "autosave.json")
        existing.presentation.apply_window_look()  # the look these preferences say
        feats = existing
    else:
        feats = install_lecture_features(w, w.controller, settings=settings,
                                         autosave_path=tmp_path / "autosave.json",
                                         offer_recovery=False)
    feats.sessions.set_autosave_seconds(0)  # tests call autosave() themselves
    feats.sessions.ask_save = lambda: pytest.fail("unexpected unsaved-changes prompt")
    assert w.controller.load_preset(preset)
    w.resize(*size)
    if show:
        w.show()
        qtbot.waitExposed(w)
    return w, w.controller, feats


def close_window(w, feats) -> None:
    feats.presentation.look.apply()  # back to the light look: the style module is global
    w.controller.pause()
    feats.sessions._mark_clean()
    feats.sessions.ask_save = lambda: "discard"
    w.close()
    w.deleteLater()


@pytest.fixture
def lecture(qtbot, tmp_path):
    w, ctl, feats = make_window(qtbot, tmp_path)
    yield w, ctl, feats
    close_window(w, feats)
