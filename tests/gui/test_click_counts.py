"""One neuron click does each piece of work once: counted, not timed (issue 10: a click used
to resolve the pins 6 times and record the rewind bar twice). See
``scripts/profile_click.py`` for the whole profile of the same click."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from conftest import settled_pixels

from sheafviz.core.model.pins import PinSet
from sheafviz.core.solvers import solve as solve_module
from sheafviz.live.trajectory import Trajectory

LEFT = QtCore.Qt.MouseButton.LeftButton


def count_calls(monkeypatch, owner, name: str) -> list:
    """Wrap ``owner.name`` so that each call appends to the returned list."""
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def count_events(session, *names: str) -> dict:
    """How often each of the session's events fires from now on, by name."""
    seen = {name: 0 for name in names}
    for name in names:
        getattr(session.events, name).connect(
            lambda *_, n=name: seen.__setitem__(n, seen[n] + 1))
    return seen


@pytest.mark.parametrize("neuron", [("a1", 0), ("z1", 2)])
def test_one_click_fires_each_event_once_and_resolves_and_records_once(
        qtbot, window, monkeypatch, neuron):
    s, graph = window.session, window.graph
    name, i = neuron
    k = graph.layout_.vertex(name).position
    (px,) = settled_pixels(qtbot, graph, [(float(k), float(graph.ys[k][i]))])
    undo_before = len(s.undo_steps)
    events = count_events(s, "pins_changed", "state_changed", "selection_changed",
                          "settings_changed", "network_changed")
    resolves = count_calls(monkeypatch, PinSet, "_resolve")  # the computation, not the cache
    solves = count_calls(monkeypatch, solve_module, "equilibrium")
    recorded = count_calls(monkeypatch, Trajectory, "record")
    drawn = {view: count_calls(monkeypatch, getattr(window, view), "set_frame")
             for view in ("graph", "drape")}
    pinned_views = {"graph": count_calls(monkeypatch, window.graph, "set_pins"),
                    "drape": count_calls(monkeypatch, window.drape, "set_pins")}
    rewind_redraws = []
    window.lecture.rewind.changed.connect(lambda: rewind_redraws.append(1))

    qtbot.mouseClick(graph.viewport(), LEFT, pos=px)

    assert s.pins.is_pinned(name, i) and s.selection == (name, i)
    assert events == {"pins_changed": 1, "state_changed": 1, "selection_changed": 1,
                      "settings_changed": 0, "network_changed": 0}
    assert len(resolves) == 1  # the new pin set, resolved once and cached for every user
    assert len(solves) <= 1  # at most the one equilibrium the status line's R reads
    assert {view: len(calls) for view, calls in drawn.items()} == {"graph": 1, "drape": 1}
    assert {view: len(calls) for view, calls in pinned_views.items()} == \
        {"graph": 1, "drape": 1}
    assert len(s.undo_steps) == undo_before + 1  # one undo entry
    assert len(recorded) == 1  # one rewind entry: the pinned state at this instant
    np.testing.assert_array_equal(s.trajectory.items[-1][2], s.cochain)
    assert len(rewind_redraws) == 1  # and the rewind bar redrawn once
