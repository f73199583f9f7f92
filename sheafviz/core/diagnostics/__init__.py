"""Qt-free data behind the training-debug panels (issue 6): why a network learns or not.

Every panel of ``sheafviz.gui.debug`` draws one of these pure-numpy products, one submodule
each (every name is re-exported here: import them from ``sheafviz.core.diagnostics``):

* :mod:`.discord`: :class:`DiscordHistory` → :class:`DiscordMatrix` — the discord
  space–time heatmap: one row per edge (or per edge coordinate), one column per recorded
  step, for the batch mean or one example. A coordinate's value is ``r_e[j]²``, so a row of
  an edge is the sum of its coordinate rows and ``Σ_e d_e = 2E``.
* :mod:`.switching`: :func:`switching_timeline` → :class:`SwitchTimeline` — when each
  hidden neuron switched in a relaxation (from the heat flow's
  :class:`~sheafviz.core.flows.events.SwitchEvent` list).
* :mod:`.gradients`: :func:`compare_gradients` — the sheaf parameter gradient against
  backprop, per layer, at one state.
* :mod:`.training_series`: :func:`history_series` — the gradient comparison (and the
  spectrum, the losses) over training, as arrays with masks, out of a
  :class:`~sheafviz.core.flows.training.JointFlow`'s history or a :class:`TrainingMonitor`;
  :func:`compare_training` — the joint flow and plain gradient descent from the same weights.
* :mod:`.predictions`: :func:`prediction_grid` → :class:`PredictionGrid` — the learned
  function on a grid (2-D inputs) or a curve (1-D inputs).
* :mod:`.laplacian_modes`: :func:`spectrum_detail` — ``L_free`` with its eigenvalues and
  extreme modes.

The views of the lectures (issue 12), each Qt-free with an exact reference in its tests:

* :mod:`.ep`: :func:`ep_gradients` → :class:`EPComparison` — the equilibrium-propagation
  limit: the sheaf gradient at a softly nudged output, divided by γ, against backprop.
* :mod:`.regions`: :func:`activation_regions` → :class:`RegionMap` — exact polygons of
  constant forward pattern in a box of the input plane (or a :class:`PlaneSlice`).
* :mod:`.inverse`: :func:`inverse_family` → :class:`InverseFamily` — the inputs that reach
  pins on ``y`` and hidden coordinates, as exact points, segments and polygons.
* :mod:`.phase`: :func:`phase_field` → :class:`PhaseField` — the heat-flow field in a 2-D
  slice of two free coordinates; :func:`perturb` nudges a state (and θ).
* :mod:`.planar`: the convex-polygon geometry these share.

Undefined values (a cosine against a zero gradient, κ of a singular ``L_free``) are never
NaN here: they come with a boolean ``defined`` mask and a 0 in the value array.
"""

from __future__ import annotations

#: Each exported name → its submodule. A name is imported at first use (PEP 562), so that the
#: window's start-up loads only the submodules it uses (the debug panels' and the chapter
#: views' data are computed when a panel is opened).
_SUBMODULE = {
    "DiscordHistory": "discord", "DiscordMatrix": "discord", "DiscordRows": "discord",
    "discord_rows": "discord", "GRADIENT_RTOL": "gradients", "GradientComparison": "gradients",
    "compare_gradients": "gradients", "sheaf_parameter_gradient": "gradients",
    "SpectrumDetail": "laplacian_modes", "mode_ghost": "laplacian_modes",
    "spectrum_detail": "laplacian_modes", "PredictionGrid": "predictions",
    "prediction_grid": "predictions", "SwitchTimeline": "switching",
    "hidden_neurons": "switching", "initial_active_from_events": "switching",
    "switching_timeline": "switching", "TrainingComparison": "training_series",
    "TrainingMonitor": "training_series", "compare_training": "training_series",
    "history_series": "training_series", "EPComparison": "ep", "ep_gap_curve": "ep",
    "ep_gradients": "ep", "FamilyPiece": "inverse", "InverseFamily": "inverse",
    "NearestPoint": "inverse", "inverse_family": "inverse", "PhaseField": "phase",
    "PhaseLine": "phase", "perturb": "phase", "phase_field": "phase", "PlaneSlice": "planar",
    "Region": "regions", "RegionMap": "regions", "activation_regions": "regions"
}


__all__ = ["DiscordRows", "discord_rows", "DiscordMatrix", "DiscordHistory", "SwitchTimeline",
           "switching_timeline", "initial_active_from_events", "GradientComparison", "sheaf_parameter_gradient",
           "compare_gradients", "PredictionGrid", "prediction_grid",
           "SpectrumDetail", "spectrum_detail", "mode_ghost",
           "TrainingComparison", "compare_training", "history_series", "TrainingMonitor", "hidden_neurons",
           "EPComparison", "ep_gradients", "ep_gap_curve", "PlaneSlice", "Region", "RegionMap",
           "activation_regions", "FamilyPiece", "InverseFamily", "NearestPoint", "inverse_family",
           "PhaseField", "PhaseLine", "phase_field", "perturb"]


def __getattr__(name: str):
    """``from sheafviz.core.diagnostics import X``: X's submodule is imported now."""
    module = _SUBMODULE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_SUBMODULE))
