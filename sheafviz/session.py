"""The live model: :class:`Session`, a Qt-free sheafviz session that views observe.

A session owns the network (current and initial weights), the data, the pins, the settings
(mode, rates, training options, example) and, per flow mode, the state the flow has reached
(:class:`~sheafviz.live.modestate.ModeState`). Views and scripts change it through its
methods only and redraw on its psygnal :attr:`Session.events`, each of which fires once per
change. Time is not its business: a GUI calls :meth:`Session.step` from its own timer.

Edits (pins, weights, rates, training options, mode, example, graph, data) are undoable and
turn :attr:`Session.modified` on; the flow moving the state (:meth:`step`,
:meth:`equilibrium`, :meth:`reset`) and a hand-moved state (:meth:`perturb`,
:meth:`set_state`) are neither. Core errors never escape an intent: they become a ``message``
event and the session stays as it was (bad arguments still raise ValueError).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sheafviz.core.data.datasets import Dataset, load_dataset
from sheafviz.core.data.presets import DEFAULT_PRESET, Preset, load_preset
from sheafviz.core.data.session_file import DataSpec
from sheafviz.core.flows.heat import initial_state
from sheafviz.core.model.graphs import check_graph
from sheafviz.core.model.network import Network
from sheafviz.core.model.pins import PinSet
from sheafviz.core.model.sheaf import SheafLayout
from sheafviz.live import editing, flows, nudge, probe
from sheafviz.live import undo as undoing
from sheafviz.live.frame import Snapshot, hidden_z_index, neuron_rows, session_snapshot
from sheafviz.live.modestate import ModeState
from sheafviz.live.options import (Rates, preset_rates, preset_state_rule,
                                   preset_training)
from sheafviz.live.flows import EquilibriumResult
from sheafviz.live.readouts import Readouts, cached_readouts, envelope
from sheafviz.live.signals import SessionEvents, Transaction

__all__ = ["Session", "EquilibriumResult"]


class Session:
    """A live sheafviz session (see the module notes; the events are
    :class:`~sheafviz.live.signals.SessionEvents`).

    Parameters
    ----------
    network : Network
    data : Dataset, optional, the training data (the joint flow trains on it)
    pins : PinSet, optional (default: the preset's, else none); with data and an
        ``example``, x and y of that example are pinned on top
    example : int or None, the training pair shown and pinned (None: train on the whole
        batch); ignored without data
    title : str
    preset : Preset or str, optional, where rates, initial state rule and output force come
        from (and the name a saved session records)
    graph : {"chapter", "paper"}, the graph of the flows and read-outs (see :attr:`graph`)
    """

    def __init__(self, network: Network, data: Dataset | None = None, *,
                 pins: PinSet | None = None, example: int | None = 0, title: str = "",
                 preset: Preset | str | None = None, graph: str = "chapter") -> None:
        if not isinstance(network, Network):
            raise ValueError(f"Session needs a Network, got {type(network).__name__}")
        self._graph = check_graph(graph, network.output)
        if isinstance(preset, str):
            preset = load_preset(preset)
        self.events = SessionEvents()
        self._tx = Transaction(self.events)
        self.preset = preset
        self.title = title or (preset.title if preset is not None else "")
        self.notes = preset.notes if preset is not None else ""
        self.init, self.state_seed, self.output_force = preset_state_rule(preset)
        self.layout = SheafLayout(network.arch)
        self._z_index = hidden_z_index(self.layout)
        self._network = self._initial = self._edited = network
        if data is not None:
            data.check_network(network.arch)
        self._data, self.data_spec = data, None
        self._example = None if data is None else editing.checked_example(self, example)
        self._shown = self._example or 0
        self._rates = Rates(**preset_rates(preset, data))
        self._training = preset_training(preset)
        pins = pins if pins is not None else (preset.pins if preset is not None else PinSet())
        if self._example is not None:
            pins = editing.example_pins(self, pins, self._example)
        pins.resolve(self.layout)  # validate every pinned neuron now
        self._pins = pins
        self._mode = "relax"
        self._versions = {"weights": 0, "pins": 0, "state": 0}
        self._solution_cache: tuple | None = None
        self._equilibrium_shown: tuple = (None, None)  # see flows.shown_equilibrium
        self._modes = {"relax": ModeState("relax", self._initial_cochain(),
                                          len(self.layout.edges)), "joint": None}
        self._readouts_cache: tuple | None = None
        self._spectra: dict = {}  # eigensolves by (θ, pins, σ) version: see Readouts
        self._snapshot_cache: tuple | None = None
        self.selection: tuple[str, int] | None = None
        self._undo = undoing.UndoStack()
        self._modified = False
        self._edit_depth, self._applying = 0, False
        self._undo_group = None  # the settings when begin_undo_group was called
        flows.record(self)

    @classmethod
    def from_preset(cls, name: str | None = None, *, pins: PinSet | None = None) -> "Session":
        """The shipped preset ``name`` (the default preset when None) with its data set."""
        preset = load_preset(name or DEFAULT_PRESET)
        data = load_dataset(preset.data) if preset.data else None
        s = cls(preset.network, data, pins=pins, example=preset.example or 0, preset=preset)
        s.data_spec = DataSpec(name=preset.data) if preset.data else None
        return s

    def _initial_cochain(self) -> np.ndarray:
        return flows.impose(self, initial_state(self._network, self._pins, init=self.init,
                                                state_seed=self.state_seed, layout=self.layout))

    # -- plain read access ---------------------------------------------------------------
    network = property(lambda self: self._network, doc="The current weights (Network).")
    initial_network = property(lambda self: self._initial,
                               doc="The weights reset() returns to.")
    data = property(lambda self: self._data, doc="The data set (Dataset) or None.")
    example = property(lambda self: self._example,
                       doc="The pinned training pair (int), None for the whole batch.")
    pins = property(lambda self: self._pins, doc="The pins (PinSet, immutable).")
    rates = property(lambda self: self._rates, doc="Flow rates (Rates).")
    training = property(lambda self: self._training, doc="Training options.")
    modified = property(lambda self: self._modified, doc="Unsaved edits exist.")
    undo_steps = property(lambda self: self._undo.labels,
                          doc="The names of the recorded edits, oldest first.")
    undo_index = property(lambda self: self._undo.index,
                          doc="How many of undo_steps are done (the rest can be redone).")
    can_undo = property(lambda self: self._undo.can_undo)
    can_redo = property(lambda self: self._undo.can_redo)
    undo_text = property(lambda self: self._undo.undo_text)
    redo_text = property(lambda self: self._undo.redo_text)

    @property
    def mode(self) -> str:
        """What step() runs: "relax" (heat flow) or "joint" (training)."""
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        self.set_mode(mode)

    @property
    def _state(self) -> ModeState:
        return self._modes[self._mode]

    @property
    def cochain(self) -> np.ndarray:
        """The shown state (size,) (a copy): the relaxation, or the shown training pair."""
        return self._state.cochain.copy()

    steps = property(lambda self: self._state.steps, doc="Steps of the current mode's flow.")
    time = property(lambda self: self._state.t, doc="Flow time of the current mode.")
    history = property(lambda self: self._state.history,
                       doc="The current mode's History (energy, discords, switch events).")
    trajectory = property(lambda self: self._state.trajectory,
                          doc="The current mode's recorded states (rewind).")
    rewound_to = property(lambda self: self._state.position,
                          doc="The trajectory index shown after seek(), None once the "
                              "flow records again.")

    joint_batch = property(lambda self: probe.joint_batch(self),
                           doc="The joint flow's batch (JointBatch) or None before it runs.")
    switch_events = property(lambda self: probe.switch_events(self),
                             doc="(t_start, events): the relaxation's ReLU switches.")

    @property
    def graph(self) -> str:
        """The graph the flows, the equilibrium, the spectrum read-outs and the history use:
        "chapter" (the path with its own ``y`` vertex) or "paper" (an output coordinate is
        a vertex only while hard-pinned; identity heads only). See
        :mod:`sheafviz.core.model.graphs`."""
        return self._graph

    @property
    def has_y_vertex(self) -> bool:
        """Whether the shown state has a ``y`` vertex to draw: False on the paper graph
        while relaxing with no output coordinate hard-pinned (training pins y). It changes
        only with ``pins_changed`` or ``settings_changed`` (graph, mode)."""
        return flows.has_y_vertex(self)

    @property
    def shown_example(self) -> int:
        """The data row the joint flow shows (with a whole batch)."""
        return self._shown

    # -- flows ---------------------------------------------------------------------------
    def step(self, n: int = 1) -> bool:
        """Advance the current mode's flow by ``n`` steps; True when a relaxation has
        converged. A divergence or an unstable step becomes an error ``message`` (the flow
        keeps its last finite state). Not an edit: ``modified`` does not change."""
        return flows.step(self, n)

    def equilibrium(self) -> EquilibriumResult | None:
        """Solve the equilibrium of the current pins and, when relaxing, make it
        the state (not an edit). While training the state is kept (a ``warn`` message).
        None (and an error message) when the core cannot solve it."""
        return flows.equilibrium(self)

    def reset(self) -> None:
        """Back to the initial weights and the initial state of the current mode (pins and
        settings kept; the clock and history of the mode restart). Not an edit."""
        flows.reset(self)

    def seek(self, k: int) -> None:
        """Show recorded state ``k`` of the current mode's :attr:`trajectory` (rewind; not
        an edit). The history after its time is forgotten, and so are the later recorded
        states once the flow steps on from it; the next step starts a fresh flow there (the
        flow's own state, e.g. optimizer moments, is not recorded)."""
        flows.seek(self, k)

    def perturb(self, size: float, *, seed: int = 0, theta: bool | None = None,
                state: bool = True) -> bool:
        """Nudge the shown state's free coordinates by a random direction of norm ``size``
        and, with ``theta`` (default: in joint mode), θ by another of the same norm (see
        :func:`sheafviz.live.nudge.perturb`). The state kick is not an edit
        (``state_changed``); the θ kick is an undoable weight edit that leaves the state
        where it is (``network_changed`` too), each event once. False (and a message) when
        nothing could be kicked."""
        return nudge.perturb(self, size, seed=seed, theta=theta, state=state)

    def set_state(self, cochain) -> bool:
        """Make ``cochain`` (size,) the shown state (joint mode: also (B, size), the whole
        batch); hard pins are imposed. Not an edit (see
        :func:`sheafviz.live.nudge.set_state`)."""
        return nudge.set_state(self, cochain)

    # -- edits (undoable; each turns `modified` on) ----------------------------------------
    def edit_group(self, label: str | None = None):
        """A context manager: every edit inside the block is one undo step (named
        ``label``, e.g. "edit W1[0,2]"; default: what changed), and its events fire once
        each at the end (a script changing several settings at once)."""
        return undoing.edit_group(self, label)

    def batch(self):
        """A context manager: the events of every change inside the block fire once each
        at its end (e.g. many ``step`` calls drawn as one frame). Not an undo step."""
        return self._tx.change()

    def begin_undo_group(self) -> None:
        """Record the edits from now to :meth:`end_undo_group` as one undo step, while each
        edit still fires its events at once (a drag: press … release)."""
        undoing.begin_group(self)

    def end_undo_group(self) -> None:
        """Close the group :meth:`begin_undo_group` opened (nothing when none is open)."""
        undoing.end_group(self)

    def pin(self, target: str, value, *, index: int | None = None,
            stiffness: float | None = None, jump: bool = False) -> bool:
        """Pin ``target`` ("y", "a1[0]"; or a stalk name with ``index``) to ``value`` (a
        number, or one per coordinate of a stalk); soft with ``stiffness`` γ > 0. With
        ``jump`` the relaxation moves to the new equilibrium (a dragged value).

        Raises
        ------
        PinError, KeyError
            An unknown neuron or values that do not fit it.
        """
        pins = editing.pinned(self, target, value, index=index, stiffness=stiffness)
        return self.set_pins(pins, jump=jump)

    def unpin(self, target: str, *, index: int | None = None) -> bool:
        """Remove the pins of ``target`` ("y", "a1[0]", or a stalk name with ``index``)."""
        return self.set_pins(editing.unpinned(self, target, index=index))

    def toggle_pin(self, target: str, *, index: int | None = None) -> bool:
        """Pin ``target`` (a neuron or a whole stalk) at its shown value, or unpin it when
        it is pinned already (a click on a neuron)."""
        return self.set_pins(editing.toggled(self, target, index=index))

    def set_pins(self, pins: PinSet, *, jump: bool = False, solution=None) -> bool:
        """Replace the whole pin set (see :func:`sheafviz.live.editing.set_pins`)."""
        with self.edit_group():
            return editing.set_pins(self, pins, jump=jump, solution=solution)

    def solver_for(self, pins: PinSet):
        """A function of no arguments that solves the equilibrium of ``pins`` under the
        current weights and graph (what ``set_pins(pins, jump=True)`` would solve). It
        reads nothing of the session when called, so it may run off the GUI thread; give
        its result to ``set_pins(pins, jump=True, solution=...)``. It pickles (it may run in
        another process)."""
        return flows.solver_for(self, pins)

    def set_mode(self, mode: str) -> bool:
        """"relax" or "joint" (ValueError otherwise); each keeps its own state."""
        with self.edit_group():
            return editing.set_mode(self, mode)

    def set_rates(self, *, alpha: float | None = None, beta: float | None = None,
                  dt: float | None = None, steps_per_frame: int | None = None) -> bool:
        """New rates (ValueError for a non-positive one); a running flow keeps going."""
        with self.edit_group():
            return editing.set_rates(self, alpha=alpha, beta=beta, dt=dt,
                                     steps_per_frame=steps_per_frame)

    def set_training(self, *, mode: str | None = None, optimizer: str | None = None,
                     lr: float | str | None = None) -> bool:
        """New training options (``lr="default"``: the flow's default rate)."""
        with self.edit_group():
            return editing.set_training(self, mode=mode, optimizer=optimizer, lr=lr)

    def set_graph(self, graph: str) -> bool:
        """"chapter" or "paper" (ValueError otherwise); see
        :func:`sheafviz.live.editing.set_graph`."""
        with self.edit_group():
            return editing.set_graph(self, graph)

    def set_example(self, example: int | None) -> bool:
        """Pin training pair ``example`` at x and y; None trains on the whole batch."""
        with self.edit_group():
            return editing.set_example(self, example)

    def set_network(self, network: Network, *, initial: bool = False) -> bool:
        """New weights of the same architecture (a weight edit; see
        :func:`sheafviz.live.editing.set_network`)."""
        with self.edit_group():
            return editing.set_network(self, network, initial=initial)

    def set_data(self, data: Dataset | None, *, spec=None) -> None:
        """Replace the data set (``spec``: a DataSpec naming where it came from, saved)."""
        with self.edit_group():
            editing.set_data(self, data, spec=spec)
            self._set_modified(True)

    def undo(self) -> bool:
        """Go back one edit (an open undo group is closed first); False when there is
        none."""
        self.end_undo_group()
        return undoing.step_history(self, self._undo.undo())

    def redo(self) -> bool:
        """Redo the last undone edit; False when there is none."""
        self.end_undo_group()
        return undoing.step_history(self, self._undo.redo())

    def _set_modified(self, on: bool) -> None:
        if on != self._modified:
            self._modified = on
            self.events.modified_changed.emit(on)

    def select(self, name: str | None, index: int | None = None) -> None:
        """Select neuron ``name[index]`` ("a1", 0 or "a1[0]"), or nothing (None)."""
        editing.select(self, name, index)

    # -- read-outs -----------------------------------------------------------------------
    def _key(self) -> tuple:
        v = self._versions
        return (self._mode, v["state"], v["weights"], v["pins"], self._graph)

    @property
    def readouts(self) -> Readouts:
        """The read-outs of the shown state (:class:`~sheafviz.live.readouts.Readouts`),
        rebuilt when the state, the weights, the pins or the mode changed."""
        return cached_readouts(self)

    def envelope(self) -> tuple[np.ndarray, np.ndarray]:
        """Predicted energy envelope ``(t, E)`` of the relaxation (see
        :func:`sheafviz.live.readouts.envelope`)."""
        return envelope(self)

    @property
    def snapshot(self) -> Snapshot:
        """The frame the views draw (:class:`~sheafviz.live.frame.Snapshot`), cached."""
        return session_snapshot(self)

    def neuron_info(self, name: str, index: int) -> list[tuple[str, str]]:
        """Label / value rows describing neuron ``name[index]`` at the shown state (value,
        forward value, pin, σ, the residual and discord of each incident edge)."""
        return neuron_rows(self.layout, self.snapshot, self._pins, name, int(index))

    def __repr__(self) -> str:
        name = self.preset.name if self.preset is not None else list(self.layout.arch)
        return (f"Session({name!r}, mode={self._mode!r}, steps={self.steps}, "
                f"pins={len(self._pins)}, modified={self._modified})")

    # -- files -----------------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the session (format v2, atomically) and clear :attr:`modified`."""
        from sheafviz.live.fileio import save

        save(self, path)
        self._set_modified(False)

    @classmethod
    def load(cls, path: str | Path) -> "Session":
        """Open a session file (v2, or v1 migrated); SessionError naming the problem."""
        from sheafviz.live.fileio import load

        return load(cls, path)
