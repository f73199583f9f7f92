"""Undo / redo round trips of pins, pinned values, rates and mode in the real window."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from test_lecture_common import lecture  # noqa: F401


def settings(w):
    s = w.session
    return (s.pins, s.rates.alpha, s.rates.beta, s.rates.dt, s.rates.steps_per_frame, s.mode)


def test_undo_redo_round_trips(lecture):
    w, feats = lecture
    u = feats.undo
    s0 = settings(w)
    w.wiring.toggle_neuron("a1", 0)
    u.flush()
    s1 = settings(w)
    s = w.session
    w.wiring.async_solve_after_s = float("inf")  # every value solved at once, even when slow
    s.begin_undo_group()  # a drag (press … release): one step
    for v in (0.3, 0.4, 0.7):
        w.wiring.drag_pin("a1", 0, v)
    u.flush()
    s2 = settings(w)
    assert s2[0].hard[("a1", 0)] == 0.7
    s.set_rates(alpha=0.5)
    u.flush()
    s3 = settings(w)
    s.set_mode("joint")
    u.flush()
    s4 = settings(w)
    assert u.stack.count() == 4
    history = [s0, s1, s2, s3, s4]
    for expected in reversed(history[:-1]):
        u.undo()
        assert settings(w) == expected
    # the state follows the pins: a1[0] is free again and the drape is the t=0 picture
    assert not s.pins.is_pinned("a1", 0)
    for expected in history[1:]:
        u.redo()
        assert settings(w) == expected
    u.undo()  # back to the relaxation (each mode keeps its own state)
    assert s.cochain[s.layout.index("a1", 0)] == pytest.approx(0.7)


def test_playing_is_not_an_undo_step(lecture):
    w, feats = lecture
    for _ in range(5):
        w.session.step(3)
    feats.undo.flush()
    assert feats.undo.stack.count() == 0


def test_ctrl_z_and_ctrl_shift_z_keys(qtbot, lecture):
    w, feats = lecture
    s = w.session
    before = s.pins
    w.wiring.toggle_neuron("z1", 1)
    after = s.pins
    w.activateWindow()
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert s.pins == before
    qtbot.keyClick(w, QtCore.Qt.Key.Key_Z, QtCore.Qt.KeyboardModifier.ControlModifier
                   | QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert s.pins == after
    np.testing.assert_allclose(s.cochain[s.layout.index("z1", 1)], after.hard[("z1", 1)])


def test_new_preset_clears_the_undo_history(lecture):
    w, feats = lecture
    w.wiring.toggle_neuron("a1", 2)
    feats.undo.flush()
    assert feats.undo.stack.canUndo()
    w.load_preset("course-221")
    assert not feats.undo.stack.canUndo()
