"""The engine starts where a person stopped: a song at a position, and remembered
volume, mute, order and repeat (fake player and resolver, as in test_engine)."""

from __future__ import annotations

import pytest

from audio_support import wait_until
from sadtui.services.events import Order, Repeat, State
from test_engine import Harness

pytestmark = pytest.mark.unit


@pytest.fixture
def h():
    harness = Harness()
    yield harness
    harness.close()


def test_play_from_a_position_seeks_there_once_loaded(h):
    h.engine.play(3, start=42.5)
    status = h.playing(3)
    wait_until(lambda: ("seek", 42.5, False) in h.player.calls, 2, "seek to 42.5")
    wait_until(lambda: h.engine.status.position == 42.5, 2, "position 42.5")
    assert status.rank == 3
    h.engine.next()  # the next song starts at its beginning
    h.playing(4)
    assert [call for call in h.player.calls if call[0] == "seek"] == [("seek", 42.5, False)]


def test_play_without_a_position_does_not_seek(h):
    h.engine.play(2)
    h.playing(2)
    assert not [call for call in h.player.calls if call[0] == "seek"]


def test_a_position_past_the_end_starts_the_song_from_the_beginning(h):
    h.engine.play(2, start=99.5)  # the fake songs last 100 s
    h.playing(2)
    h.engine.toggle_pause()
    h.wait_state(State.PAUSED, 2)
    assert not [call for call in h.player.calls if call[0] == "seek"]


def test_restore_sets_volume_mute_order_and_repeat_before_start():
    harness = Harness(start=False)
    try:
        engine = harness.engine
        engine.restore(volume=40, muted=True, order=Order.COUNTDOWN, repeat=Repeat.ALL)
        engine.start()
        wait_until(lambda: engine.status.volume == 40 and engine.status.muted
                   and engine.status.order is Order.COUNTDOWN and engine.status.repeat is Repeat.ALL, 2, "restored")
        assert engine.cycle_order() is Order.SHUFFLE  # cycling goes on from the restored setting
        assert engine.cycle_repeat() is Repeat.OFF
        engine.play(1)
        harness.playing(1)
        # mpv's own starting volume (100, unmuted) does not override what was remembered
        wait_until(lambda: ("volume", 40) in harness.player.calls and ("mute", True) in harness.player.calls,
                   2, "volume applied to mpv")
        assert engine.status.volume == 40 and engine.status.muted
    finally:
        harness.close()


def test_restore_with_nothing_keeps_everything():
    harness = Harness()
    try:
        harness.engine.restore()
        harness.engine.change_volume(-10)
        wait_until(lambda: harness.engine.status.volume == 90, 2, "volume 90")
        assert harness.engine.status.order is Order.RANK and harness.engine.status.repeat is Repeat.OFF
    finally:
        harness.close()
