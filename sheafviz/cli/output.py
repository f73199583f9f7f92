"""JSON output of the command line: plain values, documents and one-line error text."""

from __future__ import annotations

import json
import math

import numpy as np


def plain(value):
    """Numpy/tuple values → JSON-ready Python; NaN and inf → None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def dumps(doc: dict, *, indent: int | None = None) -> str:
    return json.dumps(plain(doc), indent=indent, allow_nan=False, ensure_ascii=False)



def one_line(exc: BaseException) -> str:
    """The exception's message on one line (a KeyError's key without its quotes)."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(text.split()) or type(exc).__name__
