"""Soak benchmark: many animation frames of the default window, offscreen, watching memory
and the drawn data (``sheafviz bench --only soak``; not part of the default ``bench`` run).

One *frame* is what the animation timer does: advance the flow by steps-per-frame, update
every panel and let Qt repaint them. Every 500 frames the relaxation restarts so the picture
keeps moving; the second half runs the joint flow, so the weights move too. Printed: the
resident memory (RSS) after a warm-up and at the end, its growth in percent (target < 5 %),
and whether any non-finite value was ever drawn by the graph or the drape (their item data
are checked every ``CHECK_EVERY`` frames).

``SHEAFVIZ_SOAK_FRAMES`` sets the frame count (default 100,000, about three quarters of an
hour on one core); the warm-up is a tenth of the frames, at most 2,000.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np

from sheafviz.cli.bench import interrupt

FRAMES = 100_000
SIZE = (1280, 720)
CHECK_EVERY = 100
RSS_EVERY = 1000
RESET_EVERY = 500
GROWTH_TARGET_PERCENT = 5.0


def rss_kib() -> int:
    """Resident set size of this process in KiB (Linux ``/proc``)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS line in /proc/self/status")


def frame_count() -> int:
    """Frames asked for by ``SHEAFVIZ_SOAK_FRAMES`` (default :data:`FRAMES`)."""
    raw = os.environ.get("SHEAFVIZ_SOAK_FRAMES", "").strip()
    if not raw:
        return FRAMES
    try:
        frames = int(raw)
    except ValueError:
        raise ValueError(f"SHEAFVIZ_SOAK_FRAMES={raw!r} is not a whole number") from None
    if frames < 10:
        raise ValueError(f"SHEAFVIZ_SOAK_FRAMES={frames} is too few (at least 10)")
    return frames


def bad_values(x: np.ndarray, y: np.ndarray | None, connect) -> int:
    """Count of non-finite drawn values.

    A ``connect="finite"`` polyline uses NaN as a separator, at the same index in x and y;
    a NaN in only one of them (or any ±inf) is a value that went bad. Other data must be
    finite throughout. ``x``, ``y`` have the same shape (n,); ``y`` may be None.
    """
    x = np.asarray(x, dtype=float)
    if y is None:
        return int(np.count_nonzero(~np.isfinite(x)))
    y = np.asarray(y, dtype=float)
    if isinstance(connect, str) and connect == "finite":
        return int(np.count_nonzero(np.isnan(x) != np.isnan(y))
                   + np.count_nonzero(np.isinf(x)) + np.count_nonzero(np.isinf(y)))
    return int(np.count_nonzero(~np.isfinite(x)) + np.count_nonzero(~np.isfinite(y)))


def _item_arrays(item):
    """``(x, y, connect)`` triples drawn by one scene item (empty if it draws no arrays)."""
    layers = getattr(item, "layers", None)
    if isinstance(layers, list):  # a LineBundle: one item, many polylines
        return [(*layer.getData(), getattr(layer, "connect", "all")) for layer in layers
                if hasattr(layer, "getData")]
    get = getattr(item, "getData", None)
    if get is None or not callable(get):
        return []
    try:
        data = get()
    except TypeError:  # a getData that wants arguments is not a data accessor
        return []
    if not isinstance(data, tuple) or len(data) != 2 or data[0] is None:
        return []
    opts = getattr(item, "opts", None)
    connect = opts.get("connect", "all") if isinstance(opts, dict) else "all"
    return [(data[0], data[1], connect)]


def drawn_bad_values(views) -> int:
    """Non-finite drawn values over every item of the scenes of ``views`` (QGraphicsViews)."""
    total = 0
    for view in views:
        for item in view.scene().items():
            for x, y, connect in _item_arrays(item):
                total += bad_values(x, y, connect)
    return total


def _trend(samples: list[tuple[int, int]]) -> float:
    """Least-squares slope of RSS over frames in KiB per 10,000 frames (0 if < 3 samples):
    RSS moves up and down as the allocator reuses memory, a leak shows as a steady slope."""
    if len(samples) < 3:
        return 0.0
    frames, rss = np.array(samples, dtype=float).T
    return float(np.polyfit(frames, rss, 1)[0] * 10_000)


def _window(app):
    from sheafviz.gui.main_window import MainWindow

    window = MainWindow()
    if not window.load_preset(None):
        raise RuntimeError("could not open the default preset")
    window.resize(*SIZE)
    window.show()
    end = time.perf_counter() + 0.5
    while time.perf_counter() < end:
        app.processEvents()
    return window


def soak(app, window, *, frames: int, print_fn=print) -> dict:
    """Play ``frames`` frames; return RSS before/after (KiB), growth (%) and bad-value count."""
    s = window.session
    views = [window.graph, window.drape]
    warmup = min(2000, max(1, frames // 10))
    s.set_rates(steps_per_frame=4)
    bad = 0
    checks = 0
    t0 = time.perf_counter()
    rss_warm = None
    samples: list[tuple[int, int]] = []  # (frame, RSS KiB) after the warm-up
    for k in range(frames):
        if k % RESET_EVERY == RESET_EVERY // 2:
            window.wiring.reset()  # restart the relaxation so the picture keeps moving
        if k == frames // 2:
            s.set_mode("joint")  # second half: the weights move too
        window.player.tick()
        app.processEvents()  # delivers the repaint of every visible panel
        interrupt.check()  # Ctrl-C (Qt drops a KeyboardInterrupt raised in a paint)
        if k % CHECK_EVERY == 0:
            bad += drawn_bad_values(views)
            bad += int(np.count_nonzero(~np.isfinite(s.cochain)))
            checks += 1
        if k + 1 >= warmup and (k + 1 - warmup) % RSS_EVERY == 0:
            samples.append((k + 1, rss_kib()))
        if k + 1 == warmup:
            rss_warm = samples[0][1]
            print_fn(f"after {warmup} warm-up frames: RSS {rss_warm / 1024:.1f} MiB")
        if (k + 1) % 10_000 == 0 and k + 1 != frames:
            print_fn(f"  {k + 1} frames, RSS {rss_kib() / 1024:.1f} MiB, "
                     f"{(k + 1) / (time.perf_counter() - t0):.0f} frames/s")
    bad += drawn_bad_values(views)
    rss_end = rss_kib()
    samples.append((frames, rss_end))
    growth = (rss_end - rss_warm) / rss_warm * 100.0
    return {"frames": frames, "warmup": warmup, "rss_warm_kib": rss_warm,
            "rss_end_kib": rss_end, "growth_percent": growth, "bad_values": bad,
            "rss_max_kib": max(r for _, r in samples), "trend_kib_per_10k": _trend(samples),
            "checks": checks + 1, "seconds": time.perf_counter() - t0}


def run(print_fn=print) -> dict:
    """Print and return the soak numbers for the default window."""
    frames = frame_count()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import QtWidgets

    from sheafviz.gui.app import prepare_app

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    prepare_app(app, SIZE)
    window = _window(app)
    print_fn(f"default window {SIZE[0]}×{SIZE[1]}, {frames} frames "
             f"(SHEAFVIZ_SOAK_FRAMES to change)")
    try:
        r = soak(app, window, frames=frames, print_fn=print_fn)
    finally:
        window.player.pause()
        window.close()
        window.deleteLater()
        app.processEvents()
    verdict = "ok" if r["growth_percent"] < GROWTH_TARGET_PERCENT else "OVER TARGET"
    print_fn(f"{r['frames']} frames in {r['seconds']:.0f} s "
             f"({r['frames'] / r['seconds']:.0f} frames/s)")
    print_fn(f"RSS {r['rss_warm_kib'] / 1024:.1f} MiB after warm-up → "
             f"{r['rss_end_kib'] / 1024:.1f} MiB at the end: {r['growth_percent']:+.2f} % "
             f"(target < {GROWTH_TARGET_PERCENT:g} %: {verdict}); at most "
             f"{r['rss_max_kib'] / 1024:.1f} MiB; trend {r['trend_kib_per_10k'] / 1024:+.2f} MiB "
             f"per 10,000 frames (a fit to RSS every {RSS_EVERY} frames)")
    print_fn(f"non-finite drawn values: {r['bad_values']} over {r['checks']} checks of the "
             f"graph and drape data")
    return r
