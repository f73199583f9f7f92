"""Undo / redo of pins, pinned values, rates, mode, example and weight changes: the
window session's own undo history (:meth:`sheafviz.Session.undo` / ``redo``; a whole drag is
one step, see :meth:`sheafviz.Session.begin_undo_group`). :class:`UndoStackView` gives the
Edit menu the history's texts with QUndoStack's signals.
"""

from __future__ import annotations

from PySide6 import QtCore


def _fitting_pins(pins, layout):
    """The pins of ``pins`` that exist in ``layout`` (others are dropped)."""
    from sheafviz.core.model.pins import PinSet

    def fits(key) -> bool:
        name, i = key
        try:
            layout.index(name, i)
        except (KeyError, IndexError):
            return False
        return True

    return PinSet({k: v for k, v in pins.hard.items() if fits(k)},
                  {k: v for k, v in pins.soft.items() if fits(k)})


def replace_weights(window, network) -> None:
    """New weights with the current pins where they fit; the new weights become the
    "initial weights" that reset returns to. Same architecture and head: one undoable
    weight edit of ``window``'s session; another architecture: a new session."""
    from dataclasses import replace

    from sheafviz.core.model.sheaf import SheafLayout

    s = window.session
    if tuple(network.arch) == tuple(s.network.arch) and network.output == s.network.output:
        with s.edit_group("open weights"):
            s.set_network(network, initial=True)
        return
    layout = SheafLayout(network.arch)
    pins = _fitting_pins(s.pins, layout)
    preset = replace(s.preset, network=network, pins=_fitting_pins(s.preset.pins, layout))
    data = s.data
    dataset = data if (data is not None and data.X.shape[1] == network.arch[0] and
                       data.Y.shape[1] == network.arch[-1]) else None
    window.open_preset_object(preset, dataset=dataset, pins=pins,
                              data_spec=s.data_spec if dataset is data else None)


class UndoStackView(QtCore.QObject):
    """What the Edit menu and the weight editor read of the session's undo history, with
    the signals of a QUndoStack (``count``, ``canUndo``, ``undoText``, …)."""

    undoTextChanged = QtCore.Signal(str)
    redoTextChanged = QtCore.Signal(str)
    canUndoChanged = QtCore.Signal(bool)
    canRedoChanged = QtCore.Signal(bool)

    def __init__(self, owner, parent=None) -> None:
        super().__init__(parent)
        self.owner = owner
        self._seen = ("", "", False, False)

    def count(self) -> int:
        return len(self.owner.session.undo_steps)

    def index(self) -> int:
        return self.owner.session.undo_index

    def text(self, i: int) -> str:
        return self.owner.session.undo_steps[i]

    def canUndo(self) -> bool:  # noqa: N802 - QUndoStack's names
        return self.owner.session.can_undo

    def canRedo(self) -> bool:  # noqa: N802
        return self.owner.session.can_redo

    def undoText(self) -> str:  # noqa: N802
        return self.owner.session.undo_text

    def redoText(self) -> str:  # noqa: N802
        return self.owner.session.redo_text

    def refresh(self) -> None:
        """Emit the signals whose values changed since the last refresh."""
        now = (self.undoText(), self.redoText(), self.canUndo(), self.canRedo())
        for signal, old, new in zip((self.undoTextChanged, self.redoTextChanged,
                                     self.canUndoChanged, self.canRedoChanged),
                                    self._seen, now):
            if old != new:
                signal.emit(new)
        self._seen = now


class UndoRecorder(QtCore.QObject):
    """Edit > Undo / Redo: :meth:`sheafviz.Session.undo` / ``redo`` of the window's
    session, which records every edit itself (pins, pinned values, rates, mode, example,
    weights). ``owner``: what holds the session (the window)."""

    def __init__(self, owner, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self.owner = owner
        self.stack = UndoStackView(owner, self)

    def undo(self) -> None:
        self.owner.session.undo()
        self.stack.refresh()

    def redo(self) -> None:
        self.owner.session.redo()
        self.stack.refresh()

    def on_settings_changed(self) -> None:
        self.stack.refresh()

    def reset(self) -> None:
        """A new session (its own undo history)."""
        self.stack.refresh()

    def flush(self) -> None:
        """Close a drag still being recorded, so it is its own undo step."""
        self.owner.session.end_undo_group()
        self.stack.refresh()

    resync = reset

    def record(self, fn, *args, **kwargs):
        """Run ``fn(*args, **kwargs)`` as one undo step of the session."""
        with self.owner.session.edit_group():
            result = fn(*args, **kwargs)
        self.stack.refresh()
        return result
