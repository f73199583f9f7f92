"""``sheafviz gui --screenshot`` in a fresh process, as the start-up benchmark runs it: the
first picture shows the default preset's state and its solved read-outs (checked against a
dense least-squares solve and eigensolve written here), and the start-up imported neither
scipy nor numba (both are loaded at their first real use)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import numpy as np

#: Runs the real command line; ``save_screenshot`` is wrapped to report what the window
#: shows at the moment it is saved.
CHILD = """
import gc, json, sys
import sheafviz.gui.app as app

plain = app.save_screenshot

def save_and_report(window, path):
    ok = plain(window, path)
    xs, ys = window.drape.points.getData()
    print(json.dumps({
        "ok": ok, "status": window.metrics.text(), "gc": gc.isenabled(),
        "drape": [[int(i), float(y)] for i, y in zip(window.drape.points.data['data'], ys)],
        "modules": sorted(m for m in sys.modules if m.split(".")[0] in
                          ("scipy", "numba", "llvmlite"))}))
    return ok

app.save_screenshot = save_and_report
from sheafviz.cli import main
sys.exit(main(["gui", "--screenshot", sys.argv[1], "--size", "960x540"]))
"""


def _dense_coboundary(weights, biases, sigma):
    """``D`` and ``g`` of the path sheaf x, z1, a1, z2, y (one hidden layer, identity
    output), written out block by block."""
    (w1, w2), (b1, b2) = weights, biases
    n0, n1, n2 = w1.shape[1], w1.shape[0], w2.shape[0]
    size = n0 + 2 * n1 + 2 * n2
    x, z1, a1, z2, y = np.split(np.arange(size), np.cumsum([n0, n1, n1, n2]))
    D = np.zeros((2 * n1 + 2 * n2, size))
    rows = np.split(np.arange(D.shape[0]), np.cumsum([n1, n1, n2]))
    D[np.ix_(rows[0], z1)], D[np.ix_(rows[0], x)] = np.eye(n1), -w1      # z1 = W1 x + b1
    D[np.ix_(rows[1], a1)], D[np.ix_(rows[1], z1)] = np.eye(n1), -np.diag(sigma)  # a1 = σ z1
    D[np.ix_(rows[2], z2)], D[np.ix_(rows[2], a1)] = np.eye(n2), -w2      # z2 = W2 a1 + b2
    D[np.ix_(rows[3], y)], D[np.ix_(rows[3], z2)] = np.eye(n2), -np.eye(n2)  # y = z2
    g = np.concatenate([b1, np.zeros(n1), b2, np.zeros(n2)])
    return D, g


def _number(status: str, name: str) -> float:
    return float(re.search(rf"{name} = ([-+0-9.e]+)", status).group(1))


def test_first_screenshot_shows_the_solved_default_preset(tmp_path):
    from sheafviz.core.data.presets import DEFAULT_PRESET, load_preset

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "s.png")], env=env,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["ok"] and (tmp_path / "s.png").stat().st_size > 10_000
    assert got["modules"] == []  # no scipy, no numba at start-up
    assert got["gc"]  # paused for the first imports only

    preset = load_preset(DEFAULT_PRESET)
    net, pins = preset.network, preset.pins.hard
    assert net.arch[1:-1] and len(net.arch) == 3 and not preset.pins.soft
    x = np.array([pins[("x", i)] for i in range(net.arch[0])])
    y = np.array([pins[("y", i)] for i in range(net.arch[-1])])
    (w1, w2), (b1, b2) = net.weights, net.biases
    # the shown state: the forward pass from x, with y held at its pin
    z1 = w1 @ x + b1
    shown = np.concatenate([x, z1, np.maximum(z1, 0), w2 @ np.maximum(z1, 0) + b2, y])
    for i, value in got["drape"]:
        assert abs(value - shown[i]) < 1e-9
    assert len(got["drape"]) == shown.size - x.size - y.size  # the free coordinates

    sigma = (z1 >= 0).astype(float)
    D, g = _dense_coboundary(net.weights, net.biases, sigma)
    pinned = np.r_[np.arange(x.size), shown.size - y.size + np.arange(y.size)]
    free = np.setdiff1d(np.arange(shown.size), pinned)
    # the equilibrium at the forward pattern: a dense least-squares solve over the free part
    c = shown.copy()
    c[free] = np.linalg.lstsq(D[:, free], g - D[:, pinned] @ shown[pinned], rcond=None)[0]
    n1 = z1.size
    assert np.array_equal(c[x.size:x.size + n1] >= 0, sigma == 1)  # consistent: a minimiser
    energy = lambda v: 0.5 * float(np.sum((D @ v - g) ** 2))  # noqa: E731
    lam = np.linalg.eigvalsh(D[:, free].T @ D[:, free])
    status = got["status"]
    np.testing.assert_allclose(_number(status, "E"), energy(shown), rtol=5e-3)
    np.testing.assert_allclose(_number(status, "R"), energy(c), rtol=5e-3)
    np.testing.assert_allclose(_number(status, "λmin"), lam[0], rtol=5e-3)
    np.testing.assert_allclose(_number(status, "λmax"), lam[-1], rtol=5e-3)
