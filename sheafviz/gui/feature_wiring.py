"""The connections of the window's plug-in features (debug docks, lecture features, the
weight editor) to the session the window shows: each follows whatever session is current
(:func:`follow_session`) without holding one. The main views' connections are
:mod:`.wiring`'s.
"""

from __future__ import annotations


def follow_session(window, slots: list) -> None:
    """Connect ``slots``, a list of (event name, callable), to the events of the session the
    window shows, and move them to each new one (``window.sessionChanged``): a plug-in
    feature follows whatever session is current without holding one."""
    held = [window.session]

    def connect(session) -> None:
        for name, slot in slots:
            getattr(session.events, name).connect(slot)

    def move() -> None:
        old, new = held[0], window.session
        if new is old:
            return
        for name, slot in slots:
            getattr(old.events, name).disconnect(slot)
        held[0] = new
        connect(new)

    connect(window.session)
    window.sessionChanged.connect(move)


def wire_debug(window, hub) -> None:
    """The debug docks: the hub follows the session, the panels' intents reach the hub; its
    two links to the drape are the slowest-mode ghost and the switching timeline's
    scrubber."""
    window.sessionChanged.connect(hub.on_session)
    follow_session(window, [("state_changed", hub.on_frame)])
    p = hub.p
    if "data" in p:
        p["data"].exampleClicked.connect(hub.example_clicked)
    if "heatmap" in p:
        p["heatmap"].expandToggled.connect(hub.set_expand)
        p["heatmap"].exampleChosen.connect(hub.set_example_view)
    if "timeline" in p:
        p["timeline"].timeChanged.connect(hub.timeScrubbed)
    if "spectrum" in p:
        p["spectrum"].ghostToggled.connect(hub.set_ghost)
    if "compare" in p:
        p["compare"].runRequested.connect(hub.run_comparison)
    if "import" in p:
        p["import"].modelLoaded.connect(hub.model_loaded)
    hub.modeGhostChanged.connect(window.drape.set_mode_ghost)
    hub.timeScrubbed.connect(
        lambda t: window.wiring.show_recorded_state(t, hub.state_at(t)))


def wire_lecture(window, features) -> None:
    """The lecture features follow the session: the look after a new session, the Edit
    menu's undo texts after each edit, the dirty flag (the session's ``modified``), the
    rewind bar after each state change, the lesson notes."""
    f = features
    for slot in (f.look.after_session, f.undo.reset, f.sessions.on_session, f.rewind.clear,
                 f.show_notes):
        window.sessionChanged.connect(slot)
    edits = [(name, f.undo.on_settings_changed) for name in
             ("pins_changed", "settings_changed", "network_changed", "data_changed",
              "modified_changed")]
    follow_session(window, edits + [("modified_changed", f.sessions.on_modified),
                                    ("state_changed", f.rewind.on_frame)])


def wire_weight_editor(window, editor) -> None:
    """The weight editor redraws with a new session and (throttled) with each state."""
    window.sessionChanged.connect(editor.on_session)
    follow_session(window, [("state_changed", editor.on_frame)])
