"""Sessions: everything a picture needs, as one versioned JSON file (DESIGN.md).

A session holds the network (weights inline, so the file stands alone), the initial weights
(for "restart from the same initial weights"), the data (a built-in data set by name and
seed, or inline arrays), the pins, the flow settings, the view settings, and optionally
the flow's state (stalks, step count, optimizer moments) and its recorded history.

Format versions: 1 kept the GUI controller's state under ``state["gui"]`` (one flow mode,
the whole-batch flag beside the example) and allowed only a positive ``flow.lr``. Version 2
(:class:`sheafviz.Session`) keeps both flow modes' own states under ``state["session"]``
(``{"mode", "shown_example", "modes": {"relax": {...}, "joint": {...}}}``, each mode with its
cochain, clock, flow state and history), ``example: null`` means the whole batch, and
``flow.lr`` may be null (the flow's default rate) and ``flow.graph`` names the graph
("chapter" when absent). :func:`migrate_v1_to_v2` converts a v1
document; it keeps ``state["gui"]`` so the GUI controller still resumes it.

Floats are written with ``repr`` precision by the json module, so a save → open round trip
is exact and a resumed flow takes bit-for-bit the same next steps. Writes are atomic: the
file is written beside the target and renamed over it, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from sheafviz.core.model.graphs import GRAPHS
from sheafviz.core.model.network import Network, NetworkError, network_from_arrays
from sheafviz.core.model.pins import PinError, PinSet
from sheafviz.core.model.sheaf import SheafLayout

FORMAT = "sheafviz-session"
VERSION = 2
#: The oldest version this module reads (older ones are migrated up by MIGRATIONS).
OLDEST_VERSION = 1
MODES = ("relax", "paper", "adiabatic", "gd")


class SessionError(ValueError):
    """A session file that cannot be opened; the message names the problem."""


@dataclass(frozen=True)
class FlowSettings:
    """Rates and modes of the flows (SPEC §8–10)."""

    mode: str = "relax"
    alpha: float = 1.0
    beta: float | None = None
    dt: float = 0.05
    steps_per_frame: int = 10
    init: str = "forward"
    state_seed: int = 0
    optimizer: str = "sgd"
    lr: float | None = 0.005  #: None (v2): the flow's default rate
    output_force: str = "energy"
    graph: str = "chapter"  #: v2: "chapter" or "paper" (absent in older files: "chapter")


@dataclass(frozen=True)
class DataSpec:
    """A data set: built-in by ``name`` (+ generator options) or ``inline`` arrays."""

    name: str | None = None
    seed: int = 42
    n_train: int = 300
    n_test: int = 100
    inline: dict | None = None  #: {"X", "Y", "X_test", "Y_test"} as ndarrays


@dataclass(frozen=True)
class SessionFile:
    """One sheafviz session (see the module notes for what each part is for)."""

    network: Network
    pins: PinSet
    flow: FlowSettings = field(default_factory=FlowSettings)
    data: DataSpec | None = None
    example: int | None = None  #: pinned training pair; None = the whole batch
    initial_network: Network | None = None
    state: dict | None = None  #: the flow's own state arrays (stalks, moments, counters)
    history: dict | None = None
    view: dict = field(default_factory=dict)
    preset: str | None = None
    title: str = ""

    def with_changes(self, **changes) -> "SessionFile":
        return replace(self, **changes)


# -- encoding ----------------------------------------------------------------------------
def _encode(value):
    """ndarrays → {"__array__": nested lists, "dtype"}; recurse into dicts and lists."""
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    return value


def _decode(value):
    if isinstance(value, dict):
        if "__array__" in value:
            return np.array(value["__array__"], dtype=np.dtype(value.get("dtype", "<f8")))
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _network_json(network: Network) -> dict:
    weights = {}
    for l, (w, b) in enumerate(zip(network.weights, network.biases), start=1):
        weights[f"W{l}"], weights[f"b{l}"] = w.tolist(), b.tolist()
    return {"arch": list(network.arch), "output": network.output, "weights": weights}


def _network_from_json(data, where: str) -> Network:
    if not isinstance(data, dict) or not isinstance(data.get("weights"), dict):
        raise SessionError(f"{where}: needs an object with 'weights'")
    arrays = {k: np.asarray(v, dtype=float) for k, v in data["weights"].items()}
    arrays["output"] = np.array(data.get("output", "identity"))
    try:
        network = network_from_arrays(arrays, source=where)
    except (NetworkError, ValueError) as exc:
        raise SessionError(str(exc)) from None
    if "arch" in data and list(network.arch) != list(data["arch"]):
        raise SessionError(f"{where}: weights give architecture {list(network.arch)}, "
                           f"the file says {data['arch']}")
    return network


def session_to_json(session: SessionFile) -> dict:
    """A JSON-ready dict (plain lists and numbers) of the session."""
    data = None
    if session.data is not None:
        d = session.data
        data = {"name": d.name, "seed": d.seed, "n_train": d.n_train, "n_test": d.n_test,
                "inline": _encode(d.inline) if d.inline is not None else None}
    return {
        "format": FORMAT, "version": VERSION, "title": session.title, "preset": session.preset,
        "network": _network_json(session.network),
        "initial_network": (_network_json(session.initial_network)
                            if session.initial_network is not None else None),
        "pins": session.pins.to_json(),
        "data": data, "example": session.example,
        "flow": dict(session.flow.__dict__),
        "view": _encode(session.view),
        "state": _encode(session.state) if session.state is not None else None,
        "history": _encode(session.history) if session.history is not None else None,
    }


# -- versions ----------------------------------------------------------------------------
#: Key of the GUI controller's state (format v1) and of the Session's (v2) in ``state``.
GUI_STATE, SESSION_STATE = "gui", "session"


def _mode_state_from_gui(gui: dict, history) -> dict:
    """A v1 controller state as the v2 state of its one flow mode."""
    keys = ("cochain", "t", "steps", "flow", "flow_t0", "flow_steps0", "segment")
    return dict({k: gui.get(k) for k in keys if k in gui}, history=history)


def _from_controller(obj: dict) -> dict:
    """A document written by the GUI controller (``state["gui"]`` only) with the Session's
    ``state["session"]`` added, else ``obj`` itself.

    The controller's state (one mode, "relax" or "joint", the whole-batch flag beside the
    example) becomes that mode's state, with the top-level history in it; a whole-batch
    session gets ``example: null`` and keeps its example as the shown one. The controller
    trained with the joint flow's default optimizer and rate whatever ``flow`` said, so
    ``optimizer`` becomes "sgd" and ``lr`` null: the migrated session trains as it did.
    """
    state = obj.get("state")
    gui = state.get(GUI_STATE) if isinstance(state, dict) else None
    if not isinstance(gui, dict) or SESSION_STATE in state:
        return obj
    mode = gui.get("mode", "relax")
    whole_batch = bool(gui.get("whole_batch")) and obj.get("data") is not None
    example = obj.get("example")
    out = dict(obj, state=dict(state, **{SESSION_STATE: {
        "mode": mode, "shown_example": int(example or 0),
        "modes": {mode: _mode_state_from_gui(gui, obj.get("history"))}}}))
    if isinstance(obj.get("flow"), dict):
        out["flow"] = dict(obj["flow"], optimizer="sgd", lr=None)
    if whole_batch:
        out["example"] = None
    return out


def migrate_v1_to_v2(obj: dict) -> dict:
    """Convert a version-1 session document (JSON values) to version 2 (input unchanged).

    Version 1 files were written by the GUI controller: its state gains the Session's
    ``state["session"]`` (see :func:`_from_controller`). ``state["gui"]`` and the top-level
    history stay, so the GUI controller still resumes a migrated file.
    """
    return dict(_from_controller(obj), version=2)


#: version → the function that lifts a document of that version one version up.
MIGRATIONS = {1: migrate_v1_to_v2}


def migrate(obj: dict) -> dict:
    """Lift a session document to :data:`VERSION` through :data:`MIGRATIONS`. A v2 document
    the GUI controller wrote (``state["gui"]`` only) gets its ``state["session"]`` the way a
    v1 one does."""
    version = obj.get("version")
    while version < VERSION:
        obj = MIGRATIONS[version](obj)
        version = obj["version"]
    return _from_controller(obj)


def _require(cond: bool, message: str) -> None:
    if not cond:
        raise SessionError(message)


def session_from_json(obj) -> SessionFile:
    """Validate and decode :func:`session_to_json`'s output; raise SessionError otherwise."""
    _require(isinstance(obj, dict), "not a sheafviz session (the top level is not an object)")
    _require(obj.get("format") == FORMAT, "not a sheafviz session (no 'format': "
                                          f"'{FORMAT}' field)")
    version = obj.get("version")
    _require(isinstance(version, int), "the session has no integer 'version'")
    _require(version <= VERSION, f"the session has version {version}; this sheafviz reads "
                                 f"up to version {VERSION} (update sheafviz)")
    _require(version >= OLDEST_VERSION, f"the session has version {version}; this sheafviz "
                                        f"reads versions {OLDEST_VERSION} to {VERSION}")
    obj = migrate(obj)
    network = _network_from_json(obj.get("network"), "network")
    initial = obj.get("initial_network")
    initial = _network_from_json(initial, "initial_network") if initial else None
    layout = SheafLayout(network.arch)
    try:
        pins = PinSet.from_json(layout, obj.get("pins") or {})
    except (PinError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise SessionError(f"pins: {str(exc).strip(chr(39))}") from None
    flow_raw = obj.get("flow") or {}
    _require(isinstance(flow_raw, dict), "flow: must be an object")
    known = FlowSettings.__dataclass_fields__
    unknown = sorted(set(flow_raw) - set(known))
    _require(not unknown, f"flow: unknown setting {unknown[0]!r}" if unknown else "")
    try:
        flow = FlowSettings(**flow_raw)
    except TypeError as exc:
        raise SessionError(f"flow: {exc}") from None
    _require(flow.mode in MODES, f"flow: mode {flow.mode!r} is not one of {', '.join(MODES)}")
    _require(flow.graph in GRAPHS,
             f"flow: graph {flow.graph!r} is not one of {', '.join(GRAPHS)}")
    for name in ("alpha", "dt", "lr"):
        value = getattr(flow, name)
        if name == "lr" and value is None:
            continue
        _require(isinstance(value, (int, float)) and np.isfinite(value) and value > 0,
                 f"flow: {name} must be a positive number, got {value!r}")
    data = obj.get("data")
    if data is not None:
        _require(isinstance(data, dict), "data: must be an object or null")
        inline = _decode(data.get("inline")) if data.get("inline") is not None else None
        data = DataSpec(name=data.get("name"), seed=int(data.get("seed", 42)),
                        n_train=int(data.get("n_train", 300)),
                        n_test=int(data.get("n_test", 100)), inline=inline)
        _require(data.name is not None or data.inline is not None,
                 "data: needs a 'name' or 'inline' arrays")
    example = obj.get("example")
    _require(example is None or (isinstance(example, int) and example >= 0),
             f"example: must be a non-negative integer or null, got {example!r}")
    state = _decode(obj["state"]) if obj.get("state") is not None else None
    history = _decode(obj["history"]) if obj.get("history") is not None else None
    return SessionFile(network=network, pins=pins, flow=flow, data=data, example=example,
                   initial_network=initial, state=state, history=history,
                   view=_decode(obj.get("view") or {}), preset=obj.get("preset"),
                   title=str(obj.get("title") or ""))


# -- files -------------------------------------------------------------------------------
def save_session(session: SessionFile, path: str | Path) -> None:
    """Write the session atomically (temporary file in the same folder, then rename)."""
    path = Path(path)
    text = json.dumps(session_to_json(session), allow_nan=False, separators=(",", ":"))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_session(path: str | Path) -> SessionFile:
    """Read a session file; raise SessionError naming the problem when it cannot be used."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SessionError(f"{path}: cannot be read ({exc})") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SessionError(f"{path}: not valid JSON (truncated or corrupted?) at line "
                           f"{exc.lineno}, column {exc.colno}") from None
    try:
        return session_from_json(obj)
    except SessionError as exc:
        raise SessionError(f"{path}: {exc}") from None


def session_from_preset(preset) -> SessionFile:
    """A fresh session starting from a :class:`~sheafviz.core.data.presets.Preset`."""
    flow = FlowSettings(mode=preset.mode, alpha=preset.alpha, beta=preset.beta, dt=preset.dt,
                        init=preset.init, state_seed=preset.state_seed,
                        output_force=preset.output_force)
    data = DataSpec(name=preset.data) if preset.data else None
    return SessionFile(network=preset.network, pins=preset.pins, flow=flow, data=data,
                   example=preset.example, initial_network=preset.network,
                   preset=preset.name, title=preset.title)
