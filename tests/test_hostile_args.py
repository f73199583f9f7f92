"""Hostile command-line arguments: one line on stderr and exit 2, never a traceback, and
help that shows the syntax and the defaults without citing documents users do not have."""

from __future__ import annotations

import pytest

from sheafviz.cli import main
from sheafviz.cli.args import build_parser


def _run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def _refused(capsys, argv, message):
    rc, out, err = _run(capsys, *argv)
    assert rc == 2, (out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("sheafviz: error: "), err
    assert message in lines[0], lines[0]


@pytest.mark.parametrize("argv, message", [
    (["solve", "--arch", "2,4,1", "--seed", "-5", "--pin", "x=1,2"], "--seed: '-5' must be at least 0"),
    (["relax", "--data-seed", "-1"], "--data-seed: '-1' must be at least 0"),
    (["relax", "--state-seed", "-1"], "--state-seed: '-1' must be at least 0"),
    (["solve", "--pin", "y=1e308"], "1e+308 is too large"),
    (["solve", "--soft", "y=3@1e300"], "stiffness of the soft pin on y: 1e+300 is too large"),
    (["solve", "--soft", "y=1e200@1"], "1e+200 is too large"),
    (["solve", "--arch", ""], "--arch '' is not a comma-separated list"),
    (["solve", "--arch", " , "], "is not a comma-separated list"),
    (["solve", "--arch", "9" * 5000], "far too large"),
    (["solve", "--preset", ""], "unknown preset ''"),
    (["train", "--arch", "2,4,1", "--output", "sigmoid", "--data", "paraboloid", "--steps", "5"],
     "a sigmoid output only reaches [0, 1]"),
    (["train", "--preset", "paraboloid", "--example", "3"], "unrecognized arguments: --example"),
    (["solve", "--arch", "1000,1000,1", "--pin", "y=1"],
     "1000 free input coordinates on a network [1000, 1000, 1]: the minimum-norm solve is "
     "dense in the free inputs and would be very slow"),
])
def test_bad_arguments_are_one_line(capsys, argv, message):
    _refused(capsys, argv, message)


def test_exploding_adam_stops_with_exit_2(capsys):
    rc, out, err = _run(capsys, "train", "--preset", "paraboloid", "--mode", "gd",
                        "--optimizer", "adam", "--lr", "1e6", "--steps", "200")
    assert rc == 2 and out == ""
    assert "the training loss exploded" in err and "lower the learning rate" in err.lower()


def test_a_healthy_run_is_not_stopped(capsys):
    rc, _, err = _run(capsys, "train", "--preset", "paraboloid", "--steps", "20", "--json")
    assert rc == 0, err


def _help(*argv) -> str:
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices  # noqa: SLF001 - argparse internals
    return sub[argv[0]].format_help() if argv else parser.format_help()


@pytest.mark.parametrize("command", ["solve", "relax", "gui", "render"])
def test_help_shows_pin_syntax(command):
    text = " ".join(_help(command).split())
    assert "NAME=V1,V2" in text and "'NAME[i]=V'" in text
    assert "NAME=VALUES@STIFFNESS" in text


@pytest.mark.parametrize("command", ["solve", "relax", "train", "presets", "gui", "render",
                                     "bench"])
def test_help_cites_no_private_documents_and_shows_defaults(command):
    text = _help(command)
    assert "SPEC" not in text and "DESIGN" not in text and "§" not in text
    flat = " ".join(text.split())
    if command in ("relax", "train"):
        for option in ("--dt", "--alpha", "--data-seed", "--steps"):
            part = flat.split("options:", 1)[1].split(option + " ", 1)[1][:300]
            assert "default" in part, (option, part)


def test_train_help_does_not_list_example():
    assert "--example" not in _help("train")
    assert "--example" in _help("relax")


def test_memory_estimate_refuses_three_million_samples_with_the_figure():
    from sheafviz.core.data.limits import ResourceError, check_memory, estimate_memory

    # per sample at least the cochain and its working copies: 16 float64 vectors of 64
    assert estimate_memory([2, 30, 1], 3_000_000) >= 3_000_000 * 16 * 8 * 64
    with pytest.raises(ResourceError, match=r"3,000,000 samples on a network \[2, 30, 1\] "
                                            r"would need about 2[0-9.]+ GB"):
        check_memory([2, 30, 1], 3_000_000)
    check_memory([2, 30, 1], 10_000)  # an ordinary run passes


def test_piped_train_prints_progress_lines_and_quiet_silences_them(capsys, monkeypatch):
    from sheafviz.cli import progress

    monkeypatch.setattr(progress, "PROGRESS_INTERVAL", 0.0)  # every chunk, not every 5 s
    rc, out, err = _run(capsys, "train", "--preset", "paraboloid", "--steps", "400", "--json")
    assert rc == 0 and out.startswith("{")
    lines = [l for l in err.splitlines() if l.startswith("train: ")]
    assert len(lines) >= 10 and "/400 steps (" in lines[0] and "\r" not in err
    rc, out, err = _run(capsys, "train", "--preset", "paraboloid", "--steps", "400", "--quiet")
    assert rc == 0 and err == ""


def test_no_private_documents_cited_in_the_package():
    """Help, messages, preset notes, lessons and docstrings speak for themselves (users do
    not have the design documents)."""
    from pathlib import Path

    import sheafviz

    root = Path(sheafviz.__file__).parent
    cited = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in (".py", ".json", ".toml"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "SPEC §" in line or "DESIGN.md" in line or "ENV.md" in line or "(DESIGN" in line:
                cited.append(f"{path.relative_to(root)}:{number}")
    assert cited == []
