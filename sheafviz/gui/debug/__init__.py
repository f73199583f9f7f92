"""Training-debug panels (issue 6), hosted by the main window as dock widgets.

``install_debug_panels(main_window)`` puts every panel in a :class:`QDockWidget`
(tabified together in the bottom area, hidden until chosen from the window's "Debug" menu),
and wires them to the window's session through one :class:`DebugHub`.
A panel is built the first time its dock is shown (:mod:`.lazy`).

Panels (each usable on its own; thin views with ``set_*`` methods and intent signals):

* :class:`DataPanel` — data over the predictions; ``exampleClicked(int)``
* :class:`DiscordHeatmap` — discord space–time heatmap; ``expandToggled(bool)``,
  ``exampleChosen(int)``
* :class:`SpectrumPanel` — L_free, eigenvalues, λ/κ over training, block energies;
  ``ghostToggled(bool)``
* :class:`SwitchTimelinePanel` — ReLU switching with a scrubber; ``timeChanged(float)``
* :class:`GradientPanel` — sheaf vs backprop per layer
* :class:`ComparePanel` — joint flow vs gradient descent; ``runRequested(int)``
* :class:`ImportPanel` — own weights and data; ``modelLoaded(object, object)``
"""

from __future__ import annotations

import importlib

from PySide6 import QtCore, QtWidgets

from .hub import DebugHub
from ..feature_wiring import wire_debug
from .lazy import LazyDock, PendingPanel

__all__ = ["install_debug_panels", "build_panels", "DebugHub", "DataPanel", "DiscordHeatmap",
           "SpectrumPanel", "SwitchTimelinePanel", "GradientPanel", "ComparePanel",
           "ImportPanel", "PANEL_TITLES"]

#: Height of the dock area when a first debug dock opens, as a share of the window height:
#: enough for a plot with readable ticks, and the main view keeps about two thirds.
DOCK_SHARE = 0.35

#: Dock titles in tab order (keys of :func:`build_panels`).
PANEL_TITLES = {"data": "Data", "heatmap": "Discord heatmap", "spectrum": "Spectrum",
                "timeline": "ReLU switching", "gradient": "Sheaf vs backprop",
                "compare": "Joint flow vs GD", "import": "Own model"}


def build_panels(*, dialogs=None, theme=None) -> dict:
    """One instance of every panel, by key (see :data:`PANEL_TITLES`); ``dialogs`` are the
    import panel's file choosers."""
    return {key: make() for key, make in panel_factories(dialogs=dialogs, theme=theme).items()}


#: Each panel's class, by key: (module of this package, class name). A panel's module is
#: imported when the panel is first built (a start-up shows none of them).
PANEL_CLASSES = {"data": ("data_panel", "DataPanel"),
                 "heatmap": ("discord_heatmap", "DiscordHeatmap"),
                 "spectrum": ("spectrum_panel", "SpectrumPanel"),
                 "timeline": ("switch_timeline", "SwitchTimelinePanel"),
                 "gradient": ("gradient_panel", "GradientPanel"),
                 "compare": ("compare_panel", "ComparePanel"),
                 "import": ("import_panel", "ImportPanel")}


def _panel_class(key: str) -> type:
    module, name = PANEL_CLASSES[key]
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


def __getattr__(name: str):
    """The panel classes (``from sheafviz.gui.debug import DataPanel``), imported at first
    use."""
    for key, (_, cls) in PANEL_CLASSES.items():
        if cls == name:
            return _panel_class(key)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def panel_factories(*, dialogs=None, theme=None) -> dict:
    """A zero-argument constructor of every panel, by key (see :func:`build_panels`)."""
    t = {"theme": theme}

    def factory(key: str, **extra):
        return lambda: _panel_class(key)(**extra, **t)

    return {key: factory(key, **({"dialogs": dialogs} if key == "import" else {}))
            for key in PANEL_CLASSES}


def install_debug_panels(main_window: QtWidgets.QMainWindow, *,
                         visible: bool = False, dialogs=None, theme=None,
                         area=QtCore.Qt.DockWidgetArea.BottomDockWidgetArea
                         ) -> list[QtWidgets.QDockWidget]:
    """Create the debug docks in ``main_window`` and wire them to its session.

    Parameters
    ----------
    visible : show the docks now (default: hidden, toggled from the "Debug" menu)
    dialogs : file choosers of the import panel (:mod:`..dialogs`; default: none)
    theme : the colours of the panels (:class:`..theme.Theme`; default light)
    area : the dock area; all docks are tabified there

    Returns
    -------
    list of QDockWidget in :data:`PANEL_TITLES` order; the hub is ``docks[0].hub`` (and
    ``main_window.debug_hub``), the panel of a dock is ``dock.widget()``.
    """
    factories = panel_factories(dialogs=dialogs, theme=theme)
    # hidden docks build their panel when first shown (lazy.py); the hub talks to stand-ins
    panels = {key: PendingPanel() for key in factories}
    hub = DebugHub(main_window, panels, parent=main_window)
    wire_debug(main_window, hub)
    docks: list[QtWidgets.QDockWidget] = []
    menu = main_window.menuBar().addMenu("&Debug")
    for key, title in PANEL_TITLES.items():
        dock = LazyDock(title, main_window, key=key, factory=factories[key], hub=hub)
        dock.setObjectName(f"debug-{key}")
        main_window.addDockWidget(area, dock)
        if docks:
            main_window.tabifyDockWidget(docks[0], dock)
        dock.setVisible(visible)
        # drawing resumes when a dock is shown again
        dock.visibilityChanged.connect(lambda on, h=hub: on and h.refresh())
        dock.visibilityChanged.connect(
            lambda on, d=dock: on and _size_on_open(main_window, docks, d))
        menu.addAction(dock.toggleViewAction())
        docks.append(dock)
    if docks and visible:
        docks[0].raise_()
    main_window.debug_hub = hub
    hub.on_session()  # start from the session the window shows
    return docks


def dock_height(main_window: QtWidgets.QMainWindow, dock: QtWidgets.QDockWidget) -> int:
    """Height to open ``dock`` at: :data:`DOCK_SHARE` of the window for a panel with
    pictures, and no more than its content wants for one without (the "Own model" form
    took 40 % of the window for three lines)."""
    share = int(DOCK_SHARE * main_window.height())
    panel = dock.widget()
    if panel is None or panel.findChildren(QtWidgets.QGraphicsView):
        return share
    title = dock.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_TitleBarHeight) + 6
    lay = panel.layout()
    width = max(dock.width(), main_window.width() // 2)
    # wrapped text is as tall as the dock's width makes it, not as its narrow size hint
    want = (lay.totalHeightForWidth(width) if lay is not None and lay.hasHeightForWidth()
            else panel.sizeHint().height())
    return min(share, want + title)


def _size_on_open(main_window: QtWidgets.QMainWindow, docks: list, dock) -> None:
    """Give the dock area :data:`DOCK_SHARE` of the window's height when ``dock`` opens and
    no other debug dock was open (a tab switch or a user's own resize is left alone).

    Sized at opening, not at install: the window is built at a default size and resized
    (1280×720, 1920×1080) only afterwards, so a height fixed at install was ~200 px at any
    window size.
    """
    if any(not d.isHidden() for d in docks if d is not dock):
        return

    def size() -> None:
        if not dock.isHidden():
            main_window.resizeDocks([dock], [dock_height(main_window, dock)],
                                    QtCore.Qt.Orientation.Vertical)

    QtCore.QTimer.singleShot(0, size)
