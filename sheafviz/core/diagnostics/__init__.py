"""Qt-free data behind the training-debug panels (issue 6): why a network learns or not.

Every panel of ``sheafviz.gui.debug`` draws one of these pure-numpy products, one submodule
each (every name is re-exported here: import them from ``sheafviz.core.diagnostics``):

* :mod:`.discord`: :class:`DiscordHistory` → :class:`DiscordMatrix` — the discord
  space–time heatmap: one row per edge (or per edge coordinate), one column per recorded
  step, for the batch mean or one example. A coordinate's value is ``r_e[j]²``, so a row of
  an edge is the sum of its coordinate rows and ``Σ_e d_e = 2E`` (SPEC §4).
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
  extreme modes (SPEC §11).

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

from sheafviz.core.diagnostics.discord import DiscordHistory, DiscordMatrix, DiscordRows, discord_rows
from sheafviz.core.diagnostics.gradients import (GRADIENT_RTOL, GradientComparison, compare_gradients,  # noqa: F401
                        sheaf_parameter_gradient)
from sheafviz.core.diagnostics.laplacian_modes import SpectrumDetail, mode_ghost, spectrum_detail
from sheafviz.core.diagnostics.predictions import PredictionGrid, prediction_grid
from sheafviz.core.diagnostics.switching import (SwitchTimeline, hidden_neurons, initial_active_from_events,
                        switching_timeline)
from sheafviz.core.diagnostics.training_series import (TrainingComparison, TrainingMonitor, compare_training,
                              history_series)
from sheafviz.core.diagnostics.ep import EPComparison, ep_gap_curve, ep_gradients
from sheafviz.core.diagnostics.inverse import FamilyPiece, InverseFamily, NearestPoint, inverse_family
from sheafviz.core.diagnostics.phase import PhaseField, PhaseLine, perturb, phase_field
from sheafviz.core.diagnostics.planar import PlaneSlice
from sheafviz.core.diagnostics.regions import Region, RegionMap, activation_regions

__all__ = ["DiscordRows", "discord_rows", "DiscordMatrix", "DiscordHistory", "SwitchTimeline",
           "switching_timeline", "initial_active_from_events", "GradientComparison", "sheaf_parameter_gradient",
           "compare_gradients", "PredictionGrid", "prediction_grid",
           "SpectrumDetail", "spectrum_detail", "mode_ghost",
           "TrainingComparison", "compare_training", "history_series", "TrainingMonitor", "hidden_neurons",
           "EPComparison", "ep_gradients", "ep_gap_curve", "PlaneSlice", "Region", "RegionMap",
           "activation_regions", "FamilyPiece", "InverseFamily", "NearestPoint", "inverse_family",
           "PhaseField", "PhaseLine", "phase_field", "perturb"]
