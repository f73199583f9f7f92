"""Sessions in the real window: save → open gives the same state and the same next 100
steps bit for bit; bad files change nothing; unsaved-changes prompt; autosave recovery;
dropping a session or weights file onto the window."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from test_lecture_common import close_window, lecture, make_window  # noqa: F401

from sheafviz.gui.lecture.sessions import CANCEL, DISCARD


def state_of(window) -> dict:
    """Everything the picture and the next steps depend on, copied."""
    s = window.session
    h, r = s.history, s.rates
    return {"c": s.cochain, "t": s.time, "steps": s.steps, "pins": s.pins, "mode": s.mode,
            "params": (r.alpha, r.beta, r.dt, r.steps_per_frame),
            "weights": [w.copy() for w in s.network.weights],
            "weights0": [w.copy() for w in s.initial_network.weights],
            "hist": (h.t[:h.n].copy(), h.energy[:h.n].copy(), h.discords[:h.n].copy()),
            "selected": s.selection, "title": s.title}


def assert_same(a: dict, b: dict) -> None:
    for key in a:
        va, vb = a[key], b[key]
        if key == "hist":
            for x, y in zip(va, vb):
                np.testing.assert_array_equal(x, y)
        elif key in ("weights", "weights0"):
            for x, y in zip(va, vb):
                np.testing.assert_array_equal(x, y)
        elif isinstance(va, np.ndarray):
            np.testing.assert_array_equal(va, vb)
        else:
            assert va == vb, key


def run_frames(window, n: int, k: int = 10) -> None:
    for _ in range(n // k):
        window.session.step(k)


@pytest.mark.parametrize("preset, joint", [("running-241", None), ("sliding", None),
                                           ("paraboloid", "paper"),
                                           ("paraboloid-2h", "adiabatic")])
def test_save_open_same_state_and_next_100_steps(qtbot, tmp_path, preset, joint):
    """Adiabatic: the whole batch, where the warm-started solves pick among several
    equilibria, so only the saved equilibria resume it exactly (tests/test_flowstate.py)."""
    w1, f1 = make_window(qtbot, tmp_path, preset=preset, show=False)
    w2, f2 = make_window(qtbot, tmp_path, preset="course-221", show=False)
    try:
        if joint:
            w1.session.set_training(mode=joint)  # a preset / session setting
            if joint == "adiabatic":
                w1.wiring.set_whole_batch(True)
            w1.session.set_mode("joint")
            assert w1.session.joint_batch is not None  # the joint flow runs
        w1.session.select(w1.session.layout.vertices[1].name, 0)
        run_frames(w1, 70, 7)  # mid-flow: the flow object is live and has its own state
        path = tmp_path / "s.json"
        assert f1.sessions.save(path)
        assert f2.sessions.open(path, prompt=False)
        assert_same(state_of(w1), state_of(w2))
        run_frames(w1, 100)
        run_frames(w2, 100)
        assert w1.session.steps == w2.session.steps == 170
        assert_same(state_of(w1), state_of(w2))
        if joint:
            assert w2.session.training.mode == joint
            assert (w2.session.example is None) == (joint == "adiabatic")  # whole batch
        np.testing.assert_array_equal(w1.session.snapshot.discords, w2.session.snapshot.discords)
    finally:
        close_window(w1, f1)
        close_window(w2, f2)


@pytest.mark.parametrize("damage", ["truncated", "garbage", "version", "pins", "state"])
def test_bad_session_gives_clear_error_and_changes_nothing(lecture, tmp_path, damage):
    w, feats = lecture
    path = tmp_path / "good.json"
    w.wiring.toggle_neuron("a1", 0)
    run_frames(w, 20)
    assert feats.sessions.save(path)
    text = path.read_text()
    doc = json.loads(text)
    if damage == "truncated":
        bad = text[: len(text) // 2]
        expect = "not valid JSON"
    elif damage == "garbage":
        bad = "\x00\x01 not json"
        expect = "not valid JSON"
    elif damage == "version":
        doc["version"] = 99
        bad, expect = json.dumps(doc), "version 99"
    elif damage == "pins":
        doc["pins"] = {"hard": {"q7[3]": 1.0}}
        bad, expect = json.dumps(doc), "pins"
    else:
        doc["state"]["session"]["modes"]["relax"]["cochain"] = {"__array__": [1.0, 2.0],
                                                               "dtype": "<f8"}
        bad, expect = json.dumps(doc), "cochain"
    bad_path = tmp_path / f"{damage}.json"
    bad_path.write_text(bad)
    w.wiring.toggle_neuron("z1", 1)  # something different from the saved file
    before = state_of(w)
    messages = []
    w.messageShown.connect(lambda text, level: messages.append((text, level)))
    assert not feats.sessions.open(bad_path, prompt=False)
    assert_same(before, state_of(w))
    assert messages and messages[-1][1] == "error"
    assert expect in messages[-1][0] and str(bad_path) in messages[-1][0]


def test_moving_a_pinned_value_is_an_unsaved_change(lecture, tmp_path):
    w, feats = lecture
    w.wiring.toggle_neuron("a1", 0)
    assert feats.sessions.save(tmp_path / "s.json") and not feats.sessions.dirty
    w.wiring.drag_pin("a1", 0, 0.3)  # a drag: no pinsChanged, no flow step
    assert feats.sessions.dirty


def test_playing_is_not_an_unsaved_change(lecture, tmp_path):
    w, feats = lecture
    changes = []
    feats.sessions.dirtyChanged.connect(changes.append)
    for _ in range(5):
        w.player.step()  # the Step button: the flow moves, nothing a user would lose
    assert w.session.steps > 0 and not feats.sessions.dirty and not w.session.modified
    w.session.set_rates(alpha=0.25)
    assert feats.sessions.dirty and changes == [True]
    assert feats.sessions.save(tmp_path / "s.json")
    assert not feats.sessions.dirty and not w.session.modified and changes == [True, False]


def test_unsaved_changes_prompt_guards_preset_switch(lecture):
    w, feats = lecture
    asked = []
    w.wiring.toggle_neuron("a1", 1)
    assert feats.sessions.dirty
    feats.sessions.dialogs.save_changes = lambda: asked.append(1) or CANCEL
    w.panel.presetChosen.emit("course-221")  # the side panel's preset box
    assert asked and w.session.preset.name == "running-241"  # cancelled: nothing changed
    feats.sessions.dialogs.save_changes = lambda: asked.append(2) or DISCARD
    w.panel.presetChosen.emit("course-221")
    assert w.session.preset.name == "course-221"
    assert not feats.sessions.dirty


def test_close_with_unsaved_changes_can_be_cancelled(lecture):
    w, feats = lecture
    w.wiring.toggle_neuron("a1", 1)
    feats.sessions.dialogs.save_changes = lambda: CANCEL
    assert not w.close()
    assert w.isVisible()


def test_autosave_then_recovery_restores_the_session(qtbot, tmp_path):
    w1, f1 = make_window(qtbot, tmp_path, show=False)
    w2 = None
    try:
        w1.wiring.toggle_neuron("z1", 2)
        run_frames(w1, 30)
        assert f1.sessions.autosave()
        assert f1.sessions.autosave_path.exists()
        saved = state_of(w1)
        # "crash": the autosave stays; a new window offers it
        w2, f2 = make_window(qtbot, tmp_path, preset="course-221", show=False)
        offered = []
        f2.sessions.dialogs.yes_no = lambda text: offered.append(text) or True
        assert f2.sessions.check_recovery()
        assert len(offered) == 1 and str(f2.sessions.autosave_path) in offered[0]
        assert_same(saved, state_of(w2))
        assert f2.sessions.dirty and f2.sessions.path is None
        # a normal close removes the autosave
        f2.sessions.dialogs.save_changes = lambda: DISCARD
        assert w2.close()
        assert not f2.sessions.autosave_path.exists()
    finally:
        close_window(w1, f1)


def drop(window, path) -> None:
    md = QtCore.QMimeData()
    md.setUrls([QtCore.QUrl.fromLocalFile(str(path))])
    pos = QtCore.QPointF(window.width() / 2, window.height() / 2)
    actions = QtCore.Qt.DropAction.CopyAction
    enter = QtGui.QDragEnterEvent(pos.toPoint(), actions, md, QtCore.Qt.MouseButton.LeftButton,
                                  QtCore.Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    ev = QtGui.QDropEvent(pos, actions, md, QtCore.Qt.MouseButton.LeftButton,
                          QtCore.Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(window, ev)


def test_drop_session_and_weights_files(lecture, tmp_path):
    from sheafviz.core.model.network import Network

    w, feats = lecture
    w.wiring.toggle_neuron("a1", 3)
    path = tmp_path / "dropped.json"
    assert feats.sessions.save(path)
    saved = state_of(w)
    w.load_preset("course-221")
    drop(w, path)
    assert_same(saved, state_of(w))
    net = Network.he_init([2, 3, 1], seed=5)
    npz = tmp_path / "w.npz"
    net.save(npz)
    feats.sessions.dialogs.save_changes = lambda: DISCARD
    drop(w, npz)
    assert list(w.session.network.arch) == [2, 3, 1]
    for a, b in zip(w.session.network.weights, net.weights):
        np.testing.assert_array_equal(a, b)
    assert not w.session.pins.is_pinned("a1", 3) and w.session.pins.stalk_pinned(w.session.layout, "x")
    # weights of another architecture are a new session; weights that fit it are one
    # undoable weight edit
    drop(w, path)
    assert_same(saved, state_of(w))
    same = Network.he_init([2, 4, 1], seed=6)
    same.save(npz)
    drop(w, npz)
    for a, b in zip(w.session.network.weights, same.weights):
        np.testing.assert_array_equal(a, b)
    feats.undo.undo()  # a weights drop is undoable
    assert list(w.session.network.arch) == [2, 4, 1]
    for a, b in zip(w.session.network.weights, saved["weights0"]):
        np.testing.assert_array_equal(a, b)
    assert w.session.pins == saved["pins"]


def test_no_modal_dialog_outside_the_interactive_app(lecture):
    """Tests and headless renders never block on the built-in prompts."""
    from sheafviz.gui.dialogs import NoDialogs

    w, feats = lecture
    s = feats.sessions
    s.dialogs = NoDialogs()  # what a window built without dialogs has
    w.wiring.toggle_neuron("a1", 1)
    assert s.dirty
    assert s.maybe_save()  # no dialog, nothing blocks
    s.autosave_path.write_text("{}")
    assert not s.check_recovery()


def test_gui_command_with_a_session_resumes_its_flow_state(qtbot, tmp_path, monkeypatch):
    """`sheafviz gui SESSION` opens the saved state itself, not a fresh start of its settings."""
    import sheafviz.gui.app as app_module

    w1, f1 = make_window(qtbot, tmp_path, preset="running-241", show=False)
    try:
        run_frames(w1, 70, 7)
        path = tmp_path / "s.json"
        assert f1.sessions.save(path)
        expected = state_of(w1)
        run_frames(w1, 30)
        after_30 = w1.session.cochain.copy()
    finally:
        close_window(w1, f1)
    seen = {}

    def capture(window, out):
        seen["state"] = state_of(window)
        run_frames(window, 30)
        seen["after_30"] = window.session.cochain.copy()
        window.close()
        return True

    monkeypatch.setattr(app_module, "save_screenshot", capture)
    assert app_module.run_gui(session=str(path), screenshot=str(tmp_path / "x.png")) == 0
    got = seen["state"]
    np.testing.assert_array_equal(got["c"], expected["c"])
    assert got["steps"] == expected["steps"] == 70 and got["t"] == expected["t"]
    np.testing.assert_array_equal(seen["after_30"], after_30)
