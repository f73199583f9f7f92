"""GUI test setup: offscreen Qt unless a real display is requested, Qt warnings fail tests,
and helpers that click real pyqtgraph items (found by their scene position, then clicked
through the viewport)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PySide6 import QtCore, QtGui, QtWidgets  # noqa: E402

#: Messages Qt's offscreen platform plugin prints for every top-level window; they say the
#: plugin lacks a window-manager feature, not that our code did anything wrong.
BENIGN = ("This plugin does not support propagateSizeHints()",)


@pytest.fixture(autouse=True)
def fail_on_qt_warnings(qtlog):
    """Any Qt warning / critical message logged during a test fails it."""
    yield
    bad = [r.message for r in qtlog.records
           if r.type in (QtCore.QtMsgType.QtWarningMsg, QtCore.QtMsgType.QtCriticalMsg,
                         QtCore.QtMsgType.QtFatalMsg)
           and not any(b in r.message for b in BENIGN)]
    assert not bad, f"Qt warnings: {bad}"


@pytest.fixture
def window(qtbot):
    """The real main window on the default preset at 1280×720, shown and settled."""
    from sheafviz.gui.app import prepare_app
    from sheafviz.gui.main_window import MainWindow

    prepare_app(QtWidgets.QApplication.instance(), (1280, 720))
    w = MainWindow()
    qtbot.addWidget(w)
    assert w.load_preset(None)
    w.resize(1280, 720)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.player.pause()
    w.close()


def view_pixel(view, x: float, y: float) -> QtCore.QPoint:
    """Viewport pixel of data point (x, y) of a PlotWidget-based view."""
    scene = view.plotItem.vb.mapViewToScene(QtCore.QPointF(float(x), float(y)))
    return view.mapFromScene(scene)


def settled_pixels(qtbot, view, points, timeout: int = 5000) -> list[QtCore.QPoint]:
    """Wait until ``points`` map to distinct pixels that stay put over two polls."""
    state = {"last": None}

    def stable():
        px = [view_pixel(view, x, y) for x, y in points]
        keys = [(p.x(), p.y()) for p in px]
        ok = len(set(keys)) == len(keys) and keys == state["last"]
        state["last"] = keys
        return ok

    qtbot.waitUntil(stable, timeout=timeout)
    return [view_pixel(view, x, y) for x, y in points]


def send_mouse(widget, kind, pos: QtCore.QPoint, buttons) -> None:
    """Send one real QMouseEvent (press / move / release) to ``widget`` at ``pos``."""
    types = {"press": QtCore.QEvent.Type.MouseButtonPress,
             "move": QtCore.QEvent.Type.MouseMove,
             "release": QtCore.QEvent.Type.MouseButtonRelease}
    left = QtCore.Qt.MouseButton.LeftButton
    button = QtCore.Qt.MouseButton.NoButton if kind == "move" else left
    local = QtCore.QPointF(pos)
    ev = QtGui.QMouseEvent(types[kind], local, QtCore.QPointF(widget.mapToGlobal(pos)),
                           button, buttons, QtCore.Qt.KeyboardModifier.NoModifier)
    QtWidgets.QApplication.sendEvent(widget, ev)


def drag(qtbot, widget, start: QtCore.QPoint, end: QtCore.QPoint, steps: int = 8) -> None:
    """Press at ``start``, move in ``steps`` moves to ``end``, release there."""
    left = QtCore.Qt.MouseButton.LeftButton
    none = QtCore.Qt.MouseButton.NoButton
    send_mouse(widget, "move", start, none)
    send_mouse(widget, "press", start, left)
    for k in range(1, steps + 1):
        p = start + (end - start) * (k / steps)
        send_mouse(widget, "move", QtCore.QPoint(int(p.x()), int(p.y())), left)
        qtbot.wait(5)
    send_mouse(widget, "release", end, none)


def dense_coboundary(network, layout, sigma) -> tuple[np.ndarray, np.ndarray]:
    """Independent reference: the residuals r = A c − g of every edge at fixed σ (identity
    head), built edge by edge right here (docs/mathematics.md, “Edges, restriction maps,
    discrepancies”). Returns A (edges' rows, size) and g (edges' rows,)."""
    n, k = layout.size, layout.n_hidden
    rows, rhs = [], []
    for l in range(1, k + 2):
        tail = layout.vertex("x" if l == 1 else f"a{l - 1}")
        head = layout.vertex(f"z{l}")
        block = np.zeros((head.dim, n))
        block[:, head.slice] = np.eye(head.dim)
        block[:, tail.slice] = -network.weights[l - 1]
        rows.append(block)
        rhs.append(network.biases[l - 1])
        if l <= k:
            a = layout.vertex(f"a{l}")
            block = np.zeros((a.dim, n))
            block[:, a.slice] = np.eye(a.dim)
            block[:, head.slice] = -np.diag(sigma[l - 1])
            rows.append(block)
            rhs.append(np.zeros(a.dim))
    zo, y = layout.vertex(f"z{k + 1}"), layout.vertex("y")
    block = np.zeros((y.dim, n))
    block[:, y.slice] = np.eye(y.dim)
    block[:, zo.slice] = -np.eye(y.dim)  # identity output head
    rows.append(block)
    rhs.append(np.zeros(y.dim))
    return np.vstack(rows), np.concatenate(rhs)


def dense_equilibrium_fixed_sigma(network, pins, layout, sigma) -> np.ndarray:
    """Independent reference (docs/mathematics.md, “The harmonic extension at a fixed
    pattern”): minimise ½Σ‖r_e‖² at fixed σ over the free coordinates by dense least
    squares, with r from :func:`dense_coboundary`."""
    n = layout.size
    A, g = dense_coboundary(network, layout, sigma)
    fixed = {layout.index(nm, i): v for (nm, i), v in pins.hard.items()}
    fixed_idx = np.array(sorted(fixed), dtype=int)
    free_idx = np.array([i for i in range(n) if i not in fixed], dtype=int)
    u = np.array([fixed[i] for i in fixed_idx])
    sol, *_ = np.linalg.lstsq(A[:, free_idx], g - A[:, fixed_idx] @ u, rcond=None)
    c = np.empty(n)
    c[fixed_idx], c[free_idx] = u, sol
    return c


def exact_discords(network, layout, c) -> dict:
    """d_e = ‖r_e‖² of docs/mathematics.md, “Edges … and Discord and energy” computed directly (identity head), by edge name."""
    k = layout.n_hidden
    st = {v.name: c[v.slice] for v in layout.vertices}
    out = {}
    for l in range(1, k + 2):
        tail = st["x"] if l == 1 else st[f"a{l - 1}"]
        r = st[f"z{l}"] - network.weights[l - 1] @ tail - network.biases[l - 1]
        out[f"aff{l}"] = float(r @ r)
        if l <= k:
            r = st[f"a{l}"] - np.maximum(st[f"z{l}"], 0)
            out[f"relu{l}"] = float(r @ r)
    r = st["y"] - st[f"z{k + 1}"]
    out["out"] = float(r @ r)
    return out
