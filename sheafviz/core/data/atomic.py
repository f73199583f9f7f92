"""Output files: checked before the work starts, written atomically with the user's umask.

:func:`check_output_path` is called before a long computation, so a run that could not save
its result fails at once and writes nothing. :func:`atomic_write` writes into a temporary
file beside the target and renames it over the target: a failure in the middle leaves the
old file as it was and no partial file. ``tempfile.mkstemp`` creates the temporary file
``-rw-------``; it is given the mode an ordinary ``open(path, "w")`` would have had
(``0o666`` minus the umask) before the rename.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["OutputPathError", "check_output_path", "atomic_write", "atomic_write_bytes",
           "current_umask"]


class OutputPathError(ValueError):
    """An output path that cannot be written; the message names the path and the reason."""


def current_umask() -> int:
    """The process umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_output_path(path: str | os.PathLike, *, suffixes: tuple[str, ...] = (),
                      what: str = "output") -> Path:
    """Raise OutputPathError unless ``path`` can be written as a file.

    Parameters
    ----------
    path : the file to be written
    suffixes : accepted extensions, lower case with the dot (empty: any)
    what : what the file is, for the message ("--save-weights", "the screenshot")

    Returns
    -------
    Path of the file
    """
    text = os.fspath(path)
    path = Path(path)
    if path.is_dir() or path.name in ("", ".", "..") or text.endswith(os.sep):
        raise OutputPathError(f"{what} {text}: is a folder, not a file")
    if suffixes and path.suffix.lower() not in suffixes:
        raise OutputPathError(f"{what} {text!r} must be a {' or '.join(suffixes)} file")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputPathError(f"{what} {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK) or _is_pseudo_fs(folder):
        raise OutputPathError(f"{what} {path}: the folder {folder} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputPathError(f"{what} {path}: the file exists and is not writable")
    return path


def _is_pseudo_fs(folder: Path) -> bool:
    """True for /proc and /sys, where access() may say yes but files cannot be created."""
    try:
        resolved = folder.resolve()
    except OSError:
        return False
    return resolved.parts[:2] in (("/", "proc"), ("/", "sys"))


def atomic_write(path: str | os.PathLike, write, *, binary: bool = True) -> None:
    """Create ``path`` by calling ``write(fh)`` on a temporary file, then renaming it.

    The file gets mode ``0o666 & ~umask`` (as ``open`` would give it); on any exception
    the temporary file is removed and an existing ``path`` is left untouched.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else
                                                          {"encoding": "utf-8"})) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~current_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """:func:`atomic_write` of a bytes object."""
    atomic_write(path, lambda fh: fh.write(data))
