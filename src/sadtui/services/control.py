"""The engine's control loop: the one owner of playback state.

Everything here runs on the engine's control thread (``sadtui-engine``), inside
its asyncio event loop: public commands, mpv's events, resolved streams,
explained failures and timers all arrive as loop callbacks, one at a time, so
nothing here takes a lock.  The :class:`Status` is a frozen value replaced whole
(``self.status``); other threads read it without a lock.

The parts of :class:`Control`: :mod:`sadtui.services.player_side` (mpv's events, the
volume, the audio device), :mod:`sadtui.services.resolver_side` (finding the stream),
:mod:`sadtui.services.library_side` (local and kept files,
offline) and :mod:`sadtui.services.sleep_timer`.

Slow work never runs here: yt-dlp resolves on a small thread pool (one Future
per song in flight: asking again for a song being resolved joins its Future),
and the player explains a failure on its own thread (``Player.explain_later``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import replace
from typing import Any

from sadtui.model.playlist import Playlist, Song
from sadtui.model.text import safe_line
from sadtui.services.clock import Clock
from sadtui.services.events import (
    EngineEvent,
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
from sadtui.services.library_side import OFFLINE as OFFLINE  # re-exported (`X as X`)
from sadtui.services.library_side import FromDisk as FromDisk
from sadtui.services.library_side import LibrarySide
from sadtui.services.logs import log
from sadtui.services.player_side import PlayerSide
from sadtui.services.playorder import PlayOrder, Target
from sadtui.services.requests import Request, Tickets, first_line, host_of_request, volume
from sadtui.services.resolver_side import ResolverSide
from sadtui.services.sleep_timer import SLEEP_FADE as SLEEP_FADE
from sadtui.services.sleep_timer import SleepTimer

RESTART_AFTER = 3.0  # seconds: `p` later than this into a song restarts it


class Control(ResolverSide, LibrarySide, SleepTimer, PlayerSide):
    """Playback state and every change to it (control thread only; see the module doc)."""

    def __init__(
        self,
        *,
        playlist: Playlist,
        player: Any,
        resolver: Any,
        order: PlayOrder,
        emit: Callable[[EngineEvent], None],
        clock: Clock,
        tickets: Tickets,
        advance_delay: float,
        report_within: float,
        status: Status,
        library: Any = None,
        pins: Any = None,
    ) -> None:
        self.playlist = playlist
        self.player = player
        self.resolver = resolver
        self.order = order
        self.emit = emit
        self.clock = clock
        self.tickets = tickets
        self.advance_delay = advance_delay
        self.report_within = report_within
        self.status = status  # published whole; read by any thread
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pool: Executor | None = None  # resolving
        self.explain_pool: Executor | None = None  # Player.explain, for a player without explain_later
        self.req: Request | None = None
        self.fail_streak = 0
        self.mpv_paused = False
        self.paused_for_cache = False
        self.unavailable: str | None = None
        self.player_ready = False
        self.volume_adopted = False  # mpv's starting volume/mute taken over (first open)
        self.volume_set = False  # the person changed volume or mute
        self.last_position_emit = 0.0
        self.audio_started = False  # has time-pos gone past 0 for the current song?
        self.resolving: dict[int, Future[Any]] = {}  # rank -> its resolution in flight
        self.advance: asyncio.TimerHandle | None = None
        self.sleep_deadline: float | None = None  # the sleep timer's end on the clock (timed modes)
        self.sleep_tick: asyncio.TimerHandle | None = None
        self.faded = False  # the player's volume is below the status's (the sleep fade-out)
        self.audio_device: str | None = None  # chosen in the app (applied when mpv opens too)
        self.sleeps_over = 0  # how many times the sleep timer ran out (the engine's cycle starts over)
        self.closed = False
        self.library = library  # the library of kept audio (None: stream everything)
        self.offline = False  # the last song that needed the network could not reach it
        self.pins = pins  # pinned recordings (services.pins.PinStore): a pinned song plays its page

    # ================================================================ plumbing

    def attach(self, loop: asyncio.AbstractEventLoop, pool: Executor, explain_pool: Executor) -> None:
        self.loop, self.pool, self.explain_pool = loop, pool, explain_pool

    def run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Run one command or callback; an unexpected error fails the current song, never the loop."""
        if self.closed:
            return
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - the engine must survive anything
            log.exception("engine: %s failed", getattr(fn, "__name__", fn))
            req = self.req
            if req is not None and not req.done:
                self.fail(req, f"playback error: {first_line(exc)}")

    def post(self, fn: Callable[..., Any], *args: Any) -> None:
        """Hand `fn(*args)` to the control loop (from any thread); dropped once it is closed."""
        loop = self.loop
        if loop is None or self.closed:
            return
        try:
            loop.call_soon_threadsafe(self.run, fn, args)
        except RuntimeError:  # the loop closed meanwhile (shutdown)
            log.debug("engine: %s after shutdown, dropped", getattr(fn, "__name__", fn))

    def later(self, delay: float, fn: Callable[..., Any], *args: Any) -> asyncio.TimerHandle:
        assert self.loop is not None
        return self.loop.call_later(max(0.0, delay), self.run, fn, args)

    def set(self, **fields: Any) -> None:
        """Publish a new status (whole) and send it."""
        if "position_at" not in fields:
            if "position" in fields:  # a position set here is true now
                fields["position_at"] = None if fields["position"] is None else self.clock.now()
            elif fields.get("state") is State.PLAYING and self.status.state is not State.PLAYING:
                fields["position_at"] = self.clock.now()  # it stood still (paused, buffering): it moves from now
        new = replace(self.status, **fields)
        if (new.rank, new.order, new.repeat) != (self.status.rank, self.status.order, self.status.repeat):
            req = self.req
            new = replace(new, up_next=self.order.up_next(new.rank, req.queue_index if req is not None else None))
        if new != self.status:
            self.status = new
            self.emit(StatusChanged(new))

    def close(self) -> None:
        """Shutting down: nothing more happens (the engine then terminates mpv)."""
        if self.req is not None:
            self.retire(self.req)
        self.closed = True

    # ================================================================ commands

    def play(self, rank: int, ticket: int | None = None, start: float | None = None) -> None:
        """A person picked this song: its failure stays on screen.  `start`: begin there (seconds)."""
        self.begin(self.order.picked(rank), auto=False, ticket=ticket, start=start)

    def play_queue(self) -> None:
        self.begin(self.order.first(), auto=True)

    def step(self, delta: int, ticket: int | None = None) -> None:
        """`n`/`p` as every player does them: `p` more than RESTART_AFTER seconds into a
        song restarts it, and so does `p` on the first song (repeat off); `n` on the last
        song (repeat off) ends the list instead of wrapping round."""
        req, status = self.req, self.status
        playing = req is not None and not req.done and req.loaded
        if delta < 0 and playing and (status.position or 0.0) > RESTART_AFTER:
            self.seek(0.0, relative=False)
            return
        target = self.order.step(status.rank, req.queue_index if req is not None else None, delta)
        if target is None:
            if delta > 0 and self.order.queue is None and status.rank is not None:
                self.end_of_list()
            return
        if delta < 0 and playing and target.rank == status.rank:
            self.seek(0.0, relative=False)  # the first song: back to its start
            return
        self.begin(target, auto=False, ticket=ticket)

    def end_of_list(self) -> None:
        """`n` on the last song: nothing more plays until asked."""
        if self.req is not None:
            self.retire(self.req)
        self.player_stop()
        self.set(state=State.STOPPED, position=None, error=None)
        self.emit(PlaybackEnded("done"))

    def toggle_pause(self) -> None:
        status, req = self.status, self.req
        if status.state is State.PAUSED:
            self.set(state=State.BUFFERING if self.paused_for_cache else State.PLAYING)
            self.player.set_pause(False)
        elif status.state in (State.PLAYING, State.BUFFERING) and req is not None and req.loaded:
            self.set(state=State.PAUSED)
            self.player.set_pause(True)
        elif status.state in (State.STOPPED, State.ERROR) and status.rank is not None:
            self.play(status.rank)  # after a stop (or a failure), space plays the song again

    def stop(self) -> None:
        if self.req is not None:
            self.retire(self.req)
        if self.status.state is not State.IDLE:
            self.set(state=State.STOPPED, position=None, error=None)
        self.player_stop()

    def seek(self, seconds: float, relative: bool) -> None:
        req, status = self.req, self.status
        if req is None or req.done or not req.loaded:
            return
        base = (status.position or 0.0) if relative else 0.0
        target = max(0.0, base + seconds)
        if status.duration is not None and target >= status.duration - 0.5:
            req.seeked_to_end = True
        now = self.clock.now()
        self.status = replace(status, position=min(target, status.duration or target), position_at=now)
        self.emit(PositionChanged(status.rank, self.status.position or 0.0, status.duration, now))
        self.player.seek(seconds, relative)

    def change_volume(self, delta: int) -> None:
        self.volume_set = True
        self.set(volume=volume(self.status.volume + delta))
        self.apply_volume()

    def toggle_mute(self) -> None:
        self.volume_set = True
        self.set(muted=not self.status.muted)
        self.apply_volume()

    def set_order(self, order: Order) -> None:
        self.order.set_order(order, current=self.status.rank)  # a new shuffle starts with this song
        self.set(order=order)

    def set_repeat(self, repeat: Repeat) -> None:
        self.order.set_repeat(repeat)
        self.set(repeat=repeat)

    def restore(self, volume_: int | None, muted: bool | None, order: Order | None, repeat: Repeat | None) -> None:
        """Settings remembered from an earlier run (before anything plays)."""
        if volume_ is not None or muted is not None:
            self.volume_set = True  # mpv's own starting volume does not override them
            self.set(volume=volume(volume_) if volume_ is not None else self.status.volume,
                     muted=self.status.muted if muted is None else bool(muted))
            self.apply_volume()
        if order is not None:
            self.set_order(order)
        if repeat is not None:
            self.set_repeat(repeat)

    def set_unavailable(self, problem: str) -> None:
        """Playback cannot work at all (no libmpv): say so now and for every song asked for."""
        self.unavailable = problem
        if self.status.state is State.IDLE:
            self.set(state=State.ERROR, error=problem)

    # ================================================================ requests

    def begin(self, target: Target, *, auto: bool, ticket: int | None = None, start: float | None = None) -> None:
        """Make `target` the current song and start finding its stream."""
        song = self.song(target.rank)
        if self.req is not None:
            self.retire(self.req)
        req = Request(song, auto, target.queue_index, self.clock.now(), ticket or self.tickets.newest)
        req.start = start if start is not None and start > 0 else None
        self.req = req
        self.set(
            state=State.RESOLVING, rank=song.rank, title=song.title, position=None, duration=None, error=None,
            recording_title=None, recording_channel=None, recording_page=None, thumbnail=None, from_disk=False,
        )
        if self.tickets.superseded(req.ticket):
            return  # a newer play/next/stop is queued behind this: it replaces this one at once
        self.player_stop()
        if self.unavailable:
            self.fail(req, self.unavailable)
            return
        req.watchdog = self.later(self.report_within - (self.clock.now() - req.requested_at), self.watchdog, req)
        if song.path is not None:
            self.play_local(req)
            return
        if self.play_from_disk(req):
            return
        self.resolve(req)

    def retire(self, req: Request) -> None:
        """`req` is over (replaced, stopped, failed, finished): anything late about it is ignored."""
        req.done = True
        req.entry = None
        if req.watchdog is not None:
            req.watchdog.cancel()
        if self.advance is not None:
            self.advance.cancel()
            self.advance = None
        future = req.future
        if future is not None and self.resolving.get(req.rank) is future:
            future.cancel()  # not started yet: the worker skips it (one already running finishes, unheard)

    def watchdog(self, req: Request) -> None:
        if req is self.req and not req.done and not req.loaded:
            self.fail(req, f"timed out talking to {host_of_request(req)}")

    # ================================================================ endings

    def finished(self, req: Request) -> None:
        self.retire(req)
        self.fail_streak = 0
        self.emit(SongFinished(req.rank))
        self.after_finished(req)
        if self.status.sleep == "song":  # the sleep timer: this song was the last
            self.sleep_over()
            return
        target = self.order.after(req.rank, req.queue_index, after_failure=False, commit=True)
        if target is None:
            self.set(state=State.STOPPED, position=None)
            self.emit(PlaybackEnded("done"))
            return
        self.begin(target, auto=True)

    def fail(self, req: Request, message: str) -> None:
        if req.done or req is not self.req:
            return
        self.retire(req)
        self.player_stop()
        message = safe_line(message)
        self.fail_streak += 1
        self.set(state=State.ERROR, error=message, position=None)
        self.emit(SongFailed(req.rank, req.song.title, message))
        if not (req.auto or self.order.queue is not None):
            return  # a person asked for this song: leave the error on screen
        if self.order.queue is None and self.fail_streak >= max(1, len(self.playlist.songs)):
            self.emit(PlaybackEnded("failures"))
            return
        if self.order.after(req.rank, req.queue_index, after_failure=True) is None:
            self.emit(PlaybackEnded("done"))
            return
        self.advance = self.later(self.advance_delay, self.advance_after_failure, req)

    def advance_after_failure(self, req: Request) -> None:
        self.advance = None
        if req is not self.req:
            return
        target = self.order.after(req.rank, req.queue_index, after_failure=True, commit=True)
        if target is not None and self.offline and self.library is not None:
            # No network: skip to the next song that is kept (one round at most).
            for _ in range(len(self.playlist.songs)):
                if target is None or self.kept_path(self.song(target.rank)) is not None:
                    break
                target = self.order.after(target.rank, target.queue_index, after_failure=True, commit=True)
            else:
                target = None
            if target is not None and self.kept_path(self.song(target.rank)) is None:
                target = None
            if target is None:
                self.emit(PlaybackEnded("failures"))
                return
        if target is None:
            self.emit(PlaybackEnded("done"))
            return
        self.begin(target, auto=True)

    def song(self, rank: int) -> Song:
        song = self.playlist.song(rank)
        if song is None:
            raise ValueError(f"no song with rank {rank}")
        if self.pins is not None:
            try:
                song = self.pins.apply(song)  # its pinned recording, as its url
            except Exception:  # noqa: BLE001 - a broken pins file means searching
                log.exception("engine: reading the pin of #%s failed", rank)
        return song

