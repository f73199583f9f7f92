"""The lesson executor: drive a Session through each step's actions, then verify its checks.

Headless, the GUI-only actions (``show``, ``highlight``) are recorded in the step's result and
otherwise ignored. An action the open network cannot take (an unknown neuron, a joint flow
without a training pair) raises :class:`LessonError` naming the step; a check whose quantity
cannot be read, or whose value is outside its tolerance, is a failed claim.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sheafviz.core.model.network import Network, NetworkError, network_from_arrays
from sheafviz.core.model.pins import PinError
from sheafviz.lessons import quantities
from sheafviz.lessons.probes import LessonState, ProbeError, theta_vector
from sheafviz.lessons.spec import Action, Check, Lesson, LessonError


def session_class():
    """``sheafviz.Session`` (imported late: the session package imports the core lazily)."""
    from sheafviz.session import Session
    return Session


@dataclass
class CheckResult:
    check: Check
    value: object
    ok: bool
    detail: str


@dataclass
class StepResult:
    index: int
    title: str
    checks: list = field(default_factory=list)
    gui_actions: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


# -- comparing a value with a check ----------------------------------------------------------
def show_value(value) -> str:
    """A value as a check message shows it (6 significant digits, names as a list)."""
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], str):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, (bool, np.bool_, str, int, np.integer)):
        return str(value).lower() if isinstance(value, (bool, np.bool_)) else str(value)
    arr = np.atleast_1d(np.asarray(value, dtype=float))
    text = ", ".join(f"{v:.6g}" for v in arr.ravel())
    return text if np.ndim(value) == 0 else f"[{text}]"


def compare(check: Check, value) -> tuple[bool, str]:
    """(passed, what was expected) for one check and the value read."""
    exp = check.expect
    if isinstance(exp, bool):
        return isinstance(value, (bool, np.bool_)) and bool(value) == exp, show_value(exp)
    if isinstance(exp, str) or (isinstance(exp, list) and all(isinstance(e, str) for e in exp)
                                and (exp or isinstance(value, list))):
        want = [exp] if isinstance(exp, str) else list(exp)
        return isinstance(value, list) and [str(v) for v in value] == want, show_value(want)
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], str):
        return False, "a number"
    got = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
    if exp is not None:
        want = np.atleast_1d(np.asarray(exp, dtype=float)).ravel()
        if want.shape != got.shape:
            return False, f"{show_value(exp)} (shape {want.shape}, got {got.shape})"
        ok = bool(np.all(np.abs(got - want) <= check.tol + check.rtol * np.abs(want)))
        return ok, f"{show_value(exp)} ± {check.tol:g} + {check.rtol:g}·|expected|"
    ok, parts = bool(np.all(np.isfinite(got))), []
    if check.below is not None:
        ok = ok and bool(np.all(got < check.below))
        parts.append(f"< {check.below:g}")
    if check.above is not None:
        ok = ok and bool(np.all(got > check.above))
        parts.append(f"> {check.above:g}")
    return ok, " and ".join(parts)


# -- the executor ---------------------------------------------------------------------------
class LessonRunner:
    """Run a :class:`Lesson` step by step on a fresh Session.

    Parameters
    ----------
    lesson : Lesson
    session_factory : class with ``from_preset(name)`` and ``(network)`` constructors;
        default :func:`session_class`
    """

    def __init__(self, lesson: Lesson, *, session_factory=None) -> None:
        self.lesson = lesson
        self.factory = session_factory or session_class()
        self.session = None
        self.marks: dict = {}
        self._errors: list[str] = []

    def run(self) -> list[StepResult]:
        return [self.run_step(i) for i in range(len(self.lesson.steps))]

    def run_to(self, i: int) -> StepResult:
        """Replay steps 1..i+1 on a fresh session (Back in a lesson bar: each step's state
        depends on every step before it) and return the result of step i+1 (0-based i)."""
        if not 0 <= i < len(self.lesson.steps):
            raise IndexError(f"step {i + 1} out of range 1..{len(self.lesson.steps)}")
        self.session, self.marks = None, {}
        for k in range(i):
            self.run_step(k)
        return self.run_step(i)

    def run_step(self, i: int) -> StepResult:
        step = self.lesson.steps[i]
        result = StepResult(i + 1, step.title)
        for n, action in enumerate(step.actions, start=1):
            if action.gui_only:
                result.gui_actions.append(action)
                continue
            try:
                self._do(action)
            except (KeyError, IndexError, ValueError, ProbeError, PinError,
                    NetworkError) as exc:
                text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
                raise LessonError(f"{self.lesson.source}: step {i + 1}: actions[{n}] "
                                  f"({action.verb}): {' '.join(text.split())}") from None
        state = self.state() if self.session is not None else None
        for check in step.checks:
            result.checks.append(self._check(check, state))
        return result

    # -- actions ----------------------------------------------------------------------------
    def _need_session(self, action: Action):
        if self.session is None:
            raise ValueError("open a preset or a network first")
        return self.session

    def _do(self, action: Action) -> None:
        """Apply one action; an error message the Session sends meanwhile (it reports an
        unstable Δt or a refused pin that way rather than raising) becomes a ValueError."""
        self._errors = []
        self._apply(action)
        if self._errors:
            raise ValueError(self._errors[0])

    def _on_message(self, text: str, level: str) -> None:
        if level == "error":
            self._errors.append(text)

    def _apply(self, action: Action) -> None:
        verb, value, opt = action.verb, action.value, action.options
        if verb == "open":
            self.session = self._open(value)
            events = getattr(self.session, "events", None)
            if events is not None:
                events.message.connect(self._on_message)
            self.marks = {}
            return
        s = self._need_session(action)
        if verb == "pin":
            s.pin(value, self._pin_value(value, opt), stiffness=opt.get("stiffness"))
        elif verb == "unpin":
            s.unpin(value)
        elif verb == "mode":
            s.mode = value
        elif verb == "training":
            s.set_training(mode=value, optimizer=opt.get("optimizer"), lr=opt.get("lr"))
        elif verb == "rates":
            s.set_rates(**{k: float(v) for k, v in value.items()})
        elif verb == "play":
            s.step(int(value))
        elif verb == "equilibrium":
            if s.mode != "relax":  # the Session keeps a training state and only warns
                raise ValueError('the equilibrium moves a relaxation: set { mode = "relax" } '
                                 'first')
            s.equilibrium()
        elif verb == "reset":
            s.reset()
        elif verb == "perturb":
            self._perturb(s, float(value), opt)
        elif verb == "mark":
            self.marks[value] = (theta_vector(s.network), self._cochain(s).copy())

    def _open(self, value):
        if isinstance(value, str):
            return self.factory.from_preset(value)
        output = value.get("output", "identity")
        if "arch" in value:
            arch = [int(n) for n in value["arch"]]
            network = Network.he_init(arch, seed=int(value.get("seed", 0)), output=output)
        else:
            arrays = {k: np.asarray(v, dtype=float) for k, v in value["weights"].items()}
            arrays["output"] = np.asarray(output)
            network = network_from_arrays(arrays, source="the lesson's weights")
        return self.factory(network)

    @staticmethod
    def _cochain(s) -> np.ndarray:
        """The shown state (one example's cochain while training)."""
        return np.asarray(s.cochain, dtype=float)

    def _pin_value(self, target: str, opt: dict):
        s = self.session
        value = opt["value"]
        if isinstance(value, str):
            c = self._cochain(s)
            if value == "forward":
                lay = s.layout
                c = lay.forward_cochain(s.network, c[lay.vertex("x").slice])
            name, idx = s.layout.parse_neuron(target)
            stalk = c[s.layout.vertex(name).slice]
            value = stalk if idx is None else float(stalk[idx])
        value = np.asarray(value, dtype=float) + float(opt.get("offset", 0.0))
        return value.tolist() if value.ndim else float(value)

    def _perturb(self, s, size: float, opt: dict) -> None:
        """Kick the state and/or θ (``kick``: "state", "theta" (default) or "both") by
        random directions of norm ``size`` (seeded) with :meth:`Session.perturb`: the state
        kick moves the free coordinates (a training's stalks, x and y clamped), the θ kick
        is a weight edit that leaves the state where it is; the flow goes on from there."""
        kick = opt.get("kick", "theta")
        if not s.perturb(size, seed=int(opt.get("seed", 0)), theta=kick in ("theta", "both"),
                         state=kick in ("state", "both")) and not self._errors:
            raise ValueError(f"the session refused to kick the {kick}")  # (no message sent)

    # -- checks ---------------------------------------------------------------------------
    def state(self) -> LessonState:
        s = self.session
        beta = getattr(s.rates, "beta", None)
        return LessonState(s.network, s.pins, s.layout, self._cochain(s).copy(),
                           alpha=float(s.rates.alpha), beta=1.0 if beta is None else float(beta),
                           steps=int(s.steps), marks=dict(self.marks))

    def _check(self, check: Check, state: LessonState | None) -> CheckResult:
        if state is None:
            return CheckResult(check, None, False, "no network is open")
        try:
            value = quantities.evaluate(check.quantity, state)
        except (ProbeError, KeyError, IndexError, ValueError, ArithmeticError,
                np.linalg.LinAlgError) as exc:
            return CheckResult(check, None, False, f"cannot be read: {' '.join(str(exc).split())}")
        ok, wanted = compare(check, value)
        return CheckResult(check, value, ok, f"got {show_value(value)}, expected {wanted}")
