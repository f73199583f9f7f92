"""Data sets (the paper's four tasks) plus ``xor`` and ``sine``, and file loading.

Every generator draws from one ``numpy.random.Generator(seed)``: the ``n_train + n_test``
samples are drawn together and split (first ``n_train`` rows for training), so a data set is
a pure function of ``(name, seed, n_train, n_test)``.

==============  ============  ==========  =========================================================
name            task          output      definition
==============  ============  ==========  =========================================================
``paraboloid``  regression    identity    ``x ~ U[−2,2]²``, ``y = x1² + x2² − 2/3 + N(0, 0.02²)``
``saddle``      regression    identity    ``x ~ U[0,2]²``, ``y = x1² − x2² + 0.5 sin(2 x1) + N(0, 0.02²)``
``circular``    binary        sigmoid     class 0: ``r = √U`` (uniform in the unit disk); class 1:
                                          uniform in the annulus ``1.5 < r < 2.5``; both with
                                          ``N(0, 0.1²)`` noise added to each coordinate
``blobs``       multiclass    softmax     four anisotropic Gaussians, one-hot targets
``xor``         binary        sigmoid     ``x ~ U[−1,1]²``, ``y = 1`` iff ``x1·x2 < 0`` (the signs
                                          differ), no noise
``sine``        regression    identity    1-D: ``x ~ U[−π, π]``, ``y = sin(x) + N(0, 0.05²)``
==============  ============  ==========  =========================================================

Class labels are balanced as evenly as the sample count allows (class ``k`` gets
``n // n_classes`` samples, the first ``n % n_classes`` classes one more) and the rows are
shuffled. Targets always have shape ``(n, n_out)``: ``(n, 1)`` of 0/1 for the binary tasks,
one-hot ``(n, 4)`` for blobs.

Files (:func:`load_data_file`): ``.npz`` with arrays ``X`` (n, n0), ``Y`` (n, n_out) and
optional ``X_test``, ``Y_test``; or CSV, comma-separated, one row per sample, an optional
header row (a first row with any non-numeric cell), the last ``n_outputs`` columns are the
targets. Anything malformed raises :class:`DataError` naming the problem.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sheafviz.core.data.npzfile import NpzError, read_npz

DATASETS = ("paraboloid", "saddle", "circular", "blobs", "xor", "sine")

TASKS = {"identity": "regression", "sigmoid": "binary", "softmax": "multiclass"}

#: blobs: centres and covariances of the four classes.
BLOB_MEANS = np.array([[-1.5, -1.5], [1.8, -1.0], [1.0, 2.0], [-2.0, 1.5]])
BLOB_COVS = np.array([[[0.8, 0.3], [0.3, 0.4]],
                      [[0.3, -0.2], [-0.2, 1.0]],
                      [[1.2, 0.5], [0.5, 0.5]],
                      [[0.5, 0.0], [0.0, 0.8]]])


#: Largest number of values a data file may hold (inputs and targets, train and test):
#: 20 million float64 numbers, 160 MB, checked before the file is read.
MAX_FILE_NUMBERS = 20_000_000


class DataError(ValueError):
    """A data set or data file that cannot be used; the message names the problem."""


@dataclass(frozen=True)
class Dataset:
    """Training and test samples with their output head.

    Attributes
    ----------
    name : str
    X : ndarray, shape (n_train, n0)
    Y : ndarray, shape (n_train, n_out)
    X_test : ndarray, shape (n_test, n0) (n_test may be 0)
    Y_test : ndarray, shape (n_test, n_out)
    output : {"identity", "sigmoid", "softmax"}, the head the targets are meant for
    task : {"regression", "binary", "multiclass"}
    """

    name: str
    X: np.ndarray
    Y: np.ndarray
    X_test: np.ndarray
    Y_test: np.ndarray
    output: str
    task: str

    @property
    def n_inputs(self) -> int:
        return int(self.X.shape[1])

    @property
    def n_outputs(self) -> int:
        return int(self.Y.shape[1])

    @property
    def n_train(self) -> int:
        return int(self.X.shape[0])

    def example(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Training pair ``(x (n0,), y (n_out,))``; raise DataError when out of range."""
        index = int(index)
        if not 0 <= index < self.n_train:
            raise DataError(f"example {index} is out of range: data set {self.name!r} has "
                            f"{self.n_train} training examples (0..{self.n_train - 1})")
        return self.X[index].copy(), self.Y[index].copy()

    def check_network(self, arch) -> None:
        """Raise DataError unless the data fits a network of architecture ``arch``."""
        if self.n_inputs != arch[0] or self.n_outputs != arch[-1]:
            raise DataError(f"data set {self.name!r} has {self.n_inputs} input(s) and "
                            f"{self.n_outputs} output(s), the network {list(arch)} takes "
                            f"{arch[0]} and gives {arch[-1]}")

    def check_head(self, output: str) -> None:
        """Raise DataError when a sigmoid or softmax head is asked to reach targets outside
        [0, 1] (it never can: training would chase them for ever)."""
        if output == "identity":
            return
        targets = np.concatenate([self.Y.ravel(), self.Y_test.ravel()])
        if targets.size and (targets.min() < 0 or targets.max() > 1):
            raise DataError(f"data set {self.name!r} has targets in [{targets.min():.3g}, "
                            f"{targets.max():.3g}]; a {output} output only reaches [0, 1] "
                            f"(use --output identity, or data with targets in [0, 1])")


# -- generators ---------------------------------------------------------------------------
def _paraboloid(rng, n):
    x = rng.uniform(-2.0, 2.0, size=(n, 2))
    y = x[:, 0] ** 2 + x[:, 1] ** 2 - 2.0 / 3.0 + rng.normal(0.0, 0.02, size=n)
    return x, y[:, None]


def _saddle(rng, n):
    x = rng.uniform(0.0, 2.0, size=(n, 2))
    y = (x[:, 0] ** 2 - x[:, 1] ** 2 + 0.5 * np.sin(2.0 * x[:, 0])
         + rng.normal(0.0, 0.02, size=n))
    return x, y[:, None]


def _class_sizes(n, n_classes):
    return [n // n_classes + (1 if k < n % n_classes else 0) for k in range(n_classes)]


def _circular(rng, n):
    n0, n1 = _class_sizes(n, 2)
    # Uniform in area: r = √U for the disk, r = √(U (r2² − r1²) + r1²) for the annulus.
    r0 = np.sqrt(rng.uniform(0.0, 1.0, size=n0))
    r1 = np.sqrt(rng.uniform(0.0, 1.0, size=n1) * (2.5 ** 2 - 1.5 ** 2) + 1.5 ** 2)
    r = np.concatenate([r0, r1])
    theta = rng.uniform(0.0, 2.0 * np.pi, size=n)
    x = np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    x += rng.normal(0.0, 0.1, size=x.shape)
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    order = rng.permutation(n)
    return x[order], y[order, None]


def _blobs(rng, n):
    sizes = _class_sizes(n, 4)
    xs = [rng.multivariate_normal(BLOB_MEANS[k], BLOB_COVS[k], size=m)
          for k, m in enumerate(sizes)]
    labels = np.concatenate([np.full(m, k) for k, m in enumerate(sizes)])
    x = np.concatenate(xs)
    y = np.eye(4)[labels]
    order = rng.permutation(n)
    return x[order], y[order]


def _xor(rng, n):
    x = rng.uniform(-1.0, 1.0, size=(n, 2))
    y = (x[:, 0] * x[:, 1] < 0).astype(float)
    return x, y[:, None]


def _sine(rng, n):
    x = rng.uniform(-np.pi, np.pi, size=(n, 1))
    y = np.sin(x[:, 0]) + rng.normal(0.0, 0.05, size=n)
    return x, y[:, None]


_GENERATORS = {
    "paraboloid": (_paraboloid, "identity"),
    "saddle": (_saddle, "identity"),
    "circular": (_circular, "sigmoid"),
    "blobs": (_blobs, "softmax"),
    "xor": (_xor, "sigmoid"),
    "sine": (_sine, "identity"),
}


def _count(value, what: str, minimum: int) -> int:
    try:
        ok = not isinstance(value, bool) and int(value) == value and value >= minimum
    except (TypeError, ValueError, OverflowError):
        ok = False
    if not ok:
        raise DataError(f"{what} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def load_dataset(name: str, *, seed: int = 42, n_train: int = 300,
                 n_test: int = 100) -> Dataset:
    """Generate one of :data:`DATASETS`.

    Parameters
    ----------
    name : one of ``DATASETS``
    seed : seed of the ``numpy.random.Generator`` (42)
    n_train, n_test : sample counts (n_train ≥ 1, n_test ≥ 0)

    Returns
    -------
    Dataset with X (n_train, n0), Y (n_train, n_out), X_test (n_test, n0), Y_test (n_test, n_out)
    """
    if name not in _GENERATORS:
        raise DataError(f"unknown data set {name!r}; the data sets are {', '.join(DATASETS)}")
    n_train = _count(n_train, "n_train", 1)
    n_test = _count(n_test, "n_test", 0)
    generate, output = _GENERATORS[name]
    x, y = generate(np.random.default_rng(seed), n_train + n_test)
    x, y = np.ascontiguousarray(x, dtype=float), np.ascontiguousarray(y, dtype=float)
    return Dataset(name, x[:n_train], y[:n_train], x[n_train:], y[n_train:], output,
                   TASKS[output])


# -- files --------------------------------------------------------------------------------
def _as_matrix(array, what: str, source: str) -> np.ndarray:
    array = np.asarray(array)
    if array.dtype.kind not in "fiub":
        raise DataError(f"{source}: {what} must be numeric, got dtype {array.dtype}")
    array = array.astype(float)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise DataError(f"{source}: {what} must be a 2-D array (samples × features), "
                        f"got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise DataError(f"{source}: {what} contains NaN or inf")
    return array


def _check_pair(x, y, xname, yname, source, n_outputs):
    if x.shape[0] != y.shape[0]:
        raise DataError(f"{source}: {xname} has {x.shape[0]} rows but {yname} has "
                        f"{y.shape[0]}")
    if y.shape[1] != n_outputs:
        raise DataError(f"{source}: {yname} has {y.shape[1]} column(s); the network has "
                        f"{n_outputs} output(s)")


def _read_npz(path: Path, n_outputs: int):
    source = str(path)
    try:
        arrays = read_npz(path, max_elements=MAX_FILE_NUMBERS, what="data")
    except NpzError as exc:
        raise DataError(str(exc)) from None
    for key in ("X", "Y"):
        if key not in arrays:
            raise DataError(f"{source}: no array named {key} (found {sorted(arrays) or 'none'})")
    if ("X_test" in arrays) != ("Y_test" in arrays):
        raise DataError(f"{source}: X_test and Y_test must be given together")
    x, y = _as_matrix(arrays["X"], "X", source), _as_matrix(arrays["Y"], "Y", source)
    if x.shape[0] == 0:
        raise DataError(f"{source}: X has no rows")
    _check_pair(x, y, "X", "Y", source, n_outputs)
    if "X_test" in arrays:
        xt = _as_matrix(arrays["X_test"], "X_test", source)
        yt = _as_matrix(arrays["Y_test"], "Y_test", source)
        if xt.shape[1] != x.shape[1]:
            raise DataError(f"{source}: X_test has {xt.shape[1]} column(s) but X has "
                            f"{x.shape[1]}")
        _check_pair(xt, yt, "X_test", "Y_test", source, n_outputs)
    else:
        xt, yt = np.empty((0, x.shape[1])), np.empty((0, n_outputs))
    return x, y, xt, yt


def _parse_cell(cell: str, line: int, column: int, source: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise DataError(f"{source}: line {line}, column {column}: {cell.strip()!r} is not "
                        f"a number") from None
    if not np.isfinite(value):
        raise DataError(f"{source}: line {line}, column {column}: {cell.strip()!r} is not "
                        f"a finite number")
    return value


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _csv_rows(fh, source: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with their line numbers, refusing a file of more than
    :data:`MAX_FILE_NUMBERS` cells as soon as it is seen to be one."""
    rows, cells = [], 0
    for i, row in enumerate(csv.reader(fh), start=1):
        if any(cell.strip() for cell in row):
            cells += len(row)
            if cells > MAX_FILE_NUMBERS:
                raise DataError(f"{source}: more than {MAX_FILE_NUMBERS:,} values; the "
                                f"limit for a data file is {MAX_FILE_NUMBERS:,}")
            rows.append((i, row))
    return rows


def _read_csv(path: Path, n_outputs: int):
    source = str(path)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = _csv_rows(fh, source)
    except OSError as exc:
        raise DataError(f"{source}: cannot read ({exc.strerror or exc})") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{source}: not a readable CSV file ({exc})") from None
    if rows and not all(_is_number(cell) for cell in rows[0][1]):
        rows = rows[1:]  # a header row: any non-numeric cell in the first row
    if not rows:
        raise DataError(f"{source}: no data rows")
    width = len(rows[0][1])
    values = []
    for line, row in rows:
        if len(row) != width:
            raise DataError(f"{source}: line {line} has {len(row)} columns, expected {width}")
        values.append([_parse_cell(c, line, j, source) for j, c in enumerate(row, start=1)])
    if width <= n_outputs:
        raise DataError(f"{source}: {width} column(s) leave no input columns when the last "
                        f"{n_outputs} are targets")
    table = np.array(values, dtype=float)
    x, y = table[:, :-n_outputs], table[:, -n_outputs:]
    return x, y, np.empty((0, x.shape[1])), np.empty((0, n_outputs))


def load_data_file(path: str | Path, *, n_outputs: int, output: str = "identity") -> Dataset:
    """Read samples from a ``.npz`` or ``.csv`` file (see the module docstring).

    Parameters
    ----------
    path : file name ending in ``.npz`` or ``.csv``
    n_outputs : number of target columns (the network's output width)
    output : output head the targets are for; "sigmoid" and "softmax" require targets in [0, 1]

    Returns
    -------
    Dataset named after the file's stem (X_test/Y_test have 0 rows when the file has none)
    """
    path = Path(path)
    n_outputs = _count(n_outputs, "n_outputs", 1)
    if output not in TASKS:
        raise DataError(f"unknown output head {output!r}; expected one of {', '.join(TASKS)}")
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        x, y, xt, yt = _read_npz(path, n_outputs)
    elif suffix == ".csv":
        x, y, xt, yt = _read_csv(path, n_outputs)
    else:
        raise DataError(f"{path}: unknown data file type {suffix or '(none)'!r}; "
                        f"use .npz or .csv")
    if output != "identity" and (np.any(y < 0) or np.any(y > 1) or np.any(yt < 0)
                                 or np.any(yt > 1)):
        raise DataError(f"{path}: targets for a {output} output must lie in [0, 1]")
    return Dataset(path.stem, x, y, xt, yt, output, TASKS[output])
