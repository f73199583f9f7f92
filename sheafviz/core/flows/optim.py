"""First-order optimizers acting in place on one flat parameter vector.

The flows keep every ``W_l`` and ``b_l`` as views into a single flat buffer, so an optimizer
step is a handful of vector operations whatever the depth of the network.
"""

from __future__ import annotations

import numpy as np

OPTIMIZERS = ("sgd", "momentum", "adam")


class Optimizer:
    """Base class: ``step(params, grad)`` updates ``params`` in place (descent on ``grad``)."""

    def __init__(self, lr: float) -> None:
        lr = float(lr)
        if not (np.isfinite(lr) and lr > 0):
            raise ValueError(f"the learning rate must be a positive number, got {lr}")
        self.lr = lr

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:  # pragma: no cover
        raise NotImplementedError

    #: The moment buffers (attribute names) a subclass keeps between steps.
    _moments: tuple[str, ...] = ()

    def state_dict(self) -> dict:
        """``name`` (class), ``lr``, the moments that exist (``v``, ``m``, copies) and the
        step count ``t`` (Adam): everything the next steps depend on."""
        out = {"name": type(self).__name__, "lr": float(self.lr)}
        for key in self._moments:
            val = getattr(self, f"_{key}")
            if val is not None:
                out[key] = np.array(val, dtype=float)
        if hasattr(self, "_t"):
            out["t"] = int(self._t)
        return out

    def load_state(self, state: dict) -> None:
        """Take the moments and step count of :meth:`state_dict` (``lr`` is not changed;
        the caller checks the name and the shapes)."""
        for key in self._moments:
            if key in state:
                setattr(self, f"_{key}", np.array(state[key], dtype=float))
        if "t" in state and hasattr(self, "_t"):
            self._t = int(state["t"])


class SGD(Optimizer):
    """``θ ← θ − lr·g``."""

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        params -= self.lr * grad


class Momentum(Optimizer):
    """Heavy ball: ``v ← μ v + g``, ``θ ← θ − lr·v``."""

    _moments = ("v",)

    def __init__(self, lr: float, *, mu: float = 0.9) -> None:
        super().__init__(lr)
        self.mu = float(mu)
        self._v: np.ndarray | None = None

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        if self._v is None:
            self._v = np.zeros_like(params)
        self._v *= self.mu
        self._v += grad
        params -= self.lr * self._v


class Adam(Optimizer):
    """Adam (Kingma & Ba) with bias correction."""

    _moments = ("m", "v")

    def __init__(self, lr: float, *, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = float(beta1), float(beta2), float(eps)
        self._m: np.ndarray | None = None
        self._v: np.ndarray | None = None
        self._t = 0

    def step(self, params: np.ndarray, grad: np.ndarray) -> None:
        if self._m is None:
            self._m, self._v = np.zeros_like(params), np.zeros_like(params)
        self._t += 1
        self._m *= self.beta1
        self._m += (1.0 - self.beta1) * grad
        self._v *= self.beta2
        self._v += (1.0 - self.beta2) * grad * grad
        m_hat = self._m / (1.0 - self.beta1 ** self._t)
        v_hat = self._v / (1.0 - self.beta2 ** self._t)
        params -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


def make_optimizer(name: str, lr: float) -> Optimizer:
    """``"sgd"``, ``"momentum"`` or ``"adam"`` with learning rate ``lr``."""
    if name == "sgd":
        return SGD(lr)
    if name == "momentum":
        return Momentum(lr)
    if name == "adam":
        return Adam(lr)
    raise ValueError(f"unknown optimizer {name!r}; expected one of {', '.join(OPTIMIZERS)}")
