"""What a joint flow records into its TrainingHistory: discord, losses, gradient agreement, spectra."""

from __future__ import annotations

import numpy as np

from sheafviz.core.flows.forces import cross_entropy
from sheafviz.core.flows.trainmetrics import (TrainingHistory, compare_gradients, edge_discords,
                                              median_spread)
from sheafviz.core.model.backprop import backprop, forward_loss
from sheafviz.core.model.sheaf import SheafLayout


def record_point(h: TrainingHistory, residuals, *, step: int, time: float, layout: SheafLayout,
                 force: str, output: str, weights, biases, X, Y, X_test, Y_test) -> None:
    """Append one record to ``h``.

    Parameters
    ----------
    residuals : (ρ list, q list, r_out, consistent (B,) bool or None, a list, z_out), all
        (B, n), of the current stalks or equilibria
    weights, biases : the current θ; X (B, n0), Y (B, n_out) the batch; X_test, Y_test the
        test data or None
    """
    rho, q, r_out, consistent, a, z_out = residuals
    by_edge, by_type, by_layer, energy = edge_discords(layout, rho, q, r_out)
    h.step.append(step)
    h.time.append(time)
    h.residual.append(float(energy.mean()))
    h.residual_per_example.append(energy)
    if force == "cross-entropy":
        inner = energy - 0.5 * np.sum(r_out * r_out, axis=1)
        h.objective.append(float(np.mean(inner + cross_entropy(z_out, Y, output))))
    else:
        h.objective.append(float(energy.mean()))
    h.discord_by_edge.append(by_edge)
    h.discord_by_type.append(by_type)
    h.discord_by_layer.append(by_layer)
    w, b = weights, biases
    h.train_loss.append(forward_loss(w, b, output, X, Y))
    h.test_loss.append(None if X_test is None else forward_loss(w, b, output, X_test, Y_test))
    h.inconsistent.append(0 if consistent is None else int(np.sum(~consistent)))
    prev = [X] + a
    sw = [r.T @ p for r, p in zip(rho, prev)]
    sb = [r.sum(axis=0) for r in rho]
    kind = "ce" if force == "cross-entropy" else "squared"
    _, bw, bb = backprop(w, b, output, X, Y, kind=kind, scale=1.0 if kind == "ce" else 0.5)
    cos, ratio = compare_gradients(sw, sb, bw, bb)
    h.grad_cosine.append(cos)
    h.grad_norm_ratio.append(ratio)


def record_spectrum(h: TrainingHistory, *, step: int, free: tuple, clamped: tuple,
                    stalk_rate: float | None) -> None:
    """Append one spectrum record to ``h``.

    Parameters
    ----------
    free, clamped : (λ_min, λ_max), each (n_sub,), of L_free over the spectrum subsample
        with y free / with y pinned
    stalk_rate : α·Δt of the paper mode (warns when α Δt λ_max ≥ 2), None in the others
    """
    lmin, lmax = free
    h.spectrum_step.append(step)
    h.lambda_min_values.append(lmin)
    h.lambda_max_values.append(lmax)
    h.lambda_min.append(median_spread(lmin))
    h.lambda_max.append(median_spread(lmax))
    h.condition.append(median_spread(lmax / np.maximum(lmin, 1e-300)))
    cmin, cmax = clamped
    h.lambda_min_clamped.append(median_spread(cmin))
    h.lambda_max_clamped.append(median_spread(cmax))
    h.condition_clamped.append(median_spread(cmax / np.maximum(cmin, 1e-300)))
    if stalk_rate is not None and stalk_rate * cmax.max() >= 2.0:
        h.warnings.append(f"step {step}: α Δt λ_max = {stalk_rate * cmax.max():.3g} ≥ 2 on "
                          f"the spectrum subsample; the stalk flow is about to become unstable")
