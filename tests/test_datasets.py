"""Data sets (docs/mathematics.md, “The paper's protocol” + xor, sine) and data files: shapes, determinism, the generating
formulas checked against the samples, and every validation error of the file loader."""

from __future__ import annotations

import numpy as np
import pytest

from sheafviz.core.data.datasets import DATASETS, DataError, load_data_file, load_dataset

SHAPES = {  # name: (n0, n_out, output, task)
    "paraboloid": (2, 1, "identity", "regression"),
    "saddle": (2, 1, "identity", "regression"),
    "circular": (2, 1, "sigmoid", "binary"),
    "blobs": (2, 4, "softmax", "multiclass"),
    "xor": (2, 1, "sigmoid", "binary"),
    "sine": (1, 1, "identity", "regression"),
}


def test_names():
    assert set(DATASETS) == set(SHAPES)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_shapes_and_heads(name):
    n0, n_out, output, task = SHAPES[name]
    ds = load_dataset(name)
    assert ds.X.shape == (300, n0) and ds.Y.shape == (300, n_out)
    assert ds.X_test.shape == (100, n0) and ds.Y_test.shape == (100, n_out)
    assert ds.X.dtype == np.float64 and ds.Y.dtype == np.float64
    assert (ds.output, ds.task) == (output, task)
    assert np.all(np.isfinite(ds.X)) and np.all(np.isfinite(ds.Y))
    small = load_dataset(name, n_train=7, n_test=0)
    assert small.X.shape == (7, n0) and small.X_test.shape == (0, n0)
    assert small.Y_test.shape == (0, n_out)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_determinism(name):
    a, b = load_dataset(name, seed=3), load_dataset(name, seed=3)
    c = load_dataset(name, seed=4)
    for field in ("X", "Y", "X_test", "Y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.X, c.X)
    # train and test are different samples
    assert not np.any(np.all(np.isclose(a.X[:, None, :], a.X_test[None, :, :]), axis=-1))


def _all(name, n=4000):
    ds = load_dataset(name, n_train=n, n_test=0)
    return ds.X, ds.Y


def test_paraboloid_formula_and_noise():
    X, Y = _all("paraboloid")
    assert X.min() >= -2 and X.max() <= 2
    noise = Y[:, 0] - (X[:, 0] ** 2 + X[:, 1] ** 2 - 2 / 3)
    assert abs(noise.mean()) < 0.003 and 0.018 < noise.std() < 0.022


def test_saddle_formula_and_noise():
    X, Y = _all("saddle")
    assert X.min() >= 0 and X.max() <= 2
    noise = Y[:, 0] - (X[:, 0] ** 2 - X[:, 1] ** 2 + 0.5 * np.sin(2 * X[:, 0]))
    assert abs(noise.mean()) < 0.003 and 0.018 < noise.std() < 0.022


def test_sine_formula():
    X, Y = _all("sine")
    assert X.min() >= -np.pi and X.max() <= np.pi
    noise = Y[:, 0] - np.sin(X[:, 0])
    assert 0.045 < noise.std() < 0.055


def test_xor_labels_follow_signs():
    X, Y = _all("xor")
    assert X.min() >= -1 and X.max() <= 1
    np.testing.assert_array_equal(Y[:, 0], (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(float))


def test_circular_geometry_and_balance():
    X, Y = _all("circular")
    assert set(np.unique(Y)) == {0.0, 1.0}
    assert Y.sum() == 2000  # balanced
    r = np.hypot(X[:, 0], X[:, 1])
    r0, r1 = r[Y[:, 0] == 0], r[Y[:, 0] == 1]
    # noise N(0, 0.1) per coordinate: 5 standard deviations of margin
    assert r0.max() < 1.0 + 0.5 and r1.min() > 1.5 - 0.5 and r1.max() < 2.5 + 0.5
    assert np.median(r0) < 0.85 and 1.8 < np.median(r1) < 2.2


def test_blobs_one_hot_means_and_covariances():
    X, Y = _all("blobs", n=8000)
    np.testing.assert_array_equal(Y.sum(axis=1), np.ones(len(Y)))
    assert set(np.unique(Y)) == {0.0, 1.0}
    labels = Y.argmax(axis=1)
    np.testing.assert_array_equal(np.bincount(labels), [2000] * 4)
    means = [(-1.5, -1.5), (1.8, -1.0), (1.0, 2.0), (-2.0, 1.5)]
    covs = [[[.8, .3], [.3, .4]], [[.3, -.2], [-.2, 1]], [[1.2, .5], [.5, .5]],
            [[.5, 0], [0, .8]]]
    for k in range(4):
        pts = X[labels == k]
        np.testing.assert_allclose(pts.mean(axis=0), means[k], atol=0.08)
        np.testing.assert_allclose(np.cov(pts.T), covs[k], atol=0.12)


def test_bad_generator_arguments():
    with pytest.raises(DataError, match="unknown data set 'moons'"):
        load_dataset("moons")
    with pytest.raises(DataError, match="n_train"):
        load_dataset("xor", n_train=0)
    with pytest.raises(DataError, match="n_test"):
        load_dataset("xor", n_test=-1)
    with pytest.raises(DataError, match="n_train"):
        load_dataset("xor", n_train="many")


def test_example_and_fit():
    ds = load_dataset("blobs")
    x, y = ds.example(5)
    np.testing.assert_array_equal(x, ds.X[5])
    np.testing.assert_array_equal(y, ds.Y[5])
    with pytest.raises(DataError, match="example 300 is out of range"):
        ds.example(300)
    ds.check_network((2, 25, 4))
    with pytest.raises(DataError, match="4 output"):
        ds.check_network((2, 25, 1))


# -- files ----------------------------------------------------------------------------------
def test_npz_round_trip(tmp_path):
    ds = load_dataset("saddle", n_train=20, n_test=5)
    path = tmp_path / "d.npz"
    np.savez(path, X=ds.X, Y=ds.Y, X_test=ds.X_test, Y_test=ds.Y_test)
    back = load_data_file(path, n_outputs=1)
    for field in ("X", "Y", "X_test", "Y_test"):
        np.testing.assert_array_equal(getattr(back, field), getattr(ds, field))
    assert back.name == "d" and back.output == "identity"


def test_npz_without_test_and_1d_targets(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, X=np.ones((4, 3)), Y=np.arange(4.0))
    back = load_data_file(path, n_outputs=1)
    assert back.Y.shape == (4, 1) and back.X_test.shape == (0, 3) and back.Y_test.shape == (0, 1)


def test_csv_round_trip_with_and_without_header(tmp_path):
    ds = load_dataset("blobs", n_train=12, n_test=0)
    table = np.hstack([ds.X, ds.Y])
    plain = tmp_path / "plain.csv"
    np.savetxt(plain, table, delimiter=",", fmt="%.17g")
    headed = tmp_path / "headed.csv"
    headed.write_text("x1,x2,c0,c1,c2,c3\n" + plain.read_text() + "\n\n")
    for path in (plain, headed):
        back = load_data_file(path, n_outputs=4, output="softmax")
        np.testing.assert_array_equal(back.X, ds.X)
        np.testing.assert_array_equal(back.Y, ds.Y)
        assert back.task == "multiclass" and back.X_test.shape == (0, 2)


def _npz(tmp_path, **arrays):
    path = tmp_path / "bad.npz"
    np.savez(path, **arrays)
    return path


def _csv(tmp_path, text):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    return path


@pytest.mark.parametrize("make, n_out, message", [
    (lambda t: _npz(t, X=np.ones((3, 2))), 1, "no array named Y"),
    (lambda t: _npz(t, X=np.ones((3, 2)), Y=np.ones((4, 1))), 1, "X has 3 rows but Y has 4"),
    (lambda t: _npz(t, X=np.array([[1, np.nan]]), Y=np.ones((1, 1))), 1, "X contains NaN"),
    (lambda t: _npz(t, X=np.ones((3, 2)), Y=np.full((3, 1), np.inf)), 1, "Y contains NaN or inf"),
    (lambda t: _npz(t, X=np.ones((3, 2)), Y=np.ones((3, 2))), 1, "Y has 2 column"),
    (lambda t: _npz(t, X=np.ones((0, 2)), Y=np.ones((0, 1))), 1, "X has no rows"),
    (lambda t: _npz(t, X=np.array(["a", "b"]), Y=np.ones(2)), 1, "X must be numeric"),
    (lambda t: _npz(t, X=np.ones((2, 2, 2)), Y=np.ones(2)), 1, "X must be a 2-D array"),
    (lambda t: _npz(t, X=np.ones((3, 2)), Y=np.ones((3, 1)), X_test=np.ones((2, 2))), 1,
     "X_test and Y_test must be given together"),
    (lambda t: _npz(t, X=np.ones((3, 2)), Y=np.ones((3, 1)), X_test=np.ones((2, 3)),
                    Y_test=np.ones((2, 1))), 1, "X_test has 3 column"),
    (lambda t: _npz(t, X=np.ones((3, 2)), Y=np.ones((3, 1)), X_test=np.ones((2, 2)),
                    Y_test=np.ones((1, 1))), 1, "X_test has 2 rows but Y_test has 1"),
    (lambda t: _csv(t, "1,2,3\n4,x,6\n"), 1, "line 2, column 2: 'x' is not a number"),
    (lambda t: _csv(t, "1,2,3\n4,5\n"), 1, "line 2 has 2 columns, expected 3"),
    (lambda t: _csv(t, ""), 1, "no data rows"),
    (lambda t: _csv(t, "a,b,c\n"), 1, "no data rows"),
    (lambda t: _csv(t, "1,2\n3,4\n"), 2, "leave no input columns"),
    (lambda t: _csv(t, "1,2,3\n4,inf,6\n"), 1, "not a finite number"),
    (lambda t: _csv(t, "1,2,nan\n"), 1, "not a finite number"),
])
def test_file_validation_errors(tmp_path, make, n_out, message):
    with pytest.raises(DataError, match=message):
        load_data_file(make(tmp_path), n_outputs=n_out)


def test_file_errors_of_kind(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        load_data_file(tmp_path / "missing.csv", n_outputs=1)
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip archive")
    with pytest.raises(DataError, match="not an .npz archive"):
        load_data_file(junk, n_outputs=1)
    other = tmp_path / "data.txt"
    other.write_text("1,2\n")
    with pytest.raises(DataError, match="unknown data file type '.txt'"):
        load_data_file(other, n_outputs=1)
    labels = _csv(tmp_path, "1,2,3\n")
    with pytest.raises(DataError, match=r"targets for a sigmoid output must lie in \[0, 1\]"):
        load_data_file(labels, n_outputs=1, output="sigmoid")
    with pytest.raises(DataError, match="n_outputs"):
        load_data_file(labels, n_outputs=0)
