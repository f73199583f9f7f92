"""A Viewer in a real IPython kernel (ipykernel + jupyter_client): the cell returns, Qt's event
loop runs between cells, and a pin through the session changes the screenshot."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

jupyter_client = pytest.importorskip("jupyter_client")
pytest.importorskip("ipykernel")

from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402
from jupyter_client.manager import KernelManager  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60  # a loaded 2-core machine starts a kernel slowly
CELL_TIMEOUT_S = 60

VIEWER_CELL = r"""
import json
import numpy as np
import sheafviz
from IPython import get_ipython
from PySide6 import QtCore

v = sheafviz.Viewer(preset="running-241", size=(1280, 720))
before = v.screenshot()
v.session.pin("y", [4.0])
after = v.screenshot()

def crop(img, widget):
    p = widget.mapTo(v.window, QtCore.QPoint(0, 0))
    return img[p.y():p.y() + widget.height(), p.x():p.x() + widget.width()]

changed = (before != after).any(axis=-1)
drape = (crop(before, v.window.drape) != crop(after, v.window.drape)).any(axis=-1)
fired = []
QtCore.QTimer.singleShot(50, lambda: fired.append(v.session.pins.hard[("y", 0)]))
print(json.dumps({"loop": get_ipython().active_eventloop, "shape": list(after.shape),
                  "changed": int(changed.sum()), "drape_changed": int(drape.sum()),
                  "visible": v.is_open}))
"""
LATER_CELL = "print(json.dumps({'fired': fired, 'open': v.is_open}))"


def _kernel(tmp_path) -> KernelManager:
    """A kernel on this test's Python with this checkout first on the path, offscreen Qt."""
    spec_dir = tmp_path / "kernels" / "sheafviz-test"
    spec_dir.mkdir(parents=True)
    env = {"QT_QPA_PLATFORM": "offscreen",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "sheafviz test", "language": "python", "env": env}))
    ksm = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")], ensure_native_kernel=False)
    return KernelManager(kernel_name="sheafviz-test", kernel_spec_manager=ksm)


def _run(kc, code: str) -> str:
    """Execute ``code``; return its stdout; fail with the traceback on an error."""
    out: list[str] = []

    def hook(msg):
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stdout":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    try:
        reply = kc.execute_interactive(code, timeout=CELL_TIMEOUT_S, output_hook=hook)
    except TimeoutError:
        pytest.fail(f"no reply within {CELL_TIMEOUT_S} s to the cell {code.strip()[:60]!r}; "
                    f"output so far: {''.join(out)!r}")
    assert reply["content"]["status"] == "ok", "".join(out)
    return "".join(out)


@pytest.mark.parametrize("magic", ["%gui qt", None], ids=["gui-magic", "automatic"])
def test_viewer_in_a_kernel(tmp_path, magic):
    km = _kernel(tmp_path)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=START_TIMEOUT_S)
        if magic:
            _run(kc, magic)
            # ipykernel misses a request that arrives before it has entered Qt's loop
            # (ipython/ipykernel#559, "Run All" after %gui qt hangs): let it get there first.
            time.sleep(1.0)
        got = json.loads(_run(kc, VIEWER_CELL).strip().splitlines()[-1])
        # the Viewer started Qt's integration itself when %gui was not run
        assert got["loop"] == "qt"
        assert got["shape"] == [720, 1280, 4] and got["visible"]
        assert got["changed"] > 200 and got["drape_changed"] > 50
        time.sleep(1.0)  # the kernel idles in Qt's loop: the timer fires between cells
        later = json.loads(_run(kc, LATER_CELL).strip().splitlines()[-1])
        assert later == {"fired": [4.0], "open": True}
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
