"""Keyboard control for the lecture hall (issue 5).

=========  ==============================================================
Space      play / pause
S          one step (a frame's worth of steps)
J          jump to the equilibrium of the current pins
R          reset (initial state and weights, pins kept)
P          pin / unpin the selected neuron
← / →      select the previous / next neuron
↑ / ↓      raise / lower the selected pinned value (Shift: ×10 finer)
T          toggle relax / joint (training) flow
F5         presentation mode;  F11 plain full screen;  Esc leaves either
=========  ==============================================================

The main window keeps three shortcuts of its own (E = equilibrium, + and −: steps per
frame) and none on the keys above: two shortcuts on one key would be *ambiguous* in Qt and
neither would fire. The actions are window-wide (they work whatever panel has focus) but a
focused text field or spin box keeps its own keys (Qt's ShortcutOverride).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

#: Step of ↑/↓ on a pinned value (Shift: a tenth of it).
VALUE_STEP = 0.1


def neuron_order(layout) -> list[tuple[str, int]]:
    """Every neuron ``(vertex, index)`` left to right, top to bottom: the ←/→ order."""
    return [(v.name, i) for v in layout.vertices for i in range(v.dim)]


def move_selection(window, delta: int) -> None:
    """Select the neuron ``delta`` places after the selected one (wraps around)."""
    s = window.session
    order = neuron_order(s.layout)
    if not order:
        return
    if s.selection in order:
        k = (order.index(tuple(s.selection)) + delta) % len(order)
    else:
        k = 0 if delta > 0 else len(order) - 1
    s.select(*order[k])


def toggle_selected_pin(window) -> None:
    sel = window.session.selection
    if sel is None:
        window.show_message("Select a neuron first (← / → or a click).", "warn")
        return
    window.wiring.toggle_neuron(*sel)


def nudge_selected(window, direction: float, *, fine: bool = False) -> None:
    """Move the selected neuron's pinned value by ±VALUE_STEP (a tenth with ``fine``)."""
    s = window.session
    if s.selection is None:
        window.show_message("Select a neuron first (← / → or a click).", "warn")
        return
    name, i = s.selection
    if (name, i) not in s.pins.hard:
        window.show_message(f"{name}[{i}] is not pinned: press P to pin it.", "warn")
        return
    step = VALUE_STEP * (0.1 if fine else 1.0)
    window.wiring.drag_pin(name, i, float(s.pins.hard[(name, i)]) + direction * step)


def _toggle_mode(window) -> None:
    s = window.session
    s.set_mode("joint" if s.mode == "relax" else "relax")


def _equilibrium(window) -> None:
    window.player.pause()
    window.session.equilibrium()


def _reset(window) -> None:
    window.player.pause()
    window.wiring.reset()


#: name → (keys, text, callable(window)); presentation keys are added by the caller.
FLOW_KEYS = {
    "play": (["Space"], "Play / pause", lambda w: w.player.toggle_play()),
    "step": (["S"], "Step", lambda w: w.player.step()),
    "equilibrium": (["J"], "Jump to equilibrium", _equilibrium),
    "reset": (["R"], "Reset", _reset),
    "pin": (["P"], "Pin / unpin selected neuron", toggle_selected_pin),
    "prev": (["Left"], "Select previous neuron", lambda w: move_selection(w, -1)),
    "next": (["Right"], "Select next neuron", lambda w: move_selection(w, +1)),
    "up": (["Up"], "Raise pinned value", lambda w: nudge_selected(w, +1.0)),
    "down": (["Down"], "Lower pinned value", lambda w: nudge_selected(w, -1.0)),
    "up_fine": (["Shift+Up"], "Raise pinned value (fine)",
                lambda w: nudge_selected(w, +1.0, fine=True)),
    "down_fine": (["Shift+Down"], "Lower pinned value (fine)",
                  lambda w: nudge_selected(w, -1.0, fine=True)),
    "mode": (["T"], "Toggle relax / joint flow", _toggle_mode),
}


def make_action(window: QtWidgets.QWidget, text: str, keys: list[str], slot) -> QtGui.QAction:
    act = QtGui.QAction(text, window)
    act.setShortcuts([QtGui.QKeySequence(k) for k in keys])
    act.setShortcutContext(QtCore.Qt.ShortcutContext.WindowShortcut)
    act.triggered.connect(lambda *_: slot())
    window.addAction(act)  # active even when the action sits in no visible menu
    return act


def install_shortcuts(window: QtWidgets.QMainWindow, extra: dict | None = None
                      ) -> dict[str, QtGui.QAction]:
    """Create the lecture actions on ``window`` (they act on its session, player and
    wiring).

    Parameters
    ----------
    extra : name → (keys, text, callable()) for keys owned elsewhere (F5, F11, Esc)

    Returns
    -------
    dict name → QAction (the flow keys of :data:`FLOW_KEYS` plus ``extra``)
    """
    actions = {name: make_action(window, text, keys, lambda f=fn: f(window))
               for name, (keys, text, fn) in FLOW_KEYS.items()}
    for name, (keys, text, fn) in (extra or {}).items():
        actions[name] = make_action(window, text, keys, fn)
    return actions
