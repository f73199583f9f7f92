"""Presets gallery (thumbnails, lesson notes, opening) and rewind (scrubber, restart)."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from test_lecture_common import lecture  # noqa: F401

from sheafviz.core.flows.heat import initial_state
from sheafviz.gui import engine
from sheafviz.gui.lecture.gallery import GalleryDialog, render_thumbnail


def test_gallery_lists_every_preset_with_thumbnail_and_notes(qtbot, lecture):
    w, feats = lecture
    dlg = GalleryDialog(parent=w)
    names = engine.list_presets()
    from sheafviz.lessons import list_lessons

    assert dlg.list.count() == len(names) + len(list_lessons())  # the lessons follow
    for i in range(dlg.list.count()):
        icon = dlg.list.item(i).icon()
        img = icon.pixmap(120, 75).toImage()
        colours = {img.pixel(x, y) for x in range(0, img.width(), 3)
                   for y in range(0, img.height(), 3)}
        assert len(colours) > 4  # drawn, not blank
    dlg.select("course-221")
    preset = engine.load_preset("course-221")
    assert preset.notes and preset.notes.strip()[:40] in dlg.notes.toPlainText()
    dlg.accept()
    assert dlg.chosen == "course-221"
    dlg.close()


def test_thumbnail_colours_follow_the_equilibrium_values(qtbot):
    """Course example: x pinned at its value; the thumbnail's x dots are drawn squares in
    the colour of that value on the blue–white–red scale (blue below 0, red above)."""
    from sheafviz.core.model.sheaf import SheafLayout

    p = engine.load_preset("course-221")
    W, H = 240, 150
    img = render_thumbnail(p, QtCore.QSize(W, H))
    assert img.width() == W and img.height() == H
    assert QtGui.QColor(img.pixel(2, 2)).name() == "#ffffff"  # background
    lay = SheafLayout(p.network.arch)
    c = engine.equilibrium(p.network, p.pins, lay).cochain
    scale = np.max(np.abs(c))
    checked = 0
    for k, v in enumerate(lay.vertices):
        for j in range(v.dim):
            x = (k + 0.5) * W / len(lay.vertices)
            y = H * (0.15 + 0.7 * (j + 0.5) / v.dim)
            col = QtGui.QColor(img.pixel(int(x), int(y)))
            val = c[v.offset + j]
            if val > 0.2 * scale:
                assert col.red() > col.blue() + 30, (v.name, j, val, col.name())
                checked += 1
            elif val < -0.2 * scale:
                assert col.blue() > col.red() + 30, (v.name, j, val, col.name())
                checked += 1
    assert checked >= 3


def test_presets_menu_opens_a_preset(lecture):
    w, feats = lecture
    acts = [a for a in feats.menus["presets"].actions() if a.text() == "course-221"]
    acts[0].trigger()
    assert w.session.preset.name == "course-221"


def frames(w, n, k=3):
    for _ in range(n):
        w.session.step(k)


def test_rewind_scrubs_and_continues_from_the_shown_state(lecture):
    w, feats = lecture
    rw = feats.rewind
    frames(w, 10)
    assert len(rw.trajectory) == 11  # the initial state and 10 frames
    t5, s5, c5, _ = rw.trajectory.items[5]
    panel = feats.rewind_panel
    panel.slider.setValue(5)  # the scrubber
    assert not w.player.playing
    s = w.session
    np.testing.assert_array_equal(s.cochain, c5)
    assert (s.time, s.steps) == (t5, s5)
    assert s.history.t[s.history.n - 1] <= t5
    # continuing from here forgets the rest and takes the same steps as a fresh run did
    frames(w, 1)
    assert len(rw.trajectory) == 7
    assert s.steps == s5 + 3


def test_restart_from_the_same_initial_weights(lecture):
    w, feats = lecture
    w.session.set_mode("joint")
    frames(w, 5)
    assert any(not np.array_equal(a, b) for a, b in zip(w.session.network.weights,
                                                         w.session.initial_network.weights))
    panel = feats.rewind_panel
    panel.restart.click()
    assert w.player.playing
    w.player.pause()
    for a, b in zip(w.session.network.weights, engine.load_preset(None).network.weights):
        np.testing.assert_array_equal(a, b)
    assert w.session.steps <= w.session.rates.steps_per_frame * 2


def test_lesson_notes_dock_follows_the_preset(lecture):
    w, feats = lecture
    dock = feats.notes_dock
    assert not dock.isVisible()
    dock.toggleViewAction().trigger()
    assert dock.isVisible()
    w.load_preset("sliding")
    notes = engine.load_preset("sliding").notes
    assert notes.strip()[:30] in dock.widget().toPlainText()


def test_rewind_past_a_weight_edit_shows_the_old_weights(lecture):
    """A relaxation records its weights too: scrubbing back before an edit shows the state
    with the weights it had, and R is that network's equilibrium residual (core solve)."""
    from sheafviz.core.model.network import Network
    from sheafviz.core.solvers.solve import equilibrium

    w, feats = lecture
    rw = feats.rewind
    frames(w, 3)
    old = w.session.network
    weights = [a.copy() for a in old.weights]
    weights[0][0, 0] += 1.5
    assert w.session.set_network(Network(weights, [b.copy() for b in old.biases], old.output))
    frames(w, 3)
    assert w.session.network is not old
    t2, s2, c2, net2 = rw.trajectory.items[2]
    assert net2 is old
    feats.rewind_panel.slider.setValue(2)
    assert w.session.network is old
    np.testing.assert_array_equal(w.session.cochain, c2)
    ref = equilibrium(old, w.session.pins)
    assert w.session.readouts.residual == ref.energy
