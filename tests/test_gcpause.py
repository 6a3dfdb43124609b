"""The cyclic collector is off while sadtui starts (sadtui.gcpause, paused by the
launcher, sadtui.launch): the TUI until its first paint, `sadtui play` until the first
song sounds (then frozen), short commands until they return."""

from __future__ import annotations

import gc
import threading

import pytest

from audio_support import wait_until
from sadtui import gcpause, launch
from sadtui.cli import main as cli
from sadtui.model.playlist import load_playlist
from sadtui.services.events import PlaybackEnded, PositionChanged, State, Status, StatusChanged
from tui_helpers import make_app, wait_for


@pytest.fixture(autouse=True)
def collector_restored():
    was_enabled = gc.isenabled()
    yield
    gcpause.resume()
    gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def test_pause_and_resume_only_undo_their_own_change():
    gc.enable()
    gcpause.pause()
    assert not gc.isenabled() and gcpause.paused()
    gcpause.resume()
    assert gc.isenabled() and not gcpause.paused()

    gc.disable()  # someone else's choice: left alone
    gcpause.pause()
    assert not gcpause.paused()
    gcpause.resume()
    assert not gc.isenabled()


def test_short_commands_run_paused_and_main_resumes_on_return(monkeypatch, capsys):
    gc.enable()
    seen = []
    real = cli.cmd_list
    monkeypatch.setattr(cli, "cmd_list", lambda args, pl: (seen.append(gc.isenabled()), real(args, pl))[1])
    monkeypatch.setattr("sys.argv", ["sadtui", "list"])
    assert launch.main() == 0
    assert seen == [False]
    assert gc.isenabled() and not gcpause.paused()
    assert "Sadness and Sorrow" in capsys.readouterr().out


def test_tui_start_runs_paused_and_main_always_resumes(monkeypatch):
    gc.enable()
    seen = []

    def fake_tui(args, playlist):
        seen.append(gc.isenabled())
        raise cli.UsageError("no terminal here")  # a failing start still resumes

    monkeypatch.setattr(cli, "cmd_tui", fake_tui)
    monkeypatch.setattr("sys.argv", ["sadtui"])
    assert launch.main() == cli.EXIT_USAGE
    assert seen == [False]
    assert gc.isenabled() and not gcpause.paused()


def test_bad_usage_resumes_too(capsys, monkeypatch):
    gc.enable()
    monkeypatch.setattr("sys.argv", ["sadtui", "--no-such-option"])
    with pytest.raises(SystemExit) as exc:
        launch.main()
    assert exc.value.code == cli.EXIT_USAGE
    assert gc.isenabled()


async def test_the_app_resumes_the_collector_after_its_first_paint_without_freezing():
    gc.enable()
    gc.unfreeze()
    gcpause.pause()
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.painted.is_set, what="first paint")
        assert gc.isenabled() and not gcpause.paused()
        assert gc.get_freeze_count() == 0  # no gc.freeze(): no figure showed it helps


async def test_an_app_started_with_the_collector_on_leaves_it_alone():
    gc.enable()
    gc.unfreeze()
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, app.painted.is_set, what="first paint")
        assert gc.isenabled()
        assert gc.get_freeze_count() == 0


# ---------------------------------------------------------------- sadtui play


class _Resolver:
    def __init__(self, calls: list) -> None:
        self.calls = calls

    def prefetch(self, song) -> None:
        self.calls.append(("prefetch", song.rank, gc.isenabled()))


class _Engine:
    """Just enough of PlaybackEngine for cli_playback._play: plays its queue at once."""

    calls: list = []

    def __init__(self, playlist, notify, **options) -> None:
        self.notify = notify
        self.queue = options["queue"]
        self.resolver = _Resolver(self.calls)
        self.status = Status()

    def open_player(self) -> None:
        self.calls.append(("open_player", gc.isenabled()))

    def start(self) -> None:
        pass

    def play_queue(self) -> None:
        def run() -> None:
            rank = self.queue[0]
            self.notify(StatusChanged(Status(state=State.BUFFERING, rank=rank)))
            self.calls.append(("before audio", gc.isenabled()))
            self.notify(PositionChanged(rank, 0.05, 1.0))
            try:
                wait_until(gc.isenabled, timeout=5, what="the collector back on")
            except AssertionError:
                pass  # the test's assert says what went wrong
            finally:
                self.calls.append(("after audio", gc.isenabled()))
                self.notify(PlaybackEnded())

        threading.Thread(target=run, daemon=True).start()

    def shutdown(self, timeout: float = 0) -> None:
        pass


def test_play_prefetches_the_first_song_before_mpv_starts_and_collects_once_it_sounds():
    from sadtui.cli.play import _play
    from sadtui.services.player import PlayerError

    gc.enable()
    gc.unfreeze()
    gcpause.pause()  # as the launcher does
    _Engine.calls = calls = []
    assert _play(load_playlist(), [3, 4], [], _Engine, PlayerError) == 0
    # yt-dlp's import and extraction, and libmpv's start, run without collections.
    assert calls[:2] == [("prefetch", 3, False), ("open_player", False)]
    assert ("before audio", False) in calls and ("after audio", True) in calls
    # Once it sounds: collected once, what start-up left alive frozen (the process's
    # last collection at exit does not walk it again), then collecting as usual.
    assert gc.isenabled() and not gcpause.paused() and gc.get_freeze_count() > 0


def test_play_resumes_the_collector_when_the_first_song_fails_too():
    from sadtui.cli.play import _play
    from sadtui.services.events import SongFailed
    from sadtui.services.player import PlayerError

    class Failing(_Engine):
        def play_queue(self) -> None:
            def run() -> None:
                self.calls.append(("before failure", gc.isenabled()))
                self.notify(SongFailed(self.queue[0], "A song", "HTTP 404"))
                try:
                    wait_until(gc.isenabled, timeout=5, what="the collector back on")
                except AssertionError:
                    pass
                finally:
                    self.notify(PlaybackEnded())

            threading.Thread(target=run, daemon=True).start()

    gc.enable()
    gc.unfreeze()
    gcpause.pause()
    Failing.calls = calls = []
    assert _play(load_playlist(), [3], [], Failing, PlayerError) == 1
    assert ("before failure", False) in calls
    assert gc.isenabled() and not gcpause.paused()


def test_resume_with_freeze_collects_first_and_only_after_its_own_pause():
    gc.enable()
    gc.unfreeze()
    gcpause.pause()

    class Cycle:
        pass

    a, b = Cycle(), Cycle()
    a.other, b.other = b, a  # garbage in a cycle: collected, never frozen
    del a, b
    gcpause.resume(freeze=True)
    assert gc.isenabled() and gc.get_freeze_count() > 0
    assert not any(isinstance(o, Cycle) for o in gc.get_objects())  # frozen ones are not listed
    gc.unfreeze()
    assert not any(isinstance(o, Cycle) for o in gc.get_objects())  # collected, not frozen

    gc.disable()  # someone else's choice: left alone, nothing frozen
    gcpause.pause()
    gcpause.resume(freeze=True)
    assert not gc.isenabled() and gc.get_freeze_count() == 0
