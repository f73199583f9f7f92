"""The main window: assembles the views and the status bar around one
:class:`sheafviz.Session` (``window.session``) played by a :class:`~.player.Player`;
:mod:`.wiring` connects them (every connection lives there). Plug-in features (lecture,
debug docks, weight editor) use the Session and the window's public API: ``session``,
``player``, ``wiring`` (the intents that need the view state), ``set_session`` /
``load_preset`` / ``open_preset_object``, ``show_message`` and the signals
``sessionChanged`` and ``messageShown``."""

from __future__ import annotations

import json
import os

from PySide6 import QtCore, QtGui, QtWidgets

from . import engine, style
from .column_split import column_sizes
from .dialogs import NoDialogs
from .drape import DrapePanel
from .flow_panel import FlowPanel
from .graph_view import GraphView
from .notes_banner import NotesBanner
from .plots import DiscordBars, DiscordHistory, EnergyPlot
from .player import Player
from .status_items import StatusLine
from .theme import Theme
from .wiring import SessionWiring

#: When set, the window writes its pins, state and neuron screen positions to this JSON file
#: (used by the real-X test that clicks the app with xdotool).
STATE_FILE_ENV = "SHEAFVIZ_STATE_FILE"
MESSAGE_MS = 8000


def _titled(title: str, widget: QtWidgets.QWidget) -> tuple[QtWidgets.QWidget, QtWidgets.QLabel]:
    """``widget`` under a bold title line; returns the box and the title label (whose
    legend :func:`legend_notes` fills, again whenever the colours change)."""
    box = QtWidgets.QWidget()
    lay = QtWidgets.QVBoxLayout(box)
    lay.setContentsMargins(2, 2, 2, 2)
    lay.setSpacing(0)
    label = QtWidgets.QLabel()
    label.setTextFormat(QtCore.Qt.TextFormat.RichText)
    label.setWordWrap(True)
    label.setProperty("panel_title", title)
    lay.addWidget(label)
    lay.addWidget(widget, 1)
    return box, label


def _swatch(color: str, char: str) -> str:
    return f"<span style='color:{color}; font-weight:bold'>{char}</span>"


def legend_notes(theme: Theme, *, hints: bool = True) -> dict[str, str]:
    """The legend after each panel's title, in ``theme``'s colours; ``hints=False`` leaves
    out how to use the mouse (presentation mode: the room needs the graph's height)."""
    e = theme.EDGE_COLORS
    types = (f"{_swatch(e['affine'], '━')} affine&nbsp; {_swatch(e['relu'], '━')} relu&nbsp; "
             f"{_swatch(e['output'], '━')} output")
    return {
        # how thick is how much discord: the legend row under the graph
        "Path graph": (f"{types} &nbsp;·&nbsp; "
                       f"{_swatch(theme.PIN_COLOR, '■')} pinned" +
                       (" &nbsp;·&nbsp; click: pin, drag a pin: move it" if hints else "")),
        "Drape": (f"{_swatch(theme.VALUE_COLOR, '●')} value &nbsp;"
                  f"{_swatch(theme.GHOST_COLOR, '○')} forward pass &nbsp;"
                  f"{_swatch(theme.PIN_COLOR, '■')} clamp &nbsp;"
                  f"{_swatch(e['affine'], '⌇')} spring = r<sub>e</sub> &nbsp;"
                  f"{_swatch(theme.FLIP_COLOR, '◯')} σ flipped &nbsp;"
                  f"{_swatch(theme.BOUNDARY_COLOR, '◇')} z = 0"),
        "Discord now": "",
        "Discord over time": (f"{_swatch(e['affine'], '━')} aff "
                              f"{_swatch(e['relu'], '━')} relu "
                              f"{_swatch(e['output'], '━')} out"),
        "Residual energy": (f"{_swatch(theme.ENERGY_COLOR, '━')} E &nbsp;"
                            f"{_swatch(theme.ENVELOPE_COLOR, '╌')} envelope &nbsp;"
                            f"{_swatch(theme.FLIP_COLOR, '▼')} ReLU switch"),
    }


def fixed_px(plot: pg.PlotWidget) -> int:
    """Pixels of ``plot`` that are not its picture: axes, margins, a legend row, and the
    labels a view keeps at a fixed pixel size inside its box (``fixed_px`` of the view)."""
    own = getattr(plot, "fixed_px", None)
    inner = own() if callable(own) else 0
    return int(max(plot.height() - plot.plotItem.vb.height(), 0) + inner)


class MainWindow(QtWidgets.QMainWindow):
    """``sheafviz — <preset title>``: graph view, drape, flow panel, plots, status bar.

    Signals
    -------
    sessionChanged() : another session is shown (after the views rebuilt from it)
    messageShown(str, str) : a text and its level shown on the status line
    """

    sessionChanged = QtCore.Signal()
    messageShown = QtCore.Signal(str, str)

    def __init__(self, parent=None, *, dialogs=None, autosave_path=None,
                 session=None) -> None:
        """``dialogs``: the questions and file choosers (:mod:`.dialogs`; default: none are
        shown); ``autosave_path``: where to autosave (default: no autosave); ``session``:
        the Session to show first (default: the default preset's)."""
        super().__init__(parent)
        self.dialogs = dialogs if dialogs is not None else NoDialogs()
        self._autosave_path = autosave_path
        if session is None:
            from sheafviz import Session

            session = Session.from_preset(None)
        #: the model everything shows (replace it with :meth:`set_session`)
        self.session = session
        self.player = Player(self.session, parent=self)
        #: the colours of every picture; ``theme.update(...)`` restyles the window
        self.theme = Theme()
        self.graph = GraphView(theme=self.theme)
        self.drape = DrapePanel(theme=self.theme)
        self.energy = EnergyPlot(theme=self.theme)
        self.bars = DiscordBars(theme=self.theme)
        self.dhist = DiscordHistory(theme=self.theme)
        try:
            presets = engine.list_presets()
        except OSError:  # the presets folder cannot be read: the combo box lists none
            presets = []
        self.panel = FlowPanel(presets)
        #: What the preset combo box calls (see open_preset); None: :meth:`load_preset`.
        self.preset_opener = None
        self._state_file = os.environ.get(STATE_FILE_ENV)
        self._build()
        #: the preset's notes across the top, shown by default (issue 11)
        self.notes_banner = NotesBanner(self)
        self.wiring = SessionWiring(self, self.session, self.player)
        self.wiring.install_shortcuts()
        self.wiring.rebuild()
        self._install_debug_docks()
        self._install_chapter()
        from .lecture import install_lecture_features  # issue 5: menus, keys, sessions, …

        self.lecture = install_lecture_features(self, dialogs=self.dialogs,
                                               autosave_path=self._autosave_path)
        self._install_explanations()

    def _install_explanations(self) -> None:
        """File > Quit and the Help menu (keys, guided tour, About), after the other menus;
        the notes banner folds in presentation mode (the room needs the pictures)."""
        from .help import install_help_menu

        self.help = install_help_menu(self)
        self.lecture.presentation.modeChanged.connect(
            lambda on: self.notes_banner.fold_for("presentation", bool(on)))
        # a lesson keeps its bar and its dock in presentation mode (the dock in the flow
        # panel's column)
        self.lecture.presentation.modeChanged.connect(self.chapter.lessons.fit_presentation)

    # -- debug docks (issue 6) ---------------------------------------------------------------
    def _install_debug_docks(self) -> None:
        """The debugging docks, hidden until chosen in the Debug menu; their two links to the
        drape: the slowest-mode ghost and the switching timeline's scrubber."""
        from .debug import install_debug_panels  # the docks cost ~0.1 s; only built here

        self.debug_docks = install_debug_panels(self, dialogs=self.dialogs,
                                                theme=self.theme)
        self.debug_hub = self.debug_docks[0].hub

    # -- layout ----------------------------------------------------------------------------
    def _build(self) -> None:
        self._titles = {}

        def titled(title: str, widget: QtWidgets.QWidget) -> QtWidgets.QWidget:
            box, self._titles[title] = _titled(title, widget)
            return box

        left = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        left.addWidget(titled("Path graph", self.graph))
        left.addWidget(titled("Drape", self.drape))
        bottom = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        bottom.addWidget(titled("Discord now", self.bars.widget))
        bottom.addWidget(titled("Discord over time", self.dhist.widget))
        left.addWidget(bottom)
        left.setStretchFactor(0, 4)
        left.setStretchFactor(1, 5)
        left.setStretchFactor(2, 3)
        self.panel.add_plot(titled("Residual energy", self.energy.widget))
        self.set_legends()
        main = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        main.addWidget(left)
        main.addWidget(self.panel)
        main.setStretchFactor(0, 7)
        main.setStretchFactor(1, 3)
        self._left, self._main, self._bottom = left, main, bottom
        left.installEventFilter(self)
        self.setCentralWidget(main)
        #: the read-outs, one named label each with a tooltip (:mod:`.status_items`)
        self.metrics = StatusLine()
        self.note = QtWidgets.QLabel()
        self.note.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                                QtWidgets.QSizePolicy.Policy.Fixed)
        #: the busy mark: the shown state is about to be replaced by a solve still running
        self.busy = QtWidgets.QLabel("⏳ solving…")
        self.busy.setVisible(False)
        self.statusBar().addWidget(self.metrics, 5)
        self.statusBar().addWidget(self.busy)
        self.statusBar().addWidget(self.note, 1)
        self._note_timer = QtCore.QTimer(self, singleShot=True, interval=MESSAGE_MS)
        self._note_timer.timeout.connect(lambda: self.note.setText(""))
        for b in (self.panel.play, self.panel.step, self.panel.reset, self.panel.jump):
            b.setFocusPolicy(QtCore.Qt.FocusPolicy.NoFocus)

    def _install_chapter(self) -> None:
        """The chapter's docks (EP, phase plane), data-panel items and lessons (issue 12);
        their connections live in :mod:`.chapter_wiring` (``self.chapter``)."""
        from .chapter_wiring import wire_chapter

        wire_chapter(self)

    def resizeEvent(self, ev) -> None:  # noqa: N802 - keep proportions when resized
        super().resizeEvent(ev)
        w = self.width()
        self._main.setSizes([int(w * 0.7), int(w * 0.3)])

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        # Proportions follow the left column's own height, not the window's: a debug dock or
        # the rewind bar takes height from the column, and the drape must keep its share.
        if obj is self._left and ev.type() == QtCore.QEvent.Type.Resize:
            self.share_left_column()
        return super().eventFilter(obj, ev)

    #: Shares of the left column's height, after the title lines: graph, drape, bottom plots.
    LEFT_SHARES = (0.30, 0.44, 0.26)

    def share_left_column(self) -> None:
        """Each panel of the left column gets its fixed pixels (its title, where a legend
        wraps when the text is large; its axes; the graph's vertex labels and legend row)
        plus its share of the rest, so large text never squeezes a picture to a sliver;
        the graph gets the height its dots want at their size (:mod:`.column_split`)."""
        left = self._left
        groups = [[("Path graph", self.graph)], [("Drape", self.drape)],
                  [("Discord now", self.bars.widget), ("Discord over time", self.dhist.widget)]]
        shown = [[(t, plot) for t, plot in group
                  if self._titles[t].parentWidget().isVisibleTo(self)] for group in groups]
        heads = [max((self._titles[t].heightForWidth(max(self._titles[t].width(), 1)) +
                      fixed_px(plot) for t, plot in group), default=0) for group in shown]
        shares = [share if group else 0.0 for share, group in zip(self.LEFT_SHARES, shown)]
        title = self._titles["Path graph"]
        wants = title.heightForWidth(max(title.width(), 1)) + self.graph.wanted_px()
        left.setSizes(column_sizes(left.height() - left.handleWidth() * 2, heads, shares,
                                   first_wants=wants))

    def open_preset(self, name: str) -> bool:
        """Open preset ``name`` (the preset combo box). ``preset_opener`` when set (the
        lecture features set it: it asks about unsaved changes first), else
        :meth:`load_preset`."""
        opener = self.preset_opener or self.load_preset
        return bool(opener(name))

    def set_session(self, session) -> None:
        """Show ``session`` from now on: the views, the player and the features follow it
        (a new preset, an opened file); ``sessionChanged`` tells the features."""
        self.player.pause()
        self.chapter.set_session(session)  # the chapter's docks and lessons (issue 12)
        self.session = session
        self.wiring.set_session(session)
        self.sessionChanged.emit()

    def load_preset(self, name: str | None = None, *, pins=None) -> bool:
        """Show a new session on the shipped preset ``name`` (the default one when None;
        ``pins``: a PinSet replacing the preset's); False and an error message when it
        cannot be opened (the window is unchanged)."""
        from sheafviz import Session

        try:
            session = Session.from_preset(name, pins=pins)
        except Exception as exc:  # noqa: BLE001 - any core failure is a message
            self.show_message(f"Cannot open preset {name!r}: {exc}", "error")
            return False
        self.set_session(session)
        return True

    def open_preset_object(self, preset, *, dataset=None, pins=None, data_spec=None) -> bool:
        """Show a new session on ``preset`` (a Preset object: any network) with an optional
        data set (``data_spec``: where it came from, saved with the session); False and an
        error message when it cannot be opened (the window is unchanged)."""
        from sheafviz import Session

        try:
            session = Session(preset.network, dataset, pins=pins,
                              example=preset.example or 0, preset=preset)
        except Exception as exc:  # noqa: BLE001 - any core failure is a message
            self.show_message(f"Cannot open {preset.name!r}: {exc}", "error")
            return False
        session.data_spec = data_spec
        self.set_session(session)
        return True

    # -- public API for the wiring and the plug-in features --------------------------------
    #: whether the graph's legend says how to pin (presentation mode leaves it out)
    legend_hints = True

    def set_legends(self) -> None:
        """Write each panel's title and legend in the current colours."""
        for title, note in legend_notes(self.theme, hints=self.legend_hints).items():
            self._titles[title].setText(f"<b>{title}</b>" +
                                        (f"&nbsp;&nbsp;&nbsp;{note}" if note else ""))

    def rebuild_views(self) -> None:
        """Rebuild every view's items (a new look: colours, text size)."""
        self.wiring.rebuild()

    def redraw(self) -> None:
        """Redraw every panel from the current frame."""
        self.wiring.redraw()

    def set_busy(self, on: bool) -> None:
        """Show or hide the busy mark (a solve runs off the GUI thread)."""
        self.busy.setVisible(bool(on))

    def show_message(self, text: str, level: str = "info") -> None:
        """A non-modal message in the status bar (errors in red), cleared after a while."""
        color = self.theme.MESSAGE_COLORS.get(level, self.theme.MESSAGE_COLORS["info"])
        self.note.setText(f"<span style='color:{color}'>{text}</span>")
        self.note.setToolTip(text)
        self._note_timer.start()
        self.messageShown.emit(text, level)

    # -- state file for external tests -------------------------------------------------------
    def write_state(self) -> None:
        """The state file for an external driver (``SHEAFVIZ_STATE_FILE``), if asked for."""
        if not self._state_file:
            return
        handle = self.windowHandle()
        if handle is None or not handle.isExposed():
            return  # not on screen yet: its layout (and each neuron's pixel) is still moving
        s = self.session
        self._state_serial = getattr(self, "_state_serial", 0) + 1
        data = {"serial": self._state_serial, "title": self.windowTitle(),
                "pins": s.pins.to_json(), "steps": s.steps, "playing": self.player.playing,
                "cochain": [float(v) for v in s.cochain],
                "neurons": self.neuron_screen_positions()}
        tmp = self._state_file + ".tmp"
        with open(tmp, "w") as fh:
            json.dump(data, fh)
        os.replace(tmp, self._state_file)

    def neuron_screen_positions(self) -> dict:
        """Global screen position ``[x, y]`` of each dot in the graph view, by neuron name."""
        g = self.graph
        out = {}
        if g.layout_ is None:
            return out
        vp = g.viewport()
        for k, j, x, y in zip(g.dot_vertex, g.dot_coord, g.dot_x, g.dot_y):
            scene = g.vb.mapViewToScene(QtCore.QPointF(float(x), float(y)))
            pt = vp.mapToGlobal(g.mapFromScene(scene))
            out[f"{g.layout_.vertices[k].name}[{j}]"] = [pt.x(), pt.y()]
        return out

    def showEvent(self, ev) -> None:  # noqa: N802
        super().showEvent(ev)
        if self._state_file and not hasattr(self, "_state_timer"):
            # Re-written twice a second: positions are only right once the layout settled.
            self._state_timer = QtCore.QTimer(self, interval=500)
            self._state_timer.timeout.connect(self.write_state)
            self._state_timer.start()
