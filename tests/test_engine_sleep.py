"""The sleep timer, owned by the engine, on a clock the test moves by hand (no long sleeps):
timed and end-of-song modes, the fade-out of the last 10 s, then a stop."""

from __future__ import annotations

import pytest

from audio_support import wait_until
from sadtui.services.control import SLEEP_FADE
from sadtui.services.events import PlaybackEnded, SongFinished, State
from sadtui.services.player import PropertyChanged
from test_engine import Harness, ManualClock

pytestmark = pytest.mark.unit


@pytest.fixture
def h():
    harness = Harness(clock=ManualClock())
    yield harness
    harness.close()


def volumes(h) -> list[int]:
    return [call[1] for call in h.player.calls if call[0] == "volume"]


def test_z_cycles_off_song_15_30_45_60_and_back(h):
    seen = [h.engine.cycle_sleep() for _ in range(7)]
    assert seen == ["song", "15", "30", "45", "60", "off", "song"]
    h.clock.sync()
    assert h.engine.status.sleep == "song"


def test_a_timed_sleep_counts_down_fades_the_last_10_s_and_stops(h):
    h.engine.play(1)
    h.playing(1)
    assert h.engine.set_sleep("15") == "15"
    h.clock.sync()
    assert h.engine.status.sleep == "15" and h.engine.status.sleep_left == 900
    h.clock.advance(60)
    h.clock.sync()
    assert h.engine.status.sleep_left == pytest.approx(840, abs=1)
    assert h.engine.status.state is State.PLAYING
    before = len(volumes(h))
    h.clock.advance(900 - 60 - 5)  # 5 s left: half volume
    h.clock.sync()
    assert volumes(h)[before:] and volumes(h)[-1] == pytest.approx(50, abs=3)
    assert h.engine.status.volume == 100  # the setting itself is unchanged
    h.clock.advance(SLEEP_FADE)
    h.clock.sync()
    h.wait_for(lambda e: isinstance(e, PlaybackEnded) and e.reason == "sleep", what="sleep ended")
    status = h.engine.status
    assert status.state is State.STOPPED and status.sleep == "off" and status.sleep_left is None
    assert volumes(h)[-1] == 100  # back to full for the next song
    assert h.engine.cycle_sleep() == "song"  # the cycle starts over


def test_nothing_stops_before_the_time_is_up(h):
    h.engine.play(1)
    h.playing(1)
    h.engine.set_sleep("30")
    h.clock.sync()
    h.clock.advance(30 * 60 - 11)
    h.clock.sync()
    assert h.engine.status.state is State.PLAYING and h.engine.status.sleep == "30"
    assert all(volume == 100 for volume in volumes(h))


def test_end_of_this_song_stops_instead_of_moving_on(h):
    h.engine.play(2)
    h.playing(2)
    h.engine.set_sleep("song")
    h.player._send(PropertyChanged("time-pos", 95.0))  # the fake songs last 100 s: 5 s left
    wait_until(lambda: h.engine.status.position == 95.0, 2, "position 95")
    h.clock.advance(1)
    h.clock.sync()
    assert h.engine.status.sleep_left == pytest.approx(5, abs=1)
    assert volumes(h)[-1] < 100  # fading
    h.player.end("eof")
    h.wait_for(lambda e: isinstance(e, SongFinished) and e.rank == 2, what="finished")
    h.wait_for(lambda e: isinstance(e, PlaybackEnded) and e.reason == "sleep", what="sleep ended")
    assert h.engine.status.state is State.STOPPED and h.engine.status.rank == 2  # not song 3
    assert h.player.loaded_rank() == 2


def test_turning_it_off_restores_the_volume(h):
    h.engine.play(1)
    h.playing(1)
    h.engine.set_sleep("15")
    h.clock.sync()  # the timer starts now, then time moves
    h.clock.advance(15 * 60 - 3)
    h.clock.sync()
    assert volumes(h)[-1] < 100
    h.engine.set_sleep("off")
    h.clock.sync()
    assert volumes(h)[-1] == 100 and h.engine.status.sleep == "off"
    h.clock.advance(60)
    h.clock.sync()
    assert h.engine.status.state is State.PLAYING


def test_bad_sleep_times_are_refused(h):
    for bad in ("0", "-5", "abc", "100000"):
        with pytest.raises(ValueError):
            h.engine.set_sleep(bad)
    assert h.engine.set_sleep("7.5") == "7.5"
