"""Guided lessons: every shipped lesson passes ``sheafviz lesson NAME --check``; wrong claims
fail with exit 1 naming step and claim; malformed files and unknown lessons exit 2 with one
line; and the key numbers the lessons state are recomputed here from independent dense
references (hand-built least-squares systems, closed forms, finite differences)."""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from math import sqrt
from pathlib import Path

import numpy as np
import pytest

from sheafviz.cli import main
from sheafviz.core.model.network import Network
from sheafviz.lessons import list_lessons, load_lesson
from sheafviz.lessons.quantities import KINDS

SHIPPED = sorted(p.name[:-5] for p in resources.files("sheafviz.lessons").iterdir()
                 if p.name.endswith(".toml"))


def run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def expected(lesson: str, step: int, quantity: str, occurrence: int = 0):
    """The ``expect`` the shipped lesson file writes for ``quantity`` in ``step`` (1-based)."""
    text = resources.files("sheafviz.lessons").joinpath(f"{lesson}.toml").read_text("utf-8")
    checks = [c for c in tomllib.loads(text)["steps"][step - 1].get("checks", [])
              if c["quantity"] == quantity]
    return np.asarray(checks[occurrence]["expect"], dtype=float)


# -- every shipped lesson holds ------------------------------------------------------------------
def test_the_lessons_of_the_issue_are_shipped():
    names = {l.name for l in list_lessons()}
    assert names == {"worked-example", "lab11-output-pinning", "exercise-1", "exercise-2",
                     "exercise-3", "exercise-4", "exercise-5", "exercise-6", "locality",
                     "stationary-points", "ep-limit", "timescales", "counterfactual"}
    for lesson in list_lessons():
        assert all(step.checks for step in lesson.steps[1:]) or lesson.steps[0].checks


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_lesson_passes_check(capsys, name):
    rc, out, err = run(capsys, "lesson", name, "--check")
    assert rc == 0, err
    assert err == ""
    assert f"{name}: " in out and "claims hold" in out


def test_lessons_json_lists_every_lesson(capsys):
    rc, out, _ = run(capsys, "lessons", "--json")
    assert rc == 0
    doc = json.loads(out)
    assert sorted(l["name"] for l in doc["lessons"]) == SHIPPED
    assert all(l["checks"] > 0 and l["steps"] > 0 for l in doc["lessons"])


def test_lesson_without_check_prints_its_captions(capsys):
    rc, out, _ = run(capsys, "lesson", "worked-example")
    assert rc == 0 and "17/6" in out and "Step 5" in out
    rc, out, _ = run(capsys, "lesson", "worked-example", "--json")
    doc = json.loads(out)
    assert rc == 0 and len(doc["steps"]) == 5
    assert doc["steps"][0]["actions"][0] == {"verb": "open", "value": "course-221"}


# -- failing claims: exit 1, naming step and claim -----------------------------------------------
LESSON_HEAD = 'title = "t"\nsummary = "s"\n'


def _write(tmp_path, body: str, name: str = "mine.toml"):
    path = tmp_path / name
    path.write_text(LESSON_HEAD + body, encoding="utf-8")
    return str(path)


def test_a_wrong_claim_fails_with_exit_1_naming_step_and_claim(tmp_path, capsys):
    path = _write(tmp_path, """
[[steps]]
title = "open"
caption = "the forward pass"
actions = [ { open = "course-221" }, { unpin = "y" }, { equilibrium = true } ]
[[steps.checks]]
quantity = "output"
expect = 2.0

[[steps]]
title = "the drape"
caption = "the course's z2* = 2.67"
actions = [ { pin = "y", value = 3.0 }, { equilibrium = true } ]
[[steps.checks]]
quantity = "vertex z2"
expect = 2.67
tol = 1e-3
claim = "z2* = 2.67 as the course prints"
""")
    rc, out, err = run(capsys, "lesson", path, "--check")
    assert rc == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "step 2 (the drape)" in lines[0]
    assert "z2* = 2.67 as the course prints" in lines[0] and "2.83333" in lines[0]
    assert "FAIL step 2" in out and "ok   step 1" in out


def test_a_bound_claim_fails_too(tmp_path, capsys):
    path = _write(tmp_path, """
[[steps]]
caption = "R is small"
actions = [ { open = "course-221" }, { equilibrium = true } ]
[[steps.checks]]
quantity = "R"
below = 0.05
""")
    rc, _, err = run(capsys, "lesson", path, "--check", "--json")
    assert rc == 1 and "step 1" in err and "'R'" in err


# -- malformed lessons: exit 2, one line ---------------------------------------------------------
BAD = {
    "toml": ("[[steps]\ncaption = 1", "not valid TOML"),
    "top key": ('colour = "red"\n[[steps]]\ncaption = "c"', "unknown top-level key 'colour'"),
    "no steps": ("", "at least one [[steps]]"),
    "no caption": ("[[steps]]\nactions = [ { play = 1 } ]", "step 1: caption"),
    "verb": ('[[steps]]\ncaption = "c"\nactions = [ { fly = 1 } ]', "exactly one verb"),
    "two verbs": ('[[steps]]\ncaption = "c"\nactions = [ { play = 1, reset = true } ]',
                  "exactly one verb"),
    "option": ('[[steps]]\ncaption = "c"\nactions = [ { play = 1, speed = 2 } ]',
               "actions[1].speed: unknown option of 'play'"),
    "mode": ('[[steps]]\ncaption = "c"\nactions = [ { mode = "dance" } ]', "unknown mode"),
    "play type": ('[[steps]]\ncaption = "c"\nactions = [ { play = "ten" } ]',
                  "actions[1].play: must be an integer"),
    "panel": ('[[steps]]\ncaption = "c"\nactions = [ { show = "moon" } ]', "unknown panel"),
    "quantity": ('[[steps]]\ncaption = "c"\n[[steps.checks]]\nquantity = "entropy"\n'
                 'expect = 1', "step 1: checks[1].quantity: unknown quantity 'entropy'"),
    "argument": ('[[steps]]\ncaption = "c"\n[[steps.checks]]\nquantity = "grad W1[0,x]"\n'
                 'expect = 1', "cannot read 'W1[0,x]' as a param"),
    "check key": ('[[steps]]\ncaption = "c"\n[[steps.checks]]\nquantity = "R"\n'
                  'expect = 1\nwithin = 2', "unknown check key 'within'"),
    "no bound": ('[[steps]]\ncaption = "c"\n[[steps.checks]]\nquantity = "R"',
                 "give expect, or below and/or above"),
    "pin value": ('[[steps]]\ncaption = "c"\nactions = [ { pin = "y" } ]', "needs a value"),
    "neuron": ('[[steps]]\ncaption = "c"\nactions = [ { open = "course-221" }, '
               '{ pin = "a7[0]", value = 1.0 } ]', "step 1: actions[2] (pin)"),
    "equilibrium while training": ('[[steps]]\ncaption = "c"\nactions = [ { open = '
                                   '"course-221" }, { mode = "joint" }, { equilibrium = true } ]',
                                   'set { mode = "relax" } first'),
    "kick": ('[[steps]]\ncaption = "c"\nactions = [ { perturb = 0.1, kick = "pins" } ]',
             "unknown kick 'pins'"),
    "kick refused": ('[[steps]]\ncaption = "c"\nactions = [ { open = "course-221" }, '
                     '{ mode = "joint" }, { training = "adiabatic" }, '
                     '{ perturb = 0.1, kick = "state" } ]', "actions[4] (perturb)"),
    "joint without pair": ('[[steps]]\ncaption = "c"\nactions = [ { open = "course-221" }, '
                           '{ unpin = "y" }, { mode = "joint" } ]', "x and y pinned"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_lessons_exit_2_with_one_line(tmp_path, capsys, case):
    body, message = BAD[case]
    path = _write(tmp_path, body)
    rc, out, err = run(capsys, "lesson", path, "--check")
    assert rc == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("sheafviz: error: ")
    assert message in err and "mine.toml" in err


def test_unknown_lesson_and_missing_file_exit_2(capsys):
    rc, _, err = run(capsys, "lesson", "no-such-lesson", "--check")
    assert rc == 2 and err.count("\n") == 1 and "unknown lesson 'no-such-lesson'" in err
    rc, _, err = run(capsys, "lesson", "/nonexistent/x.toml", "--check")
    assert rc == 2 and err.count("\n") == 1 and "no such lesson file" in err


def test_run_to_replays_the_steps_before():
    from sheafviz.lessons import LessonRunner
    runner = LessonRunner(load_lesson("worked-example"))
    runner.run()
    result = runner.run_to(1)  # step 2: y = 3 pinned, the state not yet at equilibrium
    assert result.index == 2 and result.ok
    assert np.allclose(runner.session.cochain[2:4], [1.0, 1.0])  # z1 still the forward pass
    with pytest.raises(IndexError):
        runner.run_to(5)


def test_gui_only_actions_are_recorded_not_run():
    from sheafviz.lessons import check_lesson
    results = check_lesson(load_lesson("worked-example"))
    assert [a.verb for a in results[0].gui_actions] == ["show"]
    assert all(r.ok for r in results)


def test_the_vocabulary_is_documented():
    text = (Path(__file__).resolve().parents[1] / "docs" / "lessons.md").read_text("utf-8")
    for kind in KINDS:
        assert f"`{kind}" in text, kind


# -- independent references for the numbers the captions state ------------------------------------
def _dense_course_221():
    """Hand-built L_free (free z1, a1, z2 at σ = (1, 1)) and right-hand side of the worked
    example, solved densely."""
    W2 = np.array([[1.0, 1.0]])
    L = np.zeros((5, 5))
    L[:2, :2] = 2 * np.eye(2)
    L[:2, 2:4] = L[2:4, :2] = -np.eye(2)
    L[2:4, 2:4] = np.eye(2) + W2.T @ W2
    L[2:4, 4:] = -W2.T
    L[4:, 2:4] = -W2
    L[4, 4] = 2.0
    b = np.array([1.0, 1.0, 0.0, 0.0, 3.0])  # W1x + b1 = (1, 1) and y = 3
    return L, b, np.linalg.solve(L, b)


def test_worked_example_numbers_against_a_dense_solve():
    L, b, c = _dense_course_221()
    z1, a1, z2 = c[:2], c[2:4], c[4]
    np.testing.assert_allclose(expected("exercise-1", 1, "laplacian"), L, atol=0)
    np.testing.assert_allclose(expected("exercise-1", 1, "free_rhs"), b, atol=0)
    np.testing.assert_allclose(expected("worked-example", 3, "vertex z1"), z1, atol=1e-12)
    np.testing.assert_allclose(expected("worked-example", 3, "vertex a1"), a1, atol=1e-12)
    np.testing.assert_allclose(expected("worked-example", 3, "vertex z2"), z2, atol=1e-12)
    lam = np.linalg.eigvalsh(L)
    np.testing.assert_allclose(expected("worked-example", 2, "eigenvalues"), lam, atol=1e-12)
    np.testing.assert_allclose(lam, sorted([(3 - sqrt(5)) / 2, (5 - sqrt(13)) / 2, 2,
                                            (3 + sqrt(5)) / 2, (5 + sqrt(13)) / 2]))
    assert np.isclose(np.linalg.det(L), float(expected("worked-example", 2, "det_free")))
    r = {"aff1": np.array([1.0, 1.0]) - z1, "relu1": a1 - z1, "aff2": a1.sum() - z2,
         "out": 3.0 - z2}
    d = {k: float(np.sum(v * v)) for k, v in r.items()}
    for edge, value in d.items():
        assert np.isclose(float(expected("worked-example", 4, f"discord {edge}")), value)
    assert np.isclose(float(expected("worked-example", 4, "R")), 0.5 * sum(d.values()))
    assert np.isclose(d["out"] / sum(d.values()), 1 / 6)
    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(expected("worked-example", 5, "delta W1"),
                               np.outer(z1 - np.array([1.0, 1.0]), x), atol=1e-12)
    np.testing.assert_allclose(expected("worked-example", 5, "delta W2"),
                               [(z2 - a1.sum()) * a1], atol=1e-12)


def test_course_221_notes_no_longer_call_right_values_errata():
    from sheafviz.core.data.presets import load_preset
    notes = load_preset("course-221").notes
    errata = notes[notes.index("got wrong"):]  # the table of values often got wrong
    for right in ("(1.17, 1.17)", "(1.33, 1.33)", "0.056,", "ΔW1 "):
        assert right not in errata
    for wrong in ("2.67", "{0.47, 1, 2, 3, 5.53}", "0.050, 0, 0.109", "0.22, 0.056"):
        assert wrong in errata


def _relu_path_lstsq(weights, biases, x, sigma, *, y=None, gamma=None, t=None):
    """Minimise the fixed-pattern energy with x pinned and y hard-pinned (``y``) or
    soft-pinned (``gamma``, ``t``) or free, as one dense least-squares problem built here.
    Unknowns: z1, a1, …, zK, aK, z{K+1}, y (the last only when y is not hard-pinned)."""
    sizes = [w.shape[0] for w in weights]
    K = len(weights) - 1
    blocks, off = {}, 0
    for l in range(1, K + 2):
        blocks[f"z{l}"] = slice(off, off + sizes[l - 1]); off += sizes[l - 1]
        if l <= K:
            blocks[f"a{l}"] = slice(off, off + sizes[l - 1]); off += sizes[l - 1]
    if y is None:
        blocks["y"] = slice(off, off + sizes[-1]); off += sizes[-1]
    rows, rhs = [], []

    def row(parts, const):
        for i in range(len(const)):
            r = np.zeros(off)
            for name, mat in parts:
                r[blocks[name]] += mat[i]
            rows.append(r)
            rhs.append(const[i])

    for l in range(1, K + 2):
        w, b = weights[l - 1], biases[l - 1]
        n = len(b)
        if l == 1:
            row([("z1", np.eye(n))], w @ x + b)
        else:
            row([(f"z{l}", np.eye(n)), (f"a{l - 1}", -w)], b)
        if l <= K:
            row([(f"a{l}", np.eye(n)), (f"z{l}", -np.diag(sigma[l - 1]))], np.zeros(n))
    n = sizes[-1]
    if y is None:
        row([("y", np.eye(n)), (f"z{K + 1}", -np.eye(n))], np.zeros(n))
        if gamma is not None:
            row([("y", sqrt(gamma) * np.eye(n))], sqrt(gamma) * np.asarray(t, float))
    else:
        row([(f"z{K + 1}", -np.eye(n))], -np.asarray(y, float))
    A, g = np.array(rows), np.array(rhs)
    sol = np.linalg.lstsq(A, g, rcond=None)[0]
    energy = 0.5 * float(np.sum((A @ sol - g) ** 2))
    if gamma is not None:
        energy -= 0.5 * gamma * float(np.sum((sol[blocks["y"]] - t) ** 2))
    return {k: sol[v] for k, v in blocks.items()}, energy


def _forward(weights, biases, x):
    a, zs = x, []
    for l, (w, b) in enumerate(zip(weights, biases)):
        z = w @ a + b
        zs.append(z)
        a = np.maximum(z, 0) if l < len(weights) - 1 else z
    return zs, a


def test_exercise_6_pattern_change_against_a_dense_solve():
    net = Network.he_init([1, 2, 2, 1], seed=69)
    x = np.array([1.0])
    zs, f = _forward(net.weights, net.biases, x)
    assert np.allclose(zs[1], expected("exercise-6", 1, "vertex z2"), atol=1e-6)
    target = f - 4.0
    sigma = [np.array([1.0, 1.0]), np.array([0.0, 1.0])]  # the pattern the lesson claims
    st, energy = _relu_path_lstsq(net.weights, net.biases, x, sigma, y=target)
    assert np.all(st["z1"] > 0) and st["z2"][0] < 0 < st["z2"][1]  # self-consistent
    assert not np.array_equal(sigma[1], (zs[1] >= 0).astype(float))
    np.testing.assert_allclose(expected("exercise-6", 2, "vertex z2"), st["z2"], atol=1e-6)
    assert np.isclose(float(expected("exercise-6", 2, "R")), energy, atol=1e-6)


def test_ep_gap_against_dense_solve_and_finite_difference_backprop():
    net = Network.he_init([2, 8, 8, 1], seed=0)
    x, t = np.array([0.5, -1.0]), np.array([1.0])
    zs, _ = _forward(net.weights, net.biases, x)
    sigma = [(z >= 0).astype(float) for z in zs[:-1]]

    def loss(weights, biases):
        return 0.5 * float(np.sum((_forward(weights, biases, x)[1] - t) ** 2))

    h = 1e-6
    bp = []
    for l in range(3):
        for which in ("W", "b"):
            p = (net.weights if which == "W" else net.biases)[l]
            g = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                def shifted(d):
                    ws = [w.copy() for w in net.weights]
                    bs = [b.copy() for b in net.biases]
                    (ws if which == "W" else bs)[l][idx] += d
                    return loss(ws, bs)
                g[idx] = (shifted(h) - shifted(-h)) / (2 * h)
            bp.append(g.ravel())
    bp = np.concatenate(bp)
    for step, gamma in ((2, 0.01), (3, 0.001)):
        st, _ = _relu_path_lstsq(net.weights, net.biases, x, sigma, gamma=gamma, t=t)
        for l in (1, 2):  # the forward pattern is the equilibrium's own
            assert np.array_equal((st[f"z{l}"] >= 0).astype(float), sigma[l - 1])
        sheaf, prev = [], x
        for l, (w, b) in enumerate(zip(net.weights, net.biases), start=1):
            rho = w @ prev + b - st[f"z{l}"]
            sheaf += [np.outer(rho, prev).ravel(), rho]
            prev = st.get(f"a{l}")
        sheaf = np.concatenate(sheaf) / gamma
        gap = np.linalg.norm(sheaf - bp) / np.linalg.norm(bp)
        assert np.isclose(gap, float(expected("ep-limit", step, "ep_gap")), atol=2e-6)


def test_counterfactual_closed_form():
    # pinning a1[0] = u with x pinned and y free: z1[0] settles at the mean of (W1x + b1)[0]
    # and u, the output moves by W2[0,0]·(u − a1[0]); energy ¼(u − (W1x + b1)[0])²
    from sheafviz.core.data.presets import load_preset
    net = load_preset("running-241").network
    x = np.array([1.0, 0.5])
    zs, f = _forward(net.weights, net.biases, x)
    u = zs[0][0] + 1.0
    z_mid = 0.5 * (zs[0][0] + u)
    y = f + net.weights[1][0, 0] * (u - max(zs[0][0], 0))
    assert np.isclose(float(expected("counterfactual", 2, "vertex y")), y[0])
    assert np.isclose(float(expected("counterfactual", 2, "vertex z1")[0]), z_mid)
    assert np.isclose(float(expected("counterfactual", 2, "energy")), 0.25 * (u - zs[0][0]) ** 2)


# -- the flows, re-implemented here for one hidden layer -----------------------------------------
def _two_sided(W1, b1, W2, b2, x, y):
    """Two-sided equilibrium of a one-hidden-layer identity-output net by a dense solve at
    the forward pattern, checked self-consistent; returns (z1, a1, z2, R)."""
    zs, _ = _forward([W1, W2], [b1, b2], x)
    sigma = [(zs[0] >= 0).astype(float)]
    st, energy = _relu_path_lstsq([W1, W2], [b1, b2], x, sigma, y=y)
    assert np.array_equal((st["z1"] >= 0).astype(float), sigma[0])
    return st["z1"], st["a1"], st["z2"], energy


def _paper_mode(W1, b1, W2, b2, x, y, *, alpha, beta, dt, steps, stalks=None):
    """The paper mode of docs/mathematics.md for one pair: simultaneous forward Euler of stalks and weights,
    stalks started at ``stalks`` (z1, a1, z2) or the forward pass, with y clamped."""
    W1, b1, W2, b2 = (np.array(p, dtype=float) for p in (W1, b1, W2, b2))
    z1 = W1 @ x + b1
    a1 = np.maximum(z1, 0)
    z2 = W2 @ a1 + b2
    if stalks is not None:
        z1, a1, z2 = (np.array(v, dtype=float) for v in stalks)
    for _ in range(steps):
        m = (z1 >= 0).astype(float)
        rho1, rho2 = W1 @ x + b1 - z1, W2 @ a1 + b2 - z2
        dz1 = rho1 - m * (z1 - a1)
        da1 = -(a1 - m * z1) - W2.T @ rho2
        dz2 = rho2 + (y - z2)
        gW1, gb1, gW2, gb2 = np.outer(rho1, x), rho1, np.outer(rho2, a1), rho2
        z1, a1, z2 = z1 + dt * alpha * dz1, a1 + dt * alpha * da1, z2 + dt * alpha * dz2
        W1, b1 = W1 - dt * beta * gW1, b1 - dt * beta * gb1
        W2, b2 = W2 - dt * beta * gW2, b2 - dt * beta * gb2
    return W1, b1, W2, b2


def _theta(*params):
    return np.concatenate([np.ravel(p) for p in params])


COURSE = (np.eye(2), np.array([0.0, -1.0]), np.array([[1.0, 1.0]]), np.array([0.0]))


def test_timescales_against_hand_written_flows():
    x, y = np.array([1.0, 2.0]), np.array([3.0])
    W1, b1, W2, b2 = COURSE
    for _ in range(100):  # adiabatic: relax exactly, then a gradient step of lr 0.01
        z1, a1, z2, _ = _two_sided(W1, b1, W2, b2, x, y)
        rho1, rho2 = W1 @ x + b1 - z1, W2 @ a1 + b2 - z2
        W1, b1 = W1 - 0.01 * np.outer(rho1, x), b1 - 0.01 * rho1
        W2, b2 = W2 - 0.01 * np.outer(rho2, a1), b2 - 0.01 * rho2
    adiabatic = _theta(W1, b1, W2, b2)
    assert np.isclose(_two_sided(*COURSE, x, y)[3], float(expected("timescales", 1, "R")))
    assert np.isclose(_two_sided(W1, b1, W2, b2, x, y)[3],
                      float(expected("timescales", 2, "R")), atol=1e-6)
    for step, beta, steps in ((3, 1.0, 10), (4, 0.1, 100), (5, 0.01, 1000)):
        params = _paper_mode(*COURSE, x, y, alpha=1.0, beta=beta, dt=0.1, steps=steps)
        assert np.isclose(np.linalg.norm(_theta(*params) - adiabatic),
                          float(expected("timescales", step, "theta_from adiabatic")),
                          atol=1e-5)
        assert np.isclose(_two_sided(*params, x, y)[3],
                          float(expected("timescales", step, "R")), atol=1e-6)


def _kicked_state(c, size, seed, held):
    """The lessons' state kick (one example): ``c`` plus ``size`` times a unit random
    direction from numpy's default_rng(seed) (drawn as a (1, size) batch), zero on ``held``."""
    step = np.random.default_rng(seed).standard_normal((1, c.size))[0]
    step[held] = 0.0
    return c + size * step / np.linalg.norm(step)


def _kicked_theta(params, size, seed, state_size):
    """The lessons' θ kick: the state's direction is drawn first (and not used), then one
    standard normal array per parameter in the order W1, W2, b1, b2, scaled together to
    norm ``size``; returns (W1, b1, W2, b2)."""
    rng = np.random.default_rng(seed)
    rng.standard_normal((1, state_size))
    W1, b1, W2, b2 = params
    dirs = [rng.standard_normal(p.shape) for p in (W1, W2, b1, b2)]
    total = np.sqrt(sum(float(np.sum(d * d)) for d in dirs))
    W1, W2, b1, b2 = (p + size * d / total for p, d in zip((W1, W2, b1, b2), dirs))
    return W1, b1, W2, b2


def test_stationary_points_against_a_hand_written_flow():
    x, y = np.array([1.0, 2.0]), np.array([2.0])  # the network fits: a stationary pair
    W1, b1, W2, b2 = COURSE
    z1 = W1 @ x + b1
    a1 = np.maximum(z1, 0)
    c0 = np.concatenate([x, z1, a1, W2 @ a1 + b2, y])  # x, z1, a1, z2, y
    c = _kicked_state(c0, 0.1, 3, held=[0, 1, 7])
    kicked = _kicked_theta(COURSE, 0.2, 1, c0.size)
    assert np.isclose(_two_sided(*kicked, x, y)[3],
                      float(expected("stationary-points", 2, "R")), atol=1e-6)
    kW1, kb1, kW2, kb2 = kicked
    z1, a1, z2 = c[2:4], c[4:6], c[6:7]  # ‖ċ‖ at the kicked pair (α = 1)
    m = (z1 >= 0).astype(float)
    rho1, rho2 = kW1 @ x + kb1 - z1, kW2 @ a1 + kb2 - z2
    velocity = np.linalg.norm(np.concatenate([rho1 - m * (z1 - a1),
                                              -(a1 - m * z1) - kW2.T @ rho2,
                                              rho2 + (y - z2)]))
    assert np.isclose(velocity, float(expected("stationary-points", 2, "velocity")), atol=1e-6)
    final = _paper_mode(*kicked, x, y, alpha=1.0, beta=1.0, dt=0.1, steps=300,
                        stalks=(z1, a1, z2))
    assert _two_sided(*final, x, y)[3] < 1e-20
    assert np.isclose(np.linalg.norm(_theta(*final) - _theta(*COURSE)),
                      float(expected("stationary-points", 3, "theta_from start")), atol=1e-6)


def test_lab11_against_a_hand_written_flow():
    from sheafviz.core.data.presets import load_preset
    net = load_preset("running-241").network
    params = (net.weights[0], net.biases[0], net.weights[1], net.biases[1])
    x, y = np.array([1.0, 0.5]), np.array([2.5])
    *_, R = _two_sided(*params, x, y)
    assert np.isclose(R, float(expected("lab11-output-pinning", 2, "R")), atol=5e-6)
    trained = _paper_mode(*params, x, y, alpha=1.0, beta=0.2, dt=0.05, steps=200)
    assert np.isclose(_two_sided(*trained, x, y)[3],
                      float(expected("lab11-output-pinning", 3, "R")), atol=5e-6)


def test_locality_and_exercise_4_closed_forms():
    # a1 = (2, 0.5) pinned with x = (1, 2): z1 is the mean of W1x + b1 = (1, 1) and a1 (both
    # on); downstream z2 = W2·a1 exactly
    a1 = np.array([2.0, 0.5])
    z1 = 0.5 * (np.array([1.0, 1.0]) + a1)
    np.testing.assert_allclose(expected("locality", 3, "vertex z1"), z1)
    np.testing.assert_allclose(expected("locality", 3, "delta W1"),
                               np.outer(z1 - 1.0, [1.0, 2.0]))
    assert np.isclose(float(expected("locality", 3, "discord aff1")), np.sum((z1 - 1) ** 2))
    # exercise 4: only a1[0] = 0.5 pinned; least squares over x, z1, a1[1], z2, y at the
    # pattern σ = (1, 0); the minimum-norm minimiser and the null space
    A = np.zeros((7, 7))
    g = np.zeros(7)
    A[0, [2, 0]] = 1, -1                     # z1[0] − x0 − 0
    A[1, [3, 1]] = 1, -1; g[1] = -1          # z1[1] − x1 + 1
    A[2, 2] = -1; g[2] = -0.5                # a1[0] − z1[0], a1[0] = 0.5 pinned
    A[3, 4] = 1                              # a1[1] − 0·z1[1]
    A[4, [5, 4]] = 1, -1; g[4] = 0.5         # z2 − a1[0] − a1[1]
    A[5, [6, 5]] = 1, -1                     # y − z2
    L = A.T @ A
    np.testing.assert_allclose(expected("exercise-4", 2, "laplacian"), L, atol=0)
    lam = np.linalg.eigvalsh(L)
    assert int(np.sum(lam < 1e-12)) == int(expected("exercise-4", 2, "nullity"))
    sol = np.linalg.lstsq(A, g, rcond=None)[0]
    np.testing.assert_allclose(expected("exercise-4", 2, "vertex x"), sol[:2], atol=1e-12)
    np.testing.assert_allclose(expected("exercise-4", 2, "vertex z1"), sol[2:4], atol=1e-12)


def test_ep_gaps_agree_with_the_ep_core_when_present():
    ep = pytest.importorskip("sheafviz.core.diagnostics.ep")
    net = Network.he_init([2, 8, 8, 1], seed=0)
    for step, gamma in ((1, 0.1), (2, 0.01), (3, 0.001), (4, 0.0001)):
        comp = ep.ep_gradients(net, [0.5, -1.0], [1.0], gamma)
        assert np.isclose(comp.total_gap, float(expected("ep-limit", step, "ep_gap")),
                          atol=1e-6)


def test_lessons_run_without_qt():
    import subprocess
    import sys
    code = ("import sys; from sheafviz.lessons import check_lesson, load_lesson; "
            "r = check_lesson(load_lesson('counterfactual')); "
            "assert all(s.ok for s in r); "
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]")
    subprocess.run([sys.executable, "-c", code], check=True)
