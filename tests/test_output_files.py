"""Output files: every path is checked before the work starts, writes are atomic and keep the
user's umask (mkstemp alone would leave them -rw-------)."""

from __future__ import annotations

import os

import pytest

from sheafviz.cli import main
from sheafviz.core.data.atomic import OutputPathError, atomic_write_bytes, check_output_path


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def _run(capsys, *argv):
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def test_train_checks_every_output_before_writing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "existing_dir").mkdir()
    (tmp_path / "w.npz").write_bytes(b"the user's old weights")
    rc, out, err = _run(capsys, "train", "--preset", "paraboloid", "--steps", "10",
                        "--save-weights", "w.npz", "--out", "existing_dir/")
    assert rc == 2 and err.strip() == "sheafviz: error: --out existing_dir/: is a folder, not a file"
    assert (tmp_path / "w.npz").read_bytes() == b"the user's old weights"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing_dir", "w.npz"]


@pytest.mark.parametrize("target, message", [
    ("missing/shot.png", "the folder missing does not exist"),
    ("a_folder", "is a folder, not a file"),
    ("/proc/shot.png", "the folder /proc is not writable"),
    ("shot.jpg", "must be a .png file"),
])
def test_screenshot_path_is_one_line_exit_2(tmp_path, capsys, monkeypatch, target, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a_folder").mkdir()
    rc, out, err = _run(capsys, "gui", "--screenshot", target)
    assert rc == 2 and out == "" and err.count("\n") == 1 and message in err


def test_relax_run_file_keeps_the_umask(tmp_path, capsys, umask_022):
    out_file = tmp_path / "run.json"
    rc, _, err = _run(capsys, "relax", "--preset", "course-221", "--steps", "5",
                      "--out", str(out_file), "--save-weights", str(tmp_path / "w.npz"))
    assert rc == 0, err
    assert out_file.stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "w.npz").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json", "w.npz"]


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, umask_022):
    path = tmp_path / "f.bin"
    path.write_bytes(b"old")

    def broken(fh):
        fh.write(b"half")
        raise RuntimeError("disk on fire")

    from sheafviz.core.data.atomic import atomic_write
    with pytest.raises(RuntimeError):
        atomic_write(path, broken)
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["f.bin"]
    atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o777 == 0o644


def test_check_output_path_cases(tmp_path):
    assert check_output_path(tmp_path / "a.png", suffixes=(".png",)) == tmp_path / "a.png"
    with pytest.raises(OutputPathError, match="is a folder"):
        check_output_path(str(tmp_path) + os.sep)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):  # root ignores permissions; nothing to check then
            pytest.skip("running as root")
        with pytest.raises(OutputPathError, match="not writable"):
            check_output_path(ro / "a.json")
    finally:
        ro.chmod(0o700)


def test_gif_streamed_frame_by_frame_is_exact_and_keeps_the_umask(tmp_path, umask_022):
    import numpy as np
    from PIL import Image

    from sheafviz.core.data.gif_writer import GifWriter

    blue, red = (20, 40, 200), (200, 30, 30)
    frames = []
    for i in range(5):
        a = np.full((30, 40, 3), 255, dtype=np.uint8)
        a[20:25, 0:5] = red  # every frame holds all three colours: the palette has them
        a[5:15, 4 * i:4 * i + 10] = blue
        frames.append(a)
    frames.append(frames[-1].copy())  # identical frames stay separate frames
    path = tmp_path / "a.gif"
    with GifWriter(path, frame_ms=40) as writer:
        for a in frames:
            writer.add(Image.fromarray(a))
    gif = Image.open(path)
    assert gif.n_frames == 6 and gif.info["loop"] == 0 and gif.info["duration"] == 40
    for k, expected in enumerate(frames):
        gif.seek(k)
        assert np.array_equal(np.asarray(gif.convert("RGB")), expected), k
    assert path.stat().st_mode & 0o777 == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["a.gif"]


def test_gif_writer_failure_leaves_nothing(tmp_path):
    from PIL import Image

    from sheafviz.core.data.gif_writer import GifWriter

    with pytest.raises(RuntimeError):
        with GifWriter(tmp_path / "a.gif") as writer:
            writer.add(Image.new("RGB", (8, 8)))
            raise RuntimeError("grab failed")
    assert list(tmp_path.iterdir()) == []


def test_window_exports_keep_the_umask(tmp_path, umask_022, qtbot):
    """PNG and CSV exports of the window (written through the same atomic helper)."""
    from sheafviz.gui.lecture import export
    from sheafviz.gui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    window.load_preset("course-221")
    window.session.step(3)
    export.export_png(window, tmp_path / "w.png")
    export.export_history_csv(window.session, tmp_path / "h.csv")
    for name in ("w.png", "h.csv"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.csv", "w.png"]
