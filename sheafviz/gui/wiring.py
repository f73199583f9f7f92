"""Every signal connection between the model and the window's parts, in one place.

State flows one way: a view emits an intent, a function here calls the model's method, the
model emits an event, and a handler here pushes the new data into the views through their
``set_*`` methods. The views hold neither the model nor the window, and never import one
another; plug-in features (debug docks, lecture features, the weight editor) are connected
here to the same events.

The order of the connections is the order in which handlers run: the window's views
redraw first, then the features (a feature that restyles the views after a new session,
:class:`~.lecture.presentation.Look`, relies on it).
"""

from __future__ import annotations

import time

from PySide6 import QtCore, QtGui

from . import style
from .state import make_snapshot

#: Refresh rate of the numeric read-outs (status line, editor) while animating.
TEXT_HZ = 10.0


def hover_html(name: str, index: int, rows: list[tuple[str, str]]) -> str:
    """The hover card of neuron ``name[index]``: a title and ``label: value`` rows."""
    return (f"<b>{name}[{index}]</b><br>" +
            "<br>".join(f"{k}: <b>{v}</b>" for k, v in rows))


class WindowWiring(QtCore.QObject):
    """Connects the main window's views to the controller and redraws them from it.

    Parameters
    ----------
    window : MainWindow (its views: ``graph``, ``drape``, ``energy``, ``bars``, ``dhist``,
        ``panel``, the status labels ``metrics`` / ``note``, ``set_legends``)
    controller : the model the window shows
    """

    def __init__(self, window, controller) -> None:
        super().__init__(window)
        self.window, self.ctl = window, controller
        self._text_at = 0.0
        self._text_timer = QtCore.QTimer(self, singleShot=True, interval=int(1000 / TEXT_HZ))
        self._text_timer.timeout.connect(self.refresh_texts)
        self._connect()
        self._shortcuts()

    # -- connections ---------------------------------------------------------------------
    def _connect(self) -> None:
        w, ctl, p = self.window, self.ctl, self.window.panel
        ctl.sessionChanged.connect(self.rebuild)
        ctl.frameChanged.connect(self.redraw)
        ctl.spectrumChanged.connect(self.on_spectrum)
        ctl.pinsChanged.connect(self.on_pins)
        ctl.paramsChanged.connect(self.on_params)
        ctl.playingChanged.connect(p.set_playing)
        ctl.selectionChanged.connect(self.on_selection)
        ctl.message.connect(w.show_message)
        w.graph.neuronClicked.connect(ctl.toggle_neuron)
        w.graph.stalkClicked.connect(ctl.toggle_stalk)
        w.graph.pinDragged.connect(ctl.set_pin_value)
        w.graph.hoverChanged.connect(self.on_hover)
        w.drape.neuronClicked.connect(ctl.toggle_neuron)
        w.drape.pinDragged.connect(ctl.set_pin_value)
        p.presetChosen.connect(w.open_preset)
        p.playClicked.connect(ctl.toggle_play)
        p.stepClicked.connect(ctl.step)
        p.resetClicked.connect(ctl.reset)
        p.equilibriumClicked.connect(ctl.jump_to_equilibrium)
        p.modeChosen.connect(ctl.set_mode)
        p.alphaChanged.connect(ctl.set_alpha)
        p.betaChanged.connect(ctl.set_beta)
        p.dtChanged.connect(ctl.set_dt)
        p.stepsPerFrameChanged.connect(ctl.set_steps_per_frame)
        p.exampleChanged.connect(ctl.set_example)
        p.batchToggled.connect(ctl.set_whole_batch)
        p.pinValueEdited.connect(ctl.set_pin_value)
        p.pinToggled.connect(ctl.toggle_neuron)

    def _shortcuts(self) -> None:
        """The window's own keys: E (equilibrium), + / − (steps per frame). Space, S, J, R,
        P, the arrows, T, F5, F11 and Esc are the lecture actions (:mod:`.lecture.shortcuts`);
        a second shortcut on one of those keys would make both ambiguous."""
        ctl = self.ctl
        keys = [("E", ctl.jump_to_equilibrium),
                ("+", lambda: ctl.set_steps_per_frame(ctl.steps_per_frame * 2)),
                ("-", lambda: ctl.set_steps_per_frame(max(1, ctl.steps_per_frame // 2)))]
        for key, fn in keys:
            sc = QtGui.QShortcut(QtGui.QKeySequence(key), self.window)
            sc.setContext(QtCore.Qt.ShortcutContext.ApplicationShortcut)
            sc.activated.connect(fn)

    # -- model events → views --------------------------------------------------------------
    def rebuild(self) -> None:
        """A new session (or a new look): every view rebuilds its items for the layout."""
        w, ctl = self.window, self.ctl
        if getattr(ctl, "layout", None) is None:
            return
        w.setWindowTitle(f"sheafviz — {ctl.title}")
        w.set_legends()
        for view in (w.graph, w.drape, w.energy, w.bars, w.dhist):
            view.set_session(ctl.layout)
        self.on_pins()
        self.on_selection()

    def on_params(self) -> None:
        ctl = self.ctl
        self.window.panel.set_params(
            preset=ctl.preset.name, alpha=ctl.alpha, beta=ctl.beta, dt=ctl.dt,
            steps_per_frame=ctl.steps_per_frame, mode=ctl.mode,
            n_examples=ctl.dataset.n_train if ctl.has_data else 0, example=ctl.example,
            whole_batch=ctl.whole_batch)

    def on_pins(self) -> None:
        w, ctl = self.window, self.ctl
        w.graph.set_pins(ctl.pins, ctl.selected)
        w.drape.set_pins(ctl.pins)
        self._push_selection()
        w.write_state()

    def on_selection(self) -> None:
        self.window.graph.set_pins(self.ctl.pins, self.ctl.selected)
        self._push_selection()

    def _push_selection(self) -> None:
        ctl, sel = self.ctl, self.ctl.selected
        if sel is None:
            self.window.panel.set_selection(None)
            return
        name, i = sel
        self.window.panel.set_selection(sel, value=float(ctl.c[ctl.layout.index(name, i)]),
                                        pinned=ctl.pins.is_pinned(name, i))

    def on_hover(self, neuron) -> None:
        """The graph asked for the hover card of ``neuron`` ((name, index) or None)."""
        if neuron is None:
            self.window.graph.set_hover_text("")
            return
        name, i = neuron
        self.window.graph.set_hover_text(hover_html(name, i, self.ctl.neuron_info(name, i)))

    def redraw(self) -> None:
        """Redraw every panel from the controller's snapshot (once per frame)."""
        w, ctl = self.window, self.ctl
        snap = ctl.snapshot
        w.graph.set_frame(snap)
        if w.graph.hovered is not None:  # live values on the card
            self.on_hover(w.graph.hovered)
        w.drape.set_frame(snap)
        w.energy.set_data(ctl.history, ctl.envelope())
        w.bars.set_data(snap.discords)
        w.dhist.set_data(ctl.history)
        # Numbers that change every frame are unreadable and re-layout their widgets: text
        # read-outs refresh at most at TEXT_HZ (animation or drag); the pictures at once.
        if time.perf_counter() - self._text_at >= 1.0 / TEXT_HZ:
            self.refresh_texts()
        elif not self._text_timer.isActive():
            self._text_timer.start()

    def on_spectrum(self) -> None:
        self.window.energy.set_data(self.ctl.history, self.ctl.envelope())
        self.refresh_texts()

    def refresh_texts(self) -> None:
        ctl = self.ctl
        self._text_at = time.perf_counter()
        if ctl.selected is not None:
            name, i = ctl.selected
            self.window.panel.set_selected_value(float(ctl.c[ctl.layout.index(name, i)]))
        self.window.metrics.setText(metrics_text(ctl))

    def show_recorded_state(self, t: float, found) -> None:
        """Pause and draw the recorded relaxation state ``found`` = (t, cochain) nearest to
        time ``t`` on the drape (the switching timeline's scrubber)."""
        if found is None:
            return
        ctl = self.ctl
        ctl.pause()
        t_found, cochain = found
        snap = make_snapshot(ctl.layout, ctl.network, cochain, time=t_found, steps=ctl.steps,
                             z_index=ctl.z_index)
        self.window.drape.set_frame(snap)


def metrics_text(ctl) -> str:
    """The status line: E, R, λ, σ, the step clock and the frame rate."""
    lo, hi = ctl.lam
    r_name = "R̄ (batch mean E)" if ctl.mode == "joint" else "R"
    parts = [f"E = {style.fmt(ctl.snapshot.energy)}",
             f"{r_name} = {style.fmt(ctl.residual)}",
             f"λmin = {style.fmt(lo)}", f"λmax = {style.fmt(hi)}"]
    if ctl.mode == "relax":
        parts.append(f"σ: {ctl.consistency}")
    if ctl.cross_entropy:  # SPEC §9: say which force is active and what it descends
        parts.insert(2, f"objective (CE) = {style.fmt(ctl.objective())}")
    parts.append(f"step {ctl.steps} (t = {style.fmt(ctl.t)})")
    parts.append(f"{style.fmt(ctl.fps, 2)} fps · {style.fmt(ctl.steps_per_second, 3)} steps/s"
                 if ctl.playing else "paused")
    return "  │  ".join(parts)


def wire_debug(window, hub, controller) -> None:
    """The debug docks: the hub follows the model, the panels' intents reach the hub; its
    two links to the drape are the slowest-mode ghost and the switching timeline's
    scrubber."""
    controller.sessionChanged.connect(hub.on_session)
    controller.frameChanged.connect(hub.on_frame)
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


def wire_lecture(features, controller) -> None:
    """The lecture features follow the model: the look after a new session, undo, the
    session's dirty flag, the rewind recording, the lesson notes."""
    f, ctl = features, controller
    ctl.sessionChanged.connect(f.look.after_session)
    ctl.settingsChanged.connect(f.undo.on_settings_changed)
    ctl.sessionChanged.connect(f.undo.reset)
    ctl.settingsChanged.connect(f.sessions.on_settings_changed)
    ctl.frameChanged.connect(f.sessions.on_frame)
    ctl.sessionChanged.connect(f.sessions.on_session)
    ctl.frameChanged.connect(f.rewind.on_frame)
    ctl.sessionChanged.connect(f.rewind.clear)
    ctl.pinsChanged.connect(f.rewind.on_frame)
    ctl.sessionChanged.connect(f.show_notes)


def wire_weight_editor(editor, controller) -> None:
    """The weight editor redraws with a new session and (throttled) with each frame."""
    controller.sessionChanged.connect(editor.on_session)
    controller.frameChanged.connect(editor.on_frame)
