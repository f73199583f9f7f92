"""The session's events (a psygnal :class:`SignalGroup`) and the change transaction that
fires each of them once per change.

One user action often touches several parts of the model (a pin edit moves the pins, the
relaxation's state and the read-outs; an undo may change the mode, the rates and the pins).
Every change of :class:`sheafviz.Session` runs inside :meth:`Transaction.change`: parts mark
what they changed with :meth:`Transaction.mark`, and when the outermost change ends each
marked event fires exactly once, in the order of :data:`ORDER` (geometry before pins before
state, so a view rebuilds before it redraws). Messages are not deduplicated: they fire at
once.
"""

from __future__ import annotations

from contextlib import contextmanager

from psygnal import Signal, SignalGroup


class SessionEvents(SignalGroup):
    """Events of a :class:`sheafviz.Session`; each fires once per change.

    Signals
    -------
    network_changed() : new network geometry or weights by an edit (new preset, weight
        edit, load, undo of one); the weights moving during training are ``state_changed``
    pins_changed() : the pin set or a pinned value changed
    state_changed() : the shown state (cochain, clock, weights during training) moved
    settings_changed() : mode, training options, rates, steps per frame or example changed
    selection_changed() : the selected neuron changed
    data_changed() : the data set was replaced
    modified_changed(bool) : the "unsaved edits" flag flipped
    message(str, str) : a text and its level ("info", "warn", "error") for a recoverable
        problem or a notice
    """

    network_changed = Signal()
    pins_changed = Signal()
    state_changed = Signal()
    settings_changed = Signal()
    selection_changed = Signal()
    data_changed = Signal()
    modified_changed = Signal(bool)
    message = Signal(str, str)


#: The order in which marked events fire when a change ends.
ORDER = ("data_changed", "network_changed", "pins_changed", "settings_changed",
         "selection_changed", "state_changed")
LEVELS = ("info", "warn", "error")


class Transaction:
    """Collects the events of one (possibly nested) change and fires them once at its end.

    Parameters
    ----------
    events : SessionEvents
    """

    def __init__(self, events: SessionEvents) -> None:
        self.events = events
        self._depth = 0
        self._marked: set[str] = set()

    @property
    def active(self) -> bool:
        return self._depth > 0

    def mark(self, *names: str) -> None:
        """Fire ``names`` when the current change ends (at once outside a change)."""
        for name in names:
            if name not in ORDER:
                raise ValueError(f"unknown event {name!r}; expected one of {', '.join(ORDER)}")
        self._marked.update(names)
        if not self.active:
            self._flush()

    def message(self, text: str, level: str = "info") -> None:
        if level not in LEVELS:
            raise ValueError(f"unknown message level {level!r}; expected one of "
                             f"{', '.join(LEVELS)}")
        self.events.message.emit(str(text), level)

    @contextmanager
    def change(self):
        """Run the block as one change; nested blocks join the outermost one. Events
        marked before an exception still fire (whatever was changed is announced)."""
        self._depth += 1
        try:
            yield self
        finally:
            self._depth -= 1
            if self._depth == 0:
                self._flush()

    def _flush(self) -> None:
        marked, self._marked = self._marked, set()
        for name in ORDER:
            if name in marked:
                getattr(self.events, name).emit()
