"""The learned function on a grid (2-D inputs) or a curve (1-D inputs)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sheafviz.core.model.network import Network


@dataclass(frozen=True)
class PredictionGrid:
    """The learned function over the data's input range.

    Attributes
    ----------
    kind : "curve" (1-D input) or "heatmap" (2-D input)
    xs : ndarray (nx,), first input coordinate
    ys : ndarray (ny,), second input coordinate (empty for a curve)
    values : ndarray (nx, n_out) for a curve; (nx, ny) for a heatmap: ŷ of the chosen output
        (identity), P(class 1) (sigmoid), or the winning class index (softmax)
    confidence : ndarray (nx, ny), the winning class's probability (softmax), else ones
    label : str, what ``values`` is
    """

    kind: str
    xs: np.ndarray
    ys: np.ndarray
    values: np.ndarray
    confidence: np.ndarray
    label: str


def _span(v: np.ndarray, margin: float) -> tuple[float, float]:
    lo, hi = float(np.min(v)), float(np.max(v))
    pad = margin * max(hi - lo, 1e-6)
    return lo - pad, hi + pad


def prediction_grid(network: Network, X: np.ndarray, *, resolution: int = 96,
                    margin: float = 0.08, output_index: int = 0) -> PredictionGrid:
    """Evaluate the network on a regular grid covering the inputs ``X`` (n, n0), n0 ∈ {1, 2}.

    Raises
    ------
    ValueError
        More than two inputs (no picture of the function), or an out-of-range output index.
    """
    X = np.atleast_2d(np.asarray(X, dtype=float))
    n0, n_out = network.arch[0], network.arch[-1]
    if n0 not in (1, 2):
        raise ValueError(f"the prediction view needs 1 or 2 inputs; this network takes {n0}")
    if X.shape[1] != n0 or X.shape[0] == 0:
        raise ValueError(f"data has shape {X.shape}, the network takes {n0} input(s)")
    if not 0 <= output_index < n_out:
        raise ValueError(f"output index {output_index} out of range (0..{n_out - 1})")
    xs = np.linspace(*_span(X[:, 0], margin), int(resolution))
    if n0 == 1:
        y = network.predict(xs[:, None])
        return PredictionGrid("curve", xs, np.zeros(0), y, np.ones((xs.size, 0)), "ŷ")
    ys = np.linspace(*_span(X[:, 1], margin), int(resolution))
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    p = network.predict(np.column_stack([gx.ravel(), gy.ravel()]))
    shape = gx.shape
    if network.output == "softmax":
        return PredictionGrid("heatmap", xs, ys, np.argmax(p, axis=1).reshape(shape).astype(float),
                              np.max(p, axis=1).reshape(shape), "class")
    label = "P(class 1)" if network.output == "sigmoid" else (
        "ŷ" if n_out == 1 else f"ŷ[{output_index}]")
    return PredictionGrid("heatmap", xs, ys, p[:, output_index].reshape(shape),
                          np.ones(shape), label)
