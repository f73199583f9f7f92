"""Looks of the main window: named themes (colours of the pictures and of the Qt widgets),
edge palettes, the Qt palette of a theme (disabled controls visibly faded), the font scale
and the line scale, applied together by :class:`Look`.

The views read their colours from the window's :class:`~sheafviz.gui.theme.Theme` and
their text size from :mod:`sheafviz.gui.style` when they build their items
(``set_session``), so a new look is applied by (1) setting the base text size, (2)
re-styling the pyqtgraph axes and backgrounds and the Qt palette and fonts of the window,
(3) updating the window's theme, whose change event makes the wiring rebuild the views,
and (4) widening the pens of the rebuilt curves by the line scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from .. import style
from ..lines import LineBundle
from ..theme import LIGHT, LIGHT_EDGES

_LIGHT = dict(LIGHT)
_LIGHT_EDGES = dict(LIGHT_EDGES)


@dataclass(frozen=True)
class Theme:
    """A named look: colours of the pictures (roles of :data:`~sheafviz.gui.theme.LIGHT`)
    and of the Qt widgets."""

    name: str
    colors: dict
    window: str
    text: str
    base: str
    button: str


THEMES = {
    "light": Theme("light", dict(_LIGHT), "#f3f3f3", "#111111", "#ffffff", "#e8e8e8"),
    # Pure black on pure white, darker greys: for a washed-out projector in a lit room.
    "high-contrast": Theme("high-contrast", dict(_LIGHT, FOREGROUND="#000000", GRID="#808080",
                                                 GHOST_COLOR="#6e6e6e", ARM_COLOR="#555555",
                                                 FEED_COLOR="#9a9a9a", VALUE_COLOR="#000050",
                                                 ENVELOPE_COLOR="#444444",
                                                 STRING_COLOR="#202020", ANCHOR_COLOR="#303030",
                                                 ENERGY_COLOR="#000080", OUTLINE_COLOR="#000000",
                                                 TEXT_COLOR="#000000", GRID_LINE_COLOR="#555555",
                                                 LABEL_FILL="#ffffff", TEXT_FILL="#ffffffe6"),
                           "#ffffff", "#000000", "#ffffff", "#f0f0f0"),
    "dark": Theme("dark", dict(_LIGHT, BACKGROUND="#16181d", FOREGROUND="#eeeeee",
                               GRID="#3a3d44", PIN_COLOR="#ffffff", GHOST_COLOR="#6c7078",
                               ARM_COLOR="#80848c", FEED_COLOR="#3f434a",
                               VALUE_COLOR="#c9d4ff", ENVELOPE_COLOR="#a0a0a0",
                               STRING_COLOR="#c8c8c8", ANCHOR_COLOR="#b0b0b0",
                               ENERGY_COLOR="#9fb4ff", GRID_LINE_COLOR="#777777",
                               OUTLINE_COLOR="#d0d0d0", TEXT_COLOR="#e6e6e6",
                               BAR_OUTLINE="#000000", TICK_OUTLINE="#ffe0a0",
                               LABEL_FILL="#2d3139e6", TEXT_FILL="#16181dc8",
                               CARD_FILL="#2d3139f0", PINNED_TEXT="#16181d",
                               MESSAGE_COLORS={"error": "#ff7070", "warn": "#ffc060",
                                               "info": "#90e090"}),
                  "#202329", "#eeeeee", "#16181d", "#2d3139"),
}

#: Edge-type colours. Okabe–Ito stays distinct for the common colour-vision deficiencies.
PALETTES = {
    "okabe-ito": dict(_LIGHT_EDGES),
    "okabe-ito-bright": {"affine": "#56B4E9", "relu": "#009E73", "output": "#E69F00"},
    "classic": {"affine": "#1f77b4", "relu": "#2ca02c", "output": "#d62728"},
}

#: Font scale and line scale used by presentation mode unless the preferences say otherwise.
PRESENTATION_FONT_SCALE = 2.0
PRESENTATION_LINE_SCALE = 1.8


#: How far a disabled control's text and frame move from the text colour towards the
#: window colour (0 = like enabled, 1 = invisible): dimmed, still legible on a projector.
DISABLED_MIX = 0.62


def _mix(a: str, b: str, t: float) -> QtGui.QColor:
    """Opaque colour ``(1 - t)·a + t·b``."""
    ca, cb = QtGui.QColor(a), QtGui.QColor(b)
    return QtGui.QColor(*(round((1 - t) * x + t * y) for x, y in
                          ((ca.red(), cb.red()), (ca.green(), cb.green()),
                           (ca.blue(), cb.blue()))))


def qt_palette(theme: Theme) -> QtGui.QPalette:
    """The Qt palette of ``theme``. Colours set without a group land in every group,
    the disabled one included, so the disabled group is set afterwards: text and buttons
    faded towards the window colour, fields painted like the window (a disabled β then
    looks disabled in every theme)."""
    pal = QtGui.QPalette()
    c = QtGui.QColor
    roles = QtGui.QPalette.ColorRole
    for role, col in ((roles.Window, theme.window), (roles.WindowText, theme.text),
                      (roles.Base, theme.base), (roles.AlternateBase, theme.window),
                      (roles.Text, theme.text), (roles.Button, theme.button),
                      (roles.ButtonText, theme.text), (roles.ToolTipBase, theme.base),
                      (roles.ToolTipText, theme.text), (roles.BrightText, "#ff5555"),
                      (roles.PlaceholderText, "#888888")):
        pal.setColor(role, c(col))
    pal.setColor(roles.Highlight, c("#0072B2"))
    pal.setColor(roles.HighlightedText, c("#ffffff"))
    off = QtGui.QPalette.ColorGroup.Disabled
    faded = _mix(theme.text, theme.window, DISABLED_MIX)
    for role in (roles.WindowText, roles.Text, roles.ButtonText, roles.PlaceholderText):
        pal.setColor(off, role, faded)
    pal.setColor(off, roles.Base, c(theme.window))
    pal.setColor(off, roles.Button, c(theme.window))
    pal.setColor(off, roles.Highlight, faded)
    return pal


def _scale_fonts(window: QtWidgets.QWidget, ratio: float, base_font: QtGui.QFont) -> None:
    """Window font = base × ratio; widgets with their own font keep their proportion.

    Each such widget's own size is recorded the first time, *before* the window font
    changes: a widget that set only a weight (the bold status line) inherits its size, and
    read after the change it would record the scaled size as its own (Esc kept it large).
    """
    own = [w for w in window.findChildren(QtWidgets.QWidget)
           if w.testAttribute(QtCore.Qt.WidgetAttribute.WA_SetFont)]
    for w in own:
        if w.property("_lecture_pt") is None and w.font().pointSizeF() > 0:
            w.setProperty("_lecture_pt", w.font().pointSizeF())
    f = QtGui.QFont(base_font)
    f.setPointSizeF(base_font.pointSizeF() * ratio)
    window.setFont(f)
    for w in own:
        orig = w.property("_lecture_pt")
        if orig is None:
            continue
        wf = QtGui.QFont(w.font())
        wf.setPointSizeF(float(orig) * ratio)
        w.setFont(wf)


def _restyle_plots(window: QtWidgets.QWidget, ratio: float, colors: dict) -> None:
    """Axes, labels and backgrounds of every pyqtgraph plot in the window, in ``colors``
    (a theme's colour roles)."""
    size = f"{style.base_pt():.0f}pt"
    for pw in window.findChildren(pg.PlotWidget):
        pw.setBackground(colors["BACKGROUND"])
        for name in ("left", "bottom", "right", "top"):
            ax = pw.plotItem.getAxis(name) if name in pw.plotItem.axes else None
            if ax is None:
                continue
            ax.setTickFont(style.font(0.95))
            if getattr(ax, "logMode", False) and \
                    type(ax).tickValues is pg.AxisItem.tickValues:
                # the 2..9 minor labels of a log axis collide once the text is large
                if ratio > 1.1:
                    ax.logTickValues = _sparse_log_ticks
                else:
                    ax.__dict__.pop("logTickValues", None)
                ax.picture = None
                ax.update()
            ax.setPen(pg.mkPen(colors["FOREGROUND"], width=1.5))
            ax.setTextPen(pg.mkPen(colors["FOREGROUND"]))
            for attr, setter in (("fixedWidth", ax.setWidth), ("fixedHeight", ax.setHeight)):
                orig_key = f"_lecture_{attr}"
                if getattr(ax, attr, None) is not None:
                    if not hasattr(ax, orig_key):
                        setattr(ax, orig_key, getattr(ax, attr))
                    setter(int(getattr(ax, orig_key) * ratio))
            if ax.labelText:
                ax.setLabel(ax.labelText, units=ax.labelUnits or None,
                            **{"font-size": size, "color": colors["FOREGROUND"]})
        if getattr(pw.plotItem, "label_headroom", False):  # half a label of the new size
            style.label_headroom(pw.plotItem)
        title = pw.plotItem.titleLabel
        if title.text:
            title.setText(title.text, size=size, color=colors["FOREGROUND"])


def _sparse_log_ticks(min_val: float, max_val: float, size, std_ticks) -> list:
    """Log-axis ticks at decades (level 0) and 2×, 5× (level 1) only."""
    import math

    lo, hi = math.floor(min_val), math.ceil(max_val)
    major = [float(v) for v in range(lo, hi + 1) if min_val <= v <= max_val]
    if hi - lo > 3:  # many decades: label every k-th decade only
        k = math.ceil((hi - lo) / 4)
        return [(float(k), [v for v in major if (v - lo) % k == 0]), (None, [])]
    minor = [v + math.log10(m) for v in range(lo, hi) for m in (2, 5)
             if min_val < v + math.log10(m) < max_val]
    return [(1.0, major), (None, minor)]


def _line_items(pw) -> list:
    """Curves of a plot whose pen can be set: PlotDataItems (their own pen, which they
    push to their curve on every setData), bare PlotCurveItems, and the layers of a
    :class:`~sheafviz.gui.lines.LineBundle`."""
    out, seen = [], set()
    for item in pw.plotItem.vb.addedItems + pw.plotItem.items:
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, LineBundle):
            out.extend(item.layers)
        elif isinstance(item, (pg.PlotDataItem, pg.PlotCurveItem)) and \
                item.opts.get("pen") is not None:
            out.append(item)
    return out


def thicken(window: QtWidgets.QWidget, factor: float) -> None:
    """Pen width of every curve in the window's plots = its view-given width × ``factor``."""
    for pw in window.findChildren(pg.PlotWidget):
        for item in _line_items(pw):
            pen = QtGui.QPen(pg.mkPen(item.opts["pen"]))
            if pen.style() == QtCore.Qt.PenStyle.NoPen:
                continue
            # widths relative to the view's own, so F5 twice never thickens twice
            w0 = getattr(item, "_lecture_w0", None)
            if w0 is None:
                if factor == 1.0:
                    continue
                w0 = item._lecture_w0 = pen.widthF()
            pen.setWidthF(max(1.0, w0) * factor if factor != 1.0 else w0)
            item.setPen(pen)


class Look:
    """Applies theme / palette / font scale / line scale to one main window."""

    def __init__(self, window: QtWidgets.QMainWindow) -> None:
        self.window = window
        self.base_pt = style.base_pt()
        self.base_font = QtGui.QFont(window.font())
        if self.base_font.pointSizeF() <= 0:
            self.base_font.setPointSizeF(self.base_pt)
        self.current = ("light", "okabe-ito", 1.0, 1.0)
        #: the text size the views last built their items at (they were built before this)
        self._views_pt = style.base_pt()

    def apply(self, *, theme: str = "light", palette: str = "okabe-ito",
              font_scale: float = 1.0, line_scale: float = 1.0) -> None:
        if theme not in THEMES:
            raise ValueError(f"unknown theme {theme!r}; expected one of {', '.join(THEMES)}")
        if palette not in PALETTES:
            raise ValueError(f"unknown palette {palette!r}; expected one of "
                             f"{', '.join(PALETTES)}")
        font_scale = float(min(max(font_scale, 0.5), 3.0))
        line_scale = float(min(max(line_scale, 0.5), 4.0))
        th = THEMES[theme]
        style.set_base_point_size(self.base_pt * font_scale)
        pg.setConfigOptions(background=th.colors["BACKGROUND"],
                            foreground=th.colors["FOREGROUND"])
        w = self.window
        w.setPalette(qt_palette(th))
        _scale_fonts(w, font_scale, self.base_font)
        _restyle_plots(w, font_scale, th.colors)
        # the change event rebuilds and redraws the views in the new colours (the wiring);
        # the window's first look is usually the one its views were built in: no rebuild
        same = (w.theme.colors == {**w.theme.colors, **th.colors}
                and w.theme.EDGE_COLORS == PALETTES[palette]
                and self._views_pt == style.base_pt())
        if not same:
            w.theme.update(colors=th.colors, edge_colors=PALETTES[palette])
        self._views_pt = style.base_pt()
        # the views took their colours from the theme when they rebuilt; widths follow here
        thicken(w, line_scale)
        self.current = (theme, palette, font_scale, line_scale)
        share = getattr(w, "share_left_column", None)
        if share is not None:  # the titles' heights changed with the text size
            QtCore.QTimer.singleShot(0, w, share)

    def after_session(self) -> None:
        """Re-apply the line scale to the items a new session rebuilt."""
        thicken(self.window, self.current[3])
