"""Screenshots of the chapter's views inside the main window (issue 12), offscreen.

    QT_QPA_PLATFORM=offscreen python scripts/chapter_window_screenshots.py [OUT_DIR]

OUT_DIR defaults to resources/screenshots. Writes (as chapter-*.png, 1920×1080) window-ep.png (the EP dock, γ = 0.01),
window-ep-hard.png, window-phase.png (the phase plane after a perturbation and some
steps), window-regions.png (paraboloid-2h: the regions on the data panel), window-inverse.png
(running-241 with y pinned and x free: the inverse family), window-lesson.png and
window-lesson-present.png (a lesson step, normal and in presentation mode) and
window-phase-present.png (the phase plane in presentation mode).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6 import QtCore, QtWidgets

SIZE = BIG = (1920, 1080)


def settle(app, seconds: float = 0.4) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.005)


def new_window(app, size=SIZE):
    from sheafviz.gui.main_window import MainWindow

    w = MainWindow()
    w.resize(*size)
    w.show()
    settle(app)
    return w


def shot(app, window, out: Path, name: str) -> None:
    settle(app)
    path = out / f"chapter-{name}.png"
    window.grab().save(str(path))
    print(path)


def ep_shots(app, out: Path) -> None:
    w = new_window(app)
    s = w.session
    w.chapter.docks["ep"].setVisible(True)
    s.pin("y", [3.0], stiffness=0.01)
    s.equilibrium()
    shot(app, w, out, "window-ep")
    w.chapter.ep_view.slider.setValue(w.chapter.ep_view.slider.maximum())  # "hard"
    shot(app, w, out, "window-ep-hard")
    w.close()


def phase_shots(app, out: Path) -> None:
    w = new_window(app)
    s = w.session
    w.chapter.docks["phase"].setVisible(True)
    s.pin("y", [3.0])
    settle(app)
    w.chapter.perturb(1.0)
    for _ in range(60):
        s.step(2)
        app.processEvents()
    shot(app, w, out, "window-phase")
    w.close()


def plane_shots(app, out: Path) -> None:
    from sheafviz import Session

    w = new_window(app)
    w.set_session(Session.from_preset("paraboloid-2h"))
    dock = w.chapter.data_dock()
    dock.setVisible(True)
    settle(app)
    w.resizeDocks([dock], [int(0.5 * w.height())], QtCore.Qt.Orientation.Vertical)
    shot(app, w, out, "window-regions")
    w.set_session(Session.from_preset("running-241"))
    s = w.session
    s.unpin("x")
    s.pin("y", [2.0])
    shot(app, w, out, "window-inverse")
    w.close()


def lesson_shots(app, out: Path) -> None:
    w = new_window(app, BIG)
    w.chapter.lessons.open("ep-limit")
    shot(app, w, out, "window-lesson")
    w.lecture.presentation.enter(fullscreen=False)
    w.resize(*BIG)
    w.chapter.lessons.next()
    settle(app)  # the lesson bar takes its caption's height first …
    w.resize(*BIG)  # … then the window is told the screen's size, as full screen would
    shot(app, w, out, "window-lesson-present")
    phase = w.chapter.docks["phase"]
    phase.setVisible(True)
    phase.raise_()
    for _ in range(40):
        w.session.step(2)
        app.processEvents()
    shot(app, w, out, "window-phase-present")
    w.lecture.presentation.leave()
    w.close()


def main(argv) -> int:
    from sheafviz.gui.app import prepare_app

    out = Path(argv[1] if len(argv) > 1 else "resources/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    prepare_app(app, BIG)
    ep_shots(app, out)
    phase_shots(app, out)
    plane_shots(app, out)
    lesson_shots(app, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
