"""Every command example of README.md runs: the ```bash blocks and the inline `sheafviz …`
commands (templates with placeholders and the commands that open a window are skipped).

Outputs go to a temporary folder, long runs are shortened (``--steps`` capped, GIFs of a
few frames): the point is that each example is accepted and completes with exit code 0.
The commands that need Qt run in one subprocess, one after the other.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from sheafviz.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: Examples that must work whatever the README says today.
EXTRA = [
    "sheafviz render --preset sliding --png a.png --gif a.gif --steps 10",
    "sheafviz render resources/sessions/running-241.json --png s.png --steps 5",
]
OUTPUT_OPTIONS = ("--png", "--gif", "--out", "--screenshot", "--save-weights", "--save-session")
PLACEHOLDERS = ("[", "|", "…", "NAME", "FILE", "SESSION", " F ", "WxH")
MAX_STEPS = 30
QT_COMMANDS = ("gui", "render")


def readme_commands(text: str) -> list[str]:
    """``sheafviz …`` lines of the ```bash blocks and inline code spans, comments removed."""
    found = []
    for block in re.findall(r"```bash\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("sheafviz"):
                found.append(line)
    found += re.findall(r"`(sheafviz [^`]+)`", text)
    return list(dict.fromkeys(found))


def runnable(command: str) -> bool:
    words = shlex.split(command)
    if any(p in command for p in PLACEHOLDERS) or words[0] != "sheafviz":
        return False
    if len(words) == 1 or (words[1] == "gui" and "--screenshot" not in words):
        return False  # opens the window
    return words[1] != "bench"  # minutes of benchmarks; `sheafviz bench` has its own tests


def adapt(command: str, out_dir: Path) -> list[str]:
    """argv of the command with outputs in ``out_dir``, steps capped, short GIFs."""
    words = shlex.split(command)[1:]
    argv = []
    for i, word in enumerate(words):
        previous = words[i - 1] if i else ""
        if previous in OUTPUT_OPTIONS:
            word = str(out_dir / Path(word).name)
        elif previous == "--steps":
            word = str(min(int(word), MAX_STEPS))
        argv.append(word)
    if "--gif" in argv and "--frames" not in argv:
        argv += ["--frames", "3"]
    return argv


COMMANDS = [c for c in readme_commands(README.read_text(encoding="utf-8")) + EXTRA
            if runnable(c)]
PLAIN = [c for c in COMMANDS if shlex.split(c)[1] not in QT_COMMANDS]
QT = [c for c in COMMANDS if shlex.split(c)[1] in QT_COMMANDS]


def test_the_readme_has_examples_to_run():
    assert len(PLAIN) >= 3 and len(QT) >= 2


@pytest.mark.parametrize("command", PLAIN)
def test_readme_example_runs(command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    rc = main(adapt(command, tmp_path))
    err = capsys.readouterr().err
    assert rc == 0, f"{command}: {err}"


_DRIVER = """
import json, sys
from sheafviz.cli import main
codes = []
for argv in json.loads(sys.argv[1]):
    codes.append(main(argv))
print(json.dumps(codes))
"""


def test_readme_examples_with_the_window_run(tmp_path):
    argvs = [adapt(c, tmp_path) for c in QT]
    env = {"QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT),
           "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", _DRIVER, json.dumps(argvs)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    codes = json.loads(proc.stdout.strip().splitlines()[-1])
    assert codes == [0] * len(argvs), list(zip(QT, codes, [proc.stderr[-1500:]] * len(QT)))
    for argv in argvs:
        for option in OUTPUT_OPTIONS:
            if option in argv:
                assert Path(argv[argv.index(option) + 1]).stat().st_size > 0
