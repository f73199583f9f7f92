"""Issue 11, "explains itself" and "habits", in the real window: File > Quit, the Help menu
(keys listed from the actions, a guided tour, About with versions), the notes banner,
keys given back by a spin box, and the unsaved prompt only after real edits."""

from __future__ import annotations

import platform

import numpy
import pyqtgraph
import PySide6
import pytest
import scipy
from PySide6 import QtCore, QtGui, QtWidgets

from explain_common import K, make_window, close_window, press, win  # noqa: F401
from sheafviz.core.data.presets import list_presets, load_preset

CTRL = QtCore.Qt.KeyboardModifier.ControlModifier


def menu_texts(menu: QtWidgets.QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def top_menu(w, title: str) -> QtWidgets.QMenu:
    for a in w.menuBar().actions():
        if a.menu() is not None and a.text().replace("&", "") == title:
            return a.menu()
    raise AssertionError(f"no {title} menu in {[a.text() for a in w.menuBar().actions()]}")


def test_ctrl_q_quits_after_asking_about_unsaved_changes(qtbot, tmp_path):
    w = make_window(qtbot, tmp_path)
    assert "Quit" in menu_texts(top_menu(w, "File"))
    w.session.pin("y", [3.0])  # an edit a user would lose
    assert w.session.modified and w.lecture.sessions.dirty
    w.dialogs.save_changes = lambda: "cancel"
    press(qtbot, w, K.Key_Q, CTRL)
    assert w.dialogs.asked == 1 and w.isVisible()  # cancelled: still open
    w.dialogs.save_changes = lambda: "discard"
    press(qtbot, w, K.Key_Q, CTRL)
    assert w.dialogs.asked == 2 and not w.isVisible()
    w.deleteLater()


def test_help_keys_lists_every_shortcut_of_the_window(qtbot, win):
    assert menu_texts(top_menu(win, "Help"))[:3] == ["Keys…", "Guided tour…",
                                                     "About sheafviz…"]
    win.help.actions["keys"].trigger()
    text = win.help.dialogs["help-keys"].findChild(QtWidgets.QTextBrowser).toPlainText()
    native = QtGui.QKeySequence.SequenceFormat.NativeText
    # every action of the window with a shortcut (menus included) is in the list
    acts = set(win.actions()) | {a for m in win.menuBar().findChildren(QtWidgets.QMenu)
                                 for a in m.actions()}
    keyed = [a for a in acts if any(not k.isEmpty() for k in a.shortcuts())]
    assert len(keyed) >= 20
    for a in keyed:
        for k in a.shortcuts():
            assert k.toString(native) in text, (a.text(), k.toString(native))
    cells = [line.strip() for line in text.splitlines()[1:]]  # a table: key, then text
    rows = dict(zip(cells[::2], cells[1::2]))
    assert rows["Space"] == "Play / pause" and rows["Ctrl+Q"] == "Quit"
    assert rows["J, E"] == "Jump to equilibrium" and rows["F5"] == "Presentation mode"


def test_about_names_the_versions(qtbot, win):
    win.help.actions["about"].trigger()
    text = win.help.dialogs["help-about"].findChild(QtWidgets.QTextBrowser).toPlainText()
    import sheafviz

    for name, version in (("sheafviz", sheafviz.__version__),
                          ("Python", platform.python_version()),
                          ("Qt", QtCore.qVersion()), ("PySide6", PySide6.__version__),
                          ("pyqtgraph", pyqtgraph.__version__), ("numpy", numpy.__version__),
                          ("scipy", scipy.__version__)):
        assert f"{name}\t{version}" in text or f"{name} {version}" in " ".join(text.split())


def test_guided_tour_frames_each_panel_in_turn(qtbot, win):
    tour = win.help.tour
    win.help.actions["tour"].trigger()
    seen = []
    for _ in range(len(tour.steps)):
        target = tour.target()
        qtbot.waitUntil(lambda: tour.frame.isVisible() and tour.card.isVisible(), timeout=2000)
        frame = tour.frame.geometry()
        assert frame.topLeft() == target.mapTo(win, QtCore.QPoint(0, 0))
        assert frame.size() == target.size()
        seen.append(tour.steps[tour.index].title)
        # the frame is on the screen: its top edge is drawn in the tour colour
        img = win.grab().toImage()
        px = img.pixelColor(frame.center().x(), frame.top() + 1)
        assert px.name().lower() == tour.frame.color.name().lower(), (seen[-1], px.name())
        if seen[-1] == "Path graph":
            assert tour._highlighter.target == "x"  # the input vertex is ringed
        press(qtbot, win, K.Key_Right)
    assert seen[:3] == ["Lesson notes", "Path graph", "Drape"]
    assert {"Controls", "Residual energy", "Discord now", "Status line"} <= set(seen)
    assert not tour.running and not tour.frame.isVisible()  # → after the last one ends it
    win.help.actions["tour"].trigger()
    press(qtbot, win, K.Key_Right)
    press(qtbot, win, K.Key_Left)  # back
    assert tour.index == 0
    tour.card.next.click()
    assert tour.index == 1
    full = win.isFullScreen()
    press(qtbot, win, K.Key_Escape)
    assert not tour.running and not tour.card.isVisible()
    assert tour._highlighter.target is None and win.isFullScreen() == full


def test_notes_banner_shows_rewrapped_notes_by_default_and_folds(qtbot, win):
    banner = win.notes_banner
    assert banner.bar.isVisible() and banner.text.isVisible()
    p = load_preset("running-241")
    assert p.title in banner.title.text()
    text = banner.notes_text()
    # the file's hard-wrapped lines are one paragraph on screen
    assert "(weights written out in this file, chosen by hand)" in text
    assert "Jump to equilibrium: E = 0.0841 (R), shared by all four edges; the tension" in text
    banner.toggle.click()
    assert not banner.text.isVisible() and banner.title.isVisible()
    qtbot.waitUntil(lambda: banner.bar.height() < 2.2 * banner.title.height(), timeout=2000)
    banner.toggle.click()
    assert banner.text.isVisible()
    press(qtbot, win, K.Key_F5)  # presentation: folded while it lasts
    assert not banner.text.isVisible()
    press(qtbot, win, K.Key_Escape)
    assert banner.text.isVisible()
    win.panel.preset.activated.emit(win.panel.preset.findText("sliding"))
    assert load_preset("sliding").title in banner.title.text()
    assert "neither pattern is self-consistent" in banner.notes_text()


def test_preset_notes_cite_nothing_outside_the_app():
    for name in list_presets():
        p = load_preset(name)
        for word in ("SPEC", "§", "DESIGN", ".md", "chapter.txt", "companion course",
                     "The authors report"):
            assert word not in p.notes + p.title, (name, word)


def test_gallery_notes_reflow(qtbot):
    from sheafviz.gui.lecture.gallery import GalleryDialog

    dlg = GalleryDialog(names=["running-241", "course-221"])
    qtbot.addWidget(dlg)
    dlg.select("course-221")
    text = dlg.notes.toPlainText()
    assert "b2 = 0, identity output. Pins x = (1, 2)" in text  # one paragraph, rewrapped
    # the file's aligned table of wrong and right values is a table: its cells wrap
    doc = dlg.notes.document()
    tables = [f for f in doc.rootFrame().childFrames() if isinstance(f, QtGui.QTextTable)]
    assert len(tables) == 2
    wrong = tables[1]
    assert [wrong.cellAt(0, j).firstCursorPosition().block().text() for j in range(3)] == \
        ["z2*", "2.67", "17/6 ≈ 2.8333"]
    dlg.resize(700, 500)
    dlg.show()
    qtbot.waitExposed(dlg)
    assert dlg.notes.horizontalScrollBar().maximum() == 0  # nothing cut at the right


@pytest.mark.parametrize("key", [K.Key_Return, K.Key_Escape])
def test_keys_work_again_after_a_spin_box(qtbot, win, key):
    spin = win.panel.alpha
    qtbot.mouseClick(spin.lineEdit(), QtCore.Qt.MouseButton.LeftButton)
    spin.setFocus()
    assert spin.hasFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "2")
    press(qtbot, win, key)
    assert not spin.hasFocus()
    assert win.session.rates.alpha == (2.0 if key == K.Key_Return else 1.0)
    press(qtbot, win, K.Key_Space)  # Space plays again
    assert win.player.playing
    press(qtbot, win, K.Key_Space)
    assert not win.player.playing
    press(qtbot, win, K.Key_S)
    assert win.session.steps == win.session.rates.steps_per_frame


def test_unsaved_prompt_only_after_edits_not_after_play(qtbot, win):
    press(qtbot, win, K.Key_Space)
    qtbot.waitUntil(lambda: win.session.steps >= 10, timeout=5000)
    press(qtbot, win, K.Key_Space)
    press(qtbot, win, K.Key_J)
    assert not win.session.modified
    combo = win.panel.preset
    combo.activated.emit(combo.findText("steering"))  # no prompt (it would fail the test)
    assert win.dialogs.asked == 0 and win.session.preset.name == "steering"
    press(qtbot, win, K.Key_Right)  # select x[0]
    press(qtbot, win, K.Key_P)  # unpin it: an edit
    assert win.session.modified
    win.dialogs.save_changes = lambda: "cancel"
    combo.activated.emit(combo.findText("running-241"))
    assert win.dialogs.asked == 1 and win.session.preset.name == "steering"
