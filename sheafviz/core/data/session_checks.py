"""Checks of a session file that need its network: arrays against the architecture, the
selected neuron, the example index against the data, and the memory the data would need.

:func:`check_arrays` runs on the decoded JSON tree before anything is built from it (every
``{"__array__": …, "dtype": …}`` must be a rectangular array of numbers);
:func:`check_session` runs on the built :class:`~sheafviz.core.data.session_file.SessionFile`.
Both raise :class:`~sheafviz.core.data.schema.SchemaError` naming the field.
"""

from __future__ import annotations

import json
import re

import numpy as np

from sheafviz.core.data.limits import ResourceError, check_memory
from sheafviz.core.data.schema import DTYPE_PATTERN, SchemaError
from sheafviz.core.model.sheaf import SheafLayout

__all__ = ["check_arrays", "check_session"]


def _child(where: str, key) -> str:
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if str(key).isidentifier() else \
        f"{where}[{json.dumps(str(key)[:80], ensure_ascii=False)}]"


def _array_error(node: dict, where: str) -> str | None:
    dtype = node.get("dtype", "<f8")
    if not isinstance(dtype, str) or not re.match(DTYPE_PATTERN, dtype):
        return f"{where}.dtype: {str(dtype)[:40]!r} is not a numeric dtype (e.g. '<f8')"
    try:
        array = np.array(node["__array__"], dtype=np.dtype(node.get("dtype", "<f8")))
    except (TypeError, ValueError, OverflowError) as exc:
        return f"{where}: not a rectangular array of numbers ({' '.join(str(exc).split())[:80]})"
    if array.dtype.kind == "f" and not np.all(np.isfinite(array)):
        return f"{where}: contains NaN or inf"
    return None


def check_arrays(tree, *, root: str = "session") -> None:
    """Raise SchemaError unless every encoded array in ``tree`` is a rectangular numeric
    array (walked without recursion; the depth is checked by the schema first)."""
    stack = [(tree, root)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, dict):
            if "__array__" in node:
                message = _array_error(node, where)
                if message:
                    raise SchemaError(message)
                continue
            stack.extend((v, _child(where, k)) for k, v in node.items()
                         if isinstance(v, (dict, list)))
        elif isinstance(node, list):
            stack.extend((v, _child(where, i)) for i, v in enumerate(node)
                         if isinstance(v, dict))


def _matrix(value, where: str, columns: int, name: str) -> np.ndarray:
    array = _numbers(value, where)
    if array.ndim == 1 and columns == 1:
        array = array[:, None]
    if array.ndim != 2 or array.shape[1] != columns:
        raise SchemaError(f"{where}: expected {columns} column(s) ({name}), got shape "
                          f"{array.shape}")
    return array


def _inline_rows(inline: dict, arch, where: str) -> tuple[int, int]:
    """(training rows, test rows) of inline data, after checking columns and row counts."""
    x = _matrix(inline["X"], f"{where}.X", arch[0], "the network's inputs")
    y = _matrix(inline["Y"], f"{where}.Y", arch[-1], "the network's outputs")
    if x.shape[0] != y.shape[0] or x.shape[0] == 0:
        raise SchemaError(f"{where}: X has {x.shape[0]} rows and Y {y.shape[0]}; they must "
                          f"match and not be empty")
    n_test = 0
    if inline.get("X_test") is not None or inline.get("Y_test") is not None:
        if inline.get("X_test") is None or inline.get("Y_test") is None:
            raise SchemaError(f"{where}: X_test and Y_test go together")
        xt = _matrix(inline["X_test"], f"{where}.X_test", arch[0], "the network's inputs")
        yt = _matrix(inline["Y_test"], f"{where}.Y_test", arch[-1], "the network's outputs")
        if xt.shape[0] != yt.shape[0]:
            raise SchemaError(f"{where}: X_test has {xt.shape[0]} rows and Y_test "
                              f"{yt.shape[0]}")
        n_test = xt.shape[0]
    return x.shape[0], n_test


def _check_data(session, root: str) -> None:
    arch = session.network.arch
    data = session.data
    if data is None:
        if session.example is not None:
            raise SchemaError(f"{root}.example: there is no data to take example "
                              f"{session.example} from")
        return
    if data.inline is not None:
        n_train, n_test = _inline_rows(data.inline, arch, f"{root}.data.inline")
    else:
        n_train, n_test = data.n_train, data.n_test
    if session.example is not None and session.example >= n_train:
        raise SchemaError(f"{root}.example: {session.example} is beyond the data "
                          f"({n_train} training examples, 0..{n_train - 1})")
    try:
        check_memory(arch, n_train + n_test, window=True, what=f"{root}.data")
    except ResourceError as exc:
        raise SchemaError(str(exc)) from None


def _check_view(session, layout: SheafLayout, root: str) -> None:
    selected = (session.view or {}).get("selected")
    if not selected:
        return
    name, index = selected[0], selected[1]
    if name not in layout.vertex_names:
        raise SchemaError(f"{root}.view.selected: unknown vertex {name!r}; the vertices are "
                          f"{', '.join(layout.vertex_names)}")
    dim = layout.vertex(name).dim
    if not 0 <= int(index) < dim:
        raise SchemaError(f"{root}.view.selected: {name} has {dim} coordinate(s), no "
                          f"index {index}")


def _numbers(value, where: str) -> np.ndarray:
    """``value`` as a float array, or SchemaError saying it is not a rectangular one."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise SchemaError(f"{where}: expected a rectangular array of numbers") from None


def _check_state(session, layout: SheafLayout, root: str) -> None:
    gui = (session.state or {}).get("gui") or {}
    cochain = gui.get("cochain")
    if cochain is not None:
        size = _numbers(cochain, f"{root}.state.gui.cochain").size
        if size != layout.size:
            raise SchemaError(f"{root}.state.gui.cochain: {size} values; the network "
                              f"{list(layout.arch)} has {layout.size} coordinates")
    discords = (session.history or {}).get("discords")
    if discords is not None:
        d = _numbers(discords, f"{root}.history.discords")
        if d.size and (d.ndim != 2 or d.shape[1] != len(layout.edges)):
            raise SchemaError(f"{root}.history.discords: shape {d.shape}; expected "
                              f"(samples, {len(layout.edges)}) for this network")


def check_session(session, *, root: str = "session") -> None:
    """Raise SchemaError when the session's parts do not fit its network (see the module
    notes)."""
    layout = SheafLayout(session.network.arch)
    initial = session.initial_network
    if initial is not None and initial.arch != session.network.arch:
        raise SchemaError(f"{root}.initial_network: architecture {list(initial.arch)} is "
                          f"not the network's {list(session.network.arch)}")
    _check_data(session, root)
    _check_view(session, layout, root)
    _check_state(session, layout, root)
