"""Qt-free building blocks of the live model :class:`sheafviz.Session`.

* :mod:`.frame`: the drawn :class:`~.frame.Snapshot` of one cochain and the bounded energy
  :class:`~.frame.History`;
* :mod:`.options`: the validated rates and training options;
* :mod:`.modestate`: one flow mode's state (cochain, running flow, clock, history, recorded
  trajectory), kept separately for "relax" and "joint";
* :mod:`.readouts`: the read-outs of the shown state, computed lazily;
* :mod:`.nudge`: moving the state by hand (a random kick of the state and/or θ, a given
  cochain);
* :mod:`.editing`: the edits (pins, mode, rates, training options, example, graph,
  weights, data);
* :mod:`.undo`: the undoable settings, their stack, and recording / applying them;
* :mod:`.flows`: building and stepping the flows, the equilibrium, reset and rewind;
* :mod:`.probe`: read-only views of the running flows (the debug docks);
* :mod:`.signals`: the session's psygnal events and the change transaction that fires each
  of them once;
* :mod:`.fileio`: the Session ↔ :class:`~sheafviz.core.data.session_file.SessionFile`
  conversion (save / load).
"""
