"""The declared schema of session and preset files, checked with msgspec.

Why msgspec: it is small, has no dependencies, validates a decoded JSON tree against typed
``Struct`` declarations in C, and every error carries the path of the offending field
(``$.flow.mode``). Keyed maps (pins, weights) are declared as objects and their entries
checked one by one, so a message names the key as well (msgspec would write ``[...]``).

What is checked here, before any array is built or any network exists:

* the shape of the tree: which fields are objects, lists, strings, numbers; enum values
  (mode, optimizer, init, output, output force); unknown fields of ``flow``, ``data``,
  ``network`` and ``pins``;
* limits: nesting depth (:data:`MAX_DEPTH`, checked without recursion, so a deeply nested
  file is an error message and not a RecursionError), text lengths (:data:`MAX_TITLE`,
  :data:`MAX_NOTES`), the size of a file (:data:`MAX_FILE_BYTES`) and the sample counts of
  a generated data set (:data:`MAX_SAMPLES`).

Checks that need the network (array shapes against the architecture, the selected neuron,
the example index against the data) are in :mod:`sheafviz.core.data.session_checks`.

Errors are :class:`SchemaError` with messages like
``session.pins.hard["x[0]"]: expected a number, got a list``.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

import msgspec

__all__ = ["SchemaError", "check_depth", "check_text_depth", "validate_session",
           "validate_preset", "MAX_DEPTH", "MAX_TITLE", "MAX_NOTES", "MAX_FILE_BYTES",
           "MAX_SAMPLES"]

#: Deepest nesting of objects and lists in a session or preset file (real files: ~8).
MAX_DEPTH = 32
#: Longest title and preset name, and longest lesson notes (characters).
MAX_TITLE = 200
MAX_NOTES = 20_000
#: Largest session file read (bytes): about 10 million weights written as JSON, far more
#: than a network the window can draw.
MAX_FILE_BYTES = 256_000_000
#: Largest n_train or n_test of a generated data set accepted by the schema (the memory
#: a data set needs is checked against the machine later, with the figure).
MAX_SAMPLES = 10**9

Finite = Annotated[float, msgspec.Meta(ge=-1e300, le=1e300)]
Positive = Annotated[float, msgspec.Meta(gt=0, le=1e300)]
Count = Annotated[int, msgspec.Meta(ge=0, le=2**62)]
Seed = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
Title = Annotated[str, msgspec.Meta(max_length=MAX_TITLE)]
Notes = Annotated[str, msgspec.Meta(max_length=MAX_NOTES)]
Mode = Literal["relax", "paper", "adiabatic", "gd"]
Init = Literal["forward", "zeros", "random"]
Optimizer = Literal["sgd", "momentum", "adam"]
Output = Literal["identity", "sigmoid", "softmax"]
OutputForce = Literal["energy", "cross-entropy"]
DataName = Literal["paraboloid", "saddle", "circular", "blobs", "xor", "sine"]
Graph = Literal["chapter", "paper"]

#: The dtypes an encoded array may have (numbers and booleans only).
DTYPE_PATTERN = r"^[<>|=]?[fiub][1248]?$"

#: The choices of each enum field, for the error message (msgspec does not list them).
_ENUMS = {"mode": Mode, "init": Init, "optimizer": Optimizer, "output": Output,
          "output_force": OutputForce, "name": DataName, "data": DataName,
          "graph": Graph}


class SchemaError(ValueError):
    """A session or preset file that does not fit the schema; the message has the path."""


# -- the declarations ------------------------------------------------------------------------
class _Strict(msgspec.Struct, forbid_unknown_fields=True):
    pass


class NetworkSpec(_Strict):
    """An explicit network: ``weights`` {"W1": [[...]], "b1": [...], ...} (entries checked
    one by one), optional ``arch`` and ``output``."""

    weights: dict[str, Any]
    arch: list[Annotated[int, msgspec.Meta(ge=1, le=10**9)]] | None = None
    output: Output = "identity"


class PresetNetworkSpec(_Strict):
    """A preset's network: explicit ``weights`` or a ``seed`` for He-normal weights."""

    arch: Annotated[list[Annotated[int, msgspec.Meta(ge=1, le=10**9)]],
                    msgspec.Meta(min_length=2)]
    weights: dict[str, Any] | None = None
    seed: Seed | None = None
    output: Output = "identity"


class PinsSpec(_Strict):
    hard: dict[str, Any] = {}
    soft: dict[str, Any] = {}


class ArraySpec(_Strict):
    """An array written by the session encoder: nested lists and a numpy dtype string."""

    values: Any = msgspec.field(name="__array__")
    dtype: Annotated[str, msgspec.Meta(pattern=DTYPE_PATTERN)] = "<f8"


class InlineSpec(_Strict):
    """Inline data: training arrays X (n, n0), Y (n, n_out), optional test arrays."""

    X: ArraySpec
    Y: ArraySpec
    X_test: ArraySpec | None = None
    Y_test: ArraySpec | None = None


class DataSpecJSON(_Strict):
    name: DataName | None = None
    seed: Seed = 42
    n_train: Annotated[int, msgspec.Meta(ge=1, le=MAX_SAMPLES)] = 300
    n_test: Annotated[int, msgspec.Meta(ge=0, le=MAX_SAMPLES)] = 100
    inline: InlineSpec | None = None


class FlowSpec(_Strict):
    mode: Mode = "relax"
    alpha: Positive = 1.0
    beta: Positive | None = None
    dt: Positive = 0.05
    steps_per_frame: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 10
    init: Init = "forward"
    state_seed: Seed = 0
    optimizer: Optimizer = "sgd"
    lr: Positive | None = 0.005  # null (v2): the flow's default rate
    output_force: OutputForce = "energy"
    graph: Graph = "chapter"  # v2; absent in v1 files


class ViewSpec(msgspec.Struct):
    """Window settings; other keys are kept for newer versions of the window."""

    selected: tuple[Annotated[str, msgspec.Meta(max_length=32)], Count] | None = None
    notes: Notes | None = None


class HistorySpec(msgspec.Struct):
    """The window's recorded history (other keys are kept for newer versions)."""

    t: ArraySpec | list | None = None
    energy: ArraySpec | list | None = None
    discords: ArraySpec | list | None = None
    capacity: Annotated[int, msgspec.Meta(ge=1, le=1_000_000)] = 4096
    stride: Annotated[int, msgspec.Meta(ge=1, le=2**40)] = 1
    skip: Annotated[int, msgspec.Meta(ge=0, le=2**40)] = 0
    events_t: Annotated[list[Finite], msgspec.Meta(max_length=1_000_000)] = []
    events_e: Annotated[list[Finite], msgspec.Meta(max_length=1_000_000)] = []


class ModeStateSpec(msgspec.Struct):
    """One flow mode's saved state in a v2 file (other keys are kept)."""

    cochain: ArraySpec | list | None = None
    t: Finite = 0.0
    steps: Count = 0
    flow: dict[str, Any] | None = None
    flow_t0: Finite = 0.0
    flow_steps0: Count = 0
    segment: list | None = None
    history: HistorySpec | None = None
    sign: ArraySpec | list | None = None


class GuiStateSpec(msgspec.Struct):
    """The GUI controller's saved state (v1; migrated to the Session's): its mode and
    batch flag are declared, the rest is checked when the controller resumes it."""

    mode: Literal["relax", "joint"] = "relax"
    whole_batch: bool = False
    t: Finite = 0.0
    steps: Count = 0


class LiveStateSpec(msgspec.Struct):
    """The Session's state (v2): the current mode, the shown example, each mode's state."""

    mode: Literal["relax", "joint"] = "relax"
    shown_example: Count = 0
    modes: dict[Literal["relax", "joint"], ModeStateSpec] = {}


class StateSpec(msgspec.Struct):
    """The flow's saved state: the GUI controller's part under ``gui`` (v1) and the
    Session's under ``session`` (v2); other keys are kept."""

    gui: GuiStateSpec | None = None
    session: LiveStateSpec | None = None


class SessionSpec(msgspec.Struct):
    format: str
    version: int
    network: NetworkSpec
    title: Title | None = ""
    preset: Title | None = None
    initial_network: NetworkSpec | None = None
    pins: PinsSpec | None = None
    data: DataSpecJSON | None = None
    example: Count | None = None
    flow: FlowSpec | None = None
    view: ViewSpec | None = None
    state: StateSpec | None = None
    history: HistorySpec | None = None


class PresetSpec(msgspec.Struct):
    name: Title
    title: Title
    notes: Notes | list[Annotated[str, msgspec.Meta(max_length=1000)]]
    network: PresetNetworkSpec
    pins: PinsSpec | None = None
    data: DataName | None = None
    example: Count | None = None
    alpha: Positive = 1.0
    beta: Positive | None = None
    dt: Positive = 0.05
    mode: Mode = "relax"
    init: Init = "forward"
    state_seed: Seed = 0
    output_force: OutputForce = "energy"


# -- messages --------------------------------------------------------------------------------
_TYPE_WORDS = {"float": "a number", "int": "an integer", "str": "a string", "array": "a list",
               "object": "an object", "null": "null", "bool": "true or false"}


def _words(types: str) -> str:
    parts = [p.strip() for p in types.split("|")]
    return " or ".join(_TYPE_WORDS.get(p, p) for p in parts)


def _explain(message: str, field: str) -> str:
    """msgspec's wording → ours (``Expected `float`, got `array``` → expected a number, got
    a list)."""
    m = re.match(r"Expected `([^`]+)`, got `([^`]+)`", message)
    if m:
        return f"expected {_words(m[1])}, got {_words(m[2])}"
    m = re.match(r"Expected `([^`]+)` (.+)", message)
    if m:
        what = m[2].replace(">=", "≥").replace("<=", "≤")
        if m[1] == "str" and "length" in what:
            return f"text too long (expected a string of length {what.split()[-1]} or less)"
        if m[1] == "array" and "length" in what:
            return f"expected a list {what}"
        if "pattern" in what:
            return f"expected {_words(m[1])} {what}"
        return f"expected {_words(m[1])} {what}"
    m = re.match(r"Invalid enum value (.+)", message, re.S)
    if m:
        choices = getattr(_ENUMS.get(field), "__args__", None)
        listed = f"; expected one of {', '.join(choices)}" if choices else ""
        return f"unknown value {_short(m[1])}{listed}"
    m = re.match(r"Object missing required field `([^`]+)`", message)
    if m:
        return f"missing the field {m[1]!r}"
    m = re.match(r"Object contains unknown field `([^`]+)`", message)
    if m:
        return f"unknown field {m[1]!r}"
    return message[:1].lower() + message[1:]


def _short(text: str, limit: int = 60) -> str:
    """A value quoted in a message: one line, at most ``limit`` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _format(exc: msgspec.ValidationError, root: str) -> SchemaError:
    text = str(exc)
    message, sep, path = text.rpartition(" - at `")
    if not sep:  # a value checked on its own: no path of its own
        message, path = text, ""
    path = path.rstrip("`")
    where = root + path[1:] if path.startswith("$") else root
    field = re.findall(r"\.([A-Za-z_]\w*)$", path)
    return SchemaError(_short(f"{where}: {_explain(message, field[0] if field else '')}", 400))


def _convert(value, kind, where: str):
    try:
        return msgspec.convert(value, kind)
    except msgspec.ValidationError as exc:
        raise _format(exc, where) from None


# -- depth -------------------------------------------------------------------------------------
def check_depth(obj, *, what: str = "the file", limit: int = MAX_DEPTH) -> None:
    """Raise SchemaError when objects/lists nest deeper than ``limit`` (no recursion)."""
    stack = [(obj, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            raise SchemaError(f"{what}: nested deeper than {limit} levels")
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))


#: A JSON string literal (the unrolled form: linear and fast even on a 10 MB string).
_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def check_text_depth(data: bytes, *, what: str = "the file", limit: int = MAX_DEPTH) -> None:
    """:func:`check_depth` on JSON text, before parsing it (the parser itself recurses).

    String literals are blanked first (brackets inside strings do not nest); the text is
    scanned in chunks, so the scan needs little memory beyond the text itself.
    """
    import numpy as np

    skeleton = _STRINGS.sub(b'""', data)
    depth, chunk = 0, 1 << 22
    for start in range(0, len(skeleton), chunk):
        part = np.frombuffer(skeleton, dtype=np.uint8, count=min(chunk, len(skeleton) - start),
                             offset=start)
        step = ((part == ord("[")) | (part == ord("{"))).astype(np.int32)
        step -= ((part == ord("]")) | (part == ord("}"))).astype(np.int32)
        running = depth + np.cumsum(step)
        if running.size and int(running.max()) > limit:
            raise SchemaError(f"{what}: nested deeper than {limit} levels")
        depth = int(running[-1]) if running.size else depth


# -- keyed maps ------------------------------------------------------------------------------
def _key(where: str, key: str) -> str:
    return f"{where}[{json.dumps(key[:80], ensure_ascii=False)}]"


def _check_pins(pins: PinsSpec, where: str) -> None:
    for key, value in pins.hard.items():
        _convert(value, Finite, _key(f"{where}.hard", key))
    for key, value in pins.soft.items():
        _convert(value, tuple[Finite, Positive], _key(f"{where}.soft", key))


_WEIGHT = re.compile(r"^[Wb][1-9]\d{0,3}$")
Matrix = list[list[Finite]]
Vector = list[Finite]


def _check_weights(weights: dict, where: str) -> None:
    for key, value in weights.items():
        if not _WEIGHT.match(key):
            raise SchemaError(f"{_key(where, key)}: unknown array (expected W1, b1, W2, …)")
        _convert(value, Matrix if key[0] == "W" else Vector, _key(where, key))


# -- entry points ----------------------------------------------------------------------------
def validate_session(obj, *, root: str = "session") -> SessionSpec:
    """Check a decoded session file against the schema.

    Returns
    -------
    SessionSpec (the checked tree; the caller builds the objects from the original)

    Raises
    ------
    SchemaError
        With the path of the first offending field and what was expected there.
    """
    check_depth(obj, what=root)
    spec = _convert(obj, SessionSpec, root)
    for name in ("network", "initial_network"):
        net = getattr(spec, name)
        if net is not None:
            _check_weights(net.weights, f"{root}.{name}.weights")
    if spec.pins is not None:
        _check_pins(spec.pins, f"{root}.pins")
    data = spec.data
    if data is not None:
        if data.name is None and data.inline is None:
            raise SchemaError(f"{root}.data: needs a 'name' or 'inline' arrays")
    return spec


def validate_preset(obj, *, root: str = "preset") -> PresetSpec:
    """Check a decoded preset file against the schema (see :func:`validate_session`)."""
    check_depth(obj, what=root)
    spec = _convert(obj, PresetSpec, root)
    if spec.network.weights is not None:
        _check_weights(spec.network.weights, f"{root}.network.weights")
    if spec.pins is not None:
        _check_pins(spec.pins, f"{root}.pins")
    return spec
