"""BLAS thread policy: --threads overrides the policy; bad counts are one-line errors."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from sheafviz.cli import main
from sheafviz.core import threads


def _blas_counts() -> list[int]:
    """Thread counts of every loaded BLAS, read from threadpoolctl directly."""
    return [int(d["num_threads"]) for d in threadpool_info() if d["user_api"] == "blas"]


@pytest.fixture
def restore_blas():
    import scipy.linalg  # noqa: F401  (load every BLAS the commands will load)
    before = threadpool_limits(limits=2, user_api="blas")  # start from two threads
    yield
    threads.clear_explicit()
    before.restore_original_limits()


def test_threads_option_sets_the_count_in_process(restore_blas, capsys):
    assert _blas_counts() and set(_blas_counts()) == {2}
    assert main(["solve", "--arch", "2,4,1", "--pin", "x=1,2", "--threads", "1"]) == 0
    assert set(_blas_counts()) == {1}
    # an explicit 2 beats the policy, which says one thread for this small network
    assert main(["solve", "--arch", "2,4,1", "--pin", "x=1,2", "--threads", "2"]) == 0
    assert set(_blas_counts()) == {2}
    assert threads.use_gui_policy().threads == 2  # the GUI's start-up call defers to it too
    assert set(_blas_counts()) == {2}
    capsys.readouterr()


def test_policy_one_thread_for_small_work_and_gui(restore_blas, capsys):
    assert main(["solve", "--arch", "2,4,1", "--pin", "x=1,2"]) == 0
    assert set(_blas_counts()) == {1}
    threadpool_limits(limits=2, user_api="blas")
    assert threads.apply_policy(work=threads.SMALL_WORK * 10).threads is None
    assert set(_blas_counts()) == {2}  # large work: BLAS default left alone
    assert threads.use_gui_policy().threads == 1
    assert set(_blas_counts()) == {1}
    assert threads.largest_product([784, 512, 10], 3) == 784 * 512 * 3
    capsys.readouterr()


@pytest.mark.parametrize("command", ["solve", "relax", "train", "bench", "gui", "render"])
@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5"])
def test_bad_thread_counts_are_exit_2_one_line(command, bad, capsys):
    assert main([command, "--threads", bad]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--threads" in err[0] and repr(bad) in err[0]


def test_resolved_pins_are_cached_read_only_and_still_validated():
    import numpy as np

    from sheafviz.core.model.pins import PinSet
    from sheafviz.core.model.sheaf import SheafLayout

    lay = SheafLayout([3, 2, 1])
    pins = PinSet().pin(lay, "x", [1.0, 2.0, 3.0]).pin_soft(lay, "a1", 0.5, 2.0, 1)
    first = pins.resolve(lay)
    assert pins.resolve(lay) is first  # cached
    assert first.hard_index.tolist() == [0, 1, 2] and first.soft_index.tolist() == [3 + 2 + 1]
    assert first.free_index.tolist() == list(range(3, lay.size))
    with pytest.raises(ValueError):
        first.hard_value[0] = 9.0  # shared: never to be edited
    edited = pins.pin(lay, "y", 4.0)
    assert edited.resolve(lay).hard_index.tolist() == [0, 1, 2, lay.size - 1]
    bad = PinSet(hard={("z1", 5): 1.0})
    with pytest.raises(IndexError, match="out of range"):
        bad.resolve(lay)
    with pytest.raises(KeyError, match="unknown vertex"):
        PinSet(hard={("q", 0): 1.0}).resolve(lay)
    assert np.array_equal(PinSet().resolve(lay).free_index, np.arange(lay.size))
