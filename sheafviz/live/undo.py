"""Undo / redo of the session's settings: pins (and pinned values), rates, training options,
mode, example, graph and the weights set by an edit.

A :class:`Settings` is the undoable part of a session, compared by value (networks by
identity: a weight edit installs a new Network object). Each edit of the session records
one command ``(before, after)`` on the :class:`UndoStack` (a group of edits, e.g. a drag,
records one); the flow moving the state or training the weights is not a setting and is
never recorded. Undo hands back the settings to apply; the session applies only the fields
that differ, so undoing a pin change after some training keeps the trained weights.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


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
