"""Reading ``.npz`` archives safely: no pickles, sizes checked before anything is read.

``numpy.load`` on an ``.npz`` reads every member in full, lets zip and zlib errors escape as
``zipfile.BadZipFile`` / ``zlib.error``, returns a bare array for a renamed ``.npy`` file and
answers a text file with advice to enable pickles. :func:`read_npz` instead opens the zip
itself, reads each member's npy header (its dtype and shape) without reading the data,
refuses object dtypes and archives whose arrays would need more than ``max_elements``
numbers in total, and only then reads the arrays. Every failure becomes one
:class:`NpzError` whose message names the file, the member and the problem.
"""

from __future__ import annotations

import math
import zipfile
import zlib
from pathlib import Path

import numpy as np

__all__ = ["NpzError", "read_npz", "npz_shapes"]

_NPY_MAGIC = b"\x93NUMPY"
#: Errors of the zip, zlib and npy layers, all meaning "this file is damaged".
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, KeyError,
                NotImplementedError, RuntimeError, OverflowError, TypeError, UnicodeError)


class NpzError(ValueError):
    """An ``.npz`` file that cannot be read; the message names the file and the problem."""


def _first_line(exc: BaseException, limit: int = 160) -> str:
    """The error's text on one line, cut to ``limit`` characters (zipfile quotes whole
    headers of damaged archives)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _not_a_zip(path: Path) -> NpzError:
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(_NPY_MAGIC))
    except OSError as exc:
        return NpzError(f"{path}: cannot be read ({exc.strerror or exc})")
    if head == _NPY_MAGIC:
        return NpzError(f"{path}: a single .npy array, not an .npz archive (save with "
                        f"numpy.savez)")
    return NpzError(f"{path}: not an .npz archive (not a zip file: damaged, or another "
                    f"kind of file)")


def _member_key(name: str) -> str:
    return name[:-4] if name.endswith(".npy") else name


def _read_header(fh, key: str, path: Path) -> tuple[np.dtype, tuple[int, ...], bool]:
    version = np.lib.format.read_magic(fh)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(fh)
    elif version in ((2, 0), (3, 0)):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(fh)
    else:  # pragma: no cover - read_magic accepts only the versions above
        raise NpzError(f"{path}: array {key}: unknown npy version {version}")
    if dtype.hasobject:
        raise NpzError(f"{path}: array {key} holds Python objects (dtype {dtype}); only "
                       f"numeric and text arrays are read (no pickles)")
    return dtype, tuple(int(n) for n in shape), fortran


def npz_shapes(path: str | Path) -> dict[str, tuple[np.dtype, tuple[int, ...]]]:
    """``{key: (dtype, shape)}`` of every array in the archive, read from the headers only.

    Raises
    ------
    NpzError
        Not a zip, a member that is not an npy array, an object array, a damaged header.
    """
    path = Path(path)
    if not path.is_file():
        raise NpzError(f"{path}: no such file")
    if not zipfile.is_zipfile(path):
        raise _not_a_zip(path)
    shapes = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                key = _member_key(info.filename)
                if not info.filename.endswith(".npy"):
                    raise NpzError(f"{path}: member {info.filename!r} is not an npy array")
                with archive.open(info) as fh:
                    dtype, shape, _ = _read_header(fh, key, path)
                shapes[key] = (dtype, shape)
    except NpzError:
        raise
    except _READ_ERRORS as exc:
        raise NpzError(f"{path}: damaged .npz archive ({_first_line(exc)})") from None
    return shapes


def read_npz(path: str | Path, *, max_elements: int, what: str = "arrays") -> dict:
    """Every array of an ``.npz`` archive, after checking the declared sizes.

    Parameters
    ----------
    path : the ``.npz`` file
    max_elements : largest total number of array elements accepted (checked on the headers,
        before any array is read, so a small compressed file that would expand to gigabytes
        is refused at once)
    what : what the arrays are, for the size message ("weights", "data")

    Returns
    -------
    dict of str to ndarray

    Raises
    ------
    NpzError
        One line naming the file (and the array) and the problem.
    """
    path = Path(path)
    shapes = npz_shapes(path)
    total = sum(math.prod(shape) for _, shape in shapes.values())
    if total > max_elements:
        need = sum(math.prod(shape) * max(dtype.itemsize, 8) for dtype, shape in shapes.values())
        raise NpzError(f"{path}: the {what} hold {total:,} numbers (about "
                       f"{_megabytes(need)} in memory); the limit is {max_elements:,}")
    arrays = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                key = _member_key(info.filename)
                with archive.open(info) as fh:
                    try:
                        arrays[key] = np.lib.format.read_array(fh, allow_pickle=False)
                    except _READ_ERRORS as exc:
                        raise NpzError(f"{path}: array {key} is damaged "
                                       f"({_first_line(exc)})") from None
    except NpzError:
        raise
    except _READ_ERRORS as exc:
        raise NpzError(f"{path}: damaged .npz archive ({_first_line(exc)})") from None
    return arrays


def _megabytes(n_bytes: int) -> str:
    if n_bytes >= 1e9:
        return f"{n_bytes / 1e9:.1f} GB"
    return f"{n_bytes / 1e6:.1f} MB"
