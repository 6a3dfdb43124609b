"""The playback engine: the one brain behind the TUI and `sadtui play`.

Public methods never block: they update the status at once (under a short
lock) and leave the slow work to the engine's threads:

* ``sadtui-engine`` (control): the only thread that calls the player (libmpv);
  it handles player events, timers (auto-advance after a failure, the 15 s
  watchdog) and resolved streams, in order.
* ``sadtui-resolve``: runs yt-dlp for the newest request only; a newer request
  supersedes an older one (generation counter), so pressing Enter on several
  songs quickly plays only the last.
* mpv's event thread only hands plain events to the control thread's queue.

Events go to ``notify`` in order from one thread, ``sadtui-events`` (never from
the caller's thread, never with an engine lock held); ``notify`` should still
return quickly (the TUI posts a Textual message, the CLI puts it on a queue).
The ``status`` property is always up to date, even before its event arrives.

Failures: every failure is reported (``SongFailed`` and a Status with
``state=ERROR``) within 15 s of the request.  A song the person asked for
(Enter, ``n``, ``p``, ``space`` after a stop) stays on screen with its error.
A song reached by auto-advance (or from a queue) that fails is skipped after
``advance_delay`` seconds, so one broken song does not end the evening; after
every song of the order has failed in a row the engine gives up
(``PlaybackEnded("failures")``).  A stream URL from the cache that fails to play
is resolved again once, silently.
"""

from __future__ import annotations

import heapq
import itertools
import queue as queue_module
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from sadtui.model.playlist import Playlist, Song
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
from sadtui.services.player import (
    FileEnded,
    FileLoaded,
    Player,
    PlayerError,
    PlayerEvent,
    PlayerShutdown,
    PropertyChanged,
    parse_mpv_options,
)

REPORT_WITHIN = 14.5  # seconds from a request to its failure report, at most
ADVANCE_DELAY = 2.0  # seconds an auto-advanced failure stays on screen before moving on
POSITION_INTERVAL = 0.2  # seconds between PositionChanged events
VOLUME_MAX = 130
RESOLVE_STUCK_AFTER = 0.3  # seconds on one song before a newer request gets its own thread


@dataclass(eq=False)
class _Request:
    """One attempt to play one song (a new one for every play/next/auto-advance)."""

    song: Song
    gen: int
    auto: bool  # reached by auto-advance or a queue: a failure moves on
    queue_index: int | None
    requested_at: float
    resolved: Any = None  # resolver.Resolved
    entry: int | None = None  # mpv's playlist entry id
    loaded: bool = False
    retried: bool = False
    seeked_to_end: bool = False
    done: bool = False  # finished, failed or stopped: ignore anything late

    @property
    def rank(self) -> int:
        return self.song.rank


_STOP = object()


def _volume(value: float) -> int:
    """A volume as the engine keeps it: a whole number from 0 to VOLUME_MAX."""
    return min(max(int(round(value)), 0), VOLUME_MAX)


def _starting_status(options: Sequence[tuple[str, str]]) -> Status:
    """Volume and mute as the user's mpv options set them (shown before mpv starts;
    mpv's own values are taken over when it does)."""
    status = Status()
    for key, value in options:
        if key == "volume":
            try:
                status = replace(status, volume=_volume(float(value)))
            except ValueError:
                pass  # mpv refuses it when it starts
        elif key == "mute" and value.strip().lower() in ("yes", "no"):
            status = replace(status, muted=value.strip().lower() == "yes")
    return status


class PlaybackEngine:
    def __init__(
        self,
        playlist: Playlist,
        notify: Callable[[EngineEvent], None],
        *,
        mpv_options: Sequence[str] = (),
        resolver: Any = None,
        player: Any = None,
        queue: Sequence[int] | None = None,
        advance_delay: float = ADVANCE_DELAY,
        report_within: float = REPORT_WITHIN,
        rng: random.Random | None = None,
        warm_up: bool = True,
    ) -> None:
        self.playlist = playlist
        self._notify = notify
        self.mpv_options = tuple(mpv_options)
        options = parse_mpv_options(self.mpv_options)  # KEY=VALUE syntax now; names when mpv starts
        if resolver is None:
            from sadtui.services.resolver import Resolver

            resolver = Resolver()
        self.resolver = resolver
        self.player = player if player is not None else Player(options=self.mpv_options)
        self.player.set_notify(self._on_player_event)
        if queue is not None:
            missing = [rank for rank in queue if playlist.song(rank) is None]
            if missing or not queue:
                raise ValueError(f"no song with rank {missing[0]}" if missing else "empty queue")
        self.queue: tuple[int, ...] | None = tuple(queue) if queue is not None else None
        self.advance_delay = advance_delay
        self.report_within = report_within
        self._rng = rng or random.Random()
        # Warm yt-dlp up in the background (the TUI: the first Enter then costs
        # nothing).  `sadtui play` turns it off: it plays at once, and a warm-up
        # would only compete with the first song for the CPU.
        self.warm_up = warm_up

        self._lock = threading.RLock()
        self._status = _starting_status(options)
        self._gen = 0
        self._req: _Request | None = None
        self._shuffle: list[int] | None = None
        self._next_round: list[int] | None = None  # shuffle + repeat all: the order after this one
        self._fail_streak = 0
        self._mpv_paused = False
        self._paused_for_cache = False
        self._unavailable: str | None = None
        self._player_ready = False
        self._volume_adopted = False  # mpv's starting volume/mute taken over (first open)
        self._volume_set = False  # the user changed volume or mute
        self._last_position_emit = 0.0
        self._audio_started = False  # has time-pos gone past 0 for the current song?

        self._commands: queue_module.Queue[Any] = queue_module.Queue()
        self._outbox: queue_module.Queue[Any] = queue_module.Queue()
        self._timers: list[tuple[float, int, int, Callable[[], None]]] = []
        self._timer_seq = itertools.count()
        self._resolve_cv = threading.Condition()
        self._resolve_wanted: _Request | None = None
        self._resolve_worker = 0  # which resolve thread takes requests (see _request_resolve)
        self._resolve_busy_since: float | None = None
        self._threads: list[threading.Thread] = []
        self._started = False
        self._closed = False

    # ================================================================ lifecycle

    def start(self) -> None:
        """Start the engine's threads and warm yt-dlp up in the background. Never blocks."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for target, name in (
            (self._control_loop, "sadtui-engine"),
            (self._dispatch_loop, "sadtui-events"),
            (self._resolve_loop, "sadtui-resolve"),
            (self._warm_up, "sadtui-warmup"),
        ):
            thread = threading.Thread(target=target, name=name, daemon=True)
            self._threads.append(thread)
            thread.start()

    def open_player(self) -> None:
        """Create mpv now (before start()), so a bad --mpv-option is found at once.

        Raises PlayerError (``usage=True`` for a bad option)."""
        self.player.open()
        self._after_player_open()

    def shutdown(self, timeout: float = 4.0) -> None:
        """Stop everything; returns within about `timeout` seconds whatever mpv does."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._gen += 1
            if self._req is not None:
                self._req.done = True
        with self._resolve_cv:
            self._resolve_cv.notify_all()
        control = self._threads[0] if self._threads else None
        if control is not None and control.is_alive():
            self._commands.put(_STOP)  # the control thread terminates mpv itself
            control.join(timeout)
        else:
            self.player.terminate(timeout=timeout)
        self._outbox.put(_STOP)  # events already queued are still delivered

    @property
    def status(self) -> Status:
        with self._lock:
            return self._status

    # ================================================================ public controls

    def play(self, rank: int) -> None:
        """Play the song with this rank (as asked by a person: a failure stays on screen)."""
        song = self._song(rank)
        index = None
        if self.queue is not None and rank in self.queue:
            index = self.queue.index(rank)
        with self._lock:
            if self.queue is None and self._status.order is Order.SHUFFLE and self._shuffle:
                # A song picked by hand comes first in the shuffle, the others after it
                # in their shuffled order: every song plays once from here.
                self._shuffle = [rank] + [r for r in self._shuffle if r != rank]
                self._next_round = None
        self._begin(song, auto=False, queue_index=index)

    def play_queue(self) -> None:
        """Play the queue given to the constructor from its start (failures move on)."""
        if not self.queue:
            raise ValueError("this engine has no queue")
        self._begin(self._song(self.queue[0]), auto=True, queue_index=0)

    def toggle_pause(self) -> None:
        with self._lock:
            status, req = self._status, self._req
            if status.state is State.PAUSED:
                self._set(state=State.BUFFERING if self._paused_for_cache else State.PLAYING)
                self._post(self.player.set_pause, False)
                return
            if status.state in (State.PLAYING, State.BUFFERING) and req is not None and req.loaded:
                self._set(state=State.PAUSED)
                self._post(self.player.set_pause, True)
                return
            replay = status.state in (State.STOPPED, State.ERROR) and status.rank is not None
            rank = status.rank
        if replay and rank is not None and self.playlist.song(rank) is not None:
            self.play(rank)

    def stop(self) -> None:
        with self._lock:
            self._gen += 1
            if self._req is not None:
                self._req.done = True
            if self._status.state is not State.IDLE:
                self._set(state=State.STOPPED, position=None, error=None)
        self._post(self._player_stop)

    def next(self) -> None:
        self._step(+1)

    def previous(self) -> None:
        self._step(-1)

    def seek(self, seconds: float, relative: bool = True) -> None:
        with self._lock:
            req, status = self._req, self._status
            if req is None or req.done or not req.loaded:
                return
            base = (status.position or 0.0) if relative else 0.0
            target = max(0.0, base + float(seconds))
            if status.duration is not None and target >= status.duration - 0.5:
                req.seeked_to_end = True
            self._status = replace(status, position=min(target, status.duration or target))
            self._emit(PositionChanged(status.rank, self._status.position or 0.0, status.duration))
        self._post(self.player.seek, float(seconds), bool(relative))

    def change_volume(self, delta: int) -> None:
        with self._lock:
            self._volume_set = True
            volume = _volume(self._status.volume + int(delta))
            if volume != self._status.volume:
                self._set(volume=volume)
        self._post(self._apply_volume)

    def toggle_mute(self) -> None:
        with self._lock:
            self._volume_set = True
            self._set(muted=not self._status.muted)
        self._post(self._apply_volume)

    def cycle_order(self) -> Order:
        with self._lock:
            order = self._status.order.next()
            self._shuffle = self._next_round = None
            if order is Order.SHUFFLE:
                self._shuffle = self._shuffled(first=self._status.rank)  # the song playing now first
            self._set(order=order)
            return order

    def _shuffled(self, *, first: int | None = None, not_first: int | None = None) -> list[int]:
        """A new shuffled order: `first` at its start, or anything but `not_first`."""
        ranks = [song.rank for song in self.playlist.songs]
        self._rng.shuffle(ranks)
        if first in ranks:
            ranks.remove(first)
            ranks.insert(0, first)
        elif not_first is not None and len(ranks) > 1 and ranks[0] == not_first:
            ranks[0], ranks[1] = ranks[1], ranks[0]  # never the same song twice in a row
        return ranks


    def cycle_repeat(self) -> Repeat:
        with self._lock:
            repeat = self._status.repeat.next()
            self._set(repeat=repeat)
            return repeat

    def order_ranks(self) -> list[int]:
        """The ranks in the current play order."""
        with self._lock:
            order = self._status.order
            ranks = [song.rank for song in self.playlist.songs]
            if order is Order.COUNTDOWN:
                return ranks[::-1]
            if order is Order.SHUFFLE and self._shuffle is not None:
                return list(self._shuffle)
            return ranks

    # ================================================================ internals: state

    def _song(self, rank: int) -> Song:
        song = self.playlist.song(rank)
        if song is None:
            raise ValueError(f"no song with rank {rank}")
        return song

    def _emit(self, event: EngineEvent) -> None:
        """Queue an event for ``notify`` (sent in order from the ``sadtui-events`` thread)."""
        self._outbox.put(event)

    def _dispatch_loop(self) -> None:
        while True:
            event = self._outbox.get()
            if event is _STOP:
                return
            try:
                self._notify(event)
            except Exception:  # noqa: BLE001 - a consumer's bug must not stop playback
                pass

    def _set(self, **fields: Any) -> None:
        """Change the status and send it (call with the lock held, so events stay in order)."""
        with self._lock:
            new = replace(self._status, **fields)
            if new != self._status:
                self._status = new
                self._emit(StatusChanged(new))

    def _post(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._closed:
            return
        if not self._started:
            self.start()
        self._commands.put((fn, args))

    def _begin(self, song: Song, *, auto: bool, queue_index: int | None) -> None:
        with self._lock:
            if self._closed:
                return
            self._gen += 1
            if self._req is not None:
                self._req.done = True
            req = _Request(song, self._gen, auto, queue_index, time.monotonic())
            self._req = req
            self._set(
                state=State.RESOLVING, rank=song.rank, title=song.title,
                position=None, duration=None, error=None,
            )
        self._post(self._start_request, req)

    def _step(self, delta: int) -> None:
        with self._lock:
            req = self._req
            if self.queue is not None:
                index = (req.queue_index if req is not None and req.queue_index is not None else -1) + delta
                if not 0 <= index < len(self.queue):
                    return
                song, auto, qi = self._song(self.queue[index]), False, index
            else:
                order = self.order_ranks()
                if not order:
                    return
                rank = self._status.rank
                if rank is None or rank not in order:
                    target = order[0] if delta > 0 else order[-1]
                else:
                    target = order[(order.index(rank) + delta) % len(order)]
                song, auto, qi = self._song(target), False, None
        self._begin(song, auto=auto, queue_index=qi)

    def _auto_next(
        self, req: _Request, *, after_failure: bool, commit: bool = False
    ) -> tuple[Song, int | None] | None:
        """What plays after `req` ends by itself (or fails), or None when nothing does.

        `commit`: it is about to play (not just asked for a prefetch or a check), so a
        new shuffle round for repeat all becomes the order."""
        if self.queue is not None:
            index = (req.queue_index if req.queue_index is not None else -1) + 1
            return (self._song(self.queue[index]), index) if index < len(self.queue) else None
        repeat = self._status.repeat
        if repeat is Repeat.ONE and not after_failure:
            return req.song, None
        order = self.order_ranks()
        if req.rank not in order:
            return (self._song(order[0]), None) if order else None
        index = order.index(req.rank) + 1
        if index >= len(order):
            if repeat is Repeat.OFF:
                return None
            index = 0
            if self._status.order is Order.SHUFFLE:  # repeat all: each round in a new order
                if self._next_round is None:
                    self._next_round = self._shuffled(not_first=req.rank)
                order = self._next_round
                if commit:
                    self._shuffle, self._next_round = order, None
        return self._song(order[index]), None

    # ================================================================ internals: threads

    def _warm_up(self) -> None:
        check = getattr(self.player, "check_available", None)
        if callable(check):
            problem = check()
            if problem:
                with self._lock:
                    self._unavailable = problem
                    if self._status.state is State.IDLE:
                        self._set(state=State.ERROR, error=problem)
        if not self.warm_up:
            return
        try:
            self.resolver.warm_up()
        except Exception:  # noqa: BLE001 - resolving reports it later
            pass

    def _control_loop(self) -> None:
        while True:
            timeout = None
            with self._lock:
                if self._timers:
                    timeout = max(0.0, self._timers[0][0] - time.monotonic())
            try:
                item = self._commands.get(timeout=timeout)
            except queue_module.Empty:
                self._fire_timers()
                continue
            if item is _STOP:
                break
            fn, args = item
            try:
                fn(*args)
            except Exception as exc:  # noqa: BLE001 - the engine must survive anything
                self._internal_error(exc)
            self._fire_timers()
        self.player.terminate(timeout=3.0)

    def _internal_error(self, exc: BaseException) -> None:
        with self._lock:
            req = self._req
        if req is not None and not req.done:
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self._fail(req, f"playback error: {text}")

    def _add_timer(self, delay: float, gen: int, fn: Callable[[], None]) -> None:
        with self._lock:
            heapq.heappush(self._timers, (time.monotonic() + delay, next(self._timer_seq), gen, fn))
        self._commands.put((lambda: None, ()))  # wake the loop so it sees the new deadline

    def _fire_timers(self) -> None:
        while True:
            with self._lock:
                if not self._timers or self._timers[0][0] > time.monotonic():
                    return
                _, _, gen, fn = heapq.heappop(self._timers)
                current = gen == self._gen
            if current:
                try:
                    fn()
                except Exception as exc:  # noqa: BLE001
                    self._internal_error(exc)

    def _resolve_loop(self, worker: int = 0) -> None:
        """Resolve the newest wanted request (older ones waiting are skipped)."""
        while True:
            with self._resolve_cv:
                while self._resolve_wanted is None and not self._closed and worker == self._resolve_worker:
                    self._resolve_cv.wait()
                if self._closed or worker != self._resolve_worker:
                    return
                req, self._resolve_wanted = self._resolve_wanted, None
                self._resolve_busy_since = time.monotonic()
            if req is None or req.done or req.gen != self._gen:
                continue  # superseded while waiting
            try:
                result: Any = self.resolver.resolve(req.song)
            except Exception as exc:  # noqa: BLE001 - ResolveError or a yt-dlp surprise
                result = exc
            with self._resolve_cv:
                if worker == self._resolve_worker:
                    self._resolve_busy_since = None
            self._post(self._on_resolved, req, result)

    def _request_resolve(self, req: _Request) -> None:
        with self._resolve_cv:
            self._resolve_wanted = req
            busy = self._resolve_busy_since
            if self._started and busy is not None and time.monotonic() - busy > RESOLVE_STUCK_AFTER:
                # The resolve thread is still on an older song (a stalled server, a slow
                # page): leave it to finish (its answer is ignored) and take this one on
                # a fresh thread, so `n` after a stall does not wait for it.
                self._resolve_worker += 1
                self._resolve_busy_since = None
                threading.Thread(
                    target=self._resolve_loop, args=(self._resolve_worker,), name="sadtui-resolve", daemon=True
                ).start()
            self._resolve_cv.notify_all()

    # ================================================================ control thread

    def _start_request(self, req: _Request) -> None:
        if req.done or req.gen != self._gen:
            return
        self._player_stop()
        if self._unavailable:
            self._fail(req, self._unavailable)
            return
        remaining = self.report_within - (time.monotonic() - req.requested_at)
        self._add_timer(max(0.0, remaining), req.gen, lambda: self._watchdog(req))
        self._request_resolve(req)

    def _watchdog(self, req: _Request) -> None:
        if req.done or req.loaded:
            return
        self._fail(req, f"timed out talking to {self._host_of(req)}")

    @staticmethod
    def _host_of(req: _Request) -> str:
        url = getattr(req.resolved, "url", None) or req.song.url
        if not url:
            return "www.youtube.com"
        try:
            return urlsplit(url).hostname or "the server"
        except ValueError:
            return "the server"

    def _on_resolved(self, req: _Request, result: Any) -> None:
        if req.done or req.gen != self._gen:
            return
        if isinstance(result, BaseException):
            message = getattr(result, "message", None)
            if not message:
                text = str(result).strip().splitlines()[0] if str(result).strip() else type(result).__name__
                message = f"could not find the audio: {text}"
            self._fail(req, message)
            return
        req.resolved = result
        try:
            if not self.player.is_open:
                self.player.open()
                self._after_player_open()
            req.entry = self.player.load(result.url, result.headers)
        except PlayerError as exc:
            self._fail(req, exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - mpv in a bad state: start a new one next time
            self._player_ready = False
            self.player.terminate(timeout=1.0)
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self._fail(req, f"mpv could not start it: {text}")
            return
        req.loaded = False
        with self._lock:
            self._mpv_paused = False  # load() unpauses; mpv reports it after file-loaded
            self._paused_for_cache = False
            if req.gen == self._gen:
                self._set(state=State.BUFFERING, duration=getattr(result, "duration", None))

    def _after_player_open(self) -> None:
        self._player_ready = True
        if not self._volume_adopted:
            # The first mpv starts at the volume and mute of the user's mpv options
            # (`--mpv-option volume=60`): the status takes them over, unless the
            # volume was changed before mpv was up.
            self._volume_adopted = True
            volume, muted = self.player.volume_and_mute()
            changes: dict[str, Any] = {}
            if volume is not None:
                changes["volume"] = _volume(volume)
            if muted is not None:
                changes["muted"] = muted
            with self._lock:
                if changes and not self._volume_set:
                    self._set(**changes)
        self._apply_volume()

    def _apply_volume(self) -> None:
        if not self._player_ready:
            return
        with self._lock:
            volume, muted = self._status.volume, self._status.muted
        self.player.set_volume(volume)
        self.player.set_mute(muted)

    def _player_stop(self) -> None:
        if self.player.is_open:
            self.player.stop()

    def _on_player_event(self, event: PlayerEvent) -> None:
        """mpv's event thread: hand the event to the control thread, nothing else."""
        if not self._closed:
            self._commands.put((self._handle_player_event, (event,)))

    def _handle_player_event(self, event: PlayerEvent) -> None:
        if isinstance(event, PropertyChanged):
            self._on_property(event.name, event.value)
            return
        if isinstance(event, PlayerShutdown):
            self._on_player_shutdown()
            return
        with self._lock:
            req = self._req
        if req is None or req.done or req.entry is None or getattr(event, "entry", None) != req.entry:
            return
        if isinstance(event, FileLoaded):
            req.loaded = True
            with self._lock:
                self._fail_streak = 0
                state = State.PAUSED if self._mpv_paused else (
                    State.BUFFERING if self._paused_for_cache else State.PLAYING
                )
                self._set(state=state, position=0.0)
                self._last_position_emit = 0.0
                self._audio_started = False
            self._prefetch_after(req)
        elif isinstance(event, FileEnded):
            self._on_file_ended(req, event)

    def _on_file_ended(self, req: _Request, event: FileEnded) -> None:
        if event.reason in ("stop", "redirect"):
            return  # we replaced or stopped it
        if event.reason == "quit":
            req.done = True
            with self._lock:
                self._set(state=State.STOPPED, position=None)
            return
        with self._lock:
            position, duration = self._status.position, self._status.duration
        message = self.player.explain(
            event.entry,
            url=getattr(req.resolved, "url", "") or "",
            reason=event.reason,
            error=event.error,
            position=position,
            duration=duration,
            seeked_to_end=req.seeked_to_end,
        )
        if message is None and event.reason == "eof":
            self._finished(req)
            return
        message = message or "mpv could not play it"
        if getattr(req.resolved, "from_cache", False) and not req.retried:
            # A cached stream URL that no longer works: resolve it again, once, silently.
            req.retried = True
            req.entry = None
            req.loaded = False
            try:
                self.resolver.invalidate(req.song)
            except Exception:  # noqa: BLE001
                pass
            with self._lock:
                self._set(state=State.RESOLVING, position=None)
            self._request_resolve(req)
            return
        self._fail(req, message)

    def _finished(self, req: _Request) -> None:
        req.done = True
        with self._lock:
            self._fail_streak = 0
            self._emit(SongFinished(req.rank))
            target = self._auto_next(req, after_failure=False, commit=True)
            if target is None:
                self._set(state=State.STOPPED, position=None)
                self._emit(PlaybackEnded("done"))
                return
        song, index = target
        self._begin(song, auto=True, queue_index=index)

    def _fail(self, req: _Request, message: str) -> None:
        with self._lock:
            stale = req.done or req.gen != self._gen
            req.done = True
            req.entry = None
        if stale:
            return
        self._player_stop()
        with self._lock:
            if req.gen != self._gen:
                return
            self._fail_streak += 1
            self._set(state=State.ERROR, error=message, position=None)
            self._emit(SongFailed(req.rank, req.song.title, message))
            if not (req.auto or self.queue is not None):
                return  # a person asked for this song: leave the error on screen
            if self.queue is None and self._fail_streak >= max(1, len(self.playlist.songs)):
                self._emit(PlaybackEnded("failures"))
                return
            if self._auto_next(req, after_failure=True) is None:
                self._emit(PlaybackEnded("done"))
                return
            gen = req.gen
        self._add_timer(self.advance_delay, gen, lambda: self._advance_after_failure(req))

    def _advance_after_failure(self, req: _Request) -> None:
        with self._lock:
            if req.gen != self._gen:
                return
            target = self._auto_next(req, after_failure=True, commit=True)
        if target is None:
            self._emit(PlaybackEnded("done"))
            return
        song, index = target
        self._begin(song, auto=True, queue_index=index)

    def _prefetch_after(self, req: _Request) -> None:
        with self._lock:
            target = self._auto_next(req, after_failure=False)
        if target is None or target[0] is req.song:
            return
        try:
            self.resolver.prefetch(target[0])
        except Exception:  # noqa: BLE001
            pass

    def _on_property(self, name: str, value: Any) -> None:
        with self._lock:
            req = self._req
            active = req is not None and not req.done and req.loaded
            if name == "time-pos":
                if not active or not isinstance(value, (int, float)) or isinstance(value, bool):
                    return
                self._status = replace(self._status, position=float(value))
                now = time.monotonic()
                first_audio = value > 0 and not self._audio_started
                if first_audio:
                    self._audio_started = True
                # While paused time-pos moves only when seeking: send each one, or the
                # last of a quick run of seeks would be dropped and the bar stay behind.
                if first_audio or self._mpv_paused or now - self._last_position_emit >= POSITION_INTERVAL:
                    self._last_position_emit = now
                    self._emit(PositionChanged(self._status.rank, float(value), self._status.duration))
            elif name == "duration":
                if active and isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
                    self._set(duration=float(value))
            elif name == "pause":
                self._mpv_paused = bool(value)
                self._sync_state(active)
            elif name == "paused-for-cache":
                self._paused_for_cache = bool(value)
                self._sync_state(active)
            # volume and mute: the engine is the only one who changes them; its status leads.

    def _sync_state(self, active: bool) -> None:
        if not active or self._status.state not in (State.PLAYING, State.PAUSED, State.BUFFERING):
            return
        if self._mpv_paused:
            self._set(state=State.PAUSED)
        else:
            self._set(state=State.BUFFERING if self._paused_for_cache else State.PLAYING)

    def _on_player_shutdown(self) -> None:
        """mpv's core went away (e.g. an option made it quit): start a new one next time."""
        self._player_ready = False
        self.player.terminate(timeout=1.0)
        with self._lock:
            req = self._req
        if req is not None and not req.done:
            self._fail(req, "mpv stopped unexpectedly (see the player log)")
