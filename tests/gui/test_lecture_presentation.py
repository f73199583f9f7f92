"""Presentation mode, themes, palettes, hideable controls and persistent preferences."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from test_lecture_common import close_window, lecture, make_window  # noqa: F401

from sheafviz.gui import style
from sheafviz.gui.lecture.prefs import DEFAULTS, Preferences
from sheafviz.gui.lecture.looks import PALETTES, THEMES


def settle(qtbot, w, ms: int = 300) -> None:
    qtbot.wait(ms)
    w.redraw()
    QtWidgets.QApplication.processEvents()


def text_pixel_sizes(w) -> dict:
    """Pixel size of every piece of text drawn in the visible window, by where it is."""
    sizes = {}
    for widget in w.findChildren(QtWidgets.QWidget):
        if not widget.isVisible() or widget.width() < 2:
            continue
        if isinstance(widget, (QtWidgets.QLabel, QtWidgets.QAbstractButton,
                               QtWidgets.QComboBox, QtWidgets.QAbstractSpinBox,
                               QtWidgets.QMenuBar)):
            sizes[f"{type(widget).__name__} {widget.objectName()}"
                  f" {getattr(widget, 'text', lambda: '')()!s:.20}"] = \
                QtGui.QFontInfo(widget.font()).pixelSize()
    for pw in w.findChildren(pg.PlotWidget):
        if not pw.isVisible():
            continue
        for name, ax in pw.plotItem.axes.items():
            item = ax["item"]
            if item.isVisible() and item.style.get("showValues", True):
                f = item.style.get("tickFont") or QtGui.QFont()
                sizes[f"ticks {type(pw).__name__}.{name}"] = QtGui.QFontInfo(f).pixelSize()
        for item in pw.plotItem.vb.addedItems:
            if isinstance(item, pg.TextItem) and item.isVisible() and item.toPlainText():
                sizes[f"text {item.toPlainText():.10}"] = \
                    QtGui.QFontInfo(item.textItem.font()).pixelSize()
    return sizes


def test_presentation_text_is_at_least_18px_at_1080p(qtbot, tmp_path):
    w, feats = make_window(qtbot, tmp_path, size=(1920, 1080))
    try:
        feats.presentation.enter(fullscreen=False)
        w.resize(1920, 1080)
        settle(qtbot, w)
        sizes = text_pixel_sizes(w)
        assert len(sizes) > 20
        smallest = min(sizes, key=sizes.get)
        assert sizes[smallest] >= 18, (smallest, sizes[smallest])
        # and in the plain window the same text is smaller (the scale did something)
        feats.presentation.leave()
        settle(qtbot, w)
        assert min(text_pixel_sizes(w).values()) < sizes[smallest]
    finally:
        close_window(w, feats)


def test_themes_recolour_plots_and_widgets(qtbot, lecture):
    w, feats = lecture
    feats.look.apply(theme="dark")
    settle(qtbot, w, 50)
    dark = THEMES["dark"]
    for pw in w.findChildren(pg.PlotWidget):
        assert pw.backgroundBrush().color().name() == dark.colors["BACKGROUND"]
    assert w.palette().color(QtGui.QPalette.ColorRole.Window).name() == dark.window
    assert w.drape.plotItem.getAxis("left").textPen().color().name() == \
        dark.colors["FOREGROUND"]
    e_pen = QtGui.QPen(pg.mkPen(w.energy.curve.opts["pen"]))
    assert e_pen.color().lightness() > 150  # the energy curve is light on dark
    feats.look.apply(theme="light")
    assert w.drape.backgroundBrush().color().name() == "#ffffff"
    e_pen = QtGui.QPen(pg.mkPen(w.energy.curve.opts["pen"]))
    assert e_pen.color().lightness() < 100


def test_palette_recolours_the_edges(qtbot, lecture):
    w, feats = lecture
    feats.look.apply(palette="classic")
    settle(qtbot, w, 50)
    d = w.session.snapshot.discords
    e = int(np.argmax(d))
    edge = w.session.layout.edges[e]
    pen = w.graph.edges.pen(e)
    # the palette colour mixed with white by 0.78·(1 − q), q = decades of d above 1e-6 / 7
    q = min(max(round(np.log10(max(d[e], 1e-6) / 1e-6)), 0), 7) / 7
    c = QtGui.QColor(PALETTES["classic"][edge.type])
    want = [int(v + (255 - v) * 0.78 * (1 - q)) for v in (c.red(), c.green(), c.blue())]
    got = QtGui.QPen(pen).color()
    assert [got.red(), got.green(), got.blue()] == want
    feats.look.apply(palette="okabe-ito")
    assert w.theme.EDGE_COLORS == PALETTES["okabe-ito"]


def test_thick_lines_in_presentation(qtbot, lecture):
    w, feats = lecture
    before = QtGui.QPen(w.drape.string.opts["pen"]).widthF()
    feats.presentation.enter(fullscreen=False)
    after = QtGui.QPen(w.drape.string.opts["pen"]).widthF()
    assert after == pytest.approx(before * feats.prefs.get("presentation_line_scale"))
    feats.presentation.leave()
    assert QtGui.QPen(w.drape.string.opts["pen"]).widthF() == pytest.approx(before)
    # items built once (not per session) come back to their width too, however often
    curve = w.energy.curve
    w_e = QtGui.QPen(pg.mkPen(curve.opts["pen"])).widthF()
    for _ in range(2):
        feats.presentation.enter(fullscreen=False)
        feats.presentation.leave()
    assert QtGui.QPen(pg.mkPen(curve.opts["pen"])).widthF() == pytest.approx(w_e)


def test_teacher_can_hide_the_controls(qtbot, lecture):
    w, feats = lecture
    p = w.panel
    assert p.alpha.isVisible() and p.preset.isVisible()
    feats.actions["hide_controls"].trigger()
    assert not p.alpha.isVisible() and not p.preset.isVisible()
    assert p.play.isVisible() and p.step.isVisible() and w.energy.widget.isVisible()
    feats.actions["hide_controls"].trigger()
    assert p.alpha.isVisible() and p.preset.isVisible()


def test_preferences_persist_and_restore_defaults(qtbot, tmp_path):
    ini = str(tmp_path / "p.ini")
    a = Preferences(QtCore.QSettings(ini, QtCore.QSettings.Format.IniFormat))
    a.set("theme", "dark")
    a.set("presentation_font_scale", 1.6)
    b = Preferences(QtCore.QSettings(ini, QtCore.QSettings.Format.IniFormat))
    assert b.get("theme") == "dark" and b.get("presentation_font_scale") == 1.6
    with pytest.raises(ValueError, match="theme"):
        b.set("theme", "purple")
    b.settings.setValue("lecture/font_scale", "not a number")
    assert b.get("font_scale") == DEFAULTS["font_scale"]  # a bad file never crashes
    b.restore_defaults()
    c = Preferences(QtCore.QSettings(ini, QtCore.QSettings.Format.IniFormat))
    assert all(c.get(k) == v for k, v in DEFAULTS.items())


def test_window_opens_with_the_saved_theme(qtbot, tmp_path):
    ini = str(tmp_path / "settings.ini")  # the file make_window uses
    Preferences(QtCore.QSettings(ini, QtCore.QSettings.Format.IniFormat)).set("theme", "dark")
    w, feats = make_window(qtbot, tmp_path)
    try:
        settle(qtbot, w, 50)
        assert w.drape.backgroundBrush().color().name() == THEMES["dark"].colors["BACKGROUND"]
    finally:
        close_window(w, feats)


def test_preferences_dialog_saves_and_restores_defaults(qtbot, lecture):
    from sheafviz.gui.lecture.prefs import PreferencesDialog

    w, feats = lecture
    dlg = PreferencesDialog(feats.prefs, w)
    dlg.theme.setCurrentText("dark")
    dlg.pfont.setValue(1.5)
    dlg.accept()
    assert feats.prefs.get("theme") == "dark"
    assert feats.prefs.get("presentation_font_scale") == 1.5
    dlg2 = PreferencesDialog(feats.prefs, w)
    assert dlg2.theme.currentText() == "dark"
    dlg2.restore_defaults()
    assert dlg2.theme.currentText() == DEFAULTS["theme"]
    assert feats.prefs.get("presentation_font_scale") == DEFAULTS["presentation_font_scale"]
    dlg.close()
    dlg2.close()


def test_dark_theme_colours_survive_pin_changes_and_new_sessions(qtbot, lecture):
    """The views read their colours from the theme, so a rebuilt label or item is dark-themed
    too (no light fill reappears after a pin change, a new preset keeps the theme)."""
    w, feats = lecture
    dark = THEMES["dark"].colors
    feats.look.apply(theme="dark")
    w.wiring.toggle_stalk("z1")  # pinned: its label is redrawn in the pin colours
    settle(qtbot, w, 50)
    k = w.session.layout.vertex("z1").position
    pinned, free = w.graph.labels[k], w.graph.labels[k + 1]
    assert pinned.fill.color().name() == QtGui.QColor(dark["PIN_COLOR"]).name()
    assert pinned.color.name() == QtGui.QColor(dark["PINNED_TEXT"]).name()
    assert free.fill.color().lightness() < 100  # a dark fill behind light text
    assert free.color.lightness() > 150
    # the legends after the panel titles are in the theme's colours too
    assert dark["VALUE_COLOR"] in w._titles["Drape"].text()
    assert dark["ENERGY_COLOR"] in w._titles["Residual energy"].text()
    assert w.load_preset("paraboloid")
    settle(qtbot, w, 50)
    assert QtGui.QPen(w.drape.string.opts["pen"]).color().name() == dark["STRING_COLOR"]
    assert QtGui.QPen(pg.mkPen(w.energy.curve.opts["pen"])).color().name() == \
        dark["ENERGY_COLOR"]
    assert all(label.fill.color().lightness() < 100 or
               label.fill.color().name() == QtGui.QColor(dark["PIN_COLOR"]).name()
               for label in w.graph.labels)


def test_line_scale_survives_a_new_session(qtbot, lecture):
    w, feats = lecture
    base = QtGui.QPen(w.drape.string.opts["pen"]).widthF()
    feats.presentation.enter(fullscreen=False)
    assert w.load_preset("paraboloid")  # the drape rebuilds its items
    scale = feats.prefs.get("presentation_line_scale")
    assert QtGui.QPen(w.drape.string.opts["pen"]).widthF() == pytest.approx(base * scale)
    feats.presentation.leave()
    assert QtGui.QPen(w.drape.string.opts["pen"]).widthF() == pytest.approx(base)


def test_palette_recolours_the_discord_bars(qtbot, lecture):
    w, feats = lecture
    feats.look.apply(palette="classic")
    got = [b.color().name() for b in w.bars.item.brushes]
    assert got == [PALETTES["classic"][t].lower() for t in ("affine", "relu", "output")]
    assert PALETTES["classic"]["relu"] in w._titles["Discord over time"].text()
