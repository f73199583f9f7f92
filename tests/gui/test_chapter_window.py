"""The chapter's views in the real window (issue 12), each checked against a computation
written here: the EP dock's numbers against the core for the session's pins and a
finite-difference backprop, the phase plane's arrows against finite differences of the
energy, the highlighted region against a forward pass, a click on the inverse family against
the forward pass of the pinned input, a lesson stepped with PageDown / PageUp against its own
actions, and ``render --lesson`` against the lesson's step count."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PySide6 import QtCore, QtWidgets

from conftest import exact_discords, send_mouse, settled_pixels
from test_chapter_views import finite_difference_layers  # the reference, written once

ROOT = Path(__file__).resolve().parents[2]

#: A two-step lesson on the running [2,4,1] network: x only, then y = 2 with the EP dock.
LESSON = textwrap.dedent('''
    title = "Two steps"
    summary = "x only, then y pinned."
    [[steps]]
    title = "Input only"
    caption = "Only x is pinned."
    actions = [{ open = "running-241" }, { unpin = "y" }, { equilibrium = true },
               { highlight = "relu1" }]
    [[steps]]
    title = "Clamp y"
    caption = """
    Pin y = 2.

    The state drapes."""
    actions = [{ pin = "y", value = 2.0 }, { equilibrium = true }, { show = "ep" },
               { highlight = "a1[0]" }]
    [[steps.checks]]
    quantity = "vertex y"
    expect = 2.0
    ''')


@pytest.fixture
def window(qtbot, tmp_path):
    """The real main window on the default preset (running-241), preferences and autosave
    in tmp_path, shown at 1280×720."""
    from sheafviz.gui.app import prepare_app
    from sheafviz.gui.main_window import MainWindow

    prepare_app(QtWidgets.QApplication.instance(), (1280, 720))
    w = MainWindow()
    feats = w.lecture
    feats.prefs.settings = QtCore.QSettings(str(tmp_path / "settings.ini"),
                                            QtCore.QSettings.Format.IniFormat)
    feats.sessions.set_autosave_path(tmp_path / "autosave.json")
    feats.sessions.set_autosave_seconds(0)
    feats.presentation.apply_window_look()
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    yield w
    feats.presentation.look.apply()  # the light look again: the text size is global
    w.player.pause()
    w.close()
    w.deleteLater()


def forward(net, x):
    """(hidden patterns (total hidden,), output (n_out,)) of an identity-head ReLU net."""
    a, pattern = np.asarray(x, float), []
    for l, (w, b) in enumerate(zip(net.weights, net.biases)):
        z = w @ a + b
        if l < len(net.weights) - 1:
            pattern.append(z >= 0)
            a = np.maximum(z, 0.0)
        else:
            a = z
    return np.concatenate(pattern).astype(np.uint8), a


def test_ep_dock_numbers_are_the_sessions(qtbot, window):
    from sheafviz.core.diagnostics import ep_gradients
    from sheafviz.gui.chapter.ep_view import position_for_gamma

    ch, s = window.chapter, window.session
    ch.docks["ep"].setVisible(True)
    qtbot.waitUntil(lambda: ch.ep_view.comparison is not None)
    x = np.array([s.pins.hard[("x", 0)], s.pins.hard[("x", 1)]])
    t = np.array([s.pins.hard[("y", 0)]])
    ch.ep_view.slider.setValue(position_for_gamma(1e-2))  # the user moves the slider
    assert s.pins.soft[("y", 0)] == pytest.approx((t[0], 1e-2))  # y pinned softly there
    view = ch.ep_view
    qtbot.waitUntil(lambda: view.comparison is not None and view.comparison.gamma == 1e-2)
    ref = ep_gradients(s.network, x, t, 1e-2)
    fd = finite_difference_layers(s.network, np.asarray(x, float), t)
    table = view.table
    assert table.rowCount() == len(s.network.weights) + 1
    for l in range(len(s.network.weights)):
        sheaf = np.concatenate([ref.sheaf_w[l].ravel(), ref.sheaf_b[l]])
        assert table.item(l, 1).text() == f"{np.linalg.norm(sheaf):.3g}"
        assert table.item(l, 2).text() == f"{np.linalg.norm(fd[l]):.3g}"
        gap = np.linalg.norm(sheaf - fd[l]) / np.linalg.norm(fd[l])
        assert float(table.item(l, 4).text()) == pytest.approx(gap, rel=5e-3)
        cos = sheaf @ fd[l] / (np.linalg.norm(sheaf) * np.linalg.norm(fd[l]))
        assert float(table.item(l, 3).text()) == pytest.approx(cos, abs=1e-5)
    # the right end is "hard": y hard-pinned, the hard-pin gradient, no ratio
    view.slider.setValue(view.slider.maximum())
    assert s.pins.hard[("y", 0)] == pytest.approx(t[0]) and not s.pins.soft
    qtbot.waitUntil(lambda: view.comparison is not None and view.comparison.hard)
    hard = ep_gradients(s.network, x, t, "hard")
    assert table.horizontalHeaderItem(1).text() == "sheaf (hard)"
    sheaf = np.concatenate([hard.sheaf_w[0].ravel(), hard.sheaf_b[0]])
    assert table.item(0, 1).text() == f"{np.linalg.norm(sheaf):.3g}"
    assert table.item(0, 4).text() == "not defined"
    assert "not defined" in view.note.text()


def test_phase_dock_arrows_are_the_energy_slope_and_perturb_moves_the_state(qtbot, window):
    ch, s = window.chapter, window.session
    ch.docks["phase"].setVisible(True)
    view = ch.phase_view
    qtbot.waitUntil(lambda: view.field is not None)
    names = [view.combo_u.itemText(i) for i in range(view.combo_u.count())]
    assert "x[0]" not in names and "y[0]" not in names and "a1[2]" in names  # free only
    view.combo_u.setCurrentIndex(names.index("a1[2]"))
    view.combo_u.activated.emit(names.index("a1[2]"))  # the user picks u …
    view.combo_v.setCurrentIndex(names.index("z2[0]"))
    view.combo_v.activated.emit(names.index("z2[0]"))  # … and v
    assert view.field.coords == ("a1[2]", "z2[0]")
    c, lay = s.cochain, s.layout
    iu, iv = lay.index("a1", 2), lay.index("z2", 0)
    alpha, h = float(s.rates.alpha), 1e-6

    def energy(cc):
        return 0.5 * sum(exact_discords(s.network, lay, cc).values())

    for flat, arrows in ((iu, view.field.du), (iv, view.field.dv)):
        up, down = c.copy(), c.copy()
        up[flat] += h
        down[flat] -= h
        slope = (energy(up) - energy(down)) / (2 * h)
        k = arrows.shape[0] // 2  # the grid's centre is the current state
        assert arrows[k, k] == pytest.approx(-alpha * slope, abs=1e-6)
    # every frame: a new field through the new state, and one more trajectory point
    before = len(view.trajectory.xData)
    s.step(3)
    assert view.field.center == pytest.approx([s.cochain[iu], s.cochain[iv]])
    assert len(view.trajectory.xData) == before + 1
    # Perturb: the free coordinates move by the chosen size, the pins stay
    view.size_box.setValue(0.75)
    c0 = s.cochain
    view.perturb_button.click()
    moved = s.cochain - c0
    assert np.linalg.norm(moved) == pytest.approx(0.75)
    assert moved[lay.vertex("x").slice] == pytest.approx(0.0)
    assert moved[lay.vertex("y").slice] == pytest.approx(0.0)


def test_region_highlight_is_the_pinned_inputs_forward_pattern(qtbot, window):
    from sheafviz.core.diagnostics import planar

    ch, s = window.chapter, window.session
    ch.data_dock().setVisible(True)
    qtbot.waitUntil(lambda: ch.regions.region_count > 0)
    x = np.array([s.pins.hard[("x", 0)], s.pins.hard[("x", 1)]])
    index = ch.regions.highlight
    region = ch.regions.region_map.regions[index]
    pattern, _ = forward(s.network, x)
    assert np.array_equal(np.concatenate(region.sigma).astype(np.uint8), pattern)
    assert planar.contains(region.polygon, x[None, :], tol=1e-12)[0]
    # another pinned input in another region: the highlight follows it
    x2 = -x
    s.pin("x", x2.tolist())
    qtbot.waitUntil(lambda: ch.regions.highlight != index)
    region = ch.regions.region_map.regions[ch.regions.highlight]
    assert np.array_equal(np.concatenate(region.sigma).astype(np.uint8),
                          forward(s.network, x2)[0])


def test_regions_follow_training_at_a_bounded_rate(qtbot, window):
    from sheafviz import Session
    from sheafviz.gui.chapter.rate_limit import RateLimiter

    window.set_session(Session.from_preset("dead-relu"))
    ch, s = window.chapter, window.session
    ch.data_dock().setVisible(True)
    qtbot.waitUntil(lambda: ch.regions.region_count > 0)
    now = [0.0]
    ch._limits["plane"] = RateLimiter(0.25, max_busy=0.25, clock=lambda: now[0])
    drawn = []
    ch.regions.set_region_map = (lambda f: lambda m, **k: (drawn.append(m), f(m, **k)))(
        ch.regions.set_region_map)
    s.set_mode("joint")
    s.set_rates(dt=0.5)
    for _ in range(12):  # twelve frames at one instant: one computation
        s.step(2)
    assert len(drawn) == 1
    now[0] += 1.0  # later: the newest weights are drawn
    s.step(2)
    assert len(drawn) == 2
    net = s.network
    centroids = [r.centroid for r in drawn[-1].regions]
    for r, p in zip(drawn[-1].regions, centroids):
        assert np.array_equal(np.concatenate(r.sigma).astype(np.uint8), forward(net, p)[0])


def test_click_on_the_inverse_family_pins_x_where_the_forward_pass_hits_y(qtbot, window):
    ch, s = window.chapter, window.session
    s.unpin("x")
    s.pin("y", [2.0])
    ch.data_dock().setVisible(True)
    qtbot.waitUntil(lambda: ch.family.family is not None and bool(ch.family.family.pieces))
    segment = max((p for p in ch.family.family.pieces if p.kind == "segment"),
                  key=lambda p: np.linalg.norm(p.vertices[1] - p.vertices[0]))
    mid = segment.vertices.mean(axis=0)
    plot = ch.data_dock().widget().plot
    (pos,) = settled_pixels(qtbot, plot, [mid])
    left, none = QtCore.Qt.MouseButton.LeftButton, QtCore.Qt.MouseButton.NoButton
    for kind, buttons in (("move", none), ("press", left), ("release", none)):
        send_mouse(plot.viewport(), kind, pos, buttons)
    qtbot.waitUntil(lambda: ("x", 0) in s.pins.hard)
    x = np.array([s.pins.hard[("x", 0)], s.pins.hard[("x", 1)]])
    assert forward(s.network, x)[1][0] == pytest.approx(2.0, abs=1e-9)
    assert np.linalg.norm(x - mid) < 0.15  # where the click was


def test_pagedown_steps_the_lesson_on_the_windows_session(qtbot, window, tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(LESSON, encoding="utf-8")
    driver = window.chapter.lessons
    from sheafviz.lessons import list_lessons

    assert not any(a.data() for a in driver.menu.actions())  # read when first opened
    driver.menu.aboutToShow.emit()
    driver.menu.aboutToShow.emit()  # a second opening adds nothing
    titles = [a.text() for a in driver.menu.actions()]
    assert len([t for t in titles if t]) == len(set(titles) - {""})
    assert titles.index(list_lessons()[-1].title) < titles.index("&Next step")
    assert all(lesson.title in titles for lesson in list_lessons())  # the Lessons menu
    assert driver.open(str(path))
    bar, s = driver.bar, window.session
    assert bar.step_label.text() == "Step 1 / 2" and "Only x is pinned" in bar.caption.text()
    assert driver.highlighter.target == "relu1"
    assert ("y", 0) not in s.pins.hard and s.pins.stalk_pinned(s.layout, "x")
    window.activateWindow()
    qtbot.keyClick(window, QtCore.Qt.Key.Key_PageDown)
    assert driver.index == 1 and bar.step_label.text() == "Step 2 / 2"
    s = window.session  # the step acted on the window's session
    assert s.pins.hard[("y", 0)] == 2.0
    assert not bar.failure_label.isVisibleTo(bar)  # its claim y = 2 holds
    assert window.chapter.docks["ep"].isVisible()  # { show = "ep" }
    assert driver.highlighter.target == "a1[0]"
    qtbot.keyClick(window, QtCore.Qt.Key.Key_PageUp)
    assert driver.index == 0 and ("y", 0) not in window.session.pins.hard
    # the arrow keys keep their meaning: → selects a neuron, the lesson stays
    qtbot.keyClick(window, QtCore.Qt.Key.Key_Right)
    assert window.session.selection is not None and driver.index == 0


def test_gallery_lists_the_lessons_and_opens_one(qtbot, window):
    from sheafviz.gui.lecture.gallery import GalleryDialog

    dlg = GalleryDialog(parent=window)
    dlg.select_lesson("exercise-2")
    assert "Input only" in dlg.notes.toPlainText()
    dlg.accept()
    assert dlg.chosen is None and dlg.chosen_lesson == "exercise-2"
    assert window.chapter.lessons.open(dlg.chosen_lesson)
    assert window.chapter.lessons.bar.step_label.text() == "Step 1 / 3"


def test_render_lesson_writes_one_png_per_step(tmp_path):
    from PySide6 import QtGui

    path = tmp_path / "two.toml"
    path.write_text(LESSON, encoding="utf-8")
    out = tmp_path / "pictures"
    cmd = [sys.executable, "-m", "sheafviz", "render", "--lesson", str(path), "--out",
           str(out), "--size", "1024x700"]
    env = {"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    files = sorted(out.glob("*.png"))
    assert [f.name for f in files] == ["two-step01.png", "two-step02.png"]
    for f in files:
        img = QtGui.QImage(str(f))
        assert (img.width(), img.height()) == (1024, 700)
    bad = subprocess.run(cmd[:5] + ["no-such-lesson", "--out", str(out)],
                         capture_output=True, text=True, env=env, timeout=60)
    assert bad.returncode == 2
    assert bad.stderr.count("\n") == 1 and "unknown lesson 'no-such-lesson'" in bad.stderr


def test_phase_coordinates_picked_by_clicking_neurons_in_the_graph(qtbot, window):
    ch, s = window.chapter, window.session
    ch.docks["phase"].setVisible(True)
    view = ch.phase_view
    qtbot.waitUntil(lambda: view.field is not None)
    pins = s.pins
    view.pick_button.click()  # "Pick in graph", then two clicks on neurons
    window.graph.neuronClicked.emit("x", 0)  # pinned: refused, nothing pinned or unpinned
    window.graph.neuronClicked.emit("a1", 3)
    window.graph.neuronClicked.emit("z2", 0)
    assert view.field.coords == ("a1[3]", "z2[0]")
    assert s.pins == pins  # the picking clicks pinned nothing
    assert not view.pick_button.isChecked()
    window.graph.neuronClicked.emit("a1", 3)  # picking over: a click pins again
    assert ("a1", 3) in s.pins.hard


def test_a_lessons_panel_stays_shown_in_presentation_mode(qtbot, window, tmp_path):
    # presentation mode hides the docks; the lesson's panel (shown at step 2) must be on
    # screen again at step 3, which shows nothing new
    third = ('\n[[steps]]\ntitle = "Softer"\ncaption = "Still the same panel."\n'
             'actions = [{ pin = "y", value = 1.5 }, { equilibrium = true }]\n')
    path = tmp_path / "three.toml"
    path.write_text(LESSON + third, encoding="utf-8")
    driver = window.chapter.lessons
    assert driver.open(str(path))
    driver.next()
    assert window.chapter.docks["ep"].isVisible()
    assert window.panel.isVisible()
    window.lecture.presentation.enter(fullscreen=False)
    try:
        qtbot.wait(50)
        # F5 hides the docks, but not the lesson's bar and panel; the panel takes the flow
        # panel's column
        assert driver.dock.isVisible() and window.chapter.docks["ep"].isVisible()
        assert not window.panel.isVisible()
        window.chapter.docks["ep"].close()  # its ✕
        driver.next()
        assert driver.index == 2 and window.session.pins.hard[("y", 0)] == 1.5
        assert window.chapter.docks["ep"].isVisible()
        assert driver.panel_at(0) is None and driver.panel_at(2) == "ep"
    finally:
        window.lecture.presentation.leave()
    assert window.panel.isVisible()  # the flow panel is back with the window's look
    driver.go(0)  # a step without a dock, in presentation: the flow panel stays
    window.lecture.presentation.enter(fullscreen=False)
    try:
        assert window.panel.isVisible() and driver.dock.isVisible()
    finally:
        window.lecture.presentation.leave()
