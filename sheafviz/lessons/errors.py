"""The lessons' error, on its own so that the command line can catch it without importing
the file format (:mod:`tomllib` and the quantities) at every start."""

from __future__ import annotations


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names file, step and key."""
