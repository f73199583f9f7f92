"""Hostile weights and data files: every failure is one line naming the file and the problem,
no pickles are loaded, and declared sizes are checked before anything is read."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from sheafviz.cli import main
from sheafviz.core.data.datasets import DataError, load_data_file
from sheafviz.core.data.npzfile import NpzError, npz_shapes, read_npz
from sheafviz.core.model.network import Network, NetworkError


def _weights(tmp_path):
    path = tmp_path / "w.npz"
    Network.he_init([2, 4, 1], seed=0).save(path)
    return path


def _npy_bytes(array=None, *, header_shape=None, dtype="<f8") -> bytes:
    """An npy member; with ``header_shape`` only a header declaring that shape (no data)."""
    buf = io.BytesIO()
    if header_shape is None:
        np.lib.format.write_array(buf, np.asarray(array), allow_pickle=False)
    else:
        header = {"descr": dtype, "fortran_order": False, "shape": header_shape}
        np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue()


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _cli(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_npy_renamed_npz_is_named_as_such(tmp_path):
    path = tmp_path / "w.npz"
    with open(path, "wb") as fh:
        np.save(fh, np.zeros(3))
    with pytest.raises(NetworkError, match=r"w\.npz: a single \.npy array, not an \.npz"):
        Network.load(path)
    with pytest.raises(DataError, match=r"a single \.npy array"):
        load_data_file(path, n_outputs=1)


def test_text_file_named_npz_gets_no_pickle_advice(tmp_path):
    path = tmp_path / "t.npz"
    path.write_text("hello, world\n")
    with pytest.raises(NetworkError) as info:
        Network.load(path)
    assert "pickle" not in str(info.value)
    assert "t.npz: not an .npz archive" in str(info.value)


def test_bad_crc_is_one_line_naming_the_file(tmp_path, capsys):
    path = _weights(tmp_path)
    raw = bytearray(path.read_bytes())
    # flip a byte inside W1's data (after its local header and npy header)
    start = raw.index(b"W1.npy") + 6 + 128
    raw[start + 4] ^= 0xFF
    path.write_bytes(bytes(raw))
    rc, _, err = _cli(capsys, "solve", "--weights", str(path))
    assert rc == 2
    assert err.count("\n") == 1 and "w.npz" in err and "CRC" in err


def test_object_array_is_refused_without_unpickling(tmp_path):
    path = _zip(tmp_path / "w.npz", {
        "W1.npy": _npy_bytes(header_shape=(1, 2), dtype="|O"), "b1.npy": _npy_bytes(np.zeros(1))})
    with pytest.raises(NetworkError, match=r"array W1 holds Python objects"):
        Network.load(path)


def test_two_string_output_is_a_clear_error(tmp_path):
    net = Network.he_init([2, 3, 1], seed=0)
    path = tmp_path / "w.npz"
    np.savez(path, W1=net.weights[0], b1=net.biases[0], W2=net.weights[1], b2=net.biases[1],
             output=np.array(["sigmoid", "identity"]))
    with pytest.raises(NetworkError, match=r"'output' must be one string.*shape \(2,\)"):
        Network.load(path)
    np.savez(path, W1=net.weights[0], b1=net.biases[0], W2=net.weights[1], b2=net.biases[1],
             output=np.array("tanh"))
    with pytest.raises(NetworkError, match=r"unknown output head 'tanh'"):
        Network.load(path)


def test_declared_shape_over_the_limit_is_refused_before_reading(tmp_path):
    # A header claiming 10^9 × 2 doubles (16 GB) and no data at all: refused from the
    # header with the figure, not after an attempt to read it.
    path = _zip(tmp_path / "d.npz", {"X.npy": _npy_bytes(header_shape=(10**9, 2)),
                                     "Y.npy": _npy_bytes(np.zeros((3, 1)))})
    with pytest.raises(DataError, match=r"2,000,000,003 numbers \(about 16\.0 GB"):
        load_data_file(path, n_outputs=1)
    w = _zip(tmp_path / "w.npz", {"W1.npy": _npy_bytes(header_shape=(30000, 30000)),
                                  "b1.npy": _npy_bytes(np.zeros(30000))})
    with pytest.raises(NetworkError, match=r"900,030,000 numbers \(about 7\.2 GB"):
        Network.load(w)


def test_compressed_bomb_is_refused_by_its_header(tmp_path):
    # 21 million zeros compress to ~160 kB; the header says how much they would take.
    zeros = np.zeros((7_000_000, 3))
    path = tmp_path / "bomb.npz"
    np.savez_compressed(path, X=zeros, Y=zeros[:, :1])
    del zeros
    assert path.stat().st_size < 2_000_000
    with pytest.raises(DataError, match=r"28,000,000 numbers \(about 224\.0 MB"):
        load_data_file(path, n_outputs=1)


def test_member_that_is_not_npy_and_truncated_archive(tmp_path):
    path = _zip(tmp_path / "w.npz", {"W1.npy": b"not an npy header at all"})
    with pytest.raises(NetworkError, match=r"w\.npz: damaged \.npz archive"):
        Network.load(path)
    good = _weights(tmp_path)
    cut = tmp_path / "cut.npz"
    cut.write_bytes(good.read_bytes()[:300])
    with pytest.raises(NetworkError, match=r"cut\.npz"):
        Network.load(cut)


def test_read_npz_round_trip_and_shapes(tmp_path):
    path = tmp_path / "a.npz"
    np.savez(path, A=np.arange(6.0).reshape(2, 3), s=np.array("hi"))
    shapes = npz_shapes(path)
    assert shapes["A"][1] == (2, 3) and shapes["s"][1] == ()
    arrays = read_npz(path, max_elements=10)
    np.testing.assert_array_equal(arrays["A"], np.arange(6.0).reshape(2, 3))
    with pytest.raises(NpzError, match="7 numbers"):
        read_npz(path, max_elements=6)


def test_csv_with_nul_bytes_and_bad_utf8(tmp_path):
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"1,2,3\n4,\x00,6\n")
    with pytest.raises(DataError, match=r"nul\.csv"):
        load_data_file(nul, n_outputs=1)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"1,2,\xff\n")
    with pytest.raises(DataError, match=r"latin\.csv: not a readable CSV"):
        load_data_file(latin, n_outputs=1)


def test_weights_written_atomically_with_umask(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        path = _weights(tmp_path)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["w.npz"]
