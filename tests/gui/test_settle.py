"""The screenshot path's settling (sheafviz/gui/settle.py): pending single-shot timers are
fired at once, repeating ones are left alone, a self-restarting one cannot hang it."""

from PySide6 import QtCore, QtWidgets

from sheafviz.gui.settle import MAX_DELAY_MS, MAX_ROUNDS, settle


def _timer(parent, ms, *, single=True):
    t = QtCore.QTimer(parent, singleShot=single, interval=ms)
    t.fired = 0
    t.timeout.connect(lambda: setattr(t, "fired", t.fired + 1))
    t.start()
    return t


def test_pending_single_shots_fire_without_waiting(qapp):
    owner = QtWidgets.QWidget()
    short, chained = _timer(owner, 400), _timer(owner, 100)
    second = QtCore.QTimer(owner, singleShot=True, interval=400)
    second.timeout.connect(lambda: setattr(second, "done", True))
    chained.timeout.connect(second.start)  # started only when the first one fires
    clock = _timer(owner, 10, single=True)
    clock.stop()  # inactive: must not fire
    late = _timer(owner, MAX_DELAY_MS + 1000)  # a status message clearing: not awaited
    repeating = _timer(owner, 300, single=False)
    elapsed = QtCore.QElapsedTimer()
    elapsed.start()
    settle(qapp, owner)
    assert elapsed.elapsed() < 300  # no timer's delay was waited out
    assert (short.fired, chained.fired, clock.fired, late.fired) == (1, 1, 0, 0)
    assert getattr(second, "done", False) and not second.isActive()
    assert repeating.fired == 0 and repeating.isActive() and late.isActive()


def test_a_timer_that_restarts_itself_ends_after_max_rounds(qapp):
    owner = QtCore.QObject()
    t = _timer(owner, 50)
    t.timeout.connect(t.start)
    assert settle(qapp, owner) == MAX_ROUNDS
    assert t.fired == MAX_ROUNDS
