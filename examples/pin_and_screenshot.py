"""Pin neurons from a script and save a screenshot after each change.

    python examples/pin_and_screenshot.py --out shots/

Opens the running [2,4,1] example off screen (``--show`` to watch), clamps the output at
three values and then steers one hidden neuron, jumping to the equilibrium each time, and
writes one PNG per step (Pillow). Without a display it renders offscreen.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

#: (file name, what to pin, value): the output clamped at three heights, then a hidden
#: neuron held at zero while the output stays clamped.
STEPS = [("1-output-low.png", "y", [1.5]),
         ("2-output-mid.png", "y", [2.5]),
         ("3-output-high.png", "y", [3.5]),
         ("4-hidden-neuron-held.png", "a1[0]", 0.0)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="screenshots", help="folder for the PNG files")
    parser.add_argument("--preset", default="running-241")
    parser.add_argument("--size", default="1280x720", help="picture size, WxH")
    parser.add_argument("--show", action="store_true", help="show the window while it runs")
    args = parser.parse_args(argv)
    if not args.show and not os.environ.get("DISPLAY") and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PIL import Image

    import sheafviz

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    viewer = sheafviz.Viewer(preset=args.preset, show=args.show, size=args.size)
    session = viewer.session
    Image.fromarray(viewer.screenshot()).save(out / "0-start.png")
    for name, target, value in STEPS:
        session.pin(target, value)
        result = session.equilibrium()
        viewer.highlight(target)
        Image.fromarray(viewer.screenshot()).save(out / name)
        print(f"{name}: {target} = {value}, E = {result.energy:.4g}, "
              f"y = {result.vertices['y'].round(4).tolist()}")
    viewer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
