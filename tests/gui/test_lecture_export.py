"""Exports: GIF frame count and size, PNG, SVG (QSvgGenerator route), CSV / JSON histories,
MP4 only when its optional packages are installed."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from test_lecture_common import lecture  # noqa: F401

from sheafviz.gui.lecture import export


def test_gif_has_the_expected_frames_and_size(lecture, tmp_path):
    w, feats = lecture
    path = tmp_path / "a.gif"
    n = export.export_gif(w, w, path, frames=7, steps_per_frame=4, frame_ms=50,
                          redraw=w.redraw)
    assert n == 7
    assert w.session.steps == 6 * 4  # the first frame is the state before any step
    with Image.open(path) as im:
        assert im.n_frames == 7
        assert im.size == (w.width(), w.height())
        assert im.info.get("loop") == 0


def test_gif_keeps_identical_frames(tmp_path):
    frames = [Image.new("RGB", (40, 30), (200, 10, 10)) for _ in range(5)]
    assert export.write_gif(frames, tmp_path / "same.gif", frame_ms=40) == 5
    with Image.open(tmp_path / "same.gif") as im:
        assert im.n_frames == 5


def test_png_and_svg_of_a_panel_and_the_window(lecture, tmp_path):
    w, feats = lecture
    assert export.export_png(w.drape, tmp_path / "drape.png") == (w.drape.width(),
                                                                  w.drape.height())
    with Image.open(tmp_path / "drape.png") as im:
        arr = np.asarray(im.convert("RGB"))
    assert len(np.unique(arr.reshape(-1, 3), axis=0)) > 20  # a real picture, not blank
    for widget, name in ((w.drape, "drape.svg"), (w, "window.svg")):
        export.export_svg(widget, tmp_path / name)
        root = ET.parse(tmp_path / name).getroot()
        assert root.tag.endswith("svg")
        text = (tmp_path / name).read_text()
        # the axis tick labels of the drape ("x", "z1", ...) are real SVG text
        assert ">z1<" in text or "z1" in text
        assert "<path" in text or "<polyline" in text


def test_bad_export_paths_are_clear_errors(lecture, tmp_path):
    w, feats = lecture
    with pytest.raises(export.ExportError, match="expected a .png"):
        export.export_png(w, tmp_path / "x.jpg")
    with pytest.raises(export.ExportError, match="no such folder"):
        export.export_svg(w, tmp_path / "missing" / "x.svg")
    with pytest.raises(export.ExportError, match="frames must be at least 1"):
        export.export_gif(w, w, tmp_path / "x.gif", frames=0)


def test_history_csv_and_json(lecture, tmp_path):
    w, feats = lecture
    for _ in range(6):
        w.session.step(5)
    h = w.session.history
    n = export.export_history_csv(w.session, tmp_path / "h.csv")
    rows = list(csv.reader(open(tmp_path / "h.csv")))
    edges = [e.name for e in w.session.layout.edges]
    assert rows[0] == ["t", "energy"] + [f"d_{e}" for e in edges]
    assert n == h.n == len(rows) - 1
    data = np.array(rows[1:], dtype=float)
    np.testing.assert_array_equal(data[:, 0], h.t[:h.n])
    # E = ½ Σ d_e (docs/mathematics.md, “Discord and energy”) holds row by row in the exported numbers
    np.testing.assert_allclose(data[:, 1], 0.5 * data[:, 2:].sum(axis=1), rtol=1e-12)
    assert export.export_history_json(w.session, tmp_path / "h.json") == n
    doc = json.load(open(tmp_path / "h.json"))
    assert doc["format"] == "sheafviz-history" and set(doc["discords"]) == set(edges)
    np.testing.assert_array_equal(doc["energy"], h.energy[:h.n])


def test_mp4_only_with_its_optional_packages(lecture, tmp_path):
    w, feats = lecture
    if not export.mp4_available():
        assert not feats.actions["export_mp4"].isEnabled()
        with pytest.raises(export.ExportUnavailable, match="imageio-ffmpeg"):
            export.export_mp4(w, w, tmp_path / "a.mp4", frames=2)
        return
    n = export.export_mp4(w, w, tmp_path / "a.mp4", frames=4, steps_per_frame=2)
    assert n == 4 and (tmp_path / "a.mp4").stat().st_size > 1000


def _export_actions(menu) -> list:
    """(path of menu titles, action) for every leaf action of the Export menu."""
    out = []
    for act in menu.actions():
        if act.menu() is not None:
            out += [((act.text(),) + p, a) for p, a in _export_actions(act.menu())]
        elif not act.isSeparator():
            out.append(((act.text(),), act))
    return out


def test_every_file_export_entry_writes_its_file(lecture, tmp_path, monkeypatch):
    """File > Export: each entry asks for a path and writes a real file of its kind."""
    w, feats = lecture
    messages = []
    w.messageShown.connect(lambda text, level: messages.append((level, text)))
    asked = {}

    def fake_ask(title, pattern, default):
        ext = pattern.split("*")[1].split(")")[0]  # "PNG (*.png)" -> ".png"
        path = tmp_path / f"{len(asked)}{ext}"
        asked[title, len(asked)] = path
        return str(path)

    feats.sessions.dialogs.save_path = fake_ask
    entries = [(p, a) for p, a in _export_actions(feats.menus["export"]) if a.isEnabled()]
    titles = {" / ".join(p) for p, _ in entries}
    assert {"Drape / PNG…", "Whole window / SVG…", "Animation as &GIF…",
            "History as &CSV…", "History as &JSON…"} <= titles
    for path_titles, act in entries:
        n_before = len(asked)
        act.trigger()
        assert len(asked) == n_before + 1, path_titles
        written = list(asked.values())[-1]
        assert written.exists() and written.stat().st_size > 0, path_titles
        assert messages[-1][0] == "info" and "Exported" in messages[-1][1], messages[-1]
        if written.suffix == ".png":
            with Image.open(written) as im:
                assert min(im.size) > 50
        elif written.suffix == ".gif":
            with Image.open(written) as im:
                assert im.n_frames > 1
        elif written.suffix == ".json":
            assert json.loads(written.read_text())
        elif written.suffix == ".csv":
            assert len(written.read_text().splitlines()) >= 2
        elif written.suffix == ".svg":
            assert ET.parse(written).getroot().tag.endswith("svg")


def test_a_cancelled_or_bad_export_changes_nothing(lecture, tmp_path, monkeypatch):
    w, feats = lecture
    messages = []
    w.messageShown.connect(lambda text, level: messages.append((level, text)))
    csv_entry = next(a for p, a in _export_actions(feats.menus["export"])
                     if p == ("History as &CSV…",))
    feats.sessions.dialogs.save_path = lambda *a: ""  # the dialog cancelled
    csv_entry.trigger()
    assert messages == []
    bad = tmp_path / "missing" / "h.csv"
    feats.sessions.dialogs.save_path = lambda *a: str(bad)
    steps = w.session.steps
    csv_entry.trigger()
    assert messages and messages[-1][0] == "error" and "missing" in messages[-1][1]
    assert not bad.exists() and w.session.steps == steps
