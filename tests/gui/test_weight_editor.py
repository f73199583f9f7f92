"""The weight editor (issue 5): edits through the real dock, the session's
``set_network``, undo / redo of the session's edits, refused input, big networks."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from conftest import dense_equilibrium_fixed_sigma, settled_pixels
from test_lecture_common import lecture  # noqa: F401

from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.data.presets import Preset
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.core.solvers.solve import equilibrium
from sheafviz.gui import style

#: The running-241 preset's weights, copied from its JSON file (an independent source).
W1 = [[1.0, 0.5], [-0.5, 1.0], [0.8, -1.0], [-1.0, -0.6]]
B1 = [0.0, 0.2, 0.1, 0.3]
W2 = [[1.0, -0.8, 0.6, 0.9]]
B2 = [0.1]
CTRL = QtCore.Qt.KeyboardModifier.ControlModifier
SHIFT = QtCore.Qt.KeyboardModifier.ShiftModifier


def open_editor(qtbot, w):
    w.lecture.actions["edit_weights"].trigger()
    dock = w.weight_dock
    qtbot.waitUntil(dock.isVisible)
    return dock.widget()


def choose_layer(editor, name: str) -> None:
    k = [f"{kind}{l}" for kind, l in editor._layers].index(name)
    editor.layer_box.setCurrentIndex(k)


def click_cell(qtbot, editor, row: int, col: int) -> None:
    t = editor.table
    rect = t.visualItemRect(t.item(row, col))
    qtbot.mouseClick(t.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=rect.center())


def type_and_enter(qtbot, editor, text: str) -> None:
    e = editor.value_edit
    e.setFocus()
    e.selectAll()
    qtbot.keyClick(e, QtCore.Qt.Key.Key_Backspace)
    qtbot.keyClicks(e, text)
    qtbot.keyClick(e, QtCore.Qt.Key.Key_Return)


def reference(w2_03: float) -> Network:
    w2 = np.array(W2)
    w2[0, 3] = w2_03
    return Network([np.array(W1), w2], [np.array(B1), np.array(B2)])


def messages(w) -> list:
    out = []
    w.messageShown.connect(lambda text, level: out.append((level, text)))
    return out


def test_edit_in_the_table_gives_the_core_equilibrium(qtbot, lecture):
    w, feats = lecture
    editor = open_editor(qtbot, w)
    assert editor.view_kind == "table"
    choose_layer(editor, "W2")
    click_cell(qtbot, editor, 0, 3)
    assert editor.entry().label == "W2[0,3]"
    type_and_enter(qtbot, editor, "-1.5")
    net = reference(-1.5)
    s = w.session
    for got, want in zip(s.network.weights + s.network.biases, net.weights + net.biases):
        np.testing.assert_array_equal(got, want)
    ref = equilibrium(net, s.pins)
    np.testing.assert_allclose(s.cochain, ref.cochain, atol=1e-10)
    # and a dense least-squares solve at that pattern, written in conftest
    dense = dense_equilibrium_fixed_sigma(net, s.pins, s.layout, ref.sigma)
    np.testing.assert_allclose(s.cochain, dense, atol=1e-9)
    assert s.initial_network is s.network  # edited before any training: Reset keeps the edit
    assert editor.table.item(0, 3).text() == "-1.5"
    w.wiring.reset()
    assert s.network.weights[1][0, 3] == -1.5
    np.testing.assert_allclose(s.cochain[s.layout.index("z1", 0)],
                               net.forward(np.array([1.0, 0.5])).z[0][0], atol=1e-12)


def test_one_undo_step_restores_weights_and_equilibrium(qtbot, lecture):
    w, feats = lecture
    u = feats.undo
    editor = open_editor(qtbot, w)
    s = w.session
    net0 = s.network
    c0 = np.array(equilibrium(net0, s.pins).cochain)  # the old equilibrium
    old = [a.copy() for a in s.network.weights + s.network.biases]
    choose_layer(editor, "W2")
    click_cell(qtbot, editor, 0, 3)
    type_and_enter(qtbot, editor, "2.25")
    c1 = s.cochain.copy()
    u.flush()  # the recorder must not add its own "change weights" step
    assert u.stack.count() == 1 and u.stack.undoText() == "edit W2[0,3]"
    w.activateWindow()
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Z, CTRL)
    for got, want in zip(s.network.weights + s.network.biases, old):
        np.testing.assert_array_equal(got, want)
    assert s.network is net0 and s.initial_network is net0
    assert editor.table.item(0, 3).text() == "0.9"  # the table follows the undo
    np.testing.assert_allclose(s.cochain, c0, atol=1e-12)
    np.testing.assert_allclose(c0, equilibrium(reference(0.9), s.pins).cochain, atol=1e-10)
    u.flush()
    assert u.stack.count() == 1 and u.stack.index() == 0
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Z, CTRL | SHIFT)
    assert s.network.weights[1][0, 3] == 2.25
    np.testing.assert_allclose(s.cochain, c1, atol=1e-12)
    np.testing.assert_allclose(s.cochain, equilibrium(reference(2.25), s.pins).cochain,
                               atol=1e-10)
    u.flush()
    assert u.stack.count() == 1 and u.stack.index() == 1
    assert editor.table.item(0, 3).text() == "2.25"


def test_edits_mix_with_pin_steps_on_one_stack(qtbot, lecture):
    w, feats = lecture
    u = feats.undo
    editor = open_editor(qtbot, w)
    s = w.session
    pins0 = s.pins
    w.wiring.toggle_neuron("a1", 1)  # still being coalesced when the edit comes
    choose_layer(editor, "b1")
    editor.select(2)
    type_and_enter(qtbot, editor, "-0.4")
    u.flush()
    assert [u.stack.text(i) for i in range(u.stack.count())] == ["pin / unpin", "edit b1[2]"]
    u.undo()
    assert s.network.biases[0][2] == 0.1 and s.pins.is_pinned("a1", 1)
    u.undo()
    assert s.pins == pins0 and s.network.biases[0][2] == 0.1
    u.redo()
    u.redo()
    assert s.network.biases[0][2] == -0.4 and s.pins.is_pinned("a1", 1)
    np.testing.assert_allclose(s.cochain, equilibrium(s.network, s.pins).cochain, atol=1e-10)


def test_undo_after_training_changes_only_that_entry(qtbot, lecture):
    w, feats = lecture
    editor = open_editor(qtbot, w)
    choose_layer(editor, "W1")
    click_cell(qtbot, editor, 2, 1)
    type_and_enter(qtbot, editor, "0.25")
    w.session.step(7)
    relax_clock = (w.session.time, w.session.steps)  # each mode keeps its own clock
    w.session.set_mode("joint")
    w.session.step(20)
    trained = [a.copy() for a in w.session.network.weights]
    assert not np.array_equal(trained[1], np.array(W2))  # the flow moved the weights
    t, steps = w.session.time, w.session.steps
    u = feats.undo
    u.flush()
    assert [u.stack.text(i) for i in range(u.stack.count())] == ["edit W1[2,1]",
                                                                 "change mode"]
    u.undo()  # back to relax: the trained weights stay
    np.testing.assert_array_equal(w.session.network.weights[1], trained[1])
    u.undo()
    assert w.session.network.weights[0][2, 1] == -1.0
    mask = np.ones_like(trained[0], dtype=bool)
    mask[2, 1] = False
    np.testing.assert_array_equal(w.session.network.weights[0][mask], trained[0][mask])
    np.testing.assert_array_equal(w.session.network.weights[1], trained[1])
    assert w.session.initial_network.weights[0][2, 1] == -1.0  # Reset goes back to the lesson's weights
    assert (w.session.time, w.session.steps) == relax_clock and w.session.mode == "relax"
    assert steps == 20 and t > 0  # the training clock was its own
    np.testing.assert_allclose(w.session.cochain, equilibrium(w.session.network, w.session.pins).cochain,
                               atol=1e-10)
    w.session.step(3)  # at the equilibrium already: the relaxation converges in a step
    assert w.session.steps > relax_clock[1] and w.session.time > relax_clock[0]  # it goes on, not from 0


@pytest.mark.parametrize("text", ["abc", "nan", "1e400", "", "2e6"])
def test_bad_value_changes_nothing_and_says_why(qtbot, lecture, text):
    w, feats = lecture
    editor = open_editor(qtbot, w)
    said = messages(w)
    s = w.session
    net, net0, c = s.network, s.initial_network, s.cochain.copy()
    choose_layer(editor, "W2")
    click_cell(qtbot, editor, 0, 1)
    type_and_enter(qtbot, editor, text)
    assert s.network is net and s.initial_network is net0
    np.testing.assert_array_equal(s.cochain, c)
    np.testing.assert_array_equal(s.network.weights[1], np.array(W2))
    assert feats.undo.stack.count() == 0
    assert said and said[-1][0] == "error" and "W2[0,1] not changed" in said[-1][1]
    assert "not changed" in editor.status.text()
    assert "nan" not in editor.readout.text().lower()


def test_replace_network_refuses_another_architecture(lecture):
    w, feats = lecture
    s = w.session
    net, c = s.network, s.cochain.copy()
    with pytest.raises(ValueError, match=r"\[2, 3, 1\]"):
        s.set_network(Network.he_init([2, 3, 1], seed=0))
    with pytest.raises(ValueError, match="sigmoid"):
        s.set_network(Network(net.weights, net.biases, "sigmoid"))
    with pytest.raises(ValueError, match="Network"):
        s.set_network([np.eye(2)])
    assert s.network is net
    np.testing.assert_array_equal(s.cochain, c)


def test_replace_network_failure_keeps_the_session(lecture, monkeypatch):
    from sheafviz.core.solvers import solve as engine

    w, feats = lecture
    said = messages(w)
    s = w.session
    net, net0, c = s.network, s.initial_network, s.cochain.copy()

    def broken(*a, **k):
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(engine, "equilibrium", broken)
    assert not s.set_network(reference(3.0))
    assert s.network is net and s.initial_network is net0
    np.testing.assert_array_equal(s.cochain, c)
    assert said[-1][0] == "error" and "singular" in said[-1][1]
    editor = w.weight_dock.widget()  # the same refusal through the editor: no undo step
    editor.select(0, 0)
    editor.value_edit.setText("3")
    assert not editor.apply_text()
    assert s.network is net and feats.undo.stack.count() == 0
    assert "not changed" in editor.status.text() and "singular" in said[-1][1]


def test_joint_mode_keeps_state_and_trained_weights_are_not_initial(lecture):
    w, feats = lecture
    s = w.session
    s.set_mode("joint")
    s.step(10)
    net0, c, t = s.initial_network, s.cochain.copy(), s.time
    edited = Network([a.copy() for a in s.network.weights],
                     [a.copy() for a in s.network.biases])
    edited.weights[1][0, 0] = 4.0
    assert s.set_network(edited)
    assert s.network is edited and s.initial_network is net0
    np.testing.assert_array_equal(s.cochain, c)
    assert s.time == t
    s.step(1)  # the joint flow restarts from the edited weights
    assert s.joint_batch.network is not net0 and s.steps > 10
    assert s.set_network(edited, initial=True)
    assert s.initial_network is edited


def test_big_network_uses_a_heatmap(qtbot, lecture):
    w, feats = lecture
    net = Network.he_init([784, 128, 64, 10], seed=1)
    lay = SheafLayout(net.arch)
    pins = PinSet().pin(lay, "x", np.linspace(0.0, 1.0, 784))
    assert w.open_preset_object(Preset("big", "784-128-64-10", "", net, pins))
    editor = open_editor(qtbot, w)
    for k in range(editor.layer_box.count()):
        editor.layer_box.setCurrentIndex(k)
        kind, l = editor.layer
        if (kind, l) in (("W", 1), ("W", 2), ("W", 3), ("b", 1), ("b", 2)):
            assert editor.view_kind == "heatmap"
            assert editor.table.rowCount() * editor.table.columnCount() == 0
    choose_layer(editor, "W1")
    assert editor.image.image.shape == (128, 784)
    assert editor.cell_at(300.5, 7.2) == (7, 300)
    (px,) = settled_pixels(qtbot, editor.plot, [(300.5, 7.5)])
    qtbot.mouseClick(editor.plot.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=px)
    # a real click picks the cell under it (a 128×784 cell is about a pixel wide: ±1)
    row, col = editor.row_box.value(), editor.col_box.value()
    assert abs(row - 7) <= 1 and abs(col - 300) <= 1
    editor.select(7, 300)
    type_and_enter(qtbot, editor, "0.5")
    s = w.session
    assert s.network.weights[0][7, 300] == 0.5
    np.testing.assert_allclose(s.cochain, equilibrium(s.network, pins).cochain, atol=1e-10)
    assert feats.undo.stack.undoText() == "edit W1[7,300]"


def test_live_update_only_while_visible(qtbot, lecture):
    w, feats = lecture
    editor = open_editor(qtbot, w)
    choose_layer(editor, "W2")
    s = w.session
    s.set_mode("joint")
    s.step(15)
    want = style.fmt(s.network.weights[1][0, 2], 3)
    qtbot.waitUntil(lambda: editor.table.item(0, 2).text() == want)
    w.weight_dock.hide()
    shown = editor._shown
    s.step(5)
    assert editor._shown is shown  # hidden: nothing redrawn
    w.weight_dock.show()
    qtbot.waitUntil(lambda: editor._shown is s.network)


def test_shortcut_and_menu_entry(qtbot, lecture):
    w, feats = lecture
    edit_menu = feats.menus["edit"]
    assert feats.actions["edit_weights"] in edit_menu.actions()
    assert not w.weight_dock.isVisible()
    w.activateWindow()
    qtbot.keyClick(w, QtCore.Qt.Key.Key_W, CTRL | SHIFT)
    qtbot.waitUntil(w.weight_dock.isVisible)
    assert w.weight_dock.widget().value_edit.hasFocus()


def test_presentation_mode_scales_the_editor(qtbot, lecture):
    w, feats = lecture
    editor = open_editor(qtbot, w)
    choose_layer(editor, "W1")
    before = editor.value_edit.font().pointSizeF(), editor.table.rowHeight(0)
    feats.presentation.enter(fullscreen=False)
    try:
        qtbot.waitUntil(lambda: editor.table.rowHeight(0) > before[1])
        assert editor.value_edit.font().pointSizeF() > before[0]
        t = editor.table
        rows = sum(t.rowHeight(i) for i in range(t.rowCount()))
        qtbot.waitUntil(lambda: editor.stack.maximumHeight() >= rows)  # no row cut off
    finally:
        feats.presentation.leave()
