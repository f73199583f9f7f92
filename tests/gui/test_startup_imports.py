"""What a GUI start-up must not load: numba (compiled kernels, seconds to import) and scipy
(~0.2 s) are imported on first use, and no debug panel nor the weight editor is built at
start. Neither are the lessons' file format and runner (tomllib; read when the Lessons menu
first opens or a lesson starts), the debug panels' modules (built when a dock is first
shown), the data behind them and the chapter's views (sheafviz.core.diagnostics imports a
submodule at its first use) nor OpenSSL's hashlib (the region map's colours)."""

import json
import os
import subprocess
import sys

import numpy as np

CHILD = """
import json, sys
PANELS = ("compare_panel", "data_panel", "discord_heatmap", "gradient_panel", "import_panel",
          "spectrum_panel", "switch_timeline")
DATA = ("ep", "inverse", "laplacian_modes", "predictions", "regions", "switching",
        "training_series")
from PySide6 import QtWidgets
from sheafviz.gui.app import prepare_app, save_screenshot
from sheafviz.gui.main_window import MainWindow
app = QtWidgets.QApplication([sys.argv[0]])
prepare_app(app, (640, 400))
w = MainWindow()
assert w.load_preset(None)
w.resize(640, 400)
ok = save_screenshot(w, sys.argv[1])
print(json.dumps({"ok": ok, "modules": sorted(m for m in sys.modules
                  if m.split(".")[0] in ("numba", "llvmlite", "scipy", "tomllib", "_hashlib")
                  or m in ("sheafviz.lessons.spec", "sheafviz.lessons.runner")
                  or m.startswith("sheafviz.gui.debug.") and m.split(".")[-1] in PANELS
                  or m.startswith("sheafviz.core.diagnostics.") and m.split(".")[-1] in DATA
                  or m in ("sheafviz.gui.chapter.ep_view", "sheafviz.gui.chapter.phase_view",
                           "sheafviz.gui.tour")),
                  "lessons_listed": [a.text() for a in w.chapter.lessons.menu.actions()
                                     if a.data()],
                  "built": [d.objectName() for d in w.debug_docks + [w.weight_dock]
                            if d.built()]}))
"""


def test_start_up_leaves_numba_scipy_and_hidden_panels_for_later(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path / "s.png")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got == {"ok": True, "modules": [], "lessons_listed": [], "built": []}
    assert (tmp_path / "s.png").stat().st_size > 1000


def test_bench_reference_window_is_a_full_hd_png(tmp_path):
    """`sheafviz bench --only startup` compares with this script: it must really draw."""
    from PySide6 import QtGui

    from sheafviz.cli.bench import DEFAULT_SECTIONS, SECTIONS
    from sheafviz.cli.bench.startup import BARE_WINDOW

    assert "startup" in SECTIONS and "startup" in DEFAULT_SECTIONS
    png = tmp_path / "bare.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", BARE_WINDOW, str(png)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    image = QtGui.QImage(str(png))
    assert (image.width(), image.height()) == (1920, 1080)
    # the sine curve is drawn across the plot: lit pixels in every 50-px band of its middle
    gray = image.convertToFormat(QtGui.QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(gray.constBits(), np.uint8).reshape(1080, gray.bytesPerLine())
    lit = (pixels[:1040, 300:1700] > 30).reshape(1040, 28, 50).any(axis=(0, 2))
    assert lit.all()
