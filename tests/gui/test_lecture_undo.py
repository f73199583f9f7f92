"""Undo / redo round trips of pins, pinned values, rates and mode in the real window."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from test_lecture_common import lecture  # noqa: F401


def settings(ctl):
    return (ctl.pins, ctl.alpha, ctl.beta, ctl.dt, ctl.steps_per_frame, ctl.mode)


def test_undo_redo_round_trips(lecture):
    w, ctl, feats = lecture
    u = feats.undo
    s0 = settings(ctl)
    ctl.toggle_neuron("a1", 0)
    u.flush()
    s1 = settings(ctl)
    ctl.session.begin_undo_group()  # a drag (press … release): one step
    for v in (0.3, 0.4, 0.7):
        ctl.set_pin_value("a1", 0, v)
    u.flush()
    s2 = settings(ctl)
    assert s2[0].hard[("a1", 0)] == 0.7
    ctl.set_alpha(0.5)
    u.flush()
    s3 = settings(ctl)
    ctl.set_mode("joint")
    u.flush()
    s4 = settings(ctl)
    assert u.stack.count() == 4
    history = [s0, s1, s2, s3, s4]
    for expected in reversed(history[:-1]):
        u.undo()
        assert settings(ctl) == expected
    # the state follows the pins: a1[0] is free again and the drape is the t=0 picture
    assert not ctl.pins.is_pinned("a1", 0)
    for expected in history[1:]:
        u.redo()
        assert settings(ctl) == expected
    u.undo()  # back to the relaxation (each mode keeps its own state)
    assert ctl.c[ctl.layout.index("a1", 0)] == pytest.approx(0.7)


def test_playing_is_not_an_undo_step(lecture):
    w, ctl, feats = lecture
    for _ in range(5):
        ctl.advance(3)
        ctl.frameChanged.emit()
    feats.undo.flush()
    assert feats.undo.stack.count() == 0


def test_ctrl_z_and_ctrl_shift_z_keys(qtbot, lecture):
    w, ctl, feats = lecture
    before = ctl.pins
    ctl.toggle_neuron("z1", 1)
    after = ctl.pins
    w.activateWindow()
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert ctl.pins == before
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier
                   | QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert ctl.pins == after
    np.testing.assert_allclose(ctl.c[ctl.layout.index("z1", 1)], after.hard[("z1", 1)])


def test_new_preset_clears_the_undo_history(lecture):
    w, ctl, feats = lecture
    ctl.toggle_neuron("a1", 2)
    feats.undo.flush()
    assert feats.undo.stack.canUndo()
    ctl.load_preset("course-221")
    assert not feats.undo.stack.canUndo()
