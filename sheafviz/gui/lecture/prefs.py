"""Persistent preferences (QSettings) with "restore defaults", and their dialog.

Stored under organisation "sheafviz", application "sheafviz" (the platform's native place),
or in the INI file named by the environment variable ``SHEAFVIZ_SETTINGS`` when it is set
(tests and kiosk setups use that so they never touch a user's settings).
"""

from __future__ import annotations

import os

from PySide6 import QtCore, QtWidgets

from .panels import DEFAULT_HIDDEN, PANELS, check_panel_names
from .looks import PALETTES, THEMES

ORGANIZATION = "sheafviz"
APPLICATION = "sheafviz"
SETTINGS_ENV = "SHEAFVIZ_SETTINGS"
GROUP = "lecture"

#: name → default value; the type of the default is the type a stored value is read as.
DEFAULTS: dict = {
    "theme": "light",
    "palette": "okabe-ito",
    "font_scale": 1.0,
    "presentation_theme": "high-contrast",
    "presentation_font_scale": 2.0,
    "presentation_line_scale": 1.8,
    "presentation_hide_controls": True,
    # which panels presentation mode hides (names of panels.PANELS)
    "presentation_hide_panels": list(DEFAULT_HIDDEN),
    "autosave_seconds": 60,
    "recent_files": [],
    "gif_frame_ms": 80,
}

_CHOICES = {"theme": tuple(THEMES), "presentation_theme": tuple(THEMES),
            "palette": tuple(PALETTES)}
_RANGES = {"font_scale": (0.5, 3.0), "presentation_font_scale": (0.5, 3.0),
           "presentation_line_scale": (0.5, 4.0), "autosave_seconds": (0, 3600),
           "gif_frame_ms": (10, 5000)}


def default_settings() -> QtCore.QSettings:
    path = os.environ.get(SETTINGS_ENV)
    if path:
        return QtCore.QSettings(path, QtCore.QSettings.Format.IniFormat)
    return QtCore.QSettings(ORGANIZATION, APPLICATION)


class Preferences(QtCore.QObject):
    """Typed, validated access to the lecture preferences; ``changed(name)`` on writes."""

    changed = QtCore.Signal(str)

    def __init__(self, settings: QtCore.QSettings | None = None, parent=None) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else default_settings()

    def _key(self, name: str) -> str:
        if name not in DEFAULTS:
            raise KeyError(f"unknown preference {name!r}")
        return f"{GROUP}/{name}"

    def get(self, name: str):
        """The stored value, or the default when missing or invalid (never raises on a
        bad file: a preference is not worth a crash)."""
        default = DEFAULTS[name]
        raw = self.settings.value(self._key(name), default)
        try:
            value = self._coerce(name, raw, default)
        except (TypeError, ValueError):
            return default
        return value

    @staticmethod
    def _coerce(name: str, raw, default):
        if isinstance(default, bool):
            value = raw if isinstance(raw, bool) else str(raw).lower() in ("true", "1", "yes")
        elif isinstance(default, int):
            value = int(float(raw))
        elif isinstance(default, float):
            value = float(raw)
        elif isinstance(default, list):
            value = [str(v) for v in (raw if isinstance(raw, (list, tuple)) else
                                      ([raw] if raw else []))]
        else:
            value = str(raw)
        if name == "presentation_hide_panels":
            value = check_panel_names(value)
        if name in _CHOICES and value not in _CHOICES[name]:
            raise ValueError(name)
        if name in _RANGES:
            lo, hi = _RANGES[name]
            if not lo <= value <= hi:
                raise ValueError(name)
        return value

    def set(self, name: str, value) -> None:
        """Store ``value``; ValueError naming the problem when it is not allowed."""
        try:
            value = self._coerce(name, value, DEFAULTS[name])
        except (TypeError, ValueError):
            allowed = _CHOICES.get(name) or _RANGES.get(name)
            raise ValueError(f"preference {name}: {value!r} is not allowed ({allowed})") \
                from None
        self.settings.setValue(self._key(name), value)
        self.settings.sync()
        self.changed.emit(name)

    def restore_defaults(self) -> None:
        self.settings.remove(GROUP)
        self.settings.sync()
        for name in DEFAULTS:
            self.changed.emit(name)

    def add_recent(self, path: str, *, limit: int = 8) -> None:
        items = [p for p in self.get("recent_files") if p != str(path)]
        self.set("recent_files", [str(path)] + items[: limit - 1])


class PreferencesDialog(QtWidgets.QDialog):
    """Theme, palette and font scales, with "Restore defaults"."""

    def __init__(self, prefs: Preferences, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.prefs = prefs
        form = QtWidgets.QFormLayout(self)
        self.theme = QtWidgets.QComboBox()
        self.theme.addItems(list(THEMES))
        self.ptheme = QtWidgets.QComboBox()
        self.ptheme.addItems(list(THEMES))
        self.palette = QtWidgets.QComboBox()
        self.palette.addItems(list(PALETTES))
        self.font_scale = QtWidgets.QDoubleSpinBox(minimum=0.5, maximum=3.0, singleStep=0.05)
        self.pfont = QtWidgets.QDoubleSpinBox(minimum=0.5, maximum=3.0, singleStep=0.05)
        self.pline = QtWidgets.QDoubleSpinBox(minimum=0.5, maximum=4.0, singleStep=0.1)
        self.hide = QtWidgets.QCheckBox("hide the side controls in presentation mode")
        #: one check box per panel presentation mode may hide (panels.PANELS)
        self.hide_panels = {name: QtWidgets.QCheckBox(name) for name in PANELS}
        panels_box = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(panels_box)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, box in enumerate(self.hide_panels.values()):
            grid.addWidget(box, i // 2, i % 2)
        self.autosave = QtWidgets.QSpinBox(minimum=0, maximum=3600)
        self.autosave.setSuffix(" s (0 = off)")
        for label, w in (("Theme", self.theme), ("Palette", self.palette),
                         ("Font scale", self.font_scale),
                         ("Presentation theme", self.ptheme),
                         ("Presentation font scale", self.pfont),
                         ("Presentation line scale", self.pline), ("", self.hide),
                         ("Presentation hides", panels_box),
                         ("Autosave every", self.autosave)):
            form.addRow(label, w)
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
            | QtWidgets.QDialogButtonBox.StandardButton.RestoreDefaults)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QtWidgets.QDialogButtonBox.StandardButton.RestoreDefaults
                       ).clicked.connect(self.restore_defaults)
        form.addRow(buttons)
        self.load()

    def load(self) -> None:
        p = self.prefs
        self.theme.setCurrentText(p.get("theme"))
        self.ptheme.setCurrentText(p.get("presentation_theme"))
        self.palette.setCurrentText(p.get("palette"))
        self.font_scale.setValue(p.get("font_scale"))
        self.pfont.setValue(p.get("presentation_font_scale"))
        self.pline.setValue(p.get("presentation_line_scale"))
        self.hide.setChecked(p.get("presentation_hide_controls"))
        hidden = set(p.get("presentation_hide_panels"))
        for name, box in self.hide_panels.items():
            box.setChecked(name in hidden)
        self.autosave.setValue(p.get("autosave_seconds"))

    def restore_defaults(self) -> None:
        self.prefs.restore_defaults()
        self.load()

    def accept(self) -> None:
        p = self.prefs
        p.set("theme", self.theme.currentText())
        p.set("presentation_theme", self.ptheme.currentText())
        p.set("palette", self.palette.currentText())
        p.set("font_scale", self.font_scale.value())
        p.set("presentation_font_scale", self.pfont.value())
        p.set("presentation_line_scale", self.pline.value())
        p.set("presentation_hide_controls", self.hide.isChecked())
        p.set("presentation_hide_panels",
              [name for name, box in self.hide_panels.items() if box.isChecked()])
        p.set("autosave_seconds", self.autosave.value())
        super().accept()
