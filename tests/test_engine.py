"""PlaybackEngine logic with a fake player and a fake resolver (no libmpv, no yt-dlp):
orders, repeat, auto-advance, supersede, failures, the cached-URL retry, the watchdog.
Where time matters the engine runs on a ManualClock: a test moves time by hand and
proves that nothing happens without sleeping."""

from __future__ import annotations

import contextlib
import queue
import random
import threading
import time
from typing import Any

import pytest

from audio_support import wait_until
from sadtui.model.playlist import Playlist, Song
from sadtui.services.clock import Clock
from sadtui.services.engine import PlaybackEngine
from sadtui.services.events import (
    Order,
    PlaybackEnded,
    PositionChanged,
    Repeat,
    SongFailed,
    SongFinished,
    State,
    StatusChanged,
)
from sadtui.services.player import FileEnded, FileLoaded, FileStarted, PlayerError, PropertyChanged
from sadtui.services.resolver import Resolved, ResolveError

# Unit tests (conftest files this module under `unit`), but for the one marked e2e below.


class ManualClock(Clock):
    """Time that moves only when a test says so; `sync()` waits until the engine's control
    loop has run everything due (commands already queued, timers whose time has come)."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.loops: list = []

    def now(self) -> float:
        return self.t

    def attach(self, loop) -> None:
        self.loops.append(loop)

    def sync(self) -> None:
        for loop in self.loops:
            done = threading.Event()
            # Two hops: the timers that fall due are run in the loop iteration after the first.
            loop.call_soon_threadsafe(lambda loop=loop, done=done: loop.call_soon(done.set))
            assert done.wait(5), "the control loop is stuck"

    def advance(self, seconds: float) -> None:
        self.t += seconds
        self.sync()


def playlist(n: int = 5) -> Playlist:
    return Playlist(title="t", songs=tuple(Song(rank=i, title=f"Song {i}", url=f"http://127.0.0.1:9/{i}.wav") for i in range(1, n + 1)))


class FakeResolver:
    def __init__(self) -> None:
        self.calls: list[int] = []
        self.returned: list[int] = []
        self.prefetched: list[int] = []
        self.invalidated: list[int] = []
        self.errors: dict[int, str] = {}
        self.cached_ranks: set[int] = set()
        self.gates: dict[int, threading.Event] = {}
        self.warmed = False

    def warm_up(self) -> None:
        self.warmed = True

    def resolve(self, song: Song) -> Resolved:
        self.calls.append(song.rank)
        try:
            return self._resolve(song)
        finally:
            self.returned.append(song.rank)

    def _resolve(self, song: Song) -> Resolved:
        gate = self.gates.get(song.rank)
        if gate is not None:
            gate.wait(10)
        if song.rank in self.errors:
            raise ResolveError(self.errors[song.rank])
        from_cache = song.rank in self.cached_ranks
        return Resolved(url=f"http://127.0.0.1:9/stream/{song.rank}", headers={"User-Agent": "UA"},
                        title=song.title, duration=100.0, expires_at=time.time() + 60, from_cache=from_cache,
                        channel=f"Channel {song.rank}", thumbnail=f"https://i.example.org/{song.rank}.jpg")

    def prefetch(self, song: Song) -> None:
        self.prefetched.append(song.rank)

    def invalidate(self, song: Song, **_: Any) -> None:
        self.invalidated.append(song.rank)
        self.cached_ranks.discard(song.rank)


class FakePlayer:
    """Acts like Player; events are delivered from another thread, like mpv's."""

    def __init__(self, *, autoload: bool = True) -> None:
        self.notify = None
        self.is_open = False
        self.loads: list[str] = []
        self.calls: list[tuple] = []
        self.failures: dict[str, str] = {}  # url -> message on load
        self.entry = 0
        self.autoload = autoload
        self.terminated = False
        self.open_error: PlayerError | None = None

    def set_notify(self, notify) -> None:
        self.notify = notify

    def _send(self, *events) -> None:
        def run():
            for event in events:
                self.notify(event)

        threading.Thread(target=run, daemon=True).start()

    def open(self) -> None:
        if self.open_error is not None:
            raise self.open_error
        self.is_open = True

    def load(self, url: str, headers=None) -> int:
        self.entry += 1
        self.loads.append(url)
        if url in self.failures:
            self._send(FileStarted(self.entry), FileEnded(self.entry, "error", -13))
        elif self.autoload:
            self._send(FileStarted(self.entry), FileLoaded(self.entry), PropertyChanged("duration", 100.0))
        return self.entry

    def loaded_rank(self) -> int | None:
        return int(self.loads[-1].rsplit("/", 1)[1]) if self.loads else None

    def end(self, reason: str = "eof", error: int = 0) -> None:
        self._send(PropertyChanged("time-pos", 99.9), FileEnded(self.entry, reason, error))

    def explain(self, entry, *, url, reason, error, position=None, duration=None, seeked_to_end=False):
        if reason == "eof":
            return None
        return self.failures.get(url, "mpv could not play it")

    def stop(self) -> None:
        self.calls.append(("stop",))

    def set_pause(self, paused: bool) -> None:
        self.calls.append(("pause", paused))
        self._send(PropertyChanged("pause", paused))

    def seek(self, seconds: float, relative: bool = True) -> bool:
        self.calls.append(("seek", seconds, relative))
        return True

    def set_volume(self, volume: int) -> None:
        self.calls.append(("volume", volume))

    def set_mute(self, muted: bool) -> None:
        self.calls.append(("mute", muted))

    def volume_and_mute(self):
        return 100.0, False

    def terminate(self, timeout: float = 3.0) -> bool:
        self.terminated = True
        return True


class Harness:
    def __init__(self, n: int = 5, *, queue_ranks=None, autoload: bool = True, report_within: float = 14.5,
                 advance_delay: float = 0.05, notify=None, clock=None, player=None,
                 start: bool = True, library=None) -> None:
        self.events: queue.Queue = queue.Queue()
        self.seen: list = []
        self.resolver = FakeResolver()
        self.player = player or FakePlayer(autoload=autoload)
        self.clock = clock
        self.engine = PlaybackEngine(
            playlist(n), notify or self.events.put, resolver=self.resolver, player=self.player,
            queue=queue_ranks, advance_delay=advance_delay, report_within=report_within,
            rng=random.Random(7), clock=clock, library=library,
        )
        if start:
            self.engine.start()

    def wait_for(self, predicate, timeout: float = 5.0, what: str = "event"):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"timed out waiting for {what}; saw {self.seen[-8:]}")
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if predicate(event):
                return event

    def wait_state(self, state: State, rank: int | None = None, timeout: float = 5.0):
        return self.wait_for(
            lambda e: isinstance(e, StatusChanged) and e.status.state is state
            and (rank is None or e.status.rank == rank),
            timeout, f"{state} {rank}",
        ).status

    def playing(self, rank: int, timeout: float = 5.0):
        status = self.wait_state(State.PLAYING, rank, timeout)
        wait_until(lambda: self.player.loaded_rank() == rank, 2, f"mpv got song {rank}")
        return status

    def finish_and_expect(self, rank: int) -> None:
        self.player.end("eof")
        self.wait_for(lambda e: isinstance(e, SongFinished) and e.rank == rank, what=f"finished {rank}")

    def close(self) -> None:
        self.engine.shutdown()


@pytest.fixture
def h():
    harness = Harness()
    yield harness
    harness.close()


def test_play_goes_resolving_buffering_playing_and_prefetches_the_next(h):
    h.engine.play(2)
    h.wait_state(State.RESOLVING, 2)
    h.wait_state(State.BUFFERING, 2)
    status = h.playing(2)
    assert status.title == "Song 2" and status.error is None
    wait_until(lambda: h.resolver.prefetched == [3], 2, "prefetch of the next song")
    assert h.resolver.warmed


def test_auto_advance_follows_rank_order_and_stops_after_the_last(h):
    h.engine.play(4)
    h.playing(4)
    h.finish_and_expect(4)
    h.playing(5)
    h.finish_and_expect(5)
    h.wait_for(lambda e: isinstance(e, PlaybackEnded) and e.reason == "done")
    assert h.engine.status.state is State.STOPPED and h.engine.status.rank == 5


def test_countdown_order_and_repeat_all_wraps(h):
    assert h.engine.cycle_order() is Order.COUNTDOWN
    assert h.engine.cycle_repeat() is Repeat.ONE
    assert h.engine.cycle_repeat() is Repeat.ALL
    h.engine.play(2)
    h.playing(2)
    h.finish_and_expect(2)
    h.playing(1)
    h.finish_and_expect(1)
    h.playing(5)  # wrapped


def test_repeat_one_replays_and_next_still_moves_on(h):
    h.engine.cycle_repeat()
    h.engine.play(3)
    h.playing(3)
    h.finish_and_expect(3)
    h.wait_state(State.RESOLVING, 3)
    h.playing(3)
    h.engine.next()
    h.playing(4)


def _next_playing(h, after: int) -> int:
    h.engine.next()
    return h.wait_for(lambda e: isinstance(e, StatusChanged) and e.status.state is State.PLAYING
                      and e.status.rank != after, what="the next song").status.rank


def test_shuffle_is_a_fixed_permutation_starting_with_the_current_song(h):
    h.engine.play(3)
    h.playing(3)
    h.engine.cycle_order()
    assert h.engine.cycle_order() is Order.SHUFFLE
    h.engine.cycle_repeat()
    h.engine.cycle_repeat()  # all: n goes round
    played = [3]
    for _ in range(9):  # twice round: the same permutation both times
        played.append(_next_playing(h, played[-1]))
    order = played[:5]
    assert sorted(order) == [1, 2, 3, 4, 5] and played[5:] == order
    assert h.engine.cycle_order() is Order.RANK
    after = _next_playing(h, played[-1])
    assert after == played[-1] % 5 + 1  # rank order again


def _play_through(h, first: int, songs: int) -> list[int]:
    """Let `songs` songs end by themselves, starting with `first`; the ranks played."""
    played = [first]
    h.playing(first)
    for _ in range(songs - 1):
        h.player.end()
        status = h.wait_for(lambda e: isinstance(e, StatusChanged) and e.status.state is State.PLAYING
                            and e.status.rank != played[-1], what="the next song").status
        played.append(status.rank)
    return played


def test_shuffle_from_a_song_picked_by_hand_plays_every_song_once(h):
    h.engine.cycle_order()
    assert h.engine.cycle_order() is Order.SHUFFLE  # chosen before anything plays
    h.engine.play(4)
    played = _play_through(h, 4, 5)
    assert sorted(played) == [1, 2, 3, 4, 5] and played[0] == 4
    h.player.end()
    h.wait_for(lambda e: isinstance(e, PlaybackEnded), what="the end (repeat off)")


def test_shuffle_with_repeat_all_starts_each_round_in_a_new_order(h):
    h.engine.cycle_order()
    h.engine.cycle_order()
    h.engine.cycle_repeat()
    assert h.engine.cycle_repeat() is Repeat.ALL
    h.engine.play(2)
    played = _play_through(h, 2, 15)
    rounds = [played[0:5], played[5:10], played[10:15]]
    assert all(sorted(r) == [1, 2, 3, 4, 5] for r in rounds)
    assert played[4] != played[5] and played[9] != played[10]  # never the same song twice in a row
    assert len({tuple(r) for r in rounds}) > 1  # not the same order every round (seeded rng)
    # The prefetch guessed each next song right, round changes included.
    assert h.resolver.prefetched[:14] == played[1:]


def _round_trip(h) -> None:
    """Wait until the control loop has run everything handed to it so far (mute twice)."""
    for muted in (not h.engine.status.muted, h.engine.status.muted):
        h.engine.toggle_mute()
        h.wait_for(lambda e, m=muted: isinstance(e, StatusChanged) and e.status.muted is m, what="mute")


def test_a_song_stuck_resolving_does_not_hold_up_the_next_one(h):
    stuck = h.resolver.gates[1] = threading.Event()  # a stalled server: resolve(1) waits
    try:
        h.engine.play(1)
        h.wait_state(State.RESOLVING, 1)
        wait_until(lambda: 1 in h.resolver.calls, 2, "resolving #1")
        h.engine.play(2)  # gets a worker of its own
        h.playing(2, timeout=3)
    finally:
        stuck.set()
    wait_until(lambda: 1 in h.resolver.returned, 2, "#1 answered late")
    _round_trip(h)  # #1's late answer reached the control loop, and was ignored
    assert h.engine.status.rank == 2 and h.engine.status.state is State.PLAYING
    assert h.player.loads == ["http://127.0.0.1:9/stream/2"]


def test_while_paused_every_seek_reaches_the_position_shown(h):
    h.engine.play(1)
    h.playing(1)
    h.engine.toggle_pause()
    h.wait_state(State.PAUSED, 1)
    # mpv's own word that it paused, then three quick seeks, in that order (the
    # pause the player sent on its own thread may otherwise come after them).
    h.player._send(PropertyChanged("pause", True), PropertyChanged("time-pos", 11.0),
                   PropertyChanged("time-pos", 16.0), PropertyChanged("time-pos", 21.0))
    h.wait_for(lambda e: isinstance(e, PositionChanged) and e.position == 21.0, what="the last seek's position")


def test_next_and_previous_wrap_in_play_order_with_repeat_all(h):
    h.engine.cycle_repeat()
    h.engine.cycle_repeat()  # all
    h.engine.next()
    h.playing(1)
    h.engine.previous()
    h.playing(5)
    h.engine.next()
    h.playing(1)


def test_previous_restarts_a_song_more_than_3_s_in_else_goes_back():
    clock = ManualClock()
    h = Harness(clock=clock)
    try:
        h.engine.play(3)
        h.playing(3)
        h.player._send(PropertyChanged("time-pos", 3.5))
        h.wait_for(lambda e: isinstance(e, PositionChanged) and e.position == 3.5, what="3.5 s in")
        h.engine.previous()
        h.wait_for(lambda e: isinstance(e, PositionChanged) and e.position == 0.0, what="back to 0:00")
        clock.sync()
        assert ("seek", 0.0, False) in h.player.calls and h.engine.status.rank == 3
        clock.advance(1.0)  # past the position updates' interval
        h.player._send(PropertyChanged("time-pos", 2.0))
        h.wait_for(lambda e: isinstance(e, PositionChanged) and e.position == 2.0, what="2 s in")
        h.engine.previous()
        h.playing(2)
    finally:
        h.close()


def test_with_repeat_off_previous_on_the_first_restarts_it_and_next_on_the_last_ends_the_list(h):
    h.engine.play(1)
    h.playing(1)
    h.engine.previous()
    h.wait_for(lambda e: isinstance(e, PositionChanged) and e.position == 0.0, what="song 1 restarts")
    assert ("seek", 0.0, False) in h.player.calls and h.engine.status.rank == 1
    h.engine.play(5)
    status = h.playing(5)
    assert status.up_next is None
    h.engine.next()
    h.wait_for(lambda e: isinstance(e, PlaybackEnded) and e.reason == "done", what="the end of the list")
    assert h.engine.status.state is State.STOPPED and h.engine.status.rank == 5
    assert 1 not in h.player.loads[-1:]


def test_the_status_names_the_recording_and_what_plays_next(h):
    h.engine.play(2)
    status = h.playing(2)
    assert status.recording_title == "Song 2" and status.recording_channel == "Channel 2"
    assert status.thumbnail == "https://i.example.org/2.jpg" and status.up_next == 3
    h.engine.cycle_order()  # countdown
    h.wait_for(lambda e: isinstance(e, StatusChanged) and e.status.up_next == 1, what="up next in countdown")


class HoldableClock(Clock):
    """The real time; keeps the engine's control loop so that a test can hold it."""

    def attach(self, loop) -> None:
        self.loop = loop

    @contextlib.contextmanager
    def held(self):
        """The control loop runs nothing inside this block (what is handed to it waits)."""
        holding, release = threading.Event(), threading.Event()
        self.loop.call_soon_threadsafe(lambda: (holding.set(), release.wait(5)))
        assert holding.wait(5), "the control loop is stuck"
        try:
            yield
        finally:
            release.set()


def test_a_newer_request_supersedes_an_older_one():
    clock = HoldableClock()
    h = Harness(clock=clock)
    try:
        gate = h.resolver.gates[1] = threading.Event()
        h.engine.play(1)
        wait_until(lambda: h.resolver.calls == [1], 2, "resolving song 1")
        with clock.held():  # Enter on three songs quickly: all three queued before the loop runs one
            h.engine.play(2)
            h.engine.play(3)
            h.engine.play(4)
        h.playing(4)  # 1 is still stuck: 4 has a worker of its own
        gate.set()
        wait_until(lambda: 1 in h.resolver.returned, 2, "#1 answered late")
        _round_trip(h)
        assert set(h.resolver.calls) <= {1, 2, 3, 4}
        assert h.player.loads == ["http://127.0.0.1:9/stream/4"]  # 1 was resolved, never played
        assert h.engine.status.rank == 4
    finally:
        h.close()


def test_requests_given_in_a_row_resolve_only_the_last():
    clock = ManualClock()
    h = Harness(clock=clock, start=False)
    try:
        for rank in (1, 2, 3, 4):
            h.engine.play(rank)
        h.engine.start()  # the four commands run now, in order: only the newest starts
        h.playing(4)
        assert h.resolver.calls == [4]
        ranks = [e.status.rank for e in h.seen if isinstance(e, StatusChanged) and e.status.state is State.RESOLVING]
        assert ranks == [1, 2, 3, 4]  # each was shown as asked for
    finally:
        h.close()


def test_a_song_a_person_picked_that_fails_stays_on_screen():
    h = Harness(clock=ManualClock())
    try:
        _picked_song_fails(h)
    finally:
        h.close()


def _picked_song_fails(h):
    h.resolver.errors[2] = "HTTP 404 from 127.0.0.1"
    h.engine.play(2)
    failed = h.wait_for(lambda e: isinstance(e, SongFailed))
    assert (failed.rank, failed.title, failed.message) == (2, "Song 2", "HTTP 404 from 127.0.0.1")
    status = h.engine.status
    assert status.state is State.ERROR and status.error == "HTTP 404 from 127.0.0.1"
    h.clock.advance(60)  # many advance delays (and report deadlines): nothing else may start
    assert h.resolver.calls == [2] and h.engine.status.state is State.ERROR
    h.engine.play(1)  # still usable
    h.playing(1)


def test_auto_advance_skips_a_failed_song(h):
    h.resolver.errors[2] = "HTTP 404 from 127.0.0.1"
    h.engine.play(1)
    h.playing(1)
    h.finish_and_expect(1)
    h.wait_for(lambda e: isinstance(e, SongFailed) and e.rank == 2)
    h.playing(3)


def test_when_every_song_fails_auto_advance_gives_up():
    h = Harness(3)
    try:
        h.engine.cycle_repeat()
        h.engine.cycle_repeat()  # repeat all: would loop forever
        for rank in (1, 2, 3):
            h.resolver.errors[rank] = "cannot reach www.youtube.com (no network or DNS failure)"
        h.player.failures["http://127.0.0.1:9/stream/1"] = "x"
        h.resolver.errors.pop(1)
        h.engine.play(1)  # a person asked for 1: its failure stays; nothing moves on
        h.wait_for(lambda e: isinstance(e, SongFailed) and e.rank == 1)
        assert h.engine.status.state is State.ERROR
        h.player.failures.clear()
        h.engine.play(1)
        h.playing(1)
        h.player.failures["http://127.0.0.1:9/stream/1"] = "x"
        h.finish_and_expect(1)
        ended = h.wait_for(lambda e: isinstance(e, PlaybackEnded))
        assert ended.reason == "failures"
        failed = [e.rank for e in h.seen if isinstance(e, SongFailed)]
        assert failed == [1, 2, 3, 1]
    finally:
        h.close()


def test_a_cached_url_that_fails_is_resolved_again_once_silently(h):
    h.resolver.cached_ranks.add(1)
    h.player.failures["http://127.0.0.1:9/stream/1"] = "HTTP 403 from 127.0.0.1"
    original_resolve = h.resolver.resolve

    def resolve(song):
        result = original_resolve(song)
        if not result.from_cache:
            h.player.failures.clear()  # the fresh URL works
        return result

    h.resolver.resolve = resolve
    h.engine.play(1)
    h.playing(1)
    assert h.resolver.invalidated == [1] and h.resolver.calls == [1, 1]
    assert not [e for e in h.seen if isinstance(e, SongFailed)]


def test_a_cached_url_that_fails_twice_is_reported(h):
    h.resolver.cached_ranks.add(1)
    h.resolver.resolve = lambda song, r=h.resolver.resolve: (  # always "cached" and always broken
        h.resolver.cached_ranks.add(1) or r(song)
    )
    h.player.failures["http://127.0.0.1:9/stream/1"] = "HTTP 403 from 127.0.0.1"
    h.engine.play(1)
    failed = h.wait_for(lambda e: isinstance(e, SongFailed))
    assert failed.message == "HTTP 403 from 127.0.0.1"
    assert h.resolver.invalidated == [1] and len(h.player.loads) == 2


def test_the_watchdog_reports_a_song_that_never_starts():
    clock = ManualClock()
    h = Harness(autoload=False, clock=clock)
    try:
        h.engine.play(1)
        h.wait_state(State.BUFFERING, 1)  # mpv has it, and never says it started
        clock.advance(14.4)
        assert h.engine.status.state is State.BUFFERING  # not yet
        clock.advance(0.2)
        failed = h.wait_for(lambda e: isinstance(e, SongFailed))
        assert failed.message == "timed out talking to 127.0.0.1"
        h.player.autoload = True
        h.engine.play(2)
        h.playing(2)
    finally:
        h.close()


def test_a_queue_plays_exactly_its_ranks_and_moves_past_failures():
    h = Harness(5, queue_ranks=[3, 5, 1, 3])
    try:
        h.resolver.errors[5] = "no audio found on that page"
        h.engine.play_queue()
        h.playing(3)
        h.finish_and_expect(3)
        h.wait_for(lambda e: isinstance(e, SongFailed) and e.rank == 5)
        h.playing(1)
        h.finish_and_expect(1)
        h.playing(3)
        h.finish_and_expect(3)
        h.wait_for(lambda e: isinstance(e, PlaybackEnded) and e.reason == "done")
        assert h.resolver.calls == [3, 5, 1, 3]
    finally:
        h.close()


def test_pause_seek_volume_and_mute(h):
    h.engine.toggle_pause()  # nothing to pause yet
    h.engine.seek(5)  # nothing to seek
    _round_trip(h)
    assert h.engine.status.state is State.IDLE and not [c for c in h.player.calls if c[0] in ("seek", "pause")]
    h.engine.play(1)
    h.playing(1)
    h.engine.toggle_pause()
    h.wait_state(State.PAUSED, 1)
    wait_until(lambda: ("pause", True) in h.player.calls, 2, "mpv paused")
    h.engine.toggle_pause()
    h.wait_state(State.PLAYING, 1)
    h.engine.seek(30)
    h.engine.seek(-5, relative=True)
    h.engine.seek(42, relative=False)
    wait_until(lambda: [c for c in h.player.calls if c[0] == "seek"] == [
        ("seek", 30.0, True), ("seek", -5.0, True), ("seek", 42.0, False)], 2, "seeks")
    assert any(isinstance(e, PositionChanged) for e in list(h.events.queue))
    for _ in range(10):
        h.engine.change_volume(+5)
    wait_until(lambda: h.engine.status.volume == 130, 2, "volume 130")
    h.engine.change_volume(-200)
    wait_until(lambda: h.engine.status.volume == 0, 2, "volume 0")
    h.engine.change_volume(+55)
    h.engine.toggle_mute()
    wait_until(lambda: h.engine.status.muted is True, 2, "muted")
    wait_until(lambda: h.player.calls[-2:] == [("volume", 55), ("mute", True)], 2, "volume and mute sent")
    h.engine.stop()
    h.wait_state(State.STOPPED, 1)
    h.engine.toggle_pause()  # after a stop, space plays the song again
    h.wait_state(State.PLAYING, 1)


def _engine_with_mpv_at(volume, muted):
    class Configured(FakePlayer):
        def volume_and_mute(self):
            return volume, muted

    player = Configured()
    engine = PlaybackEngine(playlist(3), lambda event: None, resolver=FakeResolver(), player=player)
    return engine, player


def test_mpv_options_for_volume_and_mute_become_the_starting_status():
    engine, player = _engine_with_mpv_at(60.4, True)
    engine.open_player()
    assert engine.status.volume == 60 and engine.status.muted is True
    assert player.calls == [("volume", 60), ("mute", True)]  # not reset to 100
    engine.shutdown()


def test_volume_and_mute_options_show_before_mpv_starts():
    engine = PlaybackEngine(playlist(3), lambda event: None, resolver=FakeResolver(), player=FakePlayer(),
                            mpv_options=("volume=60", "mute=yes"))
    assert engine.status.volume == 60 and engine.status.muted is True
    engine.start()
    engine.change_volume(+5)  # from what the person asked for, not from 100
    wait_until(lambda: engine.status.volume == 65, 2, "volume 65")
    engine.shutdown()


def test_a_volume_changed_before_mpv_is_up_wins_over_its_options():
    engine, player = _engine_with_mpv_at(60.0, False)
    engine.start()
    engine.change_volume(-30)
    wait_until(lambda: engine.status.volume == 70, 2, "volume 70")
    engine.play(1)  # mpv starts now, at 60 by its options
    wait_until(lambda: player.loads, 2, "mpv started")
    assert engine.status.volume == 70
    assert ("volume", 70) in player.calls and ("volume", 60) not in player.calls
    engine.shutdown()


def test_seeking_past_the_end_finishes_the_song(h):
    h.engine.play(1)
    h.playing(1)
    h.engine.seek(500)
    h.finish_and_expect(1)
    h.playing(2)


def test_a_player_that_cannot_start_reports_it(h):
    h.player.open_error = PlayerError("--mpv-option foo=bar: mpv does not know option 'foo'", usage=True)
    h.engine.play(1)
    failed = h.wait_for(lambda e: isinstance(e, SongFailed))
    assert failed.message == "--mpv-option foo=bar: mpv does not know option 'foo'"


def test_without_libmpv_playing_says_how_to_install_it():
    class NoLibmpv(FakePlayer):
        @staticmethod
        def check_available():
            return "libmpv is not installed: run `sudo apt-get install libmpv2`"

    events: queue.Queue = queue.Queue()
    engine = PlaybackEngine(playlist(), events.put, resolver=FakeResolver(), player=NoLibmpv())
    engine.start()
    try:
        wait_until(lambda: engine.status.state is State.ERROR, 5, "the warning")
        engine.play(1)
        wait_until(lambda: any(isinstance(e, SongFailed) for e in list(events.queue)), 5, "a failure")
        failed = [e for e in list(events.queue) if isinstance(e, SongFailed)][0]
        assert failed.message == "libmpv is not installed: run `sudo apt-get install libmpv2`"
    finally:
        engine.shutdown()


def test_a_notify_that_raises_does_not_stop_the_engine():
    seen = []

    def notify(event):
        seen.append(event)
        raise RuntimeError("consumer bug")

    h = Harness(notify=notify)
    try:
        h.engine.play(1)
        wait_until(lambda: h.engine.status.state is State.PLAYING, 5, "playing")
        assert seen
    finally:
        h.close()


def test_shutdown_is_quick_and_final(h):
    h.engine.play(1)
    h.playing(1)
    started = time.monotonic()
    h.engine.shutdown()
    assert time.monotonic() - started < 1
    assert h.player.terminated
    h.engine.play(2)  # ignored, no error
    h.engine.shutdown()


class KeepingLibrary:
    """A library with nothing kept that notes what the engine asks of it."""

    def __init__(self, player) -> None:
        self.player = player
        self.calls: list = []

    def path_for(self, song):
        return None

    def keep_later(self, song) -> None:
        self.calls.append(("keep_later", song.rank))

    def stop_keeping(self, timeout: float = 1.0) -> bool:
        self.calls.append(("stop_keeping", timeout > 0, self.player.terminated))
        return True


def test_shutdown_stops_the_keeping_it_started_and_waits_for_it():
    player = FakePlayer()
    library = KeepingLibrary(player)
    h = Harness(player=player, library=library)
    try:
        h.engine.play(1)
        h.playing(1)
        h.finish_and_expect(1)
        wait_until(lambda: ("keep_later", 1) in library.calls, 2, "keeping #1")
    finally:
        h.close()
    # Cancelled first (before it starts yt-dlp), then waited for once mpv is down,
    # within the shutdown's time: nothing is cut off as the process exits.
    assert library.calls[-2:] == [("stop_keeping", False, False), ("stop_keeping", True, True)]


def test_bad_mpv_option_syntax_is_refused_at_once():
    with pytest.raises(PlayerError) as info:
        PlaybackEngine(playlist(), lambda e: None, mpv_options=["novalue"], resolver=FakeResolver())
    assert info.value.usage


def test_events_come_in_order_from_one_engine_thread():
    threads = set()
    events: queue.Queue = queue.Queue()

    def notify(event):
        threads.add(threading.current_thread().name)
        events.put(event)

    h = Harness(notify=notify)
    h.events = events
    try:
        h.engine.play(1)
        h.playing(1)
        h.engine.toggle_pause()
        h.wait_state(State.PAUSED, 1)
        assert threads == {"sadtui-events"}
        states = [e.status.state for e in h.seen if isinstance(e, StatusChanged)]
        assert states[:3] == [State.RESOLVING, State.BUFFERING, State.PLAYING]
    finally:
        h.close()


# ---------------------------------------------------------------- start and shutdown (issue 9.15)


def _engine_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name in ("sadtui-engine", "sadtui-events"))


def test_commands_before_start_wait_for_it_and_start_nothing():
    h = Harness(start=False)
    try:
        threads = _engine_threads()
        h.engine.play(2)
        h.engine.change_volume(-10)
        assert h.engine.cycle_order() is Order.COUNTDOWN
        assert _engine_threads() == threads  # nothing started, no warm-up either
        assert h.resolver.calls == [] and not h.resolver.warmed and not h.player.is_open
        assert h.engine.status.state is State.IDLE and h.engine.status.volume == 100
        h.engine.start()  # now they run, in order
        status = h.playing(2)
        assert status.volume == 90 and status.order is Order.COUNTDOWN
        wait_until(lambda: h.resolver.warmed, 2, "the warm-up")
    finally:
        h.close()


def test_shutdown_before_start_twice_and_then_nothing_runs():
    h = Harness(start=False)
    threads = _engine_threads()
    h.engine.play(1)
    h.engine.shutdown()
    h.engine.shutdown()
    assert h.player.terminated
    h.engine.start()  # too late: does nothing
    h.engine.play(1)
    assert _engine_threads() == threads and h.resolver.calls == []
    assert h.engine.status.state is State.IDLE


def test_shutdown_from_several_threads_at_once(h):
    h.engine.play(1)
    h.playing(1)
    done = []
    threads = [threading.Thread(target=lambda: done.append(h.engine.shutdown())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert len(done) == 4 and h.player.terminated
    h.engine.play(2)  # ignored
    assert h.engine.status.rank == 1


# ---------------------------------------------------------------- explaining a failure (issue 9.14)


class SlowExplainPlayer(FakePlayer):
    """`explain` takes as long as the test says (mpv's log can take up to 1 s)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.explaining = threading.Event()
        self.explained: list[int] = []

    def explain(self, entry, **details):
        self.explaining.set()
        self.release.wait(10)
        try:
            return super().explain(entry, **details)
        finally:
            self.explained.append(entry)


def test_a_slow_explanation_does_not_hold_up_next():
    player = SlowExplainPlayer()
    h = Harness(player=player)
    try:
        player.failures["http://127.0.0.1:9/stream/1"] = "HTTP 403 from 127.0.0.1"
        h.engine.play(1)
        assert player.explaining.wait(5)
        h.engine.next()  # while #1's explanation is still on its way
        h.playing(2)
        player.release.set()
        wait_until(lambda: player.explained, 2, "the late explanation")
        _round_trip(h)
        assert not [e for e in h.seen if isinstance(e, SongFailed)]  # #1 is no longer what plays
        assert h.engine.status.rank == 2 and h.engine.status.state is State.PLAYING
    finally:
        player.release.set()
        h.close()


class LaterPlayer(FakePlayer):
    """A player with `explain_later`: the test answers each request itself."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: queue.Queue = queue.Queue()

    def explain_later(self, entry, *, done, **details):
        self.asked.put((done, self.explain(entry, **details)))


def test_explain_later_is_used_when_the_player_has_it():
    player = LaterPlayer()
    h = Harness(player=player)
    try:
        player.failures["http://127.0.0.1:9/stream/1"] = "HTTP 403 from 127.0.0.1"
        h.engine.play(1)
        done, message = player.asked.get(timeout=5)
        _round_trip(h)
        assert h.engine.status.state is State.BUFFERING  # not failed before the player says why
        threading.Thread(target=done, args=(message,)).start()
        failed = h.wait_for(lambda e: isinstance(e, SongFailed))
        assert (failed.rank, failed.message) == (1, "HTTP 403 from 127.0.0.1")
        player.failures.clear()
        h.engine.play(2)
        h.playing(2)
        player.end("eof")  # a clean end: the player's None means it played through
        done, message = player.asked.get(timeout=5)
        assert message is None
        done(None)
        h.wait_for(lambda e: isinstance(e, SongFinished) and e.rank == 2)
        h.playing(3)
    finally:
        h.close()


def test_failure_messages_from_outside_are_escaped(h):
    h.resolver.errors[1] = "HTTP/1.1 300 \x1b]0;pwned\x07\x1b[2J"
    h.engine.play(1)
    failed = h.wait_for(lambda e: isinstance(e, SongFailed))
    assert "\x1b" not in failed.message and "\\x1b]0;pwned" in failed.message
    assert h.engine.status.error == failed.message


# ---------------------------------------------------------------- a stalled network (issue 9.12)


class GatedPages:
    """A loopback server whose pages answer only once `gate` is set (a stalled network)."""

    def __init__(self, audio_url: str) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.gate = threading.Event()
        gate = self.gate
        body = f'<!DOCTYPE html><html><body><audio src="{audio_url}"></audio></body></html>'.encode()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # quiet
                return

            def do_GET(self):
                gate.wait(30)
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.e2e
def test_holding_next_on_a_stalled_network_keeps_resolves_bounded(audio_server, tmp_path):
    from sadtui.services.engine import RESOLVE_WORKERS
    from sadtui.services.player import Player
    from sadtui.services.resolver import Resolver

    class Counting(Resolver):
        def __init__(self) -> None:
            super().__init__(cache_path=tmp_path / "resolved.json")
            self.lock = threading.Lock()
            self.in_flight = self.most = 0

        def resolve(self, song):
            with self.lock:
                self.in_flight += 1
                self.most = max(self.most, self.in_flight)
            try:
                return super().resolve(song)
            finally:
                with self.lock:
                    self.in_flight -= 1

    pages = GatedPages(audio_server.url("/a.wav"))
    songs = tuple(Song(rank=i, title=f"Page {i}", url=pages.url(f"/page/{i}.html")) for i in range(1, 41))
    events: queue.Queue = queue.Queue()
    resolver = Counting()
    engine = PlaybackEngine(Playlist(title="t", songs=songs), events.put, resolver=resolver,
                            player=Player(options=["ao=null"]), warm_up=False)
    try:
        engine.start()
        threads_before = threading.active_count()
        most_threads = 0
        for rank in range(1, 31):  # `n` held down: each press shown before the next
            engine.next()
            wait_until(lambda r=rank: engine.status.rank == r, 5, f"#{rank} asked for")
            most_threads = max(most_threads, threading.active_count())
        wait_until(lambda: resolver.in_flight == RESOLVE_WORKERS, 5, "the pool busy with stalled pages")
        assert resolver.most <= RESOLVE_WORKERS
        # Each stalled resolve may hold a yt-dlp helper thread and a server thread too.
        assert most_threads - threads_before <= 4 * RESOLVE_WORKERS
        assert engine.status.state is State.RESOLVING and engine.status.rank == 30
        pages.gate.set()  # the network comes back
        wait_until(lambda: engine.status.state is State.PLAYING, 20, "the last request playing")
        assert engine.status.rank == 30 and resolver.most <= RESOLVE_WORKERS
        seen = []
        while not events.empty():
            seen.append(events.get())
        assert not [e for e in seen if isinstance(e, SongFailed)]
        assert {e.status.rank for e in seen if isinstance(e, StatusChanged) and e.status.state is State.PLAYING} == {30}
    finally:
        engine.shutdown()
        pages.close()
