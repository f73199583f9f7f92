"""Fake views and a fake window for the wiring tests (test_session_wiring.py wires them
to a real Session: every view intent reaches the Session, every event reaches the views'
``set_*`` methods), and the Theme's own checks. No real view is involved, so a connection
that goes missing (or goes to the wrong method) fails by name."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from sheafviz.gui.theme import Theme


class Recorder:
    """Records calls of any ``set_*`` (or other) method: ``calls[name] = [args, …]``."""

    def __init__(self) -> None:
        self.calls: dict[str, list] = {}

    def record(self, name, *args, **kwargs) -> None:
        self.calls.setdefault(name, []).append((args, kwargs))

    def last(self, name):
        assert name in self.calls, f"{name} was never called; calls: {sorted(self.calls)}"
        return self.calls[name][-1]


def recording(names):
    """A class whose methods ``names`` record their calls."""
    def make(n):
        return lambda self, *a, **k: self.rec.record(n, *a, **k)
    return {n: make(n) for n in names}


class FakeGraph(QtCore.QObject, Recorder):
    neuronClicked = QtCore.Signal(str, int)
    stalkClicked = QtCore.Signal(str)
    pinDragged = QtCore.Signal(str, int, float)
    dragStarted = QtCore.Signal()
    dragFinished = QtCore.Signal()
    hoverChanged = QtCore.Signal(object)
    hovered = None
    locals().update(recording(["set_session", "set_pins", "set_frame", "set_hover_text"]))

    def __init__(self) -> None:
        QtCore.QObject.__init__(self)
        Recorder.__init__(self)
        self.rec = self


class FakeDrape(QtCore.QObject, Recorder):
    neuronClicked = QtCore.Signal(str, int)
    pinDragged = QtCore.Signal(str, int, float)
    dragStarted = QtCore.Signal()
    dragFinished = QtCore.Signal()
    locals().update(recording(["set_session", "set_pins", "set_frame", "set_mode_ghost"]))

    def __init__(self) -> None:
        QtCore.QObject.__init__(self)
        Recorder.__init__(self)
        self.rec = self


class FakePlot(Recorder):
    locals().update(recording(["set_session", "set_data"]))

    def __init__(self) -> None:
        super().__init__()
        self.rec = self


class FakePanel(QtCore.QObject, Recorder):
    presetChosen = QtCore.Signal(str)
    playClicked = QtCore.Signal()
    stepClicked = QtCore.Signal()
    resetClicked = QtCore.Signal()
    equilibriumClicked = QtCore.Signal()
    modeChosen = QtCore.Signal(str)
    alphaChanged = QtCore.Signal(float)
    betaChanged = QtCore.Signal(float)
    dtChanged = QtCore.Signal(float)
    stepsPerFrameChanged = QtCore.Signal(int)
    exampleChanged = QtCore.Signal(int)
    batchToggled = QtCore.Signal(bool)
    pinValueEdited = QtCore.Signal(str, int, float)
    pinToggled = QtCore.Signal(str, int)
    locals().update(recording(["set_params", "set_playing", "set_selection",
                               "set_selected_value"]))

    def __init__(self) -> None:
        QtCore.QObject.__init__(self)
        Recorder.__init__(self)
        self.rec = self


class FakeWindow(QtWidgets.QWidget, Recorder):
    """What the wiring needs of a window: its views, status label and a few verbs."""

    locals().update(recording(["show_message", "open_preset", "set_legends", "write_state",
                               "set_busy"]))

    def __init__(self) -> None:
        QtWidgets.QWidget.__init__(self)
        Recorder.__init__(self)
        self.rec = self
        self.graph, self.drape, self.panel = FakeGraph(), FakeDrape(), FakePanel()
        self.energy, self.bars, self.dhist = FakePlot(), FakePlot(), FakePlot()
        from sheafviz.gui.status_items import StatusLine

        self.metrics = StatusLine()
        self.theme = Theme()


def test_theme_rejects_unknown_roles_and_fires_once_per_update():
    t = Theme()
    fired = []
    t.changed.connect(lambda: fired.append(1))
    t.update(colors={"PIN_COLOR": "#123456"}, edge_colors={"affine": "#1", "relu": "#2",
                                                           "output": "#3"})
    assert fired == [1] and t.PIN_COLOR == "#123456" and t.EDGE_COLORS["relu"] == "#2"
    with pytest.raises(ValueError, match="PIN_COLOUR"):
        t.update(colors={"PIN_COLOUR": "#000000"})
    with pytest.raises(AttributeError, match="NOT_A_ROLE"):
        t.NOT_A_ROLE  # noqa: B018
