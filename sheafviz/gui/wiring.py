"""Every signal connection between the model and the window's parts, in one place.

State flows one way: a view emits an intent, a function here calls the model's method, the
model emits an event, and a handler here pushes the new data into the views through their
``set_*`` methods. The views hold neither the model nor the window, and never import one
another; plug-in features (debug docks, lecture features, the weight editor) are connected
to the same events in :mod:`.feature_wiring`.

The order of the connections is the order in which handlers run: the window's views
redraw first, then the features (a feature that restyles the views after a new session,
:class:`~.lecture.looks.Look`, relies on it).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtGui

from .background import LatestOnly, shared_process_pool, warm_process_pool
from .lambdas import LambdaReadout
from .status_items import status_items
from sheafviz.live.frame import hidden_z_index, make_snapshot

#: A dragged value is solved off the GUI thread once a solve took longer than this.
ASYNC_SOLVE_AFTER_S = 0.030
#: A network with more coordinates than this solves every dragged value off the GUI
#: thread from the first one on (its first solve alone would stall the window).
ASYNC_SOLVE_ABOVE_SIZE = 1000
#: Refresh rate of the numeric read-outs (status line, editor) while animating.
TEXT_HZ = 10.0


def hover_html(name: str, index: int, rows: list[tuple[str, str]]) -> str:
    """The hover card of neuron ``name[index]``: a title and ``label: value`` rows."""
    return (f"<b>{name}[{index}]</b><br>" +
            "<br>".join(f"{k}: <b>{v}</b>" for k, v in rows))


class SessionWiring(QtCore.QObject):
    """Connects the main views to a :class:`sheafviz.Session` and a :class:`.player.Player`:
    view intents → Session methods, Session events → the views' ``set_*`` methods, each
    event redrawing only what it changed.

    Parameters
    ----------
    window : what :class:`WindowWiring` needs of a window
    session : sheafviz.Session
    player : Player playing ``session``
    """

    def __init__(self, window, session, player) -> None:
        super().__init__(window)
        self.window, self.session, self.player = window, session, player
        #: dragged values are solved off the GUI thread once a solve took longer than
        #: ``async_solve_after_s``; ``solve_cost_s`` is the last on-thread solve's time
        self.solver = LatestOnly(parent=self, executor=shared_process_pool)
        self.solver.done.connect(self._solved)
        self.solver.failed.connect(
            lambda text, _tag: window.show_message(f"Pin change refused: {text}", "error"))
        self.solver.busyChanged.connect(window.set_busy)
        self.async_solve_after_s = ASYNC_SOLVE_AFTER_S
        self.solve_cost_s = 0.0
        self._text_at = 0.0
        self._graph_pins: tuple | None = None  # (pins, selection) the graph view shows
        self._text_timer = QtCore.QTimer(self, singleShot=True, interval=int(1000 / TEXT_HZ))
        self._text_timer.timeout.connect(self.refresh_texts)
        #: the status line's λ (off the GUI thread on a wide network)
        self.lambdas = LambdaReadout(self)
        self.lambdas.ready.connect(self._lambdas_landed)
        self._connect()
        #: the window's own keys (see :meth:`install_shortcuts`), by key
        self.shortcuts: dict = {}
        #: a callable (name, index) -> bool that takes neuron clicks first, or None
        self.neuron_picker = None

    def _connect(self) -> None:
        w, p, player = self.window, self.window.panel, self.player
        self._connect_session(self.session)
        player.playingChanged.connect(p.set_playing)
        player.message.connect(w.show_message)
        w.theme.changed.connect(self.rebuild)
        # the views' intents go to whatever session is current (see set_session)
        for view in (w.graph, w.drape):
            view.neuronClicked.connect(self.toggle_neuron)
            view.pinDragged.connect(self.drag_pin)
            view.dragStarted.connect(lambda: self.session.begin_undo_group())  # one undo step
            view.dragFinished.connect(lambda: self.session.end_undo_group())
        w.graph.stalkClicked.connect(self.toggle_stalk)
        w.graph.hoverChanged.connect(self.on_hover)
        p.presetChosen.connect(w.open_preset)
        p.playClicked.connect(player.toggle_play)
        p.stepClicked.connect(player.step)
        p.resetClicked.connect(self.reset)
        p.equilibriumClicked.connect(lambda: self.session.equilibrium())
        p.modeChosen.connect(lambda m: self.session.set_mode(m))
        p.alphaChanged.connect(lambda v: self.session.set_rates(alpha=v))
        p.betaChanged.connect(lambda v: self.session.set_rates(beta=v))
        p.dtChanged.connect(lambda v: self.session.set_rates(dt=v))
        p.stepsPerFrameChanged.connect(lambda n: self.session.set_rates(steps_per_frame=n))
        p.exampleChanged.connect(lambda i: self.session.set_example(i))
        p.batchToggled.connect(self.set_whole_batch)
        p.pinValueEdited.connect(self.drag_pin)
        p.pinToggled.connect(self.toggle_neuron)

    def _session_slots(self) -> list:
        return [("network_changed", self.rebuild), ("pins_changed", self.on_pins),
                ("settings_changed", self.on_settings),
                ("selection_changed", self.on_selection), ("state_changed", self.redraw),
                ("message", self.window.show_message)]

    def _connect_session(self, session) -> None:
        for name, slot in self._session_slots():
            getattr(session.events, name).connect(slot)

    def set_session(self, session) -> None:
        """Show ``session`` instead of the current one (a new preset, an opened file): the
        old session's events are disconnected, the player plays the new one (paused) and
        every view is rebuilt from it."""
        old = self.session
        if session is old:
            return
        self.solver.cancel()
        self.lambdas.cancel()
        for name, slot in self._session_slots():
            getattr(old.events, name).disconnect(slot)
        self.session = session
        self.player.set_session(session)
        self._connect_session(session)
        self.rebuild()

    def set_whole_batch(self, on: bool) -> None:
        """Train on the whole batch, or on the shown example only."""
        s = self.session
        s.set_example(None if on else s.shown_example)

    def install_shortcuts(self) -> None:
        """The window's own keys: E (equilibrium), + / − (double / halve the steps per
        frame). The lecture actions own Space, S, J, R, P, the arrows, T, F5, F11 and Esc; a
        second shortcut on one of those keys would make both ambiguous."""
        def scale(factor: float) -> None:
            s = self.session
            s.set_rates(steps_per_frame=max(1, int(s.rates.steps_per_frame * factor)))

        keys = {"E": lambda: self.session.equilibrium(), "+": lambda: scale(2),
                "-": lambda: scale(0.5)}
        for key, fn in keys.items():
            sc = QtGui.QShortcut(QtGui.QKeySequence(key), self.window)
            sc.setContext(QtCore.Qt.ShortcutContext.ApplicationShortcut)
            sc.activated.connect(fn)
            self.shortcuts[key] = sc

    # -- intents that need the session's state to become one call ------------------------
    def toggle_neuron(self, name: str, index: int) -> None:
        """Pin ``name[index]`` at its shown value, or unpin it; it becomes the selection.
        While :attr:`neuron_picker` is set (the phase plane picking its coordinates) it
        takes the click instead when it returns True."""
        if self.neuron_picker is not None and self.neuron_picker(name, index):
            return
        s = self.session
        self.solver.cancel()  # a drag still being solved must not land after this click
        pinned = s.pins.is_pinned(name, index)
        self.window.show_message(f"{name}[{index}] {'unpinned' if pinned else 'pinned'}.",
                                 "info")  # first: a warning about the result may follow
        with s.batch():  # one change: each event fires once, each view redraws once
            s.select(name, index)
            s.toggle_pin(name, index=index)
        self._warn_underdetermined()

    def toggle_stalk(self, name: str) -> None:
        """Pin the whole stalk at its shown values, or unpin it."""
        s = self.session
        self.solver.cancel()
        was = s.pins.stalk_pinned(s.layout, name)
        self.window.show_message(f"{name} {'unpinned' if was else 'pinned'}.", "info")
        s.toggle_pin(name)
        self._warn_underdetermined()

    def _warn_underdetermined(self) -> None:
        s = self.session
        if s.mode == "relax" and s.readouts.underdetermined:
            self.window.show_message("Under-determined: no input pinned; showing the "
                                     "minimum-norm equilibrium.", "warn")

    def drag_pin(self, name: str, index: int, value: float) -> None:
        """A dragged or typed pinned value: the relaxation jumps to its equilibrium, solved
        off the GUI thread (in the worker process) once a solve took longer than
        ``async_solve_after_s`` or for any network larger than ``ASYNC_SOLVE_ABOVE_SIZE``
        (the shown state stays, with the busy mark, until the newest value's solve
        lands)."""
        s = self.session
        if not np.isfinite(value):
            self.window.show_message(f"{name}[{index}]: the value must be a finite number.",
                                     "error")
            return
        try:
            pins = s.pins.pin(s.layout, name, float(value), index)
        except (KeyError, IndexError, ValueError) as exc:
            self.window.show_message(f"Pin change refused: {exc}", "error")
            return
        slow = (self.solve_cost_s >= self.async_solve_after_s
                or s.layout.size > ASYNC_SOLVE_ABOVE_SIZE)
        if slow and s.mode == "relax":
            self.solver.submit(s.solver_for(pins), tag=(s, s.network, pins))
            return
        self.solver.cancel()  # a slow solve still running must not land after this value
        start = time.perf_counter()
        s.set_pins(pins, jump=True)
        self.solve_cost_s = time.perf_counter() - start

    def _solved(self, solution, tag) -> None:
        """The newest off-thread solve of a dragged value finished."""
        session, network, pins = tag
        s = self.session
        if session is not s or network is not s.network or s.mode != "relax":
            return  # a new session, new weights or another mode meanwhile: out of date
        s.set_pins(pins, jump=True, solution=solution)

    def reset(self) -> None:
        """Back to the initial weights and state (a drag still being solved is dropped)."""
        self.solver.cancel()
        self.session.reset()

    # -- session events → views ----------------------------------------------------------
    def rebuild(self) -> None:
        w, s = self.window, self.session
        if s.layout.size > ASYNC_SOLVE_ABOVE_SIZE:
            warm_process_pool()  # its drags will be solved there: start it before the first
        w.setWindowTitle(f"sheafviz — {s.title}")
        w.set_legends()
        banner = getattr(w, "notes_banner", None)
        if banner is not None:
            banner.set_notes(s.title, s.notes)
        for view in (w.graph, w.drape, w.energy, w.bars, w.dhist):
            view.set_session(s.layout)
        self._graph_pins = None  # the rebuilt graph view shows no pins yet
        self.on_pins()
        self.on_settings()
        self.redraw()

    def on_pins(self) -> None:
        self._push_graph_pins()
        self.window.drape.set_pins(self.session.pins)
        self._push_selection()
        self.window.write_state()

    def on_selection(self) -> None:
        if self._push_graph_pins():  # else on_pins of the same change pushed it already
            self._push_selection()

    def _push_graph_pins(self) -> bool:
        """Give the graph view the pins and the selection unless it shows them already;
        True when it did."""
        s = self.session
        shown = self._graph_pins
        if shown is not None and shown[0] is s.pins and shown[1] == s.selection:
            return False
        self._graph_pins = (s.pins, s.selection)
        self.window.graph.set_pins(s.pins, s.selection)
        return True

    def _push_selection(self) -> None:
        s, sel = self.session, self.session.selection
        if sel is None:
            self.window.panel.set_selection(None)
            return
        self.window.panel.set_selection(sel, value=float(s.cochain[s.layout.index(*sel)]),
                                        pinned=s.pins.is_pinned(*sel))

    def on_settings(self) -> None:
        s, r = self.session, self.session.rates
        name = s.preset.name if s.preset is not None else (s.title or "session")
        n = s.data.n_train if s.data is not None else 0
        self.window.panel.set_params(
            preset=name, alpha=r.alpha, beta=r.beta, dt=r.dt,
            steps_per_frame=r.steps_per_frame, mode=s.mode, n_examples=n,
            example=s.shown_example, whole_batch=s.data is not None and s.example is None)

    def on_hover(self, neuron) -> None:
        g = self.window.graph
        g.set_hover_text("" if neuron is None else
                         hover_html(*neuron, self.session.neuron_info(*neuron)))

    def redraw(self) -> None:
        w, s = self.window, self.session
        snap = s.snapshot
        w.graph.set_frame(snap)
        if w.graph.hovered is not None:
            self.on_hover(w.graph.hovered)
        w.drape.set_frame(snap)
        w.energy.set_data(s.history, self.lambdas.envelope(s))  # λ_min off-thread
        w.bars.set_data(snap.discords, scale=discord_scale(snap.cochain))
        w.dhist.set_data(s.history)
        # Numbers that change every frame are unreadable and re-layout their widgets: the
        # text read-outs refresh at most at TEXT_HZ (animation or drag), the pictures at once.
        if time.perf_counter() - self._text_at >= 1.0 / TEXT_HZ:
            self.refresh_texts()
        elif not self._text_timer.isActive():
            self._text_timer.start()

    def _lambdas_landed(self) -> None:
        s = self.session
        self.window.energy.set_data(s.history, self.lambdas.envelope(s))
        self.refresh_texts()

    def show_recorded_state(self, t: float, found) -> None:
        """Pause and draw the recorded state ``found`` = (t, cochain) on the drape."""
        self.player.pause()
        show_recorded_state(self.window, self.session, found)

    def refresh_texts(self) -> None:
        """The status line and the selected neuron's value, from the session now."""
        s = self.session
        self._text_at = time.perf_counter()
        if s.selection is not None:
            self.window.panel.set_selected_value(float(s.cochain[s.layout.index(*s.selection)]))
        self.window.metrics.set_items(status_items(s, self.player, lambdas=self.lambdas.values))


def discord_scale(cochain: np.ndarray) -> float:
    """The size of a discord for values like ``cochain``'s: its largest |value|, squared
    (at least 1), since dₑ = ‖rₑ‖² squares differences of such values."""
    c = np.asarray(cochain, dtype=float)
    return max(1.0, float(np.max(np.abs(c))) if c.size else 1.0) ** 2


def show_recorded_state(window, session, found) -> None:
    """Draw the recorded relaxation state ``found`` = (t, cochain) on the drape (the
    switching timeline's scrubber); nothing when ``found`` is None."""
    if found is None:
        return
    t_found, cochain = found
    snap = make_snapshot(session.layout, session.network, cochain, time=t_found,
                         steps=session.steps, z_index=hidden_z_index(session.layout))
    window.drape.set_frame(snap)

