"""The weight editor (issue 5): edits through the real dock, the controller's
``replace_network``, undo / redo on the lecture stack, refused input, big networks."""

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


def messages(ctl) -> list:
    out = []
    ctl.message.connect(lambda text, level: out.append((level, text)))
    return out


def test_edit_in_the_table_gives_the_core_equilibrium(qtbot, lecture):
    w, ctl, feats = lecture
    editor = open_editor(qtbot, w)
    assert editor.view_kind == "table"
    choose_layer(editor, "W2")
    click_cell(qtbot, editor, 0, 3)
    assert editor.entry().label == "W2[0,3]"
    type_and_enter(qtbot, editor, "-1.5")
    net = reference(-1.5)
    for got, want in zip(ctl.network.weights + ctl.network.biases, net.weights + net.biases):
        np.testing.assert_array_equal(got, want)
    ref = equilibrium(net, ctl.pins)
    np.testing.assert_allclose(ctl.c, ref.cochain, atol=1e-10)
    # and a dense least-squares solve at that pattern, written in conftest
    dense = dense_equilibrium_fixed_sigma(net, ctl.pins, ctl.layout, ref.sigma)
    np.testing.assert_allclose(ctl.c, dense, atol=1e-9)
    assert ctl.network0 is ctl.network  # edited before any training: Reset keeps the edit
    assert editor.table.item(0, 3).text() == "-1.5"
    ctl.reset()
    assert ctl.network.weights[1][0, 3] == -1.5
    np.testing.assert_allclose(ctl.c[ctl.layout.index("z1", 0)],
                               net.forward(np.array([1.0, 0.5])).z[0][0], atol=1e-12)


def test_one_undo_step_restores_weights_and_equilibrium(qtbot, lecture):
    w, ctl, feats = lecture
    u = feats.undo
    editor = open_editor(qtbot, w)
    net0, c0 = ctl.network, np.array(ctl.solution.cochain)  # the old equilibrium
    old = [a.copy() for a in ctl.network.weights + ctl.network.biases]
    choose_layer(editor, "W2")
    click_cell(qtbot, editor, 0, 3)
    type_and_enter(qtbot, editor, "2.25")
    c1 = ctl.c.copy()
    u.flush()  # the recorder must not add its own "change weights" step
    assert u.stack.count() == 1 and u.stack.undoText() == "edit W2[0,3]"
    w.activateWindow()
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Z, CTRL)
    for got, want in zip(ctl.network.weights + ctl.network.biases, old):
        np.testing.assert_array_equal(got, want)
    assert ctl.network is net0 and ctl.network0 is net0
    assert editor.table.item(0, 3).text() == "0.9"  # the table follows the undo
    np.testing.assert_allclose(ctl.c, c0, atol=1e-12)
    np.testing.assert_allclose(c0, equilibrium(reference(0.9), ctl.pins).cochain, atol=1e-10)
    u.flush()
    assert u.stack.count() == 1 and u.stack.index() == 0
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Z, CTRL | SHIFT)
    assert ctl.network.weights[1][0, 3] == 2.25
    np.testing.assert_allclose(ctl.c, c1, atol=1e-12)
    np.testing.assert_allclose(ctl.c, equilibrium(reference(2.25), ctl.pins).cochain,
                               atol=1e-10)
    u.flush()
    assert u.stack.count() == 1 and u.stack.index() == 1
    assert editor.table.item(0, 3).text() == "2.25"


def test_edits_mix_with_pin_steps_on_one_stack(qtbot, lecture):
    w, ctl, feats = lecture
    u = feats.undo
    editor = open_editor(qtbot, w)
    pins0 = ctl.pins
    ctl.toggle_neuron("a1", 1)  # still being coalesced when the edit comes
    choose_layer(editor, "b1")
    editor.select(2)
    type_and_enter(qtbot, editor, "-0.4")
    u.flush()
    assert [u.stack.text(i) for i in range(u.stack.count())] == ["pin / unpin", "edit b1[2]"]
    u.undo()
    assert ctl.network.biases[0][2] == 0.1 and ctl.pins.is_pinned("a1", 1)
    u.undo()
    assert ctl.pins == pins0 and ctl.network.biases[0][2] == 0.1
    u.redo()
    u.redo()
    assert ctl.network.biases[0][2] == -0.4 and ctl.pins.is_pinned("a1", 1)
    np.testing.assert_allclose(ctl.c, equilibrium(ctl.network, ctl.pins).cochain, atol=1e-10)


def test_undo_after_training_changes_only_that_entry(qtbot, lecture):
    w, ctl, feats = lecture
    editor = open_editor(qtbot, w)
    choose_layer(editor, "W1")
    click_cell(qtbot, editor, 2, 1)
    type_and_enter(qtbot, editor, "0.25")
    ctl.advance(7)
    relax_clock = (ctl.t, ctl.steps)  # each mode keeps its own clock
    ctl.set_mode("joint")
    ctl.advance(20)
    trained = [a.copy() for a in ctl.network.weights]
    assert not np.array_equal(trained[1], np.array(W2))  # the flow moved the weights
    t, steps = ctl.t, ctl.steps
    u = feats.undo
    u.flush()
    assert [u.stack.text(i) for i in range(u.stack.count())] == ["edit W1[2,1]",
                                                                 "change mode"]
    u.undo()  # back to relax: the trained weights stay
    np.testing.assert_array_equal(ctl.network.weights[1], trained[1])
    u.undo()
    assert ctl.network.weights[0][2, 1] == -1.0
    mask = np.ones_like(trained[0], dtype=bool)
    mask[2, 1] = False
    np.testing.assert_array_equal(ctl.network.weights[0][mask], trained[0][mask])
    np.testing.assert_array_equal(ctl.network.weights[1], trained[1])
    assert ctl.network0.weights[0][2, 1] == -1.0  # Reset goes back to the lesson's weights
    assert (ctl.t, ctl.steps) == relax_clock and ctl.mode == "relax"
    assert steps == 20 and t > 0  # the training clock was its own
    np.testing.assert_allclose(ctl.c, equilibrium(ctl.network, ctl.pins).cochain,
                               atol=1e-10)
    ctl.advance(3)  # at the equilibrium already: the relaxation converges in a step
    assert ctl.steps > relax_clock[1] and ctl.t > relax_clock[0]  # it goes on, not from 0


@pytest.mark.parametrize("text", ["abc", "nan", "1e400", "", "2e6"])
def test_bad_value_changes_nothing_and_says_why(qtbot, lecture, text):
    w, ctl, feats = lecture
    editor = open_editor(qtbot, w)
    said = messages(ctl)
    net, net0, c = ctl.network, ctl.network0, ctl.c.copy()
    choose_layer(editor, "W2")
    click_cell(qtbot, editor, 0, 1)
    type_and_enter(qtbot, editor, text)
    assert ctl.network is net and ctl.network0 is net0
    np.testing.assert_array_equal(ctl.c, c)
    np.testing.assert_array_equal(ctl.network.weights[1], np.array(W2))
    assert feats.undo.stack.count() == 0
    assert said and said[-1][0] == "error" and "W2[0,1] not changed" in said[-1][1]
    assert "not changed" in editor.status.text()
    assert "nan" not in editor.readout.text().lower()


def test_replace_network_refuses_another_architecture(lecture):
    w, ctl, feats = lecture
    net, c = ctl.network, ctl.c.copy()
    with pytest.raises(ValueError, match=r"\[2, 3, 1\]"):
        ctl.replace_network(Network.he_init([2, 3, 1], seed=0))
    with pytest.raises(ValueError, match="sigmoid"):
        ctl.replace_network(Network(net.weights, net.biases, "sigmoid"))
    with pytest.raises(ValueError, match="Network"):
        ctl.replace_network([np.eye(2)])
    assert ctl.network is net
    np.testing.assert_array_equal(ctl.c, c)


def test_replace_network_failure_keeps_the_session(lecture, monkeypatch):
    from sheafviz.core.solvers import solve as engine

    w, ctl, feats = lecture
    said = messages(ctl)
    net, net0, c = ctl.network, ctl.network0, ctl.c.copy()

    def broken(*a, **k):
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(engine, "equilibrium", broken)
    assert not ctl.replace_network(reference(3.0))
    assert ctl.network is net and ctl.network0 is net0
    np.testing.assert_array_equal(ctl.c, c)
    assert said[-1][0] == "error" and "singular" in said[-1][1]
    editor = w.weight_dock.widget()  # the same refusal through the editor: no undo step
    editor.select(0, 0)
    editor.value_edit.setText("3")
    assert not editor.apply_text()
    assert ctl.network is net and feats.undo.stack.count() == 0
    assert "not changed" in editor.status.text() and "singular" in said[-1][1]


def test_joint_mode_keeps_state_and_trained_weights_are_not_initial(lecture):
    w, ctl, feats = lecture
    ctl.set_mode("joint")
    ctl.advance(10)
    net0, c, t = ctl.network0, ctl.c.copy(), ctl.t
    edited = Network([a.copy() for a in ctl.network.weights],
                     [a.copy() for a in ctl.network.biases])
    edited.weights[1][0, 0] = 4.0
    assert ctl.replace_network(edited)
    assert ctl.network is edited and ctl.network0 is net0
    np.testing.assert_array_equal(ctl.c, c)
    assert ctl.t == t
    ctl.advance(1)  # the joint flow restarts from the edited weights
    assert ctl.flow.network is not net0 and ctl.steps > 10
    assert ctl.replace_network(edited, initial=True)
    assert ctl.network0 is edited


def test_big_network_uses_a_heatmap(qtbot, lecture):
    w, ctl, feats = lecture
    net = Network.he_init([784, 128, 64, 10], seed=1)
    lay = SheafLayout(net.arch)
    pins = PinSet().pin(lay, "x", np.linspace(0.0, 1.0, 784))
    assert ctl.open(Preset("big", "784-128-64-10", "", net, pins))
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
    assert ctl.network.weights[0][7, 300] == 0.5
    np.testing.assert_allclose(ctl.c, equilibrium(ctl.network, pins).cochain, atol=1e-10)
    assert feats.undo.stack.undoText() == "edit W1[7,300]"


def test_live_update_only_while_visible(qtbot, lecture):
    w, ctl, feats = lecture
    editor = open_editor(qtbot, w)
    choose_layer(editor, "W2")
    ctl.set_mode("joint")
    ctl.advance(15)
    ctl.frameChanged.emit()
    want = style.fmt(ctl.network.weights[1][0, 2], 3)
    qtbot.waitUntil(lambda: editor.table.item(0, 2).text() == want)
    w.weight_dock.hide()
    shown = editor._shown
    ctl.advance(5)
    ctl.frameChanged.emit()
    assert editor._shown is shown  # hidden: nothing redrawn
    w.weight_dock.show()
    qtbot.waitUntil(lambda: editor._shown is ctl.network)


def test_shortcut_and_menu_entry(qtbot, lecture):
    w, ctl, feats = lecture
    edit_menu = feats.menus["edit"]
    assert feats.actions["edit_weights"] in edit_menu.actions()
    assert not w.weight_dock.isVisible()
    w.activateWindow()
    qtbot.keyClick(w, QtCore.Qt.Key.Key_W, CTRL | SHIFT)
    qtbot.waitUntil(w.weight_dock.isVisible)
    assert w.weight_dock.widget().value_edit.hasFocus()


def test_presentation_mode_scales_the_editor(qtbot, lecture):
    w, ctl, feats = lecture
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
