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

__all__ = ["DiscordRows", "discord_rows", "DiscordMatrix", "DiscordHistory", "SwitchTimeline",
           "switching_timeline", "initial_active_from_events", "GradientComparison", "sheaf_parameter_gradient",
           "compare_gradients", "PredictionGrid", "prediction_grid",
           "SpectrumDetail", "spectrum_detail", "mode_ghost",
           "TrainingComparison", "compare_training", "history_series", "TrainingMonitor", "hidden_neurons"]
