"""The window's Session ↔ :class:`~sheafviz.core.data.session_file.SessionFile` (save and
reopen), through the Session's own file format (:mod:`sheafviz.live.fileio`, v2; v1 files
migrate).

:func:`capture` is the window's session as a file record; :func:`restore` builds a new
Session from a record and makes it the window's (``window.set_session``). Reopening gives
the same picture (state, pins, rates, history, selection) and the same next steps bit for
bit, because each mode's running flow state goes with it. A record that turns out to be
unusable (data set, shapes, the flow's saved state) raises before the window changes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sheafviz.core.data.session_file import SessionError, SessionFile
from sheafviz.core.flows.flowstate import FlowStateError
from sheafviz.live import fileio
from sheafviz.live.fileio import dataset_from_spec  # noqa: F401 - part of this module's API


def _session_of(owner):
    """The Session of a window, or the Session itself."""
    return getattr(owner, "session", owner)


def capture(owner, *, notes: str | None = None) -> SessionFile:
    """The session shown by ``owner`` (a window or a Session) as a SessionFile."""
    sf = fileio.to_file(_session_of(owner))
    if notes is not None:
        sf = dataclasses.replace(sf, view=dict(sf.view or {}, notes=notes))
    return sf


def build(session: SessionFile, *, name: str = "session"):
    """A new Session holding ``session``.

    Raises
    ------
    SessionError
        The record cannot be used (data set, shapes, the saved flow state).
    """
    from sheafviz import Session

    try:
        return fileio.from_file(Session, session, name=name)
    except SessionError:
        raise
    except FlowStateError as exc:
        raise SessionError(str(exc)) from None
    except (ValueError, ArithmeticError, KeyError, TypeError, IndexError) as exc:
        msg = str(exc)
        raise SessionError(msg if msg.startswith("state:") else f"state: {msg}") from None


def restore(window, session: SessionFile, *, name: str = "session") -> bool:
    """Make ``session`` the window's; SessionError, with the window unchanged, when the
    record cannot be used."""
    window.set_session(build(session, name=name))
    return True


def open_file(window, path: str | Path) -> bool:
    """Load and restore a session file; SessionError (nothing changed) when unusable."""
    from sheafviz.core.data.session_file import load_session

    record = load_session(path)
    try:
        return restore(window, record, name=Path(path).stem)
    except SessionError as exc:
        raise SessionError(f"{path}: {exc}") from None
