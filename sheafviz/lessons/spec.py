"""The lesson file format: TOML read with :mod:`tomllib`, validated against a closed vocabulary.

A lesson is ``title``, ``summary``, an optional ``order`` (for listing) and a non-empty array
``[[steps]]``. A step has a ``caption`` (required), an optional ``title``, an array of
``actions`` (each an inline table with exactly one verb key plus that verb's options) and an
array of ``[[steps.checks]]`` (a ``quantity`` of :mod:`sheafviz.lessons.quantities` and an
expectation). ``docs/lessons.md`` describes every key.

Everything is validated when the file is read: an unknown key, verb, option, quantity or
panel, a wrong type or a missing caption raises :class:`LessonError` naming the file, the step
(1-based) and the key. What needs a network (a neuron or edge name) is validated when the step
runs, against the network then open.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sheafviz.lessons.errors import LessonError
from sheafviz.lessons.quantities import QuantityError, parse_quantity


#: verb → {option: accepted Python types}. The verb's own value types are in VERB_TYPES.
VERB_OPTIONS: dict[str, dict[str, tuple]] = {
    "open": {},
    "pin": {"value": (int, float, list, str), "stiffness": (int, float), "offset": (int, float)},
    "unpin": {},
    "mode": {},
    "training": {"optimizer": (str,), "lr": (int, float)},
    "rates": {},
    "play": {},
    "equilibrium": {},
    "reset": {},
    "perturb": {"seed": (int,), "kick": (str,)},
    "mark": {},
    "show": {},
    "highlight": {},
}
VERB_TYPES: dict[str, tuple] = {
    "open": (str, dict), "pin": (str,), "unpin": (str,), "mode": (str,), "training": (str,),
    "rates": (dict,), "play": (int,), "equilibrium": (bool,), "reset": (bool,),
    "perturb": (int, float), "mark": (str,), "show": (str,), "highlight": (str,),
}
#: Actions that only change what a window shows; recorded and ignored headless.
GUI_ONLY = ("show", "highlight")
MODES = ("relax", "joint")
TRAINING_MODES = ("paper", "adiabatic", "gd")
OPTIMIZERS = ("sgd", "momentum", "adam")
RATE_KEYS = ("alpha", "beta", "dt")
OPEN_KEYS = ("arch", "seed", "output", "weights")
PIN_WORDS = ("forward", "state")
#: What a ``perturb`` kicks (default "theta", as before the state could be kicked).
KICKS = ("state", "theta", "both")
PANELS = ("graph", "drape", "discord", "energy", "spectrum", "weights", "gradients", "data",
          "ep", "regions", "inverse", "phase", "history")
MAX_PLAY = 100_000

LESSON_KEYS = ("title", "summary", "order", "steps")
STEP_KEYS = ("title", "caption", "actions", "checks")
CHECK_KEYS = ("quantity", "expect", "below", "above", "tol", "rtol", "claim")
#: Absolute and relative tolerance of an ``expect`` check unless the check gives its own.
DEFAULT_TOL = 1e-6
DEFAULT_RTOL = 1e-6


@dataclass(frozen=True)
class Action:
    """One action: ``verb`` with its ``value`` and ``options`` (validated)."""

    verb: str
    value: object
    options: dict = field(default_factory=dict)

    @property
    def gui_only(self) -> bool:
        return self.verb in GUI_ONLY


@dataclass(frozen=True)
class Check:
    """A claim: ``quantity`` compared with ``expect`` (within ``tol + rtol·|expect|``) or
    bounded by ``below`` / ``above``; ``claim`` is the text a failure names."""

    quantity: str
    expect: object = None
    below: float | None = None
    above: float | None = None
    tol: float = DEFAULT_TOL
    rtol: float = DEFAULT_RTOL
    claim: str = ""

    @property
    def label(self) -> str:
        return self.claim or self.quantity


@dataclass(frozen=True)
class Step:
    caption: str
    title: str = ""
    actions: tuple = ()
    checks: tuple = ()


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    summary: str
    steps: tuple
    order: int = 1000
    source: str = ""


def _where(source: str, step: int | None, key: str | None) -> str:
    parts = [source]
    if step is not None:
        parts.append(f"step {step}")
    if key:
        parts.append(key)
    return ": ".join(parts)


def _fail(source: str, step: int | None, key: str | None, message: str) -> LessonError:
    return LessonError(f"{_where(source, step, key)}: {message}")


def _type_ok(value, types: tuple) -> bool:
    if isinstance(value, bool) and bool not in types:
        return False  # TOML true is not a number here
    return isinstance(value, types)


def _names(types: tuple) -> str:
    words = {int: "an integer", float: "a number", str: "a string", list: "an array",
             dict: "a table", bool: "true/false"}
    return " or ".join(words[t] for t in types)


def _check_closed(value, options: tuple, what: str, source, step, key) -> None:
    if value not in options:
        raise _fail(source, step, key, f"unknown {what} {value!r}; expected one of "
                    f"{', '.join(options)}")


def _parse_action(raw, source: str, step: int, n: int) -> Action:
    key = f"actions[{n}]"
    if not isinstance(raw, dict):
        raise _fail(source, step, key, "an action is an inline table like { play = 100 }")
    verbs = [k for k in raw if k in VERB_OPTIONS]
    if len(verbs) != 1:
        found = ", ".join(raw) or "nothing"
        raise _fail(source, step, key, f"an action needs exactly one verb of "
                    f"{', '.join(VERB_OPTIONS)}; found {found}")
    verb = verbs[0]
    value = raw[verb]
    if not _type_ok(value, VERB_TYPES[verb]):
        raise _fail(source, step, f"{key}.{verb}", f"must be {_names(VERB_TYPES[verb])}")
    options = {k: v for k, v in raw.items() if k != verb}
    for opt, val in options.items():
        allowed = VERB_OPTIONS[verb]
        if opt not in allowed:
            raise _fail(source, step, f"{key}.{opt}", f"unknown option of {verb!r}"
                        + (f"; expected {', '.join(allowed)}" if allowed else " (it takes none)"))
        if not _type_ok(val, allowed[opt]):
            raise _fail(source, step, f"{key}.{opt}", f"must be {_names(allowed[opt])}")
    _validate_verb(verb, value, options, source, step, f"{key}.{verb}")
    return Action(verb, value, options)


def _validate_verb(verb, value, options, source, step, key) -> None:
    if verb == "open" and isinstance(value, dict):
        for k in value:
            _check_closed(k, OPEN_KEYS, "key of a network", source, step, key)
        if ("arch" in value) == ("weights" in value):
            raise _fail(source, step, key, "a network is { arch = [...], seed = N } or "
                        "{ weights = { W1 = ..., b1 = ... } }")
    elif verb == "pin":
        if "value" not in options:
            raise _fail(source, step, key, "a pin needs a value (a number, an array, "
                        "'forward' or 'state')")
        if isinstance(options["value"], str):
            _check_closed(options["value"], PIN_WORDS, "pin value", source, step, key)
        if "stiffness" in options and not options["stiffness"] > 0:
            raise _fail(source, step, key, "the stiffness of a soft pin must be positive")
    elif verb == "mode":
        _check_closed(value, MODES, "mode", source, step, key)
    elif verb == "training":
        _check_closed(value, TRAINING_MODES, "training mode", source, step, key)
        if "optimizer" in options:
            _check_closed(options["optimizer"], OPTIMIZERS, "optimizer", source, step, key)
    elif verb == "rates":
        for k, v in value.items():
            _check_closed(k, RATE_KEYS, "rate", source, step, key)
            if not _type_ok(v, (int, float)) or not v > 0:
                raise _fail(source, step, f"{key}.{k}", "must be a positive number")
    elif verb == "play" and not 0 < value <= MAX_PLAY:
        raise _fail(source, step, key, f"must be between 1 and {MAX_PLAY}")
    elif verb == "perturb":
        if not value > 0:
            raise _fail(source, step, key, "the size of a perturbation must be positive")
        if "kick" in options:
            _check_closed(options["kick"], KICKS, "kick", source, step, key)
    elif verb == "show":
        _check_closed(value, PANELS, "panel", source, step, key)


def _parse_check(raw, source: str, step: int, n: int) -> Check:
    key = f"checks[{n}]"
    if not isinstance(raw, dict):
        raise _fail(source, step, key, "a check is a table with a quantity")
    for k in raw:
        _check_closed(k, CHECK_KEYS, "check key", source, step, f"{key}.{k}")
    if not isinstance(raw.get("quantity"), str):
        raise _fail(source, step, f"{key}.quantity", "required, a string like 'energy'")
    try:
        parse_quantity(raw["quantity"])
    except QuantityError as exc:
        raise _fail(source, step, f"{key}.quantity", str(exc)) from None
    bounds = [k for k in ("expect", "below", "above") if k in raw]
    if not bounds or ("expect" in raw and len(bounds) > 1):
        raise _fail(source, step, key, "give expect, or below and/or above")
    for k in ("below", "above", "tol", "rtol"):
        if k in raw and not _type_ok(raw[k], (int, float)):
            raise _fail(source, step, f"{key}.{k}", "must be a number")
    if "expect" in raw and not _expect_ok(raw["expect"]):
        raise _fail(source, step, f"{key}.expect", "must be a number, true/false, a string "
                    "or an array of those")
    if "claim" in raw and not isinstance(raw["claim"], str):
        raise _fail(source, step, f"{key}.claim", "must be a string")
    return Check(raw["quantity"], raw.get("expect"), raw.get("below"), raw.get("above"),
                 float(raw.get("tol", DEFAULT_TOL)), float(raw.get("rtol", DEFAULT_RTOL)),
                 raw.get("claim", ""))


def _expect_ok(value) -> bool:
    if isinstance(value, list):
        return all(_expect_ok(v) for v in value)
    return isinstance(value, (bool, int, float, str))


def _parse_step(raw, source: str, step: int) -> Step:
    if not isinstance(raw, dict):
        raise _fail(source, step, None, "a step is a table [[steps]]")
    for k in raw:
        _check_closed(k, STEP_KEYS, "step key", source, step, k)
    caption = raw.get("caption")
    if not isinstance(caption, str) or not caption.strip():
        raise _fail(source, step, "caption", "required, a non-empty string")
    for k in ("actions", "checks"):
        if k in raw and not isinstance(raw[k], list):
            raise _fail(source, step, k, "must be an array")
    if "title" in raw and not isinstance(raw["title"], str):
        raise _fail(source, step, "title", "must be a string")
    actions = tuple(_parse_action(a, source, step, i + 1)
                    for i, a in enumerate(raw.get("actions", [])))
    checks = tuple(_parse_check(c, source, step, i + 1)
                   for i, c in enumerate(raw.get("checks", [])))
    return Step(caption.strip(), raw.get("title", ""), actions, checks)


def parse_lesson(data: dict, *, name: str, source: str) -> Lesson:
    """Validate a decoded TOML document and build the :class:`Lesson`."""
    for k in data:
        _check_closed(k, LESSON_KEYS, "top-level key", source, None, k)
    for k in ("title", "summary"):
        if not isinstance(data.get(k), str) or not data[k].strip():
            raise _fail(source, None, k, "required, a non-empty string")
    if "order" in data and not _type_ok(data["order"], (int,)):
        raise _fail(source, None, "order", "must be an integer")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps:
        raise _fail(source, None, "steps", "a lesson needs at least one [[steps]] table")
    parsed = tuple(_parse_step(s, source, i + 1) for i, s in enumerate(steps))
    return Lesson(name, data["title"].strip(), data["summary"].strip(), parsed,
                  int(data.get("order", 1000)), source)


def read_lesson_text(text: str, *, name: str, source: str) -> Lesson:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(f"{source}: not valid TOML: {exc}") from None
    return parse_lesson(data, name=name, source=source)


def read_lesson_file(path: str | Path) -> Lesson:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LessonError(f"{path}: cannot read the lesson file: "
                          f"{getattr(exc, 'strerror', None) or exc}") from None
    return read_lesson_text(text, name=path.stem, source=str(path))
