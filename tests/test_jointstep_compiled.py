"""The compiled joint step (numba, the ``fast`` extra) against the numpy stepper."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.core.flows.jointstep import JointStepper
from sheafviz.core.model.network import Network

pytest.importorskip("numba")

from sheafviz.core.flows.jointstep_compiled import (  # noqa: E402
    CompiledJointStepper, make_joint_stepper)


def _pair(arch, batch, *, seed=0, fused=None):
    rng = np.random.default_rng(seed)
    net = Network.he_init(arch, rng=rng)
    X = rng.uniform(-2, 2, size=(batch, arch[0]))
    Y = rng.normal(size=(batch, arch[-1]))
    fwd = net.forward(X)
    # stalks off the forward pass, so the ReLU masks and all forces are exercised
    z = [zl + 0.3 * rng.normal(size=zl.shape) for zl in fwd.z]
    a = [al + 0.3 * rng.normal(size=al.shape) for al in fwd.a]
    kw = dict(alpha=1.3, beta=0.7 / batch, dt=0.01)
    ref = JointStepper(net.weights, net.biases, "identity", X, Y, z, a, **kw)
    fast = CompiledJointStepper(net.weights, net.biases, "identity", X, Y, z, a, **kw)
    if fused is not None:
        fast.fused = fused
    return ref, fast


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("arch", [[2, 6, 1], [3, 5, 4, 2]])
def test_compiled_step_matches_numpy_over_1000_steps(arch, fused):
    ref, fast = _pair(arch, 9, fused=fused)
    ref.step(1000)
    fast.step(600)
    fast.step(400)  # two calls: the state carries over between them
    assert np.abs(ref.S - fast.S).max() < 1e-12
    assert np.abs(ref.P - fast.P).max() < 1e-12
    moved = np.abs(ref.P - _pair(arch, 9)[0].P).max()
    assert moved > 1e-3  # the parameters really trained


@pytest.mark.parametrize("fused", [True, False])
def test_compiled_relax_freezes_parameters(fused):
    ref, fast = _pair([2, 6, 3, 1], 5, seed=3, fused=fused)
    P0 = fast.P.copy()
    ref.relax(300)
    fast.relax(300)
    assert np.array_equal(fast.P, P0)
    assert np.abs(ref.S - fast.S).max() < 1e-12


def test_make_joint_stepper_picks_and_refuses():
    rng = np.random.default_rng(0)
    net = Network.he_init([2, 3, 1], rng=rng)
    X, Y = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    fwd = net.forward(X)
    args = (net.weights, net.biases, "identity", X, Y, fwd.z, fwd.a)
    kw = dict(alpha=1.0, beta=0.1, dt=0.01)
    assert type(make_joint_stepper(*args, **kw)) is CompiledJointStepper
    assert type(make_joint_stepper(*args, **kw, engine="numpy")) is JointStepper
    sig = (net.weights, net.biases, "sigmoid", X, Y.clip(0, 1), fwd.z, fwd.a)
    assert type(make_joint_stepper(*sig, **kw)) is JointStepper  # numpy handles other heads
    with pytest.raises(ValueError, match="identity output"):
        make_joint_stepper(*sig, **kw, engine="compiled")
    with pytest.raises(ValueError, match="'fastest'"):
        make_joint_stepper(*args, **kw, engine="fastest")
