"""The keyboard drives the flow in the real window (pytest-qt key clicks)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from conftest import dense_equilibrium_fixed_sigma
from test_lecture_common import lecture  # noqa: F401

K = QtCore.Qt.Key


def key(qtbot, w, k, mod=QtCore.Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(w, k, mod)


def test_keyboard_drives_the_flow(qtbot, lecture):
    w, feats = lecture
    w.activateWindow()
    w.setFocus()
    # → selects the first neuron, → again the next one (left-to-right order)
    key(qtbot, w, K.Key_Right)
    assert w.session.selection == ("x", 0)
    key(qtbot, w, K.Key_Right)
    key(qtbot, w, K.Key_Right)
    assert w.session.selection == ("z1", 0)
    key(qtbot, w, K.Key_Left)
    assert w.session.selection == ("x", 1)
    key(qtbot, w, K.Key_Right)
    # P pins z1[0] at its value; ↑ raises it by 0.1; Shift+↓ lowers it by 0.01
    v0 = float(w.session.cochain[w.session.layout.index("z1", 0)])
    key(qtbot, w, K.Key_P)
    assert w.session.pins.hard[("z1", 0)] == pytest.approx(v0)
    key(qtbot, w, K.Key_Up)
    assert w.session.pins.hard[("z1", 0)] == pytest.approx(v0 + 0.1)
    key(qtbot, w, K.Key_Down, QtCore.Qt.KeyboardModifier.ShiftModifier)
    assert w.session.pins.hard[("z1", 0)] == pytest.approx(v0 + 0.09)
    # the pinned value moved the state to the equilibrium of the new pins (dense reference)
    ref = dense_equilibrium_fixed_sigma(w.session.network, w.session.pins, w.session.layout,
                                        w.session.layout.sigma_of(w.session.cochain))
    np.testing.assert_allclose(w.session.cochain, ref, atol=1e-8)
    # R resets the clock; S steps one frame's worth of steps
    key(qtbot, w, K.Key_R)
    assert w.session.steps == 0
    key(qtbot, w, K.Key_S)
    assert w.session.steps == w.session.rates.steps_per_frame
    # Space plays, Space pauses
    key(qtbot, w, K.Key_Space)
    assert w.player.playing
    qtbot.waitUntil(lambda: w.session.steps > 3 * w.session.rates.steps_per_frame, timeout=5000)
    key(qtbot, w, K.Key_Space)
    assert not w.player.playing
    # J jumps to the equilibrium of the current pins
    key(qtbot, w, K.Key_J)
    ref = dense_equilibrium_fixed_sigma(w.session.network, w.session.pins, w.session.layout,
                                        w.session.layout.sigma_of(w.session.cochain))
    np.testing.assert_allclose(w.session.cochain, ref, atol=1e-8)
    # P again unpins
    key(qtbot, w, K.Key_P)
    assert not w.session.pins.is_pinned("z1", 0)
    # T switches to the joint flow and back
    key(qtbot, w, K.Key_T)
    assert w.session.mode == "joint"
    key(qtbot, w, K.Key_T)
    assert w.session.mode == "relax"


def test_f5_presentation_f11_fullscreen_and_esc(qtbot, lecture):
    w, feats = lecture
    pres = feats.presentation
    base = w.font().pointSizeF()
    key(qtbot, w, K.Key_F5)
    assert pres.active and w.isFullScreen()
    assert w.font().pointSizeF() == pytest.approx(base * feats.prefs.get(
        "presentation_font_scale"))
    key(qtbot, w, K.Key_Escape)
    assert not pres.active and not w.isFullScreen()
    assert w.font().pointSizeF() == pytest.approx(base)
    key(qtbot, w, K.Key_F11)
    assert w.isFullScreen() and not pres.active
    key(qtbot, w, K.Key_Escape)
    assert not w.isFullScreen()


def test_up_on_an_unpinned_neuron_only_says_so(qtbot, lecture):
    w, feats = lecture
    msgs = []
    w.messageShown.connect(lambda t, lvl: msgs.append(t))
    s = w.session
    s.select("a1", 1)
    pins = s.pins
    key(qtbot, w, K.Key_Up)
    assert s.pins == pins
    assert "press P" in msgs[-1]


def test_window_has_no_shortcut_of_its_own_on_the_lecture_keys(qtbot, lecture):
    from PySide6 import QtGui

    w, feats = lecture
    shortcuts = w.findChildren(QtGui.QShortcut)
    keys = {sc.key().toString() for sc in shortcuts}
    assert not keys & {"Space", "Right", "Left", "R", "J", "S", "P", "T"}
    assert all(sc.isEnabled() for sc in shortcuts)  # nothing is switched off at run time
    assert {"E", "+", "-"} <= keys  # the window's own keys still work
    spf = w.session.rates.steps_per_frame
    key(qtbot, w, K.Key_Plus)
    assert w.session.rates.steps_per_frame == 2 * spf
    key(qtbot, w, K.Key_Minus)
    assert w.session.rates.steps_per_frame == spf
