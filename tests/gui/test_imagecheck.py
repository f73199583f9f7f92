"""The reference-image checker itself (tests/gui/imagecheck.py): a changed picture fails and
leaves its files behind, a one-pixel antialiasing shift passes, references are written only
on purpose."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6 import QtCore, QtGui

import imagecheck
from imagecheck import Tolerance, assert_image_approved, compare


def picture(*, dx: float = 0.0, bars=(60, 110, 35), word: str = "relax",
            bar_color: str = "#0072B2", size=(420, 240)) -> QtGui.QImage:
    """A small plot-like picture: antialiased text, a curve and bars, shifted by ``dx``."""
    img = QtGui.QImage(*size, QtGui.QImage.Format.Format_RGB32)
    img.fill(QtGui.QColor("white"))
    p = QtGui.QPainter(img)
    p.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QtGui.QPainter.RenderHint.TextAntialiasing)
    p.translate(dx, 0.0)
    font = QtGui.QFont()
    font.setPixelSize(20)
    p.setFont(font)
    p.setPen(QtGui.QColor("black"))
    p.drawText(QtCore.QPointF(20, 30), f"Residual energy: {word} 0.0001")
    p.setPen(QtGui.QPen(QtGui.QColor("#D55E00"), 2.5))
    p.drawPolyline(QtGui.QPolygonF([QtCore.QPointF(20 + 8 * i, 200 - 60 * np.exp(-i / 8))
                                    for i in range(30)]))
    for i, h in enumerate(bars):
        p.fillRect(QtCore.QRectF(280 + 40 * i, 220 - h, 30, h), QtGui.QColor(bar_color))
    p.end()
    return img


@pytest.fixture
def refdir(tmp_path, monkeypatch):
    monkeypatch.delenv(imagecheck.UPDATE_ENV, raising=False)
    monkeypatch.setenv(imagecheck.FAILURE_DIR_ENV, str(tmp_path / "failures"))
    ref = tmp_path / "reference"
    ref.mkdir()
    Image.fromarray(imagecheck.as_rgb(picture())).save(ref / "plot.png")
    return ref


@pytest.mark.parametrize("dx", [1.0, 0.5, -1.0])
def test_a_one_pixel_antialiasing_shift_passes(qapp, refdir, dx):
    shifted = picture(dx=dx)
    assert not np.array_equal(imagecheck.as_rgb(shifted), imagecheck.as_rgb(picture()))
    assert_image_approved(shifted, "plot", reference_dir=refdir)


@pytest.mark.parametrize("change", [dict(bars=(60, 125, 35)), dict(word="train"),
                                    dict(bar_color="#E69F00"), dict(dx=6.0)])
def test_a_changed_picture_fails_and_leaves_its_files(qapp, refdir, tmp_path, change):
    with pytest.raises(AssertionError) as info:
        assert_image_approved(picture(**change), "plot", reference_dir=refdir)
    message = str(info.value)
    folder = tmp_path / "failures"
    assert str(folder) in message and "differ" in message
    for suffix in ("", "-reference", "-diff"):
        assert (folder / f"plot{suffix}.png").is_file()
    # the failing image is the one rendered; the diff marks changed blocks in red
    np.testing.assert_array_equal(np.asarray(Image.open(folder / "plot.png").convert("RGB")),
                                  imagecheck.as_rgb(picture(**change)))
    diff = np.asarray(Image.open(folder / "plot-diff.png").convert("RGB"))
    assert ((diff == (230, 0, 0)).all(axis=2)).any()


def test_identical_pictures_match_exactly(qapp):
    cmp = compare(picture(), picture())
    assert cmp.matches and cmp.fraction == 0 and cmp.max_difference == 0


def test_a_different_size_fails_with_both_sizes(qapp, refdir):
    with pytest.raises(AssertionError, match="420x240"):
        assert_image_approved(picture(size=(400, 240)), "plot", reference_dir=refdir)


def test_tolerance_of_fraction_decides(qapp):
    a, b = imagecheck.as_rgb(picture()), imagecheck.as_rgb(picture(bars=(60, 125, 35)))
    changed = compare(a, b).fraction
    assert changed > 0
    assert compare(a, b, Tolerance(fraction=changed * 1.01)).matches
    assert not compare(a, b, Tolerance(fraction=changed * 0.99)).matches


def test_missing_reference_fails_unless_updating(qapp, refdir, monkeypatch):
    with pytest.raises(AssertionError, match=imagecheck.UPDATE_ENV):
        assert_image_approved(picture(), "new-view", reference_dir=refdir)
    assert not (refdir / "new-view.png").exists()
    monkeypatch.setenv(imagecheck.UPDATE_ENV, "1")
    assert_image_approved(picture(), "new-view", reference_dir=refdir)
    assert compare(Image.open(refdir / "new-view.png"), picture()).fraction == 0


def test_update_rewrites_only_a_mismatching_reference(qapp, refdir, monkeypatch):
    monkeypatch.setenv(imagecheck.UPDATE_ENV, "1")
    path = refdir / "plot.png"
    before = path.read_bytes()
    assert_image_approved(picture(dx=1.0), "plot", reference_dir=refdir)  # within tolerance
    assert path.read_bytes() == before
    assert_image_approved(picture(word="train"), "plot", reference_dir=refdir)
    assert compare(Image.open(path), picture(word="train")).fraction == 0
    monkeypatch.delenv(imagecheck.UPDATE_ENV)
    with pytest.raises(AssertionError):
        assert_image_approved(picture(), "plot", reference_dir=refdir)


@pytest.mark.parametrize("bad", [dict(pixel=-1), dict(fraction=1.0), dict(downsample=0)])
def test_bad_tolerance_names_the_value(bad):
    with pytest.raises(ValueError, match=str(list(bad.values())[0])):
        Tolerance(**bad)


def test_bad_name_is_refused(qapp, refdir):
    with pytest.raises(ValueError, match="Graph View"):
        assert_image_approved(picture(), "Graph View", reference_dir=refdir)
