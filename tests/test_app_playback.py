"""Playback from the TUI against a FakeEngine: every key reaches the engine, the
now-playing bar and the list follow the engine's events, failures are one line,
and the app stays usable whatever the engine does."""

from __future__ import annotations

import threading
import time

import pytest

from fake_engine import FactoryRecorder, FakeEngine
from sadtui.model.playlist import load_playlist
from sadtui.services.events import (
    Order,
    PlaybackEnded,
    PositionChanged,
    Repeat,
    SongFailed,
    SongFinished,
    State,
    Status,
    StatusChanged,
)
from sadtui.tui import playback as app_module
from sadtui.tui.messages import EngineNotice
from sadtui.tui.playback import describe_engine_error
from sadtui.tui.widgets.now_playing import clock, progress_bar
from tui_helpers import SadtuiTestApp, engine_ready, make_app, screen_text, wait_for, wait_for_text

pytestmark = pytest.mark.tui

PLAYLIST = load_playlist()


def bar(app) -> str:
    return app.main.now_playing.line_text


async def playing(pilot, recorder, rank: int = 1) -> FakeEngine:
    """Highlight `rank`, press Enter, wait until the bar says it plays."""
    app = pilot.app
    engine = await engine_ready(pilot, recorder)
    if rank != 1:
        app.main.go_to_rank(rank)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.main.status.state is State.PLAYING and app.main.status.rank == rank,
                   what=f"playing #{rank}")
    return engine


# ---------------------------------------------------------------- wiring


async def test_engine_is_created_after_first_paint_off_the_ui_thread_and_started():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        assert app.painted.is_set()
        assert recorder.created_on != threading.main_thread().name  # a worker thread
        assert engine.called("start") == [()]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.status.state is State.PLAYING)
        # Events reached the app from the engine's own thread.
        assert engine.notify_threads == {"fake-engine-events"}
    assert engine.shut_down and engine.called("shutdown") == [()]


async def test_enter_plays_the_highlighted_song_and_the_bar_and_list_show_it():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await engine_ready(pilot, recorder)
        await pilot.press("j", "j", "enter")
        engine = recorder.engine
        assert engine.called("play") == [(3,)]
        await wait_for(pilot, lambda: "playing" in bar(app))
        line = bar(app)
        assert "▶ playing" in line and "#3 Bird’s Poem (Tori no Uta)" in line
        assert "0:00 / 3:20" in line
        assert "vol 100" in line and "order rank" in line and "repeat off" in line
        assert app.songs.playing == 3
        text = screen_text(app)
        assert "▶  3. Bird’s Poem" in text  # the playing song is marked in the list
        engine.progress(100.0)
        await wait_for(pilot, lambda: "1:40 / 3:20" in bar(app))
        assert "━" * 10 in screen_text(app)  # the progress bar filled half way


async def test_space_pauses_and_resumes():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder)
        await pilot.press("space")
        await wait_for(pilot, lambda: "‖ paused" in bar(app))
        assert app.songs.playing == 1  # still marked while paused
        await pilot.press("space")
        await wait_for(pilot, lambda: "▶ playing" in bar(app))
        assert engine.called("toggle_pause") == [(), ()]


async def test_s_stops_and_the_mark_goes():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder)
        await pilot.press("s")
        await wait_for(pilot, lambda: "■ stopped" in bar(app))
        assert engine.called("stop") == [()]
        assert app.songs.playing is None
        assert "▶" not in screen_text(app).split("\n", 1)[1].rsplit("\n", 4)[0]


async def test_n_and_p_go_next_and_previous():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder, rank=5)
        await pilot.press("n")
        await wait_for(pilot, lambda: app.main.status.rank == 6 and app.songs.playing == 6)
        assert "#6 Silver Sky" in bar(app)
        await pilot.press("p", "p")
        await wait_for(pilot, lambda: app.main.status.rank == 4)
        assert engine.called("next") == [()] and engine.called("previous") == [(), ()]


@pytest.mark.parametrize(
    "key, seconds",
    [("left", -5.0), ("right", 5.0), ("shift+left", -30.0), ("shift+right", 30.0)],
)
async def test_arrows_seek(key, seconds):
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder)
        engine.seek(60.0)  # start from 1:00 (recorded, so drop it from the calls)
        engine.calls.clear()
        await wait_for(pilot, lambda: app.main.status.position == 60.0)
        await pilot.press(key)
        assert engine.called("seek") == [(seconds, True)]
        await wait_for(pilot, lambda: f"{clock(60 + seconds)} / 3:20" in bar(app))


async def test_arrows_seek_even_when_the_details_pane_has_focus():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder)
        await pilot.press("tab", "right", "left")
        assert app.focused is app.main.details
        assert engine.called("seek") == [(5.0, True), (-5.0, True)]


async def test_volume_keys_and_mute():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder)
        await pilot.press("minus", "minus", "minus")
        await wait_for(pilot, lambda: "vol 85" in bar(app))
        await pilot.press("plus")
        await wait_for(pilot, lambda: "vol 90" in bar(app))
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: "vol 95" in bar(app))
        assert engine.called("change_volume") == [(-5,), (-5,), (-5,), (5,), (5,)]
        await pilot.press("m")
        await wait_for(pilot, lambda: "muted" in bar(app))
        await pilot.press("m")
        await wait_for(pilot, lambda: "vol 95" in bar(app) and "muted" not in bar(app))
        assert engine.called("toggle_mute") == [(), ()]


async def test_o_cycles_play_order_and_r_cycles_repeat():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        seen_orders, seen_repeats = [], []
        for _ in range(3):
            await pilot.press("o")
            await wait_for(pilot, lambda: app.main.status.order is engine.status.order)
            seen_orders.append(app.main.status.order)
            assert f"order {app.main.status.order.value}" in bar(app)
        for _ in range(3):
            await pilot.press("r")
            await wait_for(pilot, lambda: app.main.status.repeat is engine.status.repeat)
            seen_repeats.append(app.main.status.repeat)
            assert f"repeat {app.main.status.repeat.value}" in bar(app)
        assert seen_orders == [Order.COUNTDOWN, Order.SHUFFLE, Order.RANK]
        assert seen_repeats == [Repeat.ONE, Repeat.ALL, Repeat.OFF]


async def test_double_click_plays_a_song():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.double_click(app.songs, offset=(5, 1 + 1))
        await wait_for(pilot, lambda: engine.called("play") == [(2,)])


async def test_playback_commands_in_the_palette_reach_the_engine():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        for action in ("play", "volume(-5)", "seek(30)", "cycle_repeat", "mute", "stop"):
            await app.run_action(action, app.main)
        await pilot.pause()
        names = [name for name, _ in engine.calls]
        assert names == ["start", "play", "change_volume", "seek", "cycle_repeat", "toggle_mute", "stop"]
        await pilot.press("ctrl+p", *"pause")
        await wait_for_text(pilot, "Pause or resume")
        await pilot.press("enter")
        await wait_for(pilot, lambda: engine.called("toggle_pause") == [()])


# ---------------------------------------------------------------- events


async def test_position_floods_collapse_and_the_newest_wins():
    handled: list[float] = []

    def hook(message) -> None:  # every message the app's widgets handle
        if isinstance(message, EngineNotice) and isinstance(message.event, PositionChanged):
            handled.append(message.event.position)

    recorder = FactoryRecorder()
    app = SadtuiTestApp(PLAYLIST, engine_factory=recorder)
    async with app.run_test(size=(100, 30), message_hook=hook) as pilot:
        engine = await playing(pilot, recorder)
        engine.progress(150.0, count=400)
        engine.drain()
        await wait_for(pilot, lambda: "2:30 / 3:20" in bar(app))
        assert handled and handled[-1] == 150.0
        assert len(handled) < 400  # runs of queued positions were collapsed


def test_position_messages_replace_each_other_but_nothing_else():
    a = EngineNotice(PositionChanged(1, 1.0, 10.0))
    b = EngineNotice(PositionChanged(1, 2.0, 10.0))
    assert a.can_replace(b)
    assert not a.can_replace(EngineNotice(StatusChanged(Status())))
    assert not EngineNotice(StatusChanged(Status())).can_replace(a)
    assert not EngineNotice(SongFinished(3)).can_replace(EngineNotice(SongFinished(3)))


async def test_late_position_for_another_song_is_ignored():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder, rank=2)
        engine.emit(PositionChanged(7, 99.0, 120.0))
        engine.progress(10.0)
        await wait_for(pilot, lambda: "0:10 / 3:20" in bar(app))


async def test_events_while_help_or_palette_is_open_still_reach_the_bar():
    from textual.command import CommandPalette

    from sadtui.tui.screens.help import HelpScreen

    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        engine.progress(30.0)
        engine.fail[2] = "stream cut off"
        engine.play(2)  # fails while the help is open
        engine.drain()
        await wait_for(pilot, lambda: "Can't play #2 Ichiban no Takaramono: stream cut off" in bar(app))
        await pilot.press("escape", "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        engine.play(3)
        engine.drain()
        await wait_for(pilot, lambda: app.songs.playing == 3)
        await pilot.press("escape")
        assert "#3 Bird’s Poem" in bar(app) and "Can't play" not in bar(app)


async def test_song_finished_is_harmless():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder)
        engine.finish()
        engine.drain()
        await pilot.pause()
        assert app.is_running


# ---------------------------------------------------------------- failures


async def test_a_failed_song_is_one_line_naming_song_and_cause_and_the_app_stays_usable():
    recorder = FactoryRecorder(fail={3: "HTTP 404 from 127.0.0.1"})
    app = SadtuiTestApp(PLAYLIST, engine_factory=recorder)
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        app.main.go_to_rank(3)
        await pilot.press("enter")
        expected = "Can't play #3 Bird’s Poem (Tori no Uta): HTTP 404 from 127.0.0.1"
        await wait_for(pilot, lambda: expected in bar(app), what="failure in the bar")
        assert "✗ error" in bar(app)
        assert not any(expected in n for n in app.notices)  # the bar shows it whole
        assert "\n" not in expected
        text = await wait_for_text(pilot, "HTTP 404 from 127.0.0.1")
        assert "Traceback" not in text
        assert app.songs.playing is None
        # Still usable: move, read, play something else.
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: app.main.status.state is State.PLAYING and app.main.status.rank == 4)
        assert "Can't play" not in bar(app)
        assert engine.called("play") == [(3,), (4,)]


def failing_at_3() -> tuple[SadtuiTestApp, FactoryRecorder]:
    """An app whose song #3 fails with an HTTP 404."""
    recorder = FactoryRecorder(fail={3: "HTTP 404 from 127.0.0.1"})
    return SadtuiTestApp(PLAYLIST, engine_factory=recorder, remember=False), recorder


async def play_3(pilot, recorder: FactoryRecorder) -> None:
    await engine_ready(pilot, recorder)
    pilot.app.main.go_to_rank(3)
    await pilot.press("enter")


async def test_a_failure_too_long_for_the_bar_is_also_a_notice():
    app, recorder = failing_at_3()
    async with app.run_test(size=(60, 30)) as pilot:
        await play_3(pilot, recorder)
        expected = "Can't play #3 Bird’s Poem (Tori no Uta): HTTP 404 from 127.0.0.1"
        await wait_for(pilot, lambda: any(n == expected for n in app.notices), what="notice")
        assert not app.main.now_playing.failure_fits()  # 60 columns: cut short in the bar


async def test_the_failure_stays_in_the_bar_while_the_engine_moves_on():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        failed = Status(state=State.ERROR, rank=3, title="Bird’s Poem (Tori no Uta)",
                        error="no audio found on that page")
        engine.emit(StatusChanged(failed))
        engine.emit(SongFailed(3, "Bird’s Poem (Tori no Uta)", "no audio found on that page"))
        engine.emit(StatusChanged(Status(state=State.RESOLVING, rank=4, title="Akatsuki no Kuruma")))
        line = "Can't play #3 Bird’s Poem (Tori no Uta): no audio found on that page"
        await wait_for(pilot, lambda: "… resolving  #4 Akatsuki no Kuruma" in bar(app))
        assert line in bar(app)
        engine.emit(StatusChanged(Status(state=State.PLAYING, rank=4, title="Akatsuki no Kuruma",
                                         position=0.0, duration=90.0)))
        await wait_for(pilot, lambda: "▶ playing" in bar(app))
        assert "Can't play" not in bar(app) and "0:00 / 1:30" in bar(app)


async def test_stopping_or_changing_a_setting_after_a_failure_shows_the_settings_again():
    app, recorder = failing_at_3()
    async with app.run_test(size=(120, 40)) as pilot:
        await play_3(pilot, recorder)
        await wait_for(pilot, lambda: "Can't play #3" in bar(app), what="failure in the bar")
        assert "order rank" not in bar(app)
        await pilot.press("o")  # the new order must be seen
        await wait_for(pilot, lambda: "order countdown" in bar(app), what="order shown")
        assert "Can't play" not in bar(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "Can't play #3" in bar(app), what="failed again")
        await pilot.press("s")
        await wait_for(pilot, lambda: "■ stopped" in bar(app) and "Can't play" not in bar(app))
        assert "vol 100" in bar(app)


async def test_space_before_anything_played_plays_the_highlighted_song():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        app.main.go_to_rank(5)
        await pilot.press("space")
        await wait_for(pilot, lambda: engine.called("play") == [(5,)], what="space plays #5")
        await wait_for(pilot, lambda: app.main.status.state is State.PLAYING)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.main.status.state is State.PAUSED, what="then it pauses")
        assert engine.called("play") == [(5,)]


async def test_when_every_song_failed_the_bar_says_playback_stopped_trying():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        engine.emit(StatusChanged(Status(state=State.ERROR, rank=1, title="Sadness and Sorrow",
                                         error="HTTP 404 from 127.0.0.1")))
        engine.emit(SongFailed(1, "Sadness and Sorrow", "HTTP 404 from 127.0.0.1"))
        engine.emit(PlaybackEnded("failures"))
        expected = "Stopped: every song in the list failed. Last: Can't play #1 Sadness and Sorrow"
        await wait_for(pilot, lambda: expected in bar(app), what="gave up, in the bar")
        await wait_for(pilot, lambda: any("every song in the list failed" in n for n in app.notices))


async def test_failure_text_from_the_engine_is_not_markup():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        engine.emit(SongFailed(1, "[bold]T[/]", "bad [red]thing[/] [/]"))
        await wait_for(pilot, lambda: "bad [red]thing[/] [/]" in bar(app))
        await wait_for_text(pilot, "#1 [bold]T[/]: bad [red]thing[/] [/]")


async def test_without_libmpv_the_app_opens_for_reading_and_says_how_to_install_it():
    def factory(playlist, notify):
        raise OSError("Cannot find libmpv in the usual places.")

    app = SadtuiTestApp(PLAYLIST, engine_factory=factory)
    async with app.run_test(size=(120, 40)) as pilot:
        expected = "Playback unavailable: libmpv is not installed: run `sudo apt-get install libmpv2`"
        await wait_for(pilot, lambda: app.engine_error == expected)
        await wait_for_text(pilot, expected)
        await pilot.press("j", "enter", "space", "n")
        await wait_for(pilot, lambda: any(n == expected for n in app.notices))
        await pilot.press("f", "escape", "G")
        assert app.songs.highlighted_song.rank == 26
        assert app.main.details.song.rank == 26


@pytest.mark.parametrize(
    "exc, expected",
    [
        (ModuleNotFoundError("No module named 'sadtui.services.engine'", name="sadtui.services.engine"),
         "Playback unavailable: this sadtui has no playback engine yet"),
        (ModuleNotFoundError("No module named 'mpv'", name="mpv"),
         "Playback unavailable: python-mpv is missing: run `pip install mpv`"),
        (OSError("libmpv.so.2: cannot open shared object file"),
         "Playback unavailable: libmpv is not installed: run `sudo apt-get install libmpv2`"),
        (RuntimeError("something odd\nsecond line"), "Playback unavailable: something odd"),
    ],
)
def test_engine_errors_are_described_in_one_line(exc, expected):
    assert describe_engine_error(exc) == expected


async def test_engine_start_failure_leaves_a_readable_app():
    recorder = FactoryRecorder(start_error=OSError("libmpv.so.2: cannot open shared object file"))
    app = SadtuiTestApp(PLAYLIST, engine_factory=recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.engine_error is not None)
        assert "libmpv is not installed" in app.engine_error
        assert app.engine is None
        await pilot.press("j")
        assert app.main.details.song.rank == 2


async def test_an_engine_method_raising_is_a_notice_not_a_crash():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)

        def broken(*args):
            raise RuntimeError("mpv core went away")

        engine.seek = broken  # type: ignore[method-assign]
        await pilot.press("right")
        await wait_for(pilot, lambda: any("Playback error: mpv core went away" == n
                                          for n in app.notices))
        await pilot.press("j")
        assert app.is_running and app.main.details.song.rank == 2


async def test_enter_before_the_engine_is_ready_plays_once_it_is():
    release = threading.Event()
    recorder = FactoryRecorder()

    def slow_factory(playlist, notify):
        release.wait(5)
        return recorder(playlist, notify)

    app = SadtuiTestApp(PLAYLIST, engine_factory=slow_factory)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.painted.is_set())
        await pilot.press("j", "enter")
        assert app.engine is None
        release.set()
        await wait_for(pilot, lambda: recorder.engine is not None and recorder.engine.called("play") == [(2,)])
        await wait_for(pilot, lambda: app.songs.playing == 2)


async def test_quitting_never_hangs_on_a_stuck_engine(monkeypatch):
    monkeypatch.setattr(app_module, "SHUTDOWN_TIMEOUT", 0.3)
    stuck = threading.Event()
    recorder = FactoryRecorder()
    app = SadtuiTestApp(PLAYLIST, engine_factory=recorder)
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        engine.shutdown = lambda: stuck.wait(30)  # type: ignore[method-assign]
        started = time.monotonic()
        await pilot.press("q")
    assert time.monotonic() - started < 3
    stuck.set()


async def test_events_after_quitting_are_dropped_quietly():
    app, recorder = make_app(threaded=False)
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
    engine.notify(StatusChanged(Status(state=State.PLAYING, rank=1)))  # no exception
    engine.notify(PositionChanged(1, 1.0, 2.0))


# ---------------------------------------------------------------- the bar itself


def test_clock_and_progress_bar():
    assert clock(0) == "0:00" and clock(59.9) == "0:59" and clock(61) == "1:01"
    assert clock(3600 + 62) == "1:01:02"
    assert clock(None) == "-:--" and clock(float("nan")) == "-:--"
    assert progress_bar(10, 5, 10).plain == "━━━━━─────"
    assert progress_bar(10, 0.55, 1).plain == "━━━━━╸────"
    assert progress_bar(4, None, None).plain == "────"
    assert progress_bar(4, 99, 10).plain == "━━━━"


async def test_bar_states_resolving_buffering():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        for state, label in ((State.RESOLVING, "… resolving"), (State.BUFFERING, "… buffering")):
            engine.emit(StatusChanged(Status(state=state, rank=2, title="Ichiban no Takaramono")))
            await wait_for(pilot, lambda label=label: label in bar(app), what=label)
            assert "#2 Ichiban no Takaramono" in bar(app) and "-:-- / -:--" in bar(app)
            assert app.songs.playing == 2
