"""Every user-facing GUI error path names the problem on the window's status line: a broken
preset opened from the preset box or listed in the gallery, a session file that cannot be
opened, a weight edit refused, a pin the solver refuses. Nothing changes in each case."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from test_lecture_common import lecture  # noqa: F401

from sheafviz.core.data import presets
from sheafviz.gui.lecture.gallery import GalleryDialog

BROKEN = "broken-lesson"


@pytest.fixture
def broken_preset(tmp_path, monkeypatch):
    """The shipped presets plus one whose file is not JSON."""
    folder = tmp_path / "presets"
    shutil.copytree(presets._preset_dir(), folder)
    (folder / f"{BROKEN}.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(presets, "_preset_dir", lambda: folder)
    presets.list_presets.cache_clear()
    yield BROKEN
    presets.list_presets.cache_clear()


def status(w) -> str:
    return w.note.toolTip()  # the plain text of the status-line message


def test_broken_preset_from_the_preset_box_names_it(lecture, broken_preset):
    w, feats = lecture
    net = w.session.network
    assert not w.open_preset(broken_preset)  # what the preset combo box calls
    assert f"Cannot open preset {broken_preset!r}" in status(w)
    assert "cannot read its file" in status(w)
    assert w.session.network is net  # the shown lesson stays


def test_gallery_names_a_broken_preset_and_lists_the_others(qtbot, lecture, broken_preset):
    w, feats = lecture
    dlg = GalleryDialog(parent=w)
    listed = {dlg.list.item(i).data(QtCore.Qt.ItemDataRole.UserRole)
              for i in range(dlg.list.count())}
    assert broken_preset not in listed and "course-221" in listed
    assert set(dlg.broken) == {broken_preset}
    assert "PresetError" in dlg.broken[broken_preset]
    assert f"Cannot open preset {broken_preset!r}" in dlg.status_message.text()
    dlg.close()

    def close_gallery():  # the menu entry runs the dialog modally
        qtbot.waitUntil(lambda: isinstance(QtWidgets.QApplication.activeModalWidget(),
                                           GalleryDialog))
        QtWidgets.QApplication.activeModalWidget().reject()

    QtCore.QTimer.singleShot(0, close_gallery)
    feats.actions["gallery"].trigger()
    assert f"Cannot open preset {broken_preset!r}" in status(w)


def test_failing_session_open_says_why(lecture, tmp_path):
    w, feats = lecture
    bad = tmp_path / "garbage.sheafviz.json"
    bad.write_text("this is not a session", encoding="utf-8")
    feats.sessions.dialogs.save_changes = lambda: "discard"
    feats.sessions.dialogs.open_path = lambda title, pattern: str(bad)
    session = w.session
    assert not feats.sessions.open()  # File > Open with the chosen file
    assert status(w) and "garbage" in status(w)
    assert w.session is session


def test_refused_weight_edit_is_on_the_status_line(qtbot, lecture):
    w, feats = lecture
    w.lecture.actions["edit_weights"].trigger()
    qtbot.waitUntil(w.weight_dock.isVisible)
    editor = w.weight_dock.widget()
    weights = [W.copy() for W in w.session.network.weights]
    editor.select(0, 0)
    editor.value_edit.setText("abc")
    assert not editor.apply_text()
    assert "[0,0] not changed: 'abc' is not a number" in status(w)
    for W, old in zip(w.session.network.weights, weights):
        np.testing.assert_array_equal(W, old)


def test_pin_the_solver_refuses_is_on_the_status_line(lecture, monkeypatch):
    from sheafviz.core.solvers import solve

    w, feats = lecture
    s = w.session
    pins, c = s.pins, s.cochain.copy()

    def singular(*args, **kwargs):
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(solve, "equilibrium", singular)
    w.wiring.drag_pin("x", 0, 0.25)  # a dragged input value: the relaxation would jump
    assert "Pin change refused" in status(w) and "singular matrix" in status(w)
    assert s.pins == pins
    np.testing.assert_array_equal(s.cochain, c)
