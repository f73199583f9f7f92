"""Render the chapter views (issue 12) offscreen to PNG files, normal and presentation size.

    QT_QPA_PLATFORM=offscreen python scripts/chapter_screenshots.py [OUT_DIR]

OUT_DIR defaults to /tmp/views. Each view gets real data from the cores: a [2,10,8,1]
network trained briefly by gradient descent on the paraboloid task.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
from PySide6 import QtWidgets

from sheafviz.core.data.datasets import load_dataset
from sheafviz.core.data.presets import load_preset
from sheafviz.core.diagnostics import (activation_regions, ep_gap_curve, ep_gradients,
                                       inverse_family, phase_field, prediction_grid)
from sheafviz.core.flows.forces import gradient_and_energy
from sheafviz.core.model.backprop import backprop
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout

PRESENT = 1.6


def trained_network():
    preset = load_preset("paraboloid-2h")
    data = load_dataset("paraboloid", n_train=200, n_test=0)
    net = preset.network
    for _ in range(400):
        _, gw, gb = backprop(net.weights, net.biases, net.output, data.X, data.Y,
                             kind="squared", scale=1.0 / len(data.X))
        net = net.with_parameters([w - 0.05 * g for w, g in zip(net.weights, gw)],
                                  [b - 0.05 * g for b, g in zip(net.biases, gb)])
    return net, data


def save(widget, out: Path, name: str, size, app) -> None:
    widget.resize(*size)
    widget.show()
    for _ in range(3):
        app.processEvents()
    widget.grab().save(str(out / f"{name}.png"))
    print(out / f"{name}.png")


def ep_views(net, data, out, app):
    from sheafviz.gui.chapter.ep_view import EPView

    x, t = data.X[3], data.Y[3] + 0.5
    gammas = np.logspace(-4, 2, 25)
    curve = ep_gap_curve(net, x, t, gammas)
    for name, gamma, scale, size in (("ep", 1e-3, 1.0, (640, 620)),
                                     ("ep-hard", math.inf, 1.0, (640, 620)),
                                     ("ep-present", 1e-2, PRESENT, (960, 900))):
        view = EPView()
        view.set_scale(scale)
        view.set_gap_curve(gammas, curve)
        view.set_stiffness(gamma)
        view.set_comparison(ep_gradients(net, x, t, gamma))
        save(view, out, f"chapter-{name}", size, app)
    save(EPView(), out, "chapter-ep-empty", (640, 300), app)


def plane_views(net, data, out, app):
    from sheafviz.gui.chapter.inverse_items import InverseFamilyItem
    from sheafviz.gui.chapter.region_items import RegionMapItem
    from sheafviz.gui.debug.data_panel import DataPanel

    grid = prediction_grid(net, data.X)
    box = (float(grid.xs[0]), float(grid.xs[-1]), float(grid.ys[0]), float(grid.ys[-1]))
    layout = SheafLayout(net.arch)
    pinned = 17
    for name, scale, cap, size in (("regions", 1.0, 5000, (760, 700)),
                                   ("regions-present", PRESENT, 5000, (1100, 1000)),
                                   ("regions-capped", 1.0, 60, (760, 700))):
        panel = DataPanel()
        panel.set_data(data.X, data.Y, net.output)
        panel.set_prediction(grid)
        panel.set_pinned(pinned)
        regions = RegionMapItem()
        regions.set_scale(scale)
        regions.set_region_map(activation_regions(net, box, max_regions=cap))
        regions.set_pinned_input(data.X[pinned])
        panel.plot.plotItem.addItem(regions)
        if regions.region_map.complete:
            target = float(net.predict(data.X[pinned][None, :])[0, 0])
            family = InverseFamilyItem()
            family.set_scale(scale)
            family.set_family(inverse_family(net, PinSet().pin(layout, "y", [target]), box,
                                             region_map=regions.region_map))
            panel.plot.plotItem.addItem(family)
        save(panel, out, f"chapter-{name}", size, app)


def phase_views(out, app):
    from sheafviz.gui.chapter.phase_view import PhaseView

    preset = load_preset("running-241")
    net = preset.network
    layout = SheafLayout(net.arch)
    pins = PinSet().pin(layout, "x", [0.8, -0.5]).pin(layout, "y", [1.5])
    res = pins.resolve(layout)
    free = [f"{v.name}[{i}]" for v in layout.vertices if v.name not in ("x", "y")
            for i in range(v.dim)]
    for name, scale, size in (("phase", 1.0, (760, 720)), ("phase-present", PRESENT,
                                                           (1100, 1000))):
        view = PhaseView()
        view.set_scale(scale)
        view.set_coordinates(free, "z1[0]", "a1[0]")
        c = np.random.default_rng(3).normal(size=layout.size) * 0.6
        c[res.hard_index] = res.hard_value
        for _ in range(80):
            field = phase_field(net, pins, c, "z1[0]", "a1[0]", half_width=(1.5, 1.5), n=17)
            view.set_field(field)
            view.append_trajectory(*field.center)
            grad, _ = gradient_and_energy(layout, net, c[None, :], res)
            c = c - 0.06 * grad[0]
        save(view, out, f"chapter-{name}", size, app)
    save(PhaseView(), out, "chapter-phase-empty", (640, 260), app)


def lesson_bars(out, app):
    from sheafviz.gui.chapter.lesson_bar import LessonBar

    caption = ("Pin <b>x</b> = (1, −1) and <b>y</b> = 2, then relax the interior. At the "
               "equilibrium the energy is <i>E</i> = <b>0.318</b> and the hidden neuron "
               "z₁[0] = <b>0.75</b> is active, as in the forward pass.")
    for name, scale, size, failures in (
            ("lesson", 1.0, (1280, 150), []),
            ("lesson-present", PRESENT, (1920, 270), ["E = 0.318 (live 0.412, tolerance "
                                                      "0.001)"])):
        bar = LessonBar()
        bar.set_scale(scale)
        bar.set_step(2, 7, caption, failures)
        save(bar, out, f"chapter-{name}", size, app)
    save(LessonBar(), out, "chapter-lesson-empty", (1280, 100), app)


def main(argv) -> int:
    from sheafviz.gui.app import prepare_app

    out = Path(argv[1] if len(argv) > 1 else "/tmp/views")
    out.mkdir(parents=True, exist_ok=True)
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([])
    prepare_app(app, (1920, 1080))
    net, data = trained_network()
    ep_views(net, data, out, app)
    plane_views(net, data, out, app)
    phase_views(out, app)
    lesson_bars(out, app)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
