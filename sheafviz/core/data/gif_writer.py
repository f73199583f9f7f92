"""An animated GIF written one frame at a time, so a long animation is never held in memory.

Pillow's multi-frame GIF writer keeps every frame until the end (it compares each frame with
the previous ones). :class:`GifWriter` instead encodes each frame on its own with Pillow
(a one-frame GIF with the shared palette), takes the image block out of it, and appends it
to the file at once, with its own frame delay. All frames share the palette made from the
first frame, which keeps colours stable. Consecutive identical frames stay separate frames
(nothing is merged), so the frame count says how many steps were shown.

The file is written as ``.NAME.*.tmp`` beside the target and renamed when complete, with the
mode an ordinary ``open`` would give (the umask applies); an error or an interrupted run
leaves no partial file and an existing file untouched.
"""

from __future__ import annotations

import io
import os
import struct
import tempfile
from pathlib import Path

from sheafviz.core.data.atomic import current_umask

__all__ = ["GifWriter", "GifError"]


class GifError(ValueError):
    """A GIF that cannot be written; the message names the problem."""


def _sub_blocks(data: bytes, pos: int) -> int:
    """Position just after the data sub-blocks starting at ``pos`` (ended by a 0 size)."""
    while True:
        size = data[pos]
        pos += 1
        if size == 0:
            return pos
        pos += size


def _split_gif(data: bytes) -> tuple[bytes, bytes, bytes]:
    """(logical screen descriptor, global colour table, first image block) of a GIF."""
    if data[:6] not in (b"GIF87a", b"GIF89a"):
        raise GifError("the frame encoder did not produce a GIF")
    lsd = data[6:13]
    pos = 13
    table = b""
    if lsd[4] & 0x80:
        size = 3 * 2 ** ((lsd[4] & 0x07) + 1)
        table, pos = data[pos:pos + size], pos + size
    while pos < len(data):
        kind = data[pos]
        if kind == 0x21:  # an extension: label, then sub-blocks (Pillow's own GCE etc.)
            pos = _sub_blocks(data, pos + 2)
        elif kind == 0x2C:  # image descriptor (+ local table) + LZW data
            start = pos
            packed = data[pos + 9]
            pos += 10
            if packed & 0x80:
                pos += 3 * 2 ** ((packed & 0x07) + 1)
            pos = _sub_blocks(data, pos + 1)  # +1: the LZW minimum code size
            return lsd, table, data[start:pos]
        else:
            break
    raise GifError("the frame encoder produced a GIF without an image")


def _with_local_table(block: bytes, table: bytes) -> bytes:
    """An image block given ``table`` as its local colour table."""
    bits = max(0, (len(table) // 3).bit_length() - 2)
    packed = block[9] | 0x80 | bits
    return block[:9] + bytes([packed]) + table + block[10:]


class GifWriter:
    """Append RGB frames to a looping GIF as they come.

    Parameters
    ----------
    path : the ``.gif`` to create (its folder must exist)
    frame_ms : display time of each frame in milliseconds

    Use as a context manager, or call :meth:`close` (or :meth:`abort` on failure).
    """

    def __init__(self, path, *, frame_ms: int = 80) -> None:
        self.path = Path(path)
        self.frame_ms = int(frame_ms)
        self.frames = 0
        self._palette = None
        self._table = None
        folder = self.path.parent if str(self.path.parent) else Path(".")
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                         dir=folder)
        self._fh = os.fdopen(fd, "wb")

    def add(self, image) -> None:
        """Quantize ``image`` (PIL, any mode) to the shared palette and append it."""
        rgb = image.convert("RGB")
        if self._palette is None:
            self._palette = rgb.quantize(colors=255)
        frame = rgb.quantize(palette=self._palette)
        buf = io.BytesIO()
        frame.save(buf, format="GIF", optimize=False)
        lsd, table, block = _split_gif(buf.getvalue())
        if self._table is None:
            self._start(lsd, table)
        elif table != self._table:
            block = _with_local_table(block, table)
        delay = max(1, round(self.frame_ms / 10))
        # graphic control extension: disposal 1 (keep), the delay in 1/100 s
        self._fh.write(b"\x21\xf9\x04" + bytes([0x04]) + struct.pack("<H", delay)
                       + b"\x00\x00")
        self._fh.write(block)
        self.frames += 1

    def _start(self, lsd: bytes, table: bytes) -> None:
        self._table = table
        self._fh.write(b"GIF89a" + lsd + table)
        # NETSCAPE2.0 application extension: loop for ever
        self._fh.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")

    def close(self) -> int:
        """Finish the file and move it into place; returns the number of frames."""
        if self.frames == 0:
            self.abort()
            raise GifError("no frames to write")
        self._fh.write(b"\x3b")
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.chmod(self._tmp, 0o666 & ~current_umask())
        os.replace(self._tmp, self.path)
        return self.frames

    def abort(self) -> None:
        """Drop the temporary file; the target is left as it was."""
        if not self._fh.closed:
            self._fh.close()
        Path(self._tmp).unlink(missing_ok=True)

    def __enter__(self) -> "GifWriter":
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.abort()
        elif not self._fh.closed:
            self.close()
