"""Property tests of the loaders: weights, data and session files with mutated bytes and
mutated structures, starting from real files the app writes. Each one loads, or raises the
loader's own error (NetworkError, DataError, SessionError: one line for the user), never
anything else, and nothing on disk changes."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, strategies as st

from sheafviz.core.data.datasets import DataError, load_data_file
from sheafviz.core.data.session_file import SessionError, load_session
from sheafviz.core.model.network import Network, NetworkError

ROOT = Path(__file__).resolve().parents[2]
SESSION = ROOT / "resources" / "sessions" / "running-241.json"


@pytest.fixture(scope="module")
def originals():
    """Real files as the app writes them: weights, an .npz and a CSV data file, a session."""
    folder = Path(tempfile.mkdtemp(prefix="sheafviz-fuzz-"))
    Network.he_init([2, 4, 3, 1], seed=1, output="sigmoid").save(folder / "w.npz")
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20, 2)), rng.uniform(size=(20, 1))
    np.savez(folder / "d.npz", X=x, Y=y, X_test=x[:5], Y_test=y[:5])
    (folder / "d.csv").write_text("x1,x2,y\n" + "\n".join(
        f"{float(a)!r},{float(b)!r},{float(c)!r}" for (a, b), (c,) in zip(x, y)) + "\n")
    shutil.copy(SESSION, folder / "s.json")
    _live_session().save(folder / "v2.json")
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    yield files
    shutil.rmtree(folder)


def _live_session():
    """A v2 file as :meth:`Session.save` writes it: both flow modes with states and
    histories (``state.session``), the paper graph, the whole batch, the default rate."""
    from sheafviz.session import Session

    s = Session.from_preset("running-241")
    s.step(15)
    s.set_mode("joint")
    s.step(5)
    s.unpin("y")
    s.set_graph("paper")
    s.step(3)
    return s


@pytest.fixture(scope="module")
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="sheafviz-fuzz-case-"))
    yield folder
    shutil.rmtree(folder)


@st.composite
def mutations(draw, size_hint: int = 4000):
    """A list of byte edits: flip, set, delete a run, insert bytes, truncate."""
    edits = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["flip", "set", "delete", "insert", "truncate"]))
        pos = draw(st.integers(0, size_hint))
        if kind == "flip":
            edits.append((kind, pos, draw(st.integers(1, 255))))
        elif kind == "set":
            edits.append((kind, pos, draw(st.integers(0, 255))))
        elif kind == "delete":
            edits.append((kind, pos, draw(st.integers(1, 64))))
        elif kind == "insert":
            edits.append((kind, pos, draw(st.binary(min_size=1, max_size=16))))
        else:
            edits.append((kind, pos, None))
    return edits


def mutate(data: bytes, edits) -> bytes:
    buf = bytearray(data)
    for kind, pos, arg in edits:
        if not buf:
            break
        pos %= len(buf)
        if kind == "flip":
            buf[pos] ^= arg
        elif kind == "set":
            buf[pos] = arg
        elif kind == "delete":
            del buf[pos:pos + arg]
        elif kind == "insert":
            buf[pos:pos] = arg
        else:
            del buf[pos:]
    return bytes(buf)


def _write(scratch: Path, name: str, data: bytes) -> Path:
    path = scratch / name
    path.write_bytes(data)
    return path


def _one_line(exc: BaseException) -> None:
    text = str(exc)
    assert text and "\n" not in text and len(text) < 600, text[:600]


def _unchanged(scratch: Path, names: set[str]) -> None:
    assert {p.name for p in scratch.iterdir()} <= names


# -- weights ---------------------------------------------------------------------------------
def _load_weights(timed, path):
    try:
        net = timed(Network.load, path)
    except NetworkError as exc:
        _one_line(exc)
        return None
    assert all(np.all(np.isfinite(w)) for w in net.weights + net.biases)
    return net


@given(mutations())
def test_weights_with_mutated_bytes(timed, originals, scratch, edits):
    path = _write(scratch, "w.npz", mutate(originals["w.npz"], edits))
    _load_weights(timed, path)
    _unchanged(scratch, {"w.npz", "d.npz", "d.csv", "s.json", "v2.json", "x.npz"})


arrays = st.one_of(
    st.builds(lambda s, v: np.full(s, v), st.lists(st.integers(0, 4), max_size=3),
              st.floats(allow_nan=True, allow_infinity=True)),
    st.sampled_from([np.array("sigmoid"), np.array(["identity", "x"]), np.array(b"\xff"),
                     np.array([True, False]), np.array(3 + 4j), np.zeros((2, 2), "<i2"),
                     np.array("tanh"), np.array(1.0), np.zeros(0)]))


@given(st.dictionaries(st.sampled_from(["W1", "b1", "W2", "b2", "W3", "b3", "output", "Z"]),
                       arrays, max_size=7))
def test_weights_with_mutated_structure(timed, scratch, content):
    path = scratch / "x.npz"
    np.savez(path, **content)
    _load_weights(timed, path)


# -- data ------------------------------------------------------------------------------------
def _load_data(timed, path, output="identity"):
    try:
        ds = timed(load_data_file, path, n_outputs=1, output=output)
    except DataError as exc:
        _one_line(exc)
        return None
    assert np.all(np.isfinite(ds.X)) and ds.X.shape[0] == ds.Y.shape[0] > 0
    return ds


@given(mutations(), st.sampled_from(["d.npz", "d.csv"]))
def test_data_with_mutated_bytes(timed, originals, scratch, edits, name):
    path = _write(scratch, name, mutate(originals[name], edits))
    _load_data(timed, path, output="sigmoid")


csv_cell = st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr),
                     st.text(max_size=6), st.sampled_from(["", " ", '"1,2"', "1e999", "0x1"]))


@given(st.lists(st.lists(csv_cell, min_size=0, max_size=5), max_size=8))
def test_csv_with_mutated_structure(timed, scratch, rows):
    path = scratch / "d.csv"
    # surrogates in the text become invalid UTF-8 bytes: more to refuse cleanly
    path.write_bytes("\n".join(",".join(r) for r in rows).encode("utf-8", "surrogatepass"))
    _load_data(timed, path)


# -- sessions --------------------------------------------------------------------------------
def _load_session(timed, path):
    try:
        s = timed(load_session, path)
    except SessionError as exc:
        _one_line(exc)
        return None
    assert all(np.all(np.isfinite(w)) for w in s.network.weights)
    return s


def _load_live(timed, path):
    """The live Session's loader on the same file: loads, or one-line SessionError."""
    from sheafviz.session import Session

    try:
        timed(Session.load, path)
    except SessionError as exc:
        _one_line(exc)


def test_the_v2_file_loads(originals, scratch):
    """The unmutated v2 file loads (so the mutations below start from a valid file)."""
    path = _write(scratch, "v2.json", originals["v2.json"])
    doc = json.loads(originals["v2.json"])
    assert doc["version"] == 2 and "session" in doc["state"]
    assert doc["flow"]["graph"] == "paper"
    assert load_session(path).flow.graph == "paper"


@given(mutations(size_hint=7000), st.sampled_from(["s.json", "v2.json"]))
def test_session_with_mutated_bytes(timed, originals, scratch, edits, name):
    path = _write(scratch, name, mutate(originals[name], edits))
    _load_session(timed, path)
    if name == "v2.json":
        _load_live(timed, path)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
              st.floats(allow_nan=False), st.text(max_size=8),
              st.sampled_from(["bogus", "paper", "x[0]", "z1", "<f8", "|O", "sigmoid"])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12)


def _paths(tree, prefix=()):
    """Every path (tuple of keys / indices) of a JSON tree, the root included."""
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree[:3]):  # a few entries of long arrays are enough
            yield from _paths(v, prefix + (i,))


@pytest.fixture(scope="module")
def session_paths(originals):
    trees = {name: json.loads(originals[name]) for name in ("s.json", "v2.json")}
    return {name: (tree, list(_paths(tree))) for name, tree in trees.items()}


@given(st.data(), json_values, st.sampled_from(["replace", "delete", "wrap"]),
       st.sampled_from(["s.json", "v2.json"]))
def test_session_with_mutated_structure(timed, session_paths, scratch, data, value, how, name):
    tree, paths = session_paths[name]
    tree = json.loads(json.dumps(tree))
    path = data.draw(st.sampled_from(paths[1:]))
    parent = tree
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if how == "replace":
        parent[key] = value
    elif how == "delete":
        del parent[key]
    else:
        parent[key] = [parent[key]]
    target = scratch / "m.json"
    target.write_text(json.dumps(tree, allow_nan=True))
    _load_session(timed, target)
    if name == "v2.json":
        _load_live(timed, target)
