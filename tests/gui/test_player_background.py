"""The Qt side of a Session: the Player (a QTimer stepping the session once per frame,
within a frame budget) and LatestOnly (slow work off the GUI thread, one request at a time,
a waiting request replaced by a newer one, never an older result after a newer)."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from sheafviz.gui.background import LatestOnly
from sheafviz.gui.player import Player


@pytest.fixture
def session():
    from sheafviz import Session

    return Session.from_preset("running-241")


def test_player_steps_the_session_once_per_frame(qtbot, session):
    session.set_rates(steps_per_frame=4)
    seen = []
    session.events.state_changed.connect(lambda: seen.append(session.steps))
    frames = []
    p = Player(session, frame_ms=5)
    p.frameDone.connect(lambda: frames.append(session.steps))
    p.play()
    assert p.playing
    qtbot.waitUntil(lambda: len(frames) >= 6, timeout=10000)
    p.pause()
    assert not p.playing
    # one state event per frame (one step call), and never more steps than asked for
    assert seen[:len(frames)] == frames[:len(seen)]
    steps = np.diff([0] + frames)
    assert steps[0] == 1  # the first frame learns the cost of one step
    assert np.all((steps >= 1) & (steps <= 4))
    assert p.step_cost_s is not None and p.step_cost_s > 0


def test_frame_budget_lowers_the_steps_of_a_slow_flow(session):
    session.set_rates(steps_per_frame=100)
    p = Player(session, budget_s=0.03)
    p.step_cost_s = 0.01  # as if one step cost 10 ms
    assert p.steps_this_frame() == 3
    p.step_cost_s = 1e-6
    assert p.steps_this_frame() == 100  # a cheap flow takes every step it asked for
    p.step_cost_s = 1.0
    assert p.steps_this_frame() == 1  # never fewer than one


def test_step_button_and_convergence_pause(qtbot, session):
    p = Player(session)
    session.set_rates(steps_per_frame=3)
    p.step()
    assert session.steps == 3 and not p.playing
    messages = []
    p.message.connect(lambda text, level: messages.append(text))
    session.equilibrium()  # at rest: the next frame converges
    p.play()
    qtbot.waitUntil(lambda: not p.playing, timeout=10000)
    assert messages and messages[-1].startswith("Converged")
    with pytest.raises(ValueError, match="frame_ms"):
        Player(session, frame_ms=0)


def test_results_arrive_in_order_replaced_requests_never_run(qtbot):
    worker = LatestOnly()
    gate = threading.Event()

    def slow(x):
        gate.wait(10)
        return x * x

    got, busy = [], []
    worker.done.connect(lambda result, tag: got.append((result, tag)))
    worker.busyChanged.connect(busy.append)
    worker.submit(slow, 1, tag="first")   # starts at once
    worker.submit(slow, 2, tag="second")  # waits ...
    worker.submit(slow, 3, tag="third")   # ... and is replaced by this one
    assert worker.busy
    gate.set()
    qtbot.waitUntil(lambda: not worker.busy, timeout=10000)
    # the first ran and shows; the second was replaced while waiting; the third is last
    assert got == [(1, "first"), (9, "third")]
    assert busy == [True, False]


def test_cancel_drops_the_running_result_and_failures_are_reported(qtbot):
    worker = LatestOnly()
    gate = threading.Event()
    got, failed = [], []
    worker.done.connect(lambda result, tag: got.append(result))
    worker.failed.connect(lambda text, tag: failed.append((text, tag)))
    slow_started = threading.Event()
    worker.submit(lambda: slow_started.set() or (gate.wait(10) and "late"))
    worker.submit(lambda: "waiting")  # replaced by nothing, dropped by the cancel
    worker.cancel()
    gate.set()
    qtbot.waitUntil(lambda: not worker.busy, timeout=10000)
    assert got == []

    def broken():
        raise ArithmeticError("no finite equilibrium")

    worker.submit(broken, tag="drag")
    qtbot.waitUntil(lambda: not worker.busy, timeout=10000)
    assert failed == [("ArithmeticError: no finite equilibrium", "drag")]


def test_an_equilibrium_solved_off_thread_equals_the_direct_solve(qtbot, session):
    """The use it is for: the core solve is a pure function of immutable inputs."""
    from sheafviz.core.solvers.solve import equilibrium

    pins = session.pins.pin(session.layout, "y", [3.0])
    direct = equilibrium(session.network, pins, sigma="auto", layout=session.layout)
    worker = LatestOnly()
    got = []
    worker.done.connect(lambda sol, tag: got.append(sol))
    net, lay = session.network, session.layout
    worker.submit(lambda: equilibrium(net, pins, sigma="auto", layout=lay))
    qtbot.waitUntil(lambda: bool(got), timeout=10000)
    np.testing.assert_array_equal(got[0].cochain, direct.cochain)
    assert got[0].energy == direct.energy
