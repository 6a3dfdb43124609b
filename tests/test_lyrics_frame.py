"""The lyrics pane moves the sung line at the line's own time (issue 15: "within one frame of
the time it names"), under Pilot with a fake engine and a clock moved by hand.

Between two position reports nothing is sent: the pane must wake up by itself, exactly when
the next line begins by the clock, counting from when mpv reported the position (the
engine's stamp), not from when the report reached the UI.  The times are binary fractions,
so the clock lands on a line's time exactly.  Nothing here sleeps: each step waits until the
pane has acted on the clock's new time (its next wake-up asked for), then looks."""

from __future__ import annotations

import pytest

from fake_engine import FactoryRecorder
from sadtui.model.playlist import load_playlist
from sadtui.services.events import State
from sadtui.tui.widgets.lyrics import MIN_WAIT, LyricLineView
from tui_helpers import SadtuiTestApp, engine_ready, wait_for, write_playlist

pytestmark = pytest.mark.tui

LRC = "[00:01.00]first line\n[00:02.00]second line\n[00:03.00]third line\n[00:04.00]fourth line\n"
START = 1000.0


class HandClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


class Watched:
    """The pane's clock, the waits it asks Textual's ``set_timer`` for, and each line it makes current (with
    the clock's time then)."""

    def __init__(self, pane) -> None:
        self.pane = pane
        self.clock = pane.clock = HandClock()
        self.waits: list[float] = []
        self.changes: list[tuple[float, int | None]] = []
        set_timer = pane.set_timer

        def asking(delay, callback=None, **kwargs):
            self.waits.append(delay)
            return set_timer(delay, callback, **kwargs)

        pane.set_timer = asking
        pane.watch(pane, "current", lambda index: self.changes.append((self.clock.now, index)), init=False)

    async def woke_up(self, pilot, wait: float, what: str) -> None:
        """Until the pane next asks to be woken up in `wait` seconds (it has acted on the clock's time)."""
        asked = len(self.waits)
        await wait_for(pilot, lambda: len(self.waits) > asked and self.waits[-1] == pytest.approx(wait), what=what)


@pytest.fixture
def playlist(tmp_path):
    (tmp_path / "timed.lrc").write_text(LRC, encoding="utf-8")
    return load_playlist(write_playlist(tmp_path / "list.toml", [{"rank": 1, "title": "Timed", "lyrics": "timed.lrc"}]))


def make(playlist):
    recorder = FactoryRecorder()
    return SadtuiTestApp(playlist, engine_factory=recorder, lyrics_online=False), recorder


async def playing(pilot, recorder):
    engine = await engine_ready(pilot, recorder)
    await pilot.press("l")
    pane = await wait_for(pilot, lambda: pilot.app.main.lyrics_pane, what="lyrics pane")
    await wait_for(pilot, lambda: pane.lyrics is not None, what="the song's lyrics")
    watched = Watched(pane)
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.main.status.state is State.PLAYING, what="playing")
    return engine, watched


async def test_the_line_moves_at_its_time_counted_from_when_mpv_reported(playlist):
    app, recorder = make(playlist)
    async with app.run_test(size=(140, 40)) as pilot:
        engine, watched = await playing(pilot, recorder)
        pane, clock = watched.pane, watched.clock
        # mpv said 1.75 s an eighth of a second ago: the report took that long to get here.
        engine.progress(1.75, at=START - 0.125)
        await wait_for(pilot, lambda: pane.current == 0, what="the first line")
        # It is 1.875 s now: the second line (2.00 s) begins in 0.125 s, not 0.25 s.
        assert watched.waits[-1] == pytest.approx(0.125)

        clock.now = START + 0.125 - 2**-10  # a millisecond short of 2.00 s, and no report since
        await watched.woke_up(pilot, MIN_WAIT, "the pane woke up just before the second line")
        assert pane.current == 0 and watched.changes[-1] == (START, 0)

        clock.now = START + 0.125  # 2.00 s by mpv's clock: still no report
        await wait_for(pilot, lambda: pane.current == 1, what="the second line at its time")
        assert watched.changes[-1] == (START + 0.125, 1)  # at 2.00 s exactly, not at the next report
        lines = list(pane.query(LyricLineView))
        assert lines[1].has_class("-current") and not lines[0].has_class("-current")
        assert watched.waits[-1] == pytest.approx(1.0)  # and the third line is a second away
        assert app.main.status.position == 1.75  # the screen heard of nothing newer


async def test_pause_holds_the_line_and_resume_counts_from_the_resume(playlist):
    app, recorder = make(playlist)
    async with app.run_test(size=(140, 40)) as pilot:
        engine, watched = await playing(pilot, recorder)
        pane, clock = watched.pane, watched.clock
        engine.progress(2.5, at=START)
        await wait_for(pilot, lambda: pane.current == 1, what="the second line")
        assert watched.waits[-1] == pytest.approx(0.5)

        await pilot.press("space")
        await wait_for(pilot, lambda: app.main.status.state is State.PAUSED, what="paused")
        asked = len(watched.waits)
        clock.now += 0.25  # a quarter of a second paused
        engine.change_volume(-5)  # another report while paused: the line must stay
        await wait_for(pilot, lambda: app.main.status.volume == 95, what="the volume change")
        assert pane.current == 1 and len(watched.waits) == asked  # no wake-up while paused

        await pilot.press("space")
        await watched.woke_up(pilot, 0.5, "the wake-up for the third line, counted from the resume")
        assert pane.current == 1
        clock.now += 0.5
        await wait_for(pilot, lambda: pane.current == 2, what="the third line")
        assert watched.changes[-1] == (START + 0.75, 2)
