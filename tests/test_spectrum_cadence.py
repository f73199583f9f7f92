"""Training-spectrum cost: the structured λ path against a dense eigensolve, the default
cadence, and --spectrum-every."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reference import dense_coboundary
from sheafviz.cli import main
from sheafviz.core.flows.trainmetrics import default_spectrum_every, free_lambdas
from sheafviz.core.model.network import Network


@pytest.mark.parametrize("pin_y", [False, True])
def test_structured_training_lambdas_match_a_dense_eigensolve(pin_y):
    net = Network.he_init([3, 160, 150, 2], seed=1)  # 622+ free coordinates: Lanczos path
    x = np.array([0.5, -1.0, 2.0])
    sigma = [(z >= 0).astype(float) for z in net.forward(x).z[:-1]]
    D, _ = dense_coboundary(net.weights, net.biases, sigma)
    n = D.shape[1]
    free = np.arange(3, n - (2 if pin_y else 0))  # x pinned (first 3), y last 2
    ev = np.linalg.eigvalsh(D[:, free].T @ D[:, free])
    lo, hi = free_lambdas(net.weights, net.biases, "identity", x, pin_y=pin_y)
    assert len(free) > 600
    assert lo == pytest.approx(ev[0], rel=1e-5) and hi == pytest.approx(ev[-1], rel=1e-5)


def test_default_spectrum_cadence_thins_only_costly_spectra():
    assert default_spectrum_every([2, 30, 1], 300, 10, 16) == 100
    big = default_spectrum_every([784, 512, 512, 10], 1000, 10, 16)
    assert big > 100 and big % 10 == 0
    assert default_spectrum_every([784, 512, 512, 10], 1000, 7, 16) % 7 == 0
    # more examples per step make the spectrum relatively cheaper
    assert default_spectrum_every([784, 512, 512, 10], 4000, 10, 16) < big


def test_spectrum_every_option(capsys):
    argv = ["train", "--preset", "paraboloid", "--steps", "40", "--record-every", "5",
            "--json"]
    assert main(argv + ["--spectrum-every", "20"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["spectrum_steps"] == [0, 20, 40] and doc["spectrum_every"] == 20
    assert len(doc["lambda_min_median"]) == 3
    assert main(argv + ["--spectrum-every", "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--spectrum-every" in err[0]
