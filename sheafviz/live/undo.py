"""Undo / redo of the session's settings: pins (and pinned values), rates, training options,
mode, example, graph and the weights set by an edit.

A :class:`Settings` is the undoable part of a session, compared by value (networks by
identity: a weight edit installs a new Network object). Each edit of the session records
one command ``(before, after)`` on the :class:`UndoStack` (a group of edits, e.g. a drag,
records one); the flow moving the state or training the weights is not a setting and is
never recorded. Undo hands back the settings to apply; the session applies only the fields
that differ, so undoing a pin change after some training keeps the trained weights.

:func:`edit_group` records one edit of a session (its events collected and fired at the
end); :func:`step_history` applies undone / redone settings to it.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, fields

import numpy as np

from sheafviz.live import editing


@dataclass(frozen=True, eq=False)
class Settings:
    """The undoable part of a session (see the module notes).

    Attributes
    ----------
    pins : PinSet
    rates : Rates
    training : TrainingOptions
    mode : {"relax", "joint"}
    example : int or None (None: the whole batch)
    initial_network : Network, what reset returns to
    edited_network : Network, the weights the last edit installed (the initial ones before
        any edit)
    graph : {"chapter", "paper"}, the graph the flows and read-outs use
    """

    pins: object
    rates: object
    training: object
    mode: str
    example: int | None
    initial_network: object
    edited_network: object
    graph: str = "chapter"

    def differing(self, other: "Settings") -> list[str]:
        """Names of the fields whose values differ from ``other``'s (networks by identity)."""
        out = []
        for f in fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            same = a is b if f.name.endswith("network") else a == b
            if not same:
                out.append(f.name)
        return out

    def describe(self, before: "Settings") -> str:
        """A short name of the change from ``before`` ("pin / unpin", "change rates", ...)."""
        changed = self.differing(before)
        if not changed:
            return "no change"
        if "pins" in changed:
            same_set = (self.pins.hard.keys() == before.pins.hard.keys()
                        and self.pins.soft.keys() == before.pins.soft.keys())
            return "move pin" if same_set else "pin / unpin"
        if "edited_network" in changed or "initial_network" in changed:
            return "change weights"
        return f"change {changed[0]}"


class UndoStack:
    """A linear undo history of :class:`Settings` pairs.

    Parameters
    ----------
    limit : int, commands kept at most (the oldest are forgotten)
    """

    def __init__(self, limit: int = 500) -> None:
        self.limit = int(limit)
        self._commands: list[tuple[Settings, Settings, str]] = []
        self._index = 0  # commands[:index] are done

    def clear(self) -> None:
        self._commands.clear()
        self._index = 0

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    @property
    def undo_text(self) -> str:
        return self._commands[self._index - 1][2] if self.can_undo else ""

    @property
    def redo_text(self) -> str:
        return self._commands[self._index][2] if self.can_redo else ""

    def __len__(self) -> int:
        """Commands recorded (done and undone)."""
        return len(self._commands)

    @property
    def index(self) -> int:
        """Commands done (the rest can be redone)."""
        return self._index

    @property
    def labels(self) -> tuple[str, ...]:
        """The name of each recorded command, oldest first."""
        return tuple(c[2] for c in self._commands)

    def push(self, before: Settings, after: Settings, label: str | None = None) -> bool:
        """Record the change ``before → after`` (nothing when they are the same), named
        ``label`` (default: :meth:`Settings.describe`); forgets the redo branch. Returns
        True when a command was recorded."""
        if not after.differing(before):
            return False
        del self._commands[self._index:]
        self._commands.append((before, after, label or after.describe(before)))
        if len(self._commands) > self.limit:
            del self._commands[0]
        self._index = len(self._commands)
        return True

    def undo(self) -> Settings | None:
        """The settings to go back to (None when there is nothing to undo)."""
        if not self.can_undo:
            return None
        self._index -= 1
        return self._commands[self._index][0]

    def redo(self) -> Settings | None:
        """The settings to go forward to (None when there is nothing to redo)."""
        if not self.can_redo:
            return None
        self._index += 1
        return self._commands[self._index - 1][1]


@contextmanager
def edit_group(s, label: str | None = None):
    """The body of :meth:`sheafviz.Session.edit_group`: the settings before the outermost
    edit and after it make one undo command named ``label`` (unless an undo group records
    it, or undo / redo is applying settings); the events are collected and fire at the
    end."""
    outer = s._edit_depth == 0
    before = settings_of(s) if outer else None
    s._edit_depth += 1
    try:
        with s._tx.change():
            yield s
            if outer and not s._applying:
                after = settings_of(s)
                if s._undo_group is not None:  # end_undo_group records it
                    s._set_modified(s.modified or bool(after.differing(before)))
                elif s._undo.push(before, after, label):
                    s._set_modified(True)
    finally:
        s._edit_depth -= 1


def begin_group(s) -> None:
    """Start recording session ``s``'s edits as one undo step (nothing when one is open)."""
    if s._undo_group is None:
        s._undo_group = settings_of(s)


def end_group(s) -> None:
    """Record the edits since :func:`begin_group` as one undo step (nothing when no group
    is open)."""
    before, s._undo_group = s._undo_group, None
    if before is not None and s._undo.push(before, settings_of(s)):
        s._set_modified(True)


def settings_of(s) -> Settings:
    """The undoable settings of session ``s`` now."""
    return Settings(s._pins, s._rates, s._training, s._mode, s._example, s._initial,
                    s._edited, s._graph)


def step_history(s, target: Settings | None) -> bool:
    """Apply undone / redone settings ``target`` as one change (not itself recorded);
    False when there is none."""
    if target is None:
        return False
    s._applying = True
    try:
        with s._tx.change():
            apply_settings(s, target)
    finally:
        s._applying = False
    s._set_modified(True)
    return True


def _weights_toward(s, edited, target):
    """The weights an undo / redo of a weight edit installs: ``target`` itself while the
    shown weights still are the edited ones ``edited``; after training, the shown weights
    with only the entries in which ``edited`` and ``target`` differ set to ``target``'s (the
    training since is kept)."""
    from sheafviz.core.model.network import Network

    cur = s._network
    if cur is edited or tuple(target.arch) != tuple(cur.arch):
        return target

    def toward(c, e, t):
        out = np.array(c, dtype=float)
        differ = e != t
        out[differ] = t[differ]
        return out

    return Network([toward(c, e, t) for c, e, t in
                    zip(cur.weights, edited.weights, target.weights)],
                   [toward(c, e, t) for c, e, t in
                    zip(cur.biases, edited.biases, target.biases)], cur.output)


def apply_settings(s, target: Settings) -> None:
    """Bring session ``s`` to settings ``target`` (undo / redo), field by field: only
    what differs changes, so undoing a pin edit keeps the weights trained since."""
    now = settings_of(s)
    changed = target.differing(now)
    if "edited_network" in changed:
        weights = _weights_toward(s, now.edited_network, target.edited_network)
        editing.install_weights(s, weights, initial_network=target.initial_network)
    elif "initial_network" in changed:
        s._initial = target.initial_network  # what reset returns to; the shown weights stay
    if "training" in changed:
        s._training = target.training
        s._tx.mark("settings_changed")
    if "graph" in changed:
        editing.set_graph(s, target.graph)
    if "rates" in changed:
        editing.set_rates(s, force=True, **{k: getattr(target.rates, k) for k in
                                            ("alpha", "beta", "dt", "steps_per_frame")})
    if "example" in changed and s._data is not None:
        s._example = target.example
        if target.example is not None:
            s._shown = target.example
        s._tx.mark("settings_changed", "state_changed")
    if "pins" in changed:
        same_set = (target.pins.hard.keys() == s._pins.hard.keys()
                    and target.pins.soft.keys() == s._pins.soft.keys())
        # a moved value jumps to its equilibrium; when that cannot be solved (a singular
        # or non-finite one), the recorded pins are still given back, on the kept state
        if not editing.set_pins(s, target.pins, jump=same_set) and same_set:
            editing.set_pins(s, target.pins)
    if "mode" in changed:
        editing.set_mode(s, target.mode)
