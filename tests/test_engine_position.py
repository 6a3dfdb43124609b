"""The engine stamps each position with when it was true (``Status.position_at``,
``PositionChanged.at``), on its clock: consumers such as the lyrics pane place the sung
line from it, not from when the report reached them (fake player, ManualClock)."""

from __future__ import annotations

import pytest

from sadtui.services.events import PositionChanged, State
from sadtui.services.player import PropertyChanged
from test_engine import Harness, ManualClock

pytestmark = pytest.mark.unit


def test_positions_are_stamped_when_mpv_reports_them_and_a_resume_moves_on_from_then():
    clock = ManualClock()
    h = Harness(clock=clock)
    try:
        h.engine.play(1)
        h.playing(1)
        clock.advance(1.0)
        h.player._send(PropertyChanged("time-pos", 3.5))
        event = h.wait_for(lambda e: isinstance(e, PositionChanged) and e.position == 3.5, what="3.5 s in")
        assert event.at == 1001.0 and h.engine.status.position_at == 1001.0

        h.engine.toggle_pause()
        h.wait_state(State.PAUSED, 1)
        clock.advance(30.0)  # paused: time-pos stands still, its stamp grows old
        h.engine.toggle_pause()
        status = h.wait_state(State.PLAYING, 1)
        assert status.position == 3.5 and status.position_at == 1031.0  # moving on from the resume

        h.engine.seek(10.0)
        event = h.wait_for(lambda e: isinstance(e, PositionChanged) and e.position == 13.5, what="the seek")
        assert event.at == 1031.0
    finally:
        h.close()
