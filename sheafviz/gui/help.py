"""File > Quit and the Help menu: the keys (listed from the window's own actions, so the
list cannot drift from what the keys do), a guided tour of the panels (:mod:`.tour`) and
About (the versions this copy runs on).

``install_help_menu(window)`` adds both; it touches no other menu than File (one action at
its end) and its own Help menu, so other features can add menus of their own.
"""

from __future__ import annotations

import html
import platform
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui, QtWidgets

if TYPE_CHECKING:
    from .tour import GuidedTour

#: Keys of the window that no QAction owns (the wiring's own shortcuts), with their text.
EXTRA_KEY_TEXT = {"E": "Jump to equilibrium", "+": "Double the steps per frame",
                  "-": "Halve the steps per frame"}


@dataclass
class HelpFeatures:
    """Handles to what :func:`install_help_menu` created (for the window and tests)."""

    menu: QtWidgets.QMenu
    window: QtWidgets.QMainWindow
    actions: dict = field(default_factory=dict)
    #: the Keys and About dialogs last shown, by object name
    dialogs: dict = field(default_factory=dict)
    _tour: GuidedTour | None = None

    @property
    def tour(self) -> GuidedTour:
        """The guided tour, built (and its module imported) when first asked for: Help >
        Guided tour; a start-up does not pay for its frame and card."""
        if self._tour is None:
            from .tour import GuidedTour

            self._tour = GuidedTour(self.window)
        return self._tour


def _all_actions(window: QtWidgets.QMainWindow) -> list[QtGui.QAction]:
    """Every action of the window: its own and those of every menu, sub-menus included."""
    seen, out = set(), []

    def add(act: QtGui.QAction) -> None:
        if id(act) in seen:
            return
        seen.add(id(act))
        out.append(act)
        if act.menu() is not None:
            for sub in act.menu().actions():
                add(sub)

    for act in window.actions():
        add(act)
    for act in window.menuBar().actions():
        add(act)
    return out


def _plain(text: str) -> str:
    """An action's text without its mnemonic ampersands and trailing dots."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…. ")


def key_rows(window: QtWidgets.QMainWindow) -> list[tuple[str, str]]:
    """``(keys, what they do)`` for every action with a shortcut, then the window's own
    shortcuts (E, +, −), sorted by what they do; keys read as the platform writes them."""
    rows = {}
    for act in _all_actions(window):
        keys = [k.toString(QtGui.QKeySequence.SequenceFormat.NativeText)
                for k in act.shortcuts() if not k.isEmpty()]
        if keys and _plain(act.text()):
            rows[_plain(act.text())] = ", ".join(keys)
    wiring = getattr(window, "wiring", None)
    for key, sc in getattr(wiring, "shortcuts", {}).items():
        text = EXTRA_KEY_TEXT.get(key, key)
        k = sc.key().toString(QtGui.QKeySequence.SequenceFormat.NativeText)
        rows[text] = f"{rows[text]}, {k}" if text in rows else k
    return sorted(((k, t) for t, k in rows.items()), key=lambda r: r[1].lower())


def keys_html(window: QtWidgets.QMainWindow) -> str:
    """The keys as an HTML table (what the Keys dialog shows)."""
    body = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td>"
                   f"<td>{html.escape(t)}</td></tr>" for k, t in key_rows(window))
    return ("<p>Keys work wherever the focus is, except while you type in a field "
            "(Enter or Esc gives them back).</p>"
            f"<table cellspacing='4'>{body}</table>")


def versions() -> list[tuple[str, str]]:
    """(name, version) of sheafviz and what it runs on."""
    import numpy
    import pyqtgraph
    import PySide6
    import scipy

    import sheafviz

    return [("sheafviz", sheafviz.__version__), ("Python", platform.python_version()),
            ("Qt", QtCore.qVersion()), ("PySide6", PySide6.__version__),
            ("pyqtgraph", pyqtgraph.__version__), ("numpy", numpy.__version__),
            ("scipy", scipy.__version__)]


def about_html() -> str:
    rows = "".join(f"<tr><td>{n}&nbsp;&nbsp;</td><td><b>{v}</b></td></tr>"
                   for n, v in versions())
    return ("<h3>sheafviz</h3><p>The neural sheaf of a ReLU network, live: pins are "
            "boundary values, the heat flow relaxes the rest, the joint flow trains the "
            f"weights.</p><table>{rows}</table>")


def _text_dialog(window, title: str, text: str, name: str, size=(520, 560)
                 ) -> QtWidgets.QDialog:
    """A non-modal dialog showing rich ``text`` with a Close button (Esc closes it too)."""
    dlg = QtWidgets.QDialog(window)
    dlg.setObjectName(name)
    dlg.setWindowTitle(title)
    lay = QtWidgets.QVBoxLayout(dlg)
    browser = QtWidgets.QTextBrowser()
    browser.setObjectName(f"{name}-text")
    browser.setHtml(text)
    lay.addWidget(browser)
    box = QtWidgets.QDialogButtonBox(QtWidgets.QDialogButtonBox.StandardButton.Close)
    box.rejected.connect(dlg.close)
    lay.addWidget(box)
    dlg.resize(*size)
    return dlg


def add_quit_action(window: QtWidgets.QMainWindow) -> QtGui.QAction:
    """File > Quit (Ctrl+Q): closes the window as its close button would (so unsaved
    changes are asked about first)."""
    file_menu = _menu(window, "&File")
    file_menu.addSeparator()
    act = file_menu.addAction("&Quit")
    # Ctrl+Q everywhere (the platform's standard Quit key is empty on some platforms)
    act.setShortcut(QtGui.QKeySequence("Ctrl+Q"))
    act.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
    act.setMenuRole(QtGui.QAction.MenuRole.QuitRole)
    act.triggered.connect(lambda *_: window.close())
    window.addAction(act)  # the key works even while the menu bar is hidden
    return act


def _menu(window: QtWidgets.QMainWindow, title: str) -> QtWidgets.QMenu:
    plain = title.replace("&", "")
    for act in window.menuBar().actions():
        if act.menu() is not None and act.text().replace("&", "") == plain:
            return act.menu()
    return window.menuBar().addMenu(title)


def install_help_menu(window: QtWidgets.QMainWindow) -> HelpFeatures:
    """File > Quit and the Help menu (Keys, Guided tour, About) on ``window``."""
    quit_act = add_quit_action(window)
    menu = window.menuBar().addMenu("&Help")
    feats = HelpFeatures(menu, window, {"quit": quit_act})
    dialogs = feats.dialogs

    def show(name: str, title: str, make_text, size=(520, 560)) -> None:
        dlg = _text_dialog(window, title, make_text(), name, size)
        dialogs[name] = dlg  # keep one alive; the newest replaces the last
        dlg.show()

    keys = menu.addAction("&Keys…")
    keys.setShortcut(QtGui.QKeySequence("Ctrl+/"))
    keys.triggered.connect(lambda *_: show("help-keys", "sheafviz — keys",
                                           lambda: keys_html(window)))
    tour_act = menu.addAction("Guided &tour…")
    tour_act.triggered.connect(lambda *_: feats.tour.start())
    about = menu.addAction("&About sheafviz…")
    about.setMenuRole(QtGui.QAction.MenuRole.AboutRole)
    about.triggered.connect(lambda *_: show("help-about", "About sheafviz", about_html,
                                            (440, 380)))
    for act in (keys, tour_act, about):
        window.addAction(act)
    feats.actions.update(keys=keys, tour=tour_act, about=about)
    return feats
