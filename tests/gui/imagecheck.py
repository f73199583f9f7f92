"""Compare a rendered picture with a stored reference PNG, with a tolerance.

The idea is pyqtgraph's own ``assertImageApproved``: a test renders a view and compares it
with an approved image kept in the repository; small rendering differences (font
antialiasing, a line one pixel over) pass, a changed picture fails and leaves the failing
image and a difference image on disk for a person to look at.

How two images are compared (:func:`compare`):

1. Each pixel's difference is how far its colour lies outside the range of the other
   image's colours in the 3 × 3 block around it (largest channel, both directions), so a
   feature shifted by one pixel, or antialiased half a pixel over, differs by 0.
2. The differences are averaged over ``downsample`` × ``downsample`` blocks (isolated
   antialiasing pixels fade); a block differs when its mean exceeds ``pixel`` (0–255).
3. The images match when at most ``fraction`` of the blocks differ.

References live in ``tests/gui/reference/NAME.png``. To (re)generate them on purpose::

    SHEAFVIZ_UPDATE_REFERENCE=1 python -m pytest tests/gui/test_reference_images.py
    scripts/update-reference-images            # the same

With the variable set, a missing or mismatching reference is rewritten and the check
passes; references that still match are left untouched (no churn in git).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
UPDATE_ENV = "SHEAFVIZ_UPDATE_REFERENCE"
#: where failing images go (default: a new temporary folder per failure)
FAILURE_DIR_ENV = "SHEAFVIZ_IMAGE_FAILURES"


@dataclass(frozen=True)
class Tolerance:
    """How different two pictures may be and still match.

    Attributes
    ----------
    pixel : float, a block differs when the mean over it of each pixel's largest channel
        distance to the other image's 3 × 3 neighbourhood exceeds this (0–255)
    fraction : float, largest allowed fraction of differing pixels
    downsample : int, block size of the averaging of the differences (1 = none)
    """

    pixel: float = 40.0
    fraction: float = 0.002
    downsample: int = 2

    def __post_init__(self) -> None:
        if not 0 <= self.pixel <= 255:
            raise ValueError(f"pixel tolerance {self.pixel} must be within 0..255")
        if not 0 <= self.fraction < 1:
            raise ValueError(f"fraction {self.fraction} must be within [0, 1)")
        if int(self.downsample) < 1:
            raise ValueError(f"downsample {self.downsample} must be at least 1")


@dataclass(frozen=True)
class Comparison:
    """Result of :func:`compare`: ``diff_mask`` (h // k, w // k) bool, the differing
    blocks."""

    matches: bool
    fraction: float
    max_difference: float
    diff_mask: np.ndarray
    reason: str


def as_rgb(image) -> np.ndarray:
    """A QImage, a PIL image or an (h, w[, 3|4]) array → (h, w, 3) uint8 RGB array."""
    if isinstance(image, np.ndarray):
        arr = np.asarray(image)
        if arr.dtype != np.uint8:
            scale = 255.0 if arr.dtype.kind == "f" and arr.max(initial=0) <= 1.0 else 1.0
            arr = np.clip(arr * scale, 0, 255).round().astype(np.uint8)
        if arr.ndim == 2:
            arr = np.repeat(arr[:, :, None], 3, axis=2)
        if arr.ndim != 3 or arr.shape[2] not in (3, 4):
            raise ValueError(f"image array of shape {arr.shape} is not (h, w[, 3|4])")
        return np.ascontiguousarray(arr[:, :, :3])
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("RGB"))
    return _qimage_rgb(image)


def _qimage_rgb(image) -> np.ndarray:
    from PySide6 import QtGui

    if isinstance(image, QtGui.QPixmap):
        image = image.toImage()
    img = image.convertToFormat(QtGui.QImage.Format.Format_RGB888)
    h, w, stride = img.height(), img.width(), img.bytesPerLine()
    buf = np.frombuffer(img.constBits(), dtype=np.uint8, count=stride * h)
    return buf.reshape(h, stride)[:, : 3 * w].reshape(h, w, 3).copy()


def _downsample(rgb: np.ndarray, k: int) -> np.ndarray:
    h, w = (rgb.shape[0] // k) * k, (rgb.shape[1] // k) * k
    f = rgb[:h, :w].astype(float)
    return f.reshape(h // k, k, w // k, k, 3).mean(axis=(1, 3))


def _outside_neighbourhood(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pixel and channel, how far ``a`` lies outside ``b``'s 3 × 3 range (≥ 0)."""
    lo = ndimage.minimum_filter(b, size=(3, 3, 1), mode="nearest")
    hi = ndimage.maximum_filter(b, size=(3, 3, 1), mode="nearest")
    return np.maximum(lo - a, 0) + np.maximum(a - hi, 0)


def compare(image, reference, tolerance: Tolerance = Tolerance()) -> Comparison:
    """Compare two pictures (see the module notes); never raises for a mismatch."""
    a, b = as_rgb(image), as_rgb(reference)
    if a.shape != b.shape:
        empty = np.zeros((0, 0), dtype=bool)
        return Comparison(False, 1.0, 255.0, empty,
                          f"size {a.shape[1]}x{a.shape[0]} differs from the reference's "
                          f"{b.shape[1]}x{b.shape[0]}")
    k = int(tolerance.downsample)
    fa, fb = a.astype(float), b.astype(float)
    diff = np.maximum(_outside_neighbourhood(fa, fb), _outside_neighbourhood(fb, fa))
    # the largest channel difference, averaged over k × k blocks: isolated antialiasing
    # pixels fade, a changed feature stays
    per_pixel = _downsample(np.repeat(diff.max(axis=2)[:, :, None], 3, axis=2), k)[:, :, 0]
    mask = per_pixel > tolerance.pixel
    fraction = float(mask.mean()) if mask.size else 0.0
    matches = fraction <= tolerance.fraction
    reason = "" if matches else (
        f"{100 * fraction:.3f} % of the pixels differ by more than {tolerance.pixel:g} "
        f"(allowed {100 * tolerance.fraction:.3f} %; largest difference "
        f"{float(per_pixel.max(initial=0)):.0f})")
    return Comparison(matches, fraction, float(per_pixel.max(initial=0)), mask, reason)


def _save(rgb: np.ndarray, path: Path) -> None:
    Image.fromarray(rgb).save(path)


def _diff_image(actual: np.ndarray, reference: np.ndarray, cmp: Comparison,
                k: int) -> np.ndarray:
    """The reference faded to grey with the differing blocks in red."""
    grey = reference.mean(axis=2, keepdims=True)
    out = np.repeat(np.clip(155 + 0.39 * grey, 0, 255), 3, axis=2).astype(np.uint8)
    if cmp.diff_mask.size:
        big = np.kron(cmp.diff_mask, np.ones((k, k), dtype=bool))
        h, w = big.shape
        out[:h, :w][big] = (230, 0, 0)
    return out


def _failure_dir(name: str) -> Path:
    root = os.environ.get(FAILURE_DIR_ENV)
    if root:
        path = Path(root)
        path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(tempfile.mkdtemp(prefix=f"sheafviz-image-{name}-"))


def assert_image_approved(image, name: str, *, tolerance: Tolerance = Tolerance(),
                          reference_dir: Path = REFERENCE_DIR) -> None:
    """Assert that ``image`` matches ``reference_dir/NAME.png`` within ``tolerance``.

    On a mismatch the rendered image, the reference and a difference image (differing
    blocks in red) are saved into a folder named in the assertion message. With
    ``SHEAFVIZ_UPDATE_REFERENCE=1`` a missing or mismatching reference is (re)written.
    """
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", name):
        raise ValueError(f"reference name {name!r}: use lower-case letters, digits, - _ .")
    actual = as_rgb(image)
    path = Path(reference_dir) / f"{name}.png"
    update = os.environ.get(UPDATE_ENV, "") not in ("", "0")
    if not path.exists():
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            _save(actual, path)
            return
        raise AssertionError(f"no reference image {path}; create it on purpose with "
                             f"{UPDATE_ENV}=1 (see scripts/update-reference-images)")
    reference = as_rgb(Image.open(path))
    cmp = compare(actual, reference, tolerance)
    if cmp.matches:
        return
    if update:
        _save(actual, path)
        return
    folder = _failure_dir(name)
    _save(actual, folder / f"{name}.png")
    _save(reference, folder / f"{name}-reference.png")
    if actual.shape == reference.shape:
        _save(_diff_image(actual, reference, cmp, int(tolerance.downsample)),
              folder / f"{name}-diff.png")
    raise AssertionError(f"image {name!r} does not match {path.name}: {cmp.reason}; "
                         f"see {folder} (if the change is intended: {UPDATE_ENV}=1)")
