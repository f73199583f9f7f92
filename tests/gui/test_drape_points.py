"""The drape's points follow the state in place frame after frame, and carry the right
identity (flat index) after the pins change, also when their number stays the same."""

from __future__ import annotations

import numpy as np


def check_points(drape, s) -> None:
    lay = s.layout
    pinned = {lay.index(name, i) for name, i in list(s.pins.hard) + list(s.pins.soft)}
    for item, want in ((drape.points, set(range(lay.size)) - pinned), (drape.clamps, pinned)):
        d = item.data
        ids = d["data"].astype(int)
        assert set(ids.tolist()) == want
        np.testing.assert_array_equal(d["y"], s.cochain[ids])  # value of that coordinate
        np.testing.assert_array_equal(d["x"], drape.xs[ids])


def test_points_follow_frames_and_pin_changes(qtbot, window):
    s, drape = window.session, window.drape
    check_points(drape, s)
    y = float(s.cochain[s.layout.index("y", 0)])
    for k in range(3):  # drag moves: same points, new values
        s.pin("y", [y + 0.4 * (k + 1)], jump=True)
        check_points(drape, s)
    before = len(drape.points.data)
    s.unpin("y")
    s.pin("a1[0]", 0.3, jump=True)  # another coordinate pinned: as many points, others
    assert len(drape.points.data) == before
    check_points(drape, s)
    s.pin("a1[0]", 0.7, jump=True)
    check_points(drape, s)
