"""Debug panels built on first use: a stand-in for the hub, and a dock that builds its panel.

Building the seven panels costs about a third of a second at start-up (each holds
pyqtgraph plots), and most sessions never open one. Until a dock is first shown (its
"Debug" menu action, ``setVisible(True)``) or its ``widget()`` is asked for, the hub talks
to a :class:`PendingPanel`: it says it is not visible (so the hub draws nothing into it)
and remembers what the hub told it — the last call of each method, every signal
connection, every attribute set — to replay on the real panel the moment it is built.
The hub's records (discord history, training monitor) are kept by the hub either way, so
a panel opened late shows the whole run (the dock's opening refreshes it).
"""

from __future__ import annotations

import itertools

from PySide6 import QtWidgets


class PendingPanel:
    """Stands in for a panel not built yet (see the module docstring)."""

    def __init__(self) -> None:
        object.__setattr__(self, "_calls", {})
        object.__setattr__(self, "_serial", itertools.count())

    def isVisible(self) -> bool:  # noqa: N802 - the QWidget name the hub calls
        return False

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Recorder(self, (name,))

    def __setattr__(self, name: str, value) -> None:
        self._remember((name,), ("set", value))

    def _remember(self, path: tuple, what: tuple) -> None:
        # every connection is kept; of the other calls only the last per path, moved last
        key = path + (next(self._serial),) if path[-1] == "connect" else path
        self._calls.pop(key, None)
        self._calls[key] = (path, what)

    def replay(self, panel) -> None:
        """Do to ``panel`` what was done to this stand-in, in order."""
        for path, (kind, *rest) in self._calls.values():
            target = panel
            for name in path[:-1]:
                target = getattr(target, name)
            if kind == "set":
                setattr(target, path[-1], rest[0])
            else:
                args, kwargs = rest
                getattr(target, path[-1])(*args, **kwargs)
        self._calls.clear()


class _Recorder:
    """``pending.a.b(…)``: remembers the call on its :class:`PendingPanel`."""

    def __init__(self, owner: PendingPanel, path: tuple) -> None:
        self._owner, self._path = owner, path

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Recorder(self._owner, self._path + (name,))

    def __call__(self, *args, **kwargs) -> None:
        self._owner._remember(self._path, ("call", args, kwargs))


class LazyDock(QtWidgets.QDockWidget):
    """A dock whose panel is built by ``factory()`` the first time it is shown or asked for;
    the built panel replaces the hub's :class:`PendingPanel` (``hub.p[key]``)."""

    def __init__(self, title: str, parent, *, key: str, factory, hub) -> None:
        super().__init__(title, parent)
        self._key, self._factory, self.hub = key, factory, hub

    def built(self) -> bool:
        """Whether the panel exists yet."""
        return self._factory is None

    def ensure_panel(self):
        """Build the panel now if it is not built yet; returns it."""
        if self._factory is not None:
            factory, self._factory = self._factory, None
            panel = factory()
            pending = self.hub.p.get(self._key)
            self.hub.p[self._key] = panel
            if isinstance(pending, PendingPanel):
                pending.replay(panel)
            super().setWidget(panel)
        return super().widget()

    def widget(self):  # noqa: D102 - QDockWidget.widget, built on demand
        return self.ensure_panel()

    def setVisible(self, visible: bool) -> None:  # noqa: N802 - Qt's virtual
        if visible:
            self.ensure_panel()
        super().setVisible(visible)
