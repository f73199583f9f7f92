"""GUI benchmark: animation frames per second and pin-to-redraw latency, offscreen.

Measured on the real main window at 1920×1080. One *frame* is what the animation timer
does: advance the flow by steps-per-frame, update every panel, and let Qt repaint every
visible panel (``processEvents`` delivers the paints; the count of viewport paints per
frame is printed so a frame that skipped a panel would show). The *latency* is from a
pin-value change (what one drag move or one typed value does) to the redrawn equilibrium.
Wall-clock and process CPU time are both printed: on a shared machine the wall clock also
counts other processes' time slices. The latency is given as median, 95th percentile and
maximum over many changes: a single maximum on a shared machine mostly measures the other
processes (compare it with the CPU median).

Targets (issue 4): default preset ≥ 60 fps and ≤ 16 ms; a [784,128,64,10] network
≥ 20 fps and ≤ 100 ms (its wide stalks are drawn as collapsed strips).
"""

from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

from sheafviz.cli.bench import interrupt

SIZE = (1920, 1080)
FRAMES = 240
LATENCY_REPEATS = 120


def bench_app():
    """The QApplication for a benchmark (offscreen without a display), prepared at SIZE."""
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from sheafviz.gui.app import prepare_app

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    prepare_app(app, SIZE, forward_messages=True)
    return app


def _large_preset():
    """A He-initialised [784,128,64,10] network with an input and a one-hot target pinned."""
    from sheafviz.core.model.network import Network
    from sheafviz.core.model.pins import PinSet
    from sheafviz.core.data.presets import Preset
    from sheafviz.core.model.sheaf import SheafLayout
    from sheafviz.gui import engine

    net = Network.he_init([784, 128, 64, 10], seed=0)
    lay = SheafLayout(net.arch)
    rng = np.random.default_rng(1)
    pins = PinSet().pin(lay, "x", rng.uniform(0.0, 1.0, 784)).pin(lay, "y", np.eye(10)[3])
    c = lay.forward_cochain(net, rng.uniform(0.0, 1.0, 784))
    lam_max = engine.spectrum(net, pins, lay, c)[1]
    dt = 0.5 / lam_max  # a quarter of the Euler limit: stable through pattern changes
    return Preset("bench-784", "[784,128,64,10] benchmark network", "", net, pins, dt=dt)


class _PaintCounter:
    def __init__(self, widgets) -> None:
        from PySide6 import QtCore

        class Filter(QtCore.QObject):
            def __init__(self, outer):
                super().__init__()
                self.outer = outer

            def eventFilter(self, obj, ev):  # noqa: N802
                if ev.type() == QtCore.QEvent.Type.Paint:
                    self.outer.count += 1
                return False

        self.count = 0
        self.filter = Filter(self)
        self.widgets = widgets
        for w in widgets:
            w.installEventFilter(self.filter)

    def remove(self) -> None:
        for w in self.widgets:
            w.removeEventFilter(self.filter)


def bench_window(app, preset_name=None, preset=None):
    """A main window at SIZE on a preset (by name, or a Preset object), shown and settled."""
    from sheafviz.gui.main_window import MainWindow

    w = MainWindow()
    ok = w.open_preset_object(preset) if preset is not None else w.load_preset(preset_name)
    if not ok:
        raise RuntimeError("could not open the benchmark session")
    w.resize(*SIZE)
    w.show()
    end = time.perf_counter() + 0.5
    while time.perf_counter() < end:
        app.processEvents()
    return w


def measure(app, window, *, frames: int = FRAMES, pin=("x", 0)) -> dict:
    """fps over ``frames`` frames and the pin→redraw latency (median, max) in ms."""
    s, player = window.session, window.player
    views = [window.graph, window.drape, window.energy.widget, window.bars.widget,
             window.dhist.widget]
    counter = _PaintCounter([v.viewport() for v in views])
    window.wiring.reset()
    for _ in range(10):  # warm caches (first paints build glyph and symbol atlases)
        player.tick()
        app.processEvents()
    counter.count = 0
    t0, cpu0 = time.perf_counter(), time.process_time()
    for _ in range(frames):
        player.tick()
        app.processEvents()
        interrupt.check()  # Ctrl-C (Qt drops a KeyboardInterrupt raised in a paint)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    paints = counter.count / frames
    name, i = pin
    v0 = float(s.cochain[s.layout.index(name, i)])
    lat, lat_cpu = [], []
    for k in range(LATENCY_REPEATS):
        value = v0 + 0.5 * np.sin(0.7 * k)
        t, c0 = time.perf_counter(), time.process_time()
        window.wiring.drag_pin(name, i, value)  # state_changed → every panel updates
        app.processEvents()                # … and repaints
        interrupt.check()
        lat.append((time.perf_counter() - t) * 1e3)
        lat_cpu.append((time.process_time() - c0) * 1e3)
    counter.remove()
    return {"fps": frames / elapsed, "ms_per_frame": elapsed / frames * 1e3,
            "cpu_ms_per_frame": cpu / frames * 1e3,
            "latency_cpu_median_ms": statistics.median(lat_cpu),
            "paints_per_frame": paints, "latency_median_ms": statistics.median(lat),
            "latency_p95_ms": float(np.percentile(lat, 95)),
            "latency_max_ms": max(lat), "steps_per_frame": s.rates.steps_per_frame}


def run(print_fn=print) -> dict:
    """Print and return the numbers for the default preset and the large network."""
    app = bench_app()
    results = {}
    cases = [("default preset (running-241)", dict(preset_name=None), 60, 16),
             ("[784,128,64,10]", dict(preset=_large_preset()), 20, 100)]
    for label, kwargs, fps_target, lat_target in cases:
        w = bench_window(app, **kwargs)
        r = measure(app, w)
        results[label] = r
        print_fn(f"{label}: {r['fps']:.1f} fps ({r['ms_per_frame']:.2f} ms/frame wall, "
                 f"{r['cpu_ms_per_frame']:.2f} ms CPU; {r['steps_per_frame']} steps/frame, "
                 f"{r['paints_per_frame']:.1f} panel paints/frame; target ≥ {fps_target})")
        print_fn(f"{label}: pin → redrawn equilibrium {r['latency_median_ms']:.1f} ms median "
                 f"({r['latency_cpu_median_ms']:.1f} ms CPU), {r['latency_p95_ms']:.1f} ms "
                 f"95th percentile, {r['latency_max_ms']:.1f} ms max over {LATENCY_REPEATS} "
                 f"changes (target ≤ {lat_target})")
        w.close()
        w.deleteLater()
        app.processEvents()
    return results


if __name__ == "__main__":  # pragma: no cover
    run()
