"""The command line: the JSON schema against docs/mathematics.md, “Worked example” closed forms, pin handling, relax and
train documents, and one-line exit-2 errors for every kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from math import sqrt

import numpy as np
import pytest

from sheafviz.cli import main
from sheafviz.core.model.network import Network


def _no_nan(token):
    raise AssertionError(f"JSON contains {token}")


def run(capsys, *argv):
    """main(argv) in-process → (exit code, stdout, stderr)."""
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def run_json(capsys, *argv) -> dict:
    rc, out, err = run(capsys, *argv)
    assert rc == 0, err
    return json.loads(out, parse_constant=_no_nan)


# -- docs/mathematics.md, “Worked example”, exact ---------------------------------------------------------------------------
COURSE_EIGENVALUES = sorted([(3 - sqrt(5)) / 2, (5 - sqrt(13)) / 2, 2.0, (3 + sqrt(5)) / 2,
                             (5 + sqrt(13)) / 2])


def check_course_221(doc, atol=1e-12):
    v = doc["vertices"]
    np.testing.assert_allclose(v["x"], [1, 2], atol=atol)
    np.testing.assert_allclose(v["z1"], [7 / 6, 7 / 6], atol=atol)
    np.testing.assert_allclose(v["a1"], [4 / 3, 4 / 3], atol=atol)
    np.testing.assert_allclose(v["z2"], [17 / 6], atol=atol)
    np.testing.assert_allclose(v["y"], [3], atol=atol)
    d = {e["name"]: e["discord"] for e in doc["edges"]}
    np.testing.assert_allclose([d["aff1"], d["relu1"], d["aff2"], d["out"]],
                               [1 / 18, 1 / 18, 1 / 36, 1 / 36], atol=atol)
    np.testing.assert_allclose(doc["energy"], 1 / 12, atol=atol)
    np.testing.assert_allclose(doc["discord_sum"], 1 / 6, atol=atol)


def test_solve_json_course_221_is_spec_12(capsys):
    doc = run_json(capsys, "solve", "--preset", "course-221", "--json")
    check_course_221(doc)
    sp = doc["spectrum"]
    np.testing.assert_allclose(sp["eigenvalues"], COURSE_EIGENVALUES, atol=1e-12)
    assert sp["eigenvalues_partial"] is False
    np.testing.assert_allclose(sp["lambda_min"], (3 - sqrt(5)) / 2, atol=1e-12)
    np.testing.assert_allclose(sp["lambda_max"], (5 + sqrt(13)) / 2, atol=1e-12)
    np.testing.assert_allclose(sp["condition"], (5 + sqrt(13)) / (3 - sqrt(5)), rtol=1e-10)
    np.testing.assert_allclose(np.prod(sp["eigenvalues"]), 6.0, rtol=1e-12)  # det L_free
    # the pinned stalks x and y carry no part of an eigenvector of L_free
    assert all(sp["block_energy_min"].get(k, 0.0) == 0.0 for k in ("x", "y"))
    np.testing.assert_allclose(sum(sp["block_energy_min"].values()), 1.0, atol=1e-9)
    # forward pass from the pinned x: W1 x + b1 = (1, 1), output 2
    assert doc["forward_from"] == "pinned x"
    np.testing.assert_allclose(doc["forward"]["z1"], [1, 1], atol=1e-15)
    np.testing.assert_allclose(doc["forward"]["y"], [2], atol=1e-15)
    assert doc["sigma"] == {"z1": [1, 1]}
    assert doc["consistent"] is True and doc["flipped"] == [] and doc["on_boundary"] == []
    assert doc["underdetermined"] is False and doc["pin_energy"] == 0
    np.testing.assert_allclose(doc["discord_by_type"]["affine"], 1 / 18 + 1 / 36, atol=1e-12)
    np.testing.assert_allclose(doc["discord_by_layer"]["1"], 1 / 9, atol=1e-12)
    np.testing.assert_allclose(doc["discord_by_layer"]["2"], 1 / 18, atol=1e-12)
    assert [(e["name"], e["type"], e["layer"], e["tail"], e["head"]) for e in doc["edges"]] == [
        ("aff1", "affine", 1, "x", "z1"), ("relu1", "relu", 1, "z1", "a1"),
        ("aff2", "affine", 2, "a1", "z2"), ("out", "output", 2, "z2", "y")]
    assert isinstance(doc["method"], str) and isinstance(doc["local"], bool)


def test_solve_text_report(capsys):
    rc, out, err = run(capsys, "solve", "--preset", "course-221")
    assert rc == 0 and err == ""
    assert "energy E = ½Σd = 0.0833333" in out
    assert "aff1" in out and "λ_min = 0.381966" in out


def test_relax_json_reaches_the_same_equilibrium(capsys, tmp_path):
    out_file = tmp_path / "run.json"
    doc = run_json(capsys, "relax", "--preset", "course-221", "--json", "--out", str(out_file))
    assert doc["converged"] is True and isinstance(doc["steps"], int) and doc["steps"] > 10
    check_course_221(doc, atol=1e-7)
    trace = np.array(doc["energy_trace"])
    assert trace.shape[1] == 2 and np.all(np.diff(trace[:, 1]) <= 1e-15)  # E never increases
    np.testing.assert_allclose(trace[-1, 1], 1 / 12, atol=1e-9)
    assert doc["method"] == "heat-flow" and doc["consistent"] is True
    assert json.loads(out_file.read_text()) == doc


def test_relax_sliding_ends_at_the_kink(capsys):
    doc = run_json(capsys, "relax", "--preset", "sliding", "--steps", "3000", "--json")
    assert 0 < doc["steps"] <= 3000
    assert any(e["neuron"] == "z1[0]" for e in doc["events"])  # the neuron reached z = 0
    assert doc["energy"] == pytest.approx(14 / 3, abs=0.05)  # at (or near) the minimiser
    np.testing.assert_allclose(doc["vertices"]["a1"], [-5 / 3], atol=0.05)


def test_relax_trace_is_thinned_unless_asked(capsys):
    args = ("relax", "--preset", "vanishing", "--dt", "0.001", "--steps", "3000", "--json")
    doc = run_json(capsys, *args)
    assert doc["steps"] == 3000 and doc["converged"] is False
    trace = doc["energy_trace"]
    assert len(trace) == 2001 and trace[0][0] == 0 and trace[-1][0] == pytest.approx(3.0)
    full = run_json(capsys, *args, "--record-every", "1")["energy_trace"]
    assert len(full) == 3001
    assert trace[-1] == full[-1] and trace[0] == full[0]


def test_relax_from_data_pins_the_example(capsys):
    doc = run_json(capsys, "relax", "--arch", "2,5,1", "--seed", "3", "--data", "saddle",
                   "--example", "7", "--steps", "50", "--json")
    from sheafviz.core.data.datasets import load_dataset
    ds = load_dataset("saddle")
    np.testing.assert_array_equal(doc["vertices"]["x"], ds.X[7])
    np.testing.assert_array_equal(doc["vertices"]["y"], ds.Y[7])
    assert doc["steps"] == 50 and doc["converged"] is False


def test_train_json(capsys, tmp_path):
    weights = tmp_path / "w.npz"
    doc = run_json(capsys, "train", "--preset", "paraboloid", "--steps", "40",
                   "--record-every", "10", "--json", "--save-weights", str(weights))
    assert doc["steps"] == 40 and doc["recorded_steps"] == [0, 10, 20, 30, 40]
    for key in ("train_loss", "test_loss", "residual"):
        assert len(doc[key]) == 5 and all(isinstance(v, float) for v in doc[key])
    assert doc["train_loss"][-1] < doc["train_loss"][0]
    assert doc["weights"] == str(weights)
    net = Network.load(weights)
    assert net.arch == (2, 30, 1)
    # the initial train loss is the forward MSE of the preset's network, computed here
    from sheafviz.core.data.datasets import load_dataset
    from sheafviz.core.data.presets import load_preset
    ds, p = load_dataset("paraboloid"), load_preset("paraboloid")
    mse = np.mean((p.network.predict(ds.X) - ds.Y) ** 2)
    np.testing.assert_allclose(doc["train_loss"][0], mse, rtol=1e-12)


def test_train_gd_with_a_csv_file(capsys, tmp_path):
    path = tmp_path / "d.csv"
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(30, 2))
    np.savetxt(path, np.column_stack([x, x[:, 0] - x[:, 1]]), delimiter=",",
               header="x1,x2,y", comments="")
    doc = run_json(capsys, "train", "--arch", "2,6,1", "--data", str(path), "--mode", "gd",
                   "--lr", "0.05", "--steps", "20", "--record-every", "20", "--json")
    assert doc["recorded_steps"] == [0, 20] and doc["test_loss"] == [None, None]
    assert doc["train_loss"][1] < doc["train_loss"][0]


# -- pins -----------------------------------------------------------------------------------
def test_pin_override_unpin_and_soft(capsys):
    # --unpin y: input only → the forward pass with zero energy (docs/mathematics.md, “The harmonic extension at a fixed pattern” fact 1)
    doc = run_json(capsys, "solve", "--preset", "course-221", "--unpin", "y", "--json")
    assert doc["energy"] == pytest.approx(0, abs=1e-24)
    np.testing.assert_allclose(doc["vertices"]["y"], [2], atol=1e-12)
    # --pin overrides the preset's y; y = 2 is the forward output → R = 0 (fact 4)
    doc = run_json(capsys, "solve", "--preset", "course-221", "--pin", "y=2", "--json")
    assert doc["energy"] == pytest.approx(0, abs=1e-24)
    # a coordinate pin, '--pin=' form
    doc = run_json(capsys, "solve", "--preset", "course-221", "--pin=a1[0]=2", "--json")
    assert doc["pins"]["hard"]["a1[0]"] == 2.0 and doc["vertices"]["a1"][0] == 2.0
    # soft pin on y with γ = 1: one more unit spring in series (identity output, all active)
    doc = run_json(capsys, "solve", "--preset", "course-221", "--soft", "y=3@1", "--json")
    # docs/mathematics.md, “The harmonic extension at a fixed pattern” fact 3: S = Σ J_e J_eᵀ = 2 + 2 + 1 + 1 = 6 (R = 1/12); the soft pin adds a
    # spring of compliance 1/γ in series, so min(E + pin energy) = ½ e²/(S + 1/γ), e = 1
    np.testing.assert_allclose(doc["energy"] + doc["pin_energy"], 0.5 / 7, atol=1e-12)
    y = doc["vertices"]["y"][0]
    np.testing.assert_allclose(doc["pin_energy"], 0.5 * (y - 3) ** 2, atol=1e-12)
    assert doc["pins"]["soft"] == {"y[0]": [3.0, 1.0]}


def test_weights_file_and_arch(capsys, tmp_path):
    path = tmp_path / "course.npz"
    Network([np.eye(2), np.array([[1.0, 1.0]])], [np.array([0.0, -1.0]), np.zeros(1)]).save(path)
    doc = run_json(capsys, "solve", "--weights", str(path), "--pin", "x=1,2", "--pin", "y=3",
                   "--json")
    check_course_221(doc)
    doc = run_json(capsys, "solve", "--arch", "2,4,3,1", "--seed", "5", "--pin", "x=0.5,-1",
                   "--json")
    net = Network.he_init([2, 4, 3, 1], seed=5)
    fp = net.forward(np.array([0.5, -1.0]))
    assert doc["energy"] == pytest.approx(0, abs=1e-24)
    np.testing.assert_allclose(doc["vertices"]["z2"], fp.z[1], atol=1e-12)
    np.testing.assert_allclose(doc["vertices"]["y"], fp.y, atol=1e-12)


def test_underdetermined_is_reported_without_nan(capsys):
    doc = run_json(capsys, "solve", "--preset", "course-221", "--unpin", "x", "--json")
    assert doc["underdetermined"] is True
    assert doc["forward_from"] == "returned x"
    assert doc["spectrum"]["condition"] is None
    np.testing.assert_allclose(doc["forward"]["y"], doc["vertices"]["y"], atol=1e-9)


def test_presets_command(capsys):
    rc, out, _ = run(capsys, "presets")
    assert rc == 0 and out.splitlines()[0].startswith("* running-241")
    doc = run_json(capsys, "presets", "--json")
    assert doc["default"] == "running-241"
    assert {"course-221", "two-minima", "blobs-2h"} <= {p["name"] for p in doc["presets"]}


def test_no_subcommand_opens_the_gui_on_the_default_preset(capsys, monkeypatch):
    calls = []
    fake = types.ModuleType("sheafviz.gui.app")
    fake.run_gui = lambda **kw: calls.append(kw) or 0
    monkeypatch.setitem(sys.modules, "sheafviz.gui.app", fake)
    monkeypatch.setenv("DISPLAY", ":99")  # the fake needs no display; the CLI checks for one
    assert main([]) == 0
    assert calls[-1]["preset"] == "running-241" and "pins" not in calls[-1]
    assert main(["gui", "--preset", "sliding", "--pin", "y=1", "--size", "1280x720"]) == 0
    assert calls[-1]["size"] == (1280, 720)
    assert calls[-1]["pins"].hard[("y", 0)] == 1.0


def test_gui_without_a_display_is_one_line(capsys, monkeypatch):
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    rc, out, err = run(capsys, "gui", "--preset", "sliding")
    assert rc == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("sheafviz: error: no display")


# -- bad input: exit 2, one line, no traceback ---------------------------------------------------
def _bad_npz(tmp_path):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"not a zip file at all")
    return str(path)


def _mismatched_npz(tmp_path):
    path = tmp_path / "mismatch.npz"
    np.savez(path, W1=np.ones((4, 2)), b1=np.ones(3), W2=np.ones((1, 4)), b2=np.ones(1))
    return str(path)


def _bad_csv(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("1,2,3\n4,five,6\n")
    return str(path)


BAD = [
    (["solve", "--pin", "q=1"], "unknown vertex 'q'"),
    (["solve", "--pin", "a1[7]=0.5"], "a1[7] is out of range: a1 has 4 coordinates (0..3)"),
    (["solve", "--pin", "x=1,2,3"], "x has 2 coordinates; got 3 values"),
    (["solve", "--pin", "x=nan,1"], "finite"),
    (["solve", "--pin", "x=inf,1"], "finite"),
    (["solve", "--pin", "x=a,b"], "not a comma-separated list of numbers"),
    (["solve", "--pin", "x"], "NAME=VALUES"),
    (["solve", "--soft", "y=3"], "needs a stiffness"),
    (["solve", "--soft", "y=3@0"], "must be positive"),
    (["solve", "--unpin", "a1[9]"], "a1[9] is out of range"),
    (["solve", "--unpin", "w"], "unknown vertex 'w'"),
    (["solve", "--preset", "nope"], "unknown preset 'nope'"),
    (["solve", "--arch", "100000,1000"], "parameters; the limit is"),
    (["solve", "--arch", "2,x,1"], "not a comma-separated list of positive integers"),
    (["solve", "--arch", "2,0,1"], "at least 1"),
    (["solve", "--seed", "3"], "give --arch too"),
    (["solve", "--weights", "/nonexistent/w.npz"], "no such file"),
    (["solve", "--weights", "BAD_NPZ"], "not an .npz archive"),
    (["solve", "--weights", "MISMATCHED_NPZ"], "b1 has shape (3,), expected (4,)"),
    (["solve", "--preset", "sliding", "--arch", "1,1"], "not allowed with"),
    (["solve", "--sigma", "maybe"], "invalid choice"),
    (["relax", "--preset", "course-221", "--dt", "10"], "unstable"),
    (["relax", "--dt", "-1"], "must be positive"),
    (["relax", "--dt", "nan"], "not a finite number"),
    (["relax", "--steps", "many"], "not an integer"),
    (["relax", "--data", "moons"], "unknown data set 'moons'"),
    (["relax", "--data", "BAD_CSV", "--arch", "2,3,1"], "line 2, column 2: 'five' is not a number"),
    (["relax", "--data", "blobs"], "4 output(s)"),
    (["relax", "--preset", "paraboloid", "--example", "300"], "example 300 is out of range"),
    (["relax", "--example", "1"], "--example needs data"),
    (["relax", "--force", "cross-entropy"], "needs a sigmoid or softmax"),
    (["relax", "--preset", "course-221", "--out", "/nonexistent/dir/run.json"], "the folder /nonexistent/dir does not exist"),
    (["train"], "train needs data"),
    (["train", "--preset", "paraboloid", "--mode", "fast"], "invalid choice"),
    (["gui", "--size", "big"], "must look like 1280x720"),
    (["gui", "--screenshot", "shot.jpg"], "must be a .png file"),
    (["bench", "--only", "solve,nothing"], "unknown section(s) nothing"),
    (["render"], "required: --out"),
    (["render", "--out", "film.bmp"], "must be a .png or .gif file"),
    (["render", "--out", "film.png", "--train"], "--train animates a .gif"),
    (["render", "--out", "film.gif", "--frames", "0"], "must be at least 1"),
    (["render", "--out", "/nonexistent/dir/x.png"], "the folder /nonexistent/dir does not exist"),
    (["gui", "--size", "100x100"], "must look like 1280x720"),
    (["frobnicate"], "invalid choice"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_gives_exit_2_and_one_line(capsys, tmp_path, argv, message):
    subst = {"BAD_NPZ": _bad_npz, "MISMATCHED_NPZ": _mismatched_npz, "BAD_CSV": _bad_csv}
    argv = [subst[a](tmp_path) if a in subst else a for a in argv]
    rc, out, err = run(capsys, *argv)
    assert rc == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sheafviz: error: ")
    assert message in lines[0]
    assert "Traceback" not in err


# -- a few through a real process ------------------------------------------------------------
def _proc(*argv):
    return subprocess.run([sys.executable, "-m", "sheafviz", *argv], capture_output=True,
                          text=True, timeout=120)


def test_subprocess_solve_json():
    proc = _proc("solve", "--preset", "course-221", "--json")
    assert proc.returncode == 0, proc.stderr
    check_course_221(json.loads(proc.stdout, parse_constant=_no_nan))
    assert proc.stdout.count("\n") == 1  # exactly one JSON document, one line


def test_subprocess_bad_input_and_help():
    proc = _proc("solve", "--pin", "a1[7]=0.5")
    assert proc.returncode == 2
    assert proc.stderr == ("sheafviz: error: a1[7] is out of range: a1 has 4 coordinates "
                           "(0..3)\n")
    proc = _proc("--help")
    assert proc.returncode == 0 and "solve" in proc.stdout


def test_render_png_headless(tmp_path):
    pytest.importorskip("PySide6")
    out = tmp_path / "slide.png"
    env = dict(__import__("os").environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "sheafviz", "render", "--preset", "course-221",
                           "--size", "800x600", "--out", str(out)],
                          capture_output=True, text=True, timeout=180, env=env)
    assert proc.returncode == 0, proc.stderr
    from PIL import Image
    with Image.open(out) as im:
        assert im.size == (800, 600)
        # not a blank picture: many distinct colours
        assert len(im.convert("RGB").getcolors(maxcolors=1 << 20)) > 50


def test_render_gif_headless(tmp_path):
    pytest.importorskip("PySide6")
    out = tmp_path / "relax.gif"
    env = dict(__import__("os").environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "sheafviz", "render", "--preset", "sliding",
                           "--size", "640x480", "--frames", "4", "--steps-per-frame", "20",
                           "--out", str(out)], capture_output=True, text=True, timeout=180,
                          env=env)
    assert proc.returncode == 0, proc.stderr
    from PIL import Image, ImageChops
    with Image.open(out) as im:
        assert im.size == (640, 480) and im.n_frames == 4
        im.seek(0)
        first = im.convert("RGB")
        im.seek(3)
        last = im.convert("RGB")
    assert ImageChops.difference(first, last).getbbox() is not None  # it moved
