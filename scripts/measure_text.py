#!/usr/bin/env python3
"""Measure the text sizes of the main window (offscreen): median and smallest pixel size of
every visible text item from the font metrics, cross-checked with tesseract's word boxes on
a screenshot when tesseract is installed.

    python scripts/measure_text.py --size 1920x1080 --presentation
    python scripts/measure_text.py --size 1280x720 --list        # every item, smallest first
    python scripts/measure_text.py --arch 16,8,1 --no-ocr

The pixel size is the em size of each item's font (see sheafviz/gui/textsize.py); OCR word
boxes are the ink of the letters, about 0.7-1.0 of it. Exit 0 after printing; 2 on bad input.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _parse(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="1920x1080", help="window size WxH (default 1920x1080)")
    p.add_argument("--presentation", action="store_true", help="measure presentation mode")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--preset", default=None, help="preset (default: the default preset)")
    which.add_argument("--arch", default=None, help="a He-initialised network, e.g. 16,8,1")
    p.add_argument("--list", action="store_true", help="print every item, smallest first")
    p.add_argument("--no-ocr", action="store_true", help="skip the tesseract cross-check")
    p.add_argument("--screenshot", metavar="FILE.png", help="keep the screenshot here")
    return p.parse_args(argv)


def open_window(size, *, preset=None, arch=None, presentation=False):
    """(app, window): the main window offscreen at ``size``, shown and settled."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("SHEAFVIZ_SETTINGS",
                          str(Path(tempfile.mkdtemp(prefix="sheafviz-measure-")) / "s.ini"))
    from PySide6 import QtCore, QtWidgets

    from sheafviz.gui.app import enter_presentation, prepare_app
    from sheafviz.gui.main_window import MainWindow

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    prepare_app(app, size)
    window = MainWindow()
    if arch:
        from sheafviz.core.data.presets import Preset
        from sheafviz.core.model.network import Network
        from sheafviz.core.model.pins import PinSet

        net = Network.he_init([int(n) for n in arch.split(",")], seed=0)
        ok = window.open_preset_object(Preset(name="custom", title=f"{arch} network",
                                              notes="", network=net, pins=PinSet()))
    else:
        ok = window.load_preset(preset)
    if not ok:
        raise SystemExit(f"measure_text: cannot open {preset or arch!r}")
    if presentation:
        enter_presentation(window)
    window.resize(*size)
    window.show()
    deadline = QtCore.QDeadlineTimer(800)
    while not deadline.hasExpired():
        app.processEvents()
    window.redraw()
    app.processEvents()
    return app, window


def main(argv=None) -> int:
    args = _parse(argv)
    from sheafviz.gui.app import parse_size

    try:
        size = parse_size(args.size)
    except ValueError as exc:
        print(f"measure_text: {exc}", file=sys.stderr)
        return 2
    app, window = open_window(size, preset=args.preset, arch=args.arch,
                              presentation=args.presentation)
    from sheafviz.gui import textsize

    samples = textsize.measure_text(window)
    s = textsize.summary(samples)
    mode = "presentation" if args.presentation else "normal"
    print(f"{size[0]}x{size[1]} {mode}: {s['n']} text items (font metrics)")
    print(f"  pixel size (em): median {s['median_px']:.1f} px, smallest {s['min_px']:.1f} px "
          f"({s['smallest']})")
    print(f"  ink height:      median {s['median_ink']:.1f} px, smallest {s['min_ink']:.1f} px")
    if args.list:
        for t in sorted(samples, key=lambda t: (t.pixel_size, t.description)):
            print(f"  {t.pixel_size:5.1f} px  ink {t.ink_height:5.1f}  {t.description}")
    image = window.grab().toImage()
    if args.screenshot:
        image.save(args.screenshot, "PNG")
    window.close()
    if args.no_ocr:
        return 0
    if not textsize.tesseract_available():
        print("  OCR cross-check skipped: tesseract is not installed "
              "(Debian: apt-get install tesseract-ocr)")
        return 0
    words = textsize.ocr_word_heights(image)
    if not words:
        print("  OCR: tesseract read no words")
        return 0
    heights = sorted(h for _, h in words)
    small = min(words, key=lambda w: w[1])
    # a single misread word can be tiny: the 5th percentile is the robust "smallest"
    p5 = heights[int(0.05 * (len(heights) - 1))]
    print(f"  OCR word boxes:  median {statistics.median(heights):.1f} px, 5th percentile "
          f"{p5:.1f} px, smallest {small[1]:.1f} px ('{small[0]}'), {len(words)} words")
    return 0


if __name__ == "__main__":
    sys.exit(main())
