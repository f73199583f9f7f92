"""The chapter's views in the window (issue 12): every connection between them and the
window's :class:`sheafviz.Session`, in one place.

``wire_chapter(window)`` adds

* the dock "Equilibrium propagation" (:class:`~.chapter.ep_view.EPView`): its slider pins y
  softly (or hard at its right end); its table and gap curve follow the session's network
  and pins;
* the dock "Phase plane" (:class:`~.chapter.phase_view.PhaseView`): the flow's field in the
  slice of two free coordinates through the shown state, redrawn every frame, the live
  trajectory, and "Perturb" (:meth:`Session.perturb`, θ too in joint mode);
* on the data panel (2-D inputs) the activation regions with the shown input's region
  highlighted and, when y is pinned with x free, the inverse family — a click on it pins x
  there. Both are recomputed while training at a bounded rate (:class:`RateLimiter`);
* the lessons (:mod:`.lesson_driver`): the lesson bar, the Lessons menu, PageDown / PageUp.

The views hold no session: data goes in through their ``set_*`` methods, their intents come
back here and become Session calls. What is computed from the session is in
:mod:`.chapter_feed` (Qt-free). A dock draws only while it is visible.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

import numpy as np
from PySide6 import QtCore, QtWidgets

from sheafviz.core import diagnostics as diag
from sheafviz.gui import chapter_feed as feed
from sheafviz.gui.chapter.inverse_items import InverseFamilyItem
from sheafviz.gui.chapter.rate_limit import RateLimiter
from sheafviz.gui.chapter.region_items import RegionMapItem

if TYPE_CHECKING:  # the docked views' modules are imported when a dock is first shown
    from sheafviz.gui.chapter.ep_view import EPView
    from sheafviz.gui.chapter.phase_view import PhaseView

#: Grid points per axis of the phase plane's field, and its half width around the state.
PHASE_GRID, PHASE_HALF_WIDTH = 15, 1.5
#: The region map and the EP table while training: at most one computation per interval,
#: and never more than this share of the time.
REDRAW_INTERVAL_S, MAX_BUSY = 0.25, 0.25
#: The region cap of the map on the data panel.
MAX_REGIONS = 3000
#: The data panel's read-out while the inverse family is drawn.
FAMILY_HINT = ("Purple: every input whose forward pass reaches the pinned values. Click it "
               "to pin x there.")
#: Width of the right dock area when a chapter dock opens alone, as a share of the window.
DOCK_WIDTH_SHARE = 0.36


class ViewDock(QtWidgets.QDockWidget):
    """A dock whose view is built by ``factory()`` when it is first shown or asked for
    (:meth:`view`): a window most people never open these in starts ~0.1 s faster."""

    def __init__(self, title: str, key: str, window, factory) -> None:
        super().__init__(title, window)
        self.setObjectName(f"chapter-{key}")
        self._factory = factory

    @property
    def built(self) -> bool:
        return self._factory is None

    def view(self):
        if self._factory is not None:
            factory, self._factory = self._factory, None
            self.setWidget(factory())
        return self.widget()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt's virtual
        if visible:
            self.view()
        super().setVisible(visible)


def _dock(window, title: str, key: str, factory, area) -> ViewDock:
    dock = ViewDock(title, key, window, factory)
    window.addDockWidget(area, dock)
    dock.setVisible(False)
    return dock


class ChapterWiring(QtCore.QObject):
    """Owns the chapter's docks and items in one window and keeps them on its session.

    Attributes
    ----------
    ep_view, phase_view : the docked views (built on first use); ``docks``: dock by key
        ("ep", "phase")
    regions, family : the items on the data panel (added once the panel exists)
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window, self.session = window, window.session
        theme = window.theme
        right = QtCore.Qt.DockWidgetArea.RightDockWidgetArea
        self.docks = {"ep": _dock(window, "Equilibrium propagation", "ep", self._make_ep, right),
                      "phase": _dock(window, "Phase plane", "phase", self._make_phase,
                                     right)}
        window.tabifyDockWidget(self.docks["ep"], self.docks["phase"])
        self.regions = RegionMapItem(theme=theme)
        self.family = InverseFamilyItem(theme=theme)
        self._plane_host = None
        self._pair: tuple = (None, None)
        self._names: list = []
        self._picked: list = []
        self._perturb_seed = 0
        self._ep_key = self._curve_key = None
        self._limits = {"plane": RateLimiter(REDRAW_INTERVAL_S, max_busy=MAX_BUSY),
                        "ep": RateLimiter(REDRAW_INTERVAL_S, max_busy=MAX_BUSY)}
        self._pump_timer = QtCore.QTimer(self, singleShot=True, interval=60)
        self._pump_timer.timeout.connect(self._pump)
        self._connect_views()
        self._connect_session(self.session)
        window.theme.changed.connect(self.restyle)
        for dock in self.docks.values():
            dock.visibilityChanged.connect(lambda on: on and self.refresh())
            dock.visibilityChanged.connect(lambda on, d=dock: on and self._size_on_open(d))
        data = self.data_dock()
        if data is not None:
            data.visibilityChanged.connect(lambda on: on and self.refresh())

    # -- the views, built on first use -----------------------------------------------------
    ep_view = property(lambda self: self.docks["ep"].view())
    phase_view = property(lambda self: self.docks["phase"].view())

    def _make_ep(self) -> EPView:
        from sheafviz.gui.chapter.ep_view import EPView  # built (and imported) when shown

        view = EPView(theme=self.window.theme)
        view.stiffnessChanged.connect(self.set_stiffness)
        return view

    def _make_phase(self) -> PhaseView:
        from sheafviz.gui.chapter.phase_view import PhaseView  # built when first shown

        view = PhaseView(theme=self.window.theme)
        view.coordinatesChanged.connect(self.set_pair)
        view.perturbRequested.connect(self.perturb)
        view.pickInGraphToggled.connect(self.pick_in_graph)
        return view

    def _built_views(self) -> list:
        return [d.view() for d in self.docks.values() if d.built]

    # -- connections -------------------------------------------------------------------
    def _connect_views(self) -> None:
        self.family.inputPicked.connect(self.pin_input)

    def _slots(self) -> list:
        return [("network_changed", self.on_model), ("pins_changed", self.on_model),
                ("data_changed", self.on_model), ("settings_changed", self.on_frame),
                ("state_changed", self.on_frame)]

    def _connect_session(self, session) -> None:
        for name, slot in self._slots():
            getattr(session.events, name).connect(slot)

    def set_session(self, session) -> None:
        """Follow ``session`` instead (the window's :meth:`set_session`)."""
        if session is self.session:
            return
        for name, slot in self._slots():
            getattr(self.session.events, name).disconnect(slot)
        self.session = session
        self._connect_session(session)
        for limiter in self._limits.values():
            limiter.reset()
        self._ep_key = self._curve_key = None
        if self.docks["phase"].built:
            self.phase_view.clear_trajectory()
        # after the window's own handlers (the debug hub redraws the data panel first)
        QtCore.QTimer.singleShot(0, self, self.refresh)

    # -- intents → session ---------------------------------------------------------------
    def set_stiffness(self, gamma: float) -> None:
        """The slider: pin y to its target softly with stiffness γ (hard at ``inf``)."""
        s = self.session
        target = feed.ep_target(s).tolist()
        s.pin("y", target, stiffness=None if math.isinf(gamma) else float(gamma))

    def set_pair(self, u: str, v: str) -> None:
        """The phase plane's two coordinates were picked."""
        if u == v:
            self.window.show_message("Pick two different coordinates for the phase plane.",
                                     "warn")
            return
        self._pair = (u, v)
        self.phase_view.clear_trajectory()
        self.draw_phase()

    def pick_in_graph(self, on: bool) -> None:
        """The next two neuron clicks in the graph (or drape) pick u, then v."""
        self._picked = []
        self.window.wiring.neuron_picker = self._pick_neuron if on else None
        self.phase_view.set_picking(on, "Click u…")

    def _pick_neuron(self, name: str, index: int) -> bool:
        if (name, index) in self.session.pins.hard:
            self.window.show_message(f"{name}[{index}] is pinned: pick a free coordinate.",
                                     "warn")
            return True
        self._picked.append(f"{name}[{index}]")
        if len(self._picked) == 1:
            self.phase_view.set_picking(True, f"u = {self._picked[0]}; click v…")
            return True
        u, v = self._picked
        self.pick_in_graph(False)
        self.phase_view.set_coordinates(self._names, u, v)
        self.set_pair(u, v)
        return True

    def perturb(self, size: float) -> None:
        """Nudge the state (and θ in joint mode) by ``size``, a new direction each time."""
        self._perturb_seed += 1
        self.session.perturb(float(size), seed=self._perturb_seed)

    def pin_input(self, x) -> None:
        """A click on the inverse family: pin x there, and show its equilibrium."""
        s = self.session
        s.pin("x", [float(v) for v in np.asarray(x).reshape(-1)])
        if s.mode == "relax":
            s.equilibrium()

    # -- session events → views --------------------------------------------------------------
    def on_model(self) -> None:
        """New weights, pins or data: everything is recomputed (at a bounded rate)."""
        self._ep_key = None
        self.refresh()

    def on_frame(self) -> None:
        """A new frame: the phase plane at once; the rest (which depends on θ, moving only
        while training) at a bounded rate."""
        self.draw_phase()
        if self.session.mode == "joint":
            self._offer()

    def refresh(self) -> None:
        """Redraw every visible chapter view from the session now."""
        self.draw_phase()
        self._offer()
        self._flush()

    def restyle(self) -> None:
        """A new theme or text size (presentation mode): the views take it."""
        theme = self.window.theme
        for view in self._built_views() + [self.regions, self.family]:
            view.set_theme(theme)
            view.set_scale(1.0)  # the text size follows the base size, already scaled

    # -- visibility ----------------------------------------------------------------------
    def show_regions(self, on: bool) -> None:
        """Draw the activation regions over the data panel, or not (the predictions they
        cover show again); the inverse family stays."""
        self.regions.setVisible(bool(on))

    def _size_on_open(self, dock) -> None:
        """Give the right dock area :data:`DOCK_WIDTH_SHARE` of the window when a chapter
        dock opens and no other was open (a tab switch or a user's resize is left alone)."""
        if any(d.isVisible() for d in self.docks.values() if d is not dock):
            return
        w = self.window

        def size() -> None:
            if dock.isVisible():
                w.resizeDocks([dock], [int(DOCK_WIDTH_SHARE * w.width())],
                              QtCore.Qt.Orientation.Horizontal)

        QtCore.QTimer.singleShot(0, self, size)

    def data_dock(self):
        for dock in getattr(self.window, "debug_docks", []) or []:
            if dock.objectName() == "debug-data":
                return dock
        return None

    def plane_panel(self):
        """The data panel with the region and family items on it, once it is shown."""
        dock = self.data_dock()
        if dock is None or not dock.isVisible():
            return None
        panel = dock.widget()
        if self._plane_host is not panel:
            panel.plot.plotItem.addItem(self.regions)
            panel.plot.plotItem.addItem(self.family)
            self._plane_host = panel
        return panel

    # -- drawing -------------------------------------------------------------------------
    def _offer(self) -> None:
        s = self.session
        if self.docks["ep"].isVisible():
            self._limits["ep"].offer((s, s.network, s.pins))
        if self.plane_panel() is not None:
            self._limits["plane"].offer((s, s.network, s.pins))
        self._pump()

    def _pump(self) -> None:
        for key, draw in (("ep", self.draw_ep), ("plane", self.draw_plane)):
            limiter = self._limits[key]
            if limiter.poll() is not None:
                start = time.perf_counter()
                draw()
                limiter.finished(time.perf_counter() - start)
        if any(l.pending for l in self._limits.values()) and not self._pump_timer.isActive():
            self._pump_timer.start()

    def _flush(self) -> None:
        for key, draw in (("ep", self.draw_ep), ("plane", self.draw_plane)):
            if self._limits[key].flush() is not None:
                draw()

    def draw_ep(self) -> None:
        """The EP table (and, for a new x, target or network, the gap curve)."""
        s, view = self.session, self.ep_view
        setting = feed.ep_setting(s)
        if not setting.ready:
            view.set_comparison(None, reason=setting.reason)
            return
        view.set_stiffness(setting.gamma)
        # the network object itself (not its id, which a new one may reuse) and the inputs
        key = (s.network, setting.x.tobytes(), setting.target.tobytes(), setting.gamma)
        if _same(key, self._ep_key):
            return
        curve_key = key[:3]
        try:
            if not _same(curve_key, self._curve_key):
                gaps = diag.ep_gap_curve(s.network, setting.x, setting.target,
                                         feed.EP_CURVE_GAMMAS, layout=s.layout)
                view.set_gap_curve(feed.EP_CURVE_GAMMAS, gaps)
                self._curve_key = curve_key
            comparison = diag.ep_gradients(s.network, setting.x, setting.target,
                                           setting.gamma, layout=s.layout)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            view.set_comparison(None)
            self.window.show_message(f"Equilibrium propagation: {exc}", "error")
            return
        view.set_comparison(comparison)
        self._ep_key = key

    def draw_plane(self) -> None:
        """The activation regions of the data panel's plane and the inverse family."""
        s, panel = self.session, self.plane_panel()
        if panel is None:
            return
        box = feed.plane_box(s)
        if box is None:  # not a plane of inputs: the panel shows its own picture, no note
            self.regions.set_region_map(None, empty_text="")
            self.family.set_family(None)
            return
        if s.data is None:  # no data to frame the plane: the box does
            panel.show_plane(box)
        rmap = diag.activation_regions(s.network, box, max_regions=MAX_REGIONS)
        self.regions.set_region_map(rmap)
        self.regions.set_pinned_input(feed.shown_input(s))
        pins = feed.inverse_pins(s)
        family = None
        if pins is not None:
            try:
                family = diag.inverse_family(s.network, pins, box, region_map=rmap)
            except ValueError as exc:  # e.g. a softmax head with y partly pinned
                self.window.show_message(f"Inverse family: {exc}", "warn")
        self.family.set_family(family)
        if family is not None and family.pieces:
            panel.readout.setText(FAMILY_HINT)

    def draw_phase(self) -> None:
        """The field through the shown state and one more trajectory point (every frame)."""
        if not self.docks["phase"].isVisible():
            return  # before touching the view: a hidden dock's view is not built yet
        s, view = self.session, self.phase_view
        names = feed.free_coordinates(s)
        pair = feed.default_pair(names, self._pair)
        if pair is None:
            view.set_coordinates(names)
            view.set_field(None)
            return
        if pair != self._pair or names != self._names:
            view.set_coordinates(names, *pair)
        self._pair, self._names = pair, names
        try:
            field = diag.phase_field(s.network, s.pins, s.cochain, pair[0], pair[1],
                                     half_width=(PHASE_HALF_WIDTH, PHASE_HALF_WIDTH),
                                     n=PHASE_GRID, alpha=float(s.rates.alpha),
                                     force=s.output_force, layout=s.layout)
        except ValueError as exc:
            view.set_field(None)
            self.window.show_message(f"Phase plane: {exc}", "warn")
            return
        view.set_field(field)
        view.append_trajectory(*field.center)


def _same(key, other) -> bool:
    """Two cache keys (network, *plain values) agree: the same network object, equal rest."""
    return other is not None and key[0] is other[0] and key[1:] == other[1:]


def wire_chapter(window) -> ChapterWiring:
    """Add the chapter's docks, data-panel items and lessons to ``window`` (see the module
    notes); returns the :class:`ChapterWiring` (``window.chapter``)."""
    from sheafviz.gui.lesson_driver import install_lessons

    chapter = ChapterWiring(window)
    chapter.lessons = install_lessons(window, chapter)
    window.chapter = chapter
    return chapter
