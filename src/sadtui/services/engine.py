"""The playback engine: the one brain behind the TUI and `sadtui play`.

Public methods never block: each hands a command to the control loop and
returns at once.  The engine's parts:

* ``sadtui-engine`` (control): an asyncio event loop, the only owner of playback
  state and the only thread that calls the player (libmpv).  Commands, mpv's
  events, resolved streams and timers (the report deadline, the advance delay
  after a failure) arrive on it in order (:mod:`sadtui.services.control`).
  What plays next is pure logic (:mod:`sadtui.services.playorder`).
* ``sadtui-resolve_N``: a small pool (``RESOLVE_WORKERS``) that runs yt-dlp, one
  Future per song in flight; pressing Enter on several songs quickly resolves
  only the last, and a stalled server holds at most this many threads.
* mpv's event thread only hands plain events to the control loop.

The ``status`` property is the newest :class:`Status` the control loop
published (a frozen value, read without a lock): a command shows in it, and in
a ``StatusChanged`` event, as soon as the control loop has run it (at once
unless it is busy talking to mpv).  ``cycle_order`` and ``cycle_repeat`` return
the setting they asked for.

Events go to ``notify`` in order from one thread, ``sadtui-events`` (never from
the caller's thread); ``notify`` should still return quickly (the TUI posts a
Textual message, the CLI puts it on a queue).

Before :meth:`start`, nothing runs: commands wait and run, in order, when it
starts (only :meth:`open_player` acts at once, and only then).  :meth:`shutdown`
is safe at any time, from any thread, more than once.

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

import queue as queue_module
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from sadtui.model.playlist import Playlist
from sadtui.services.clock import MONOTONIC, Clock, new_loop
from sadtui.services.control import Control
from sadtui.services.events import EngineEvent, Order, Repeat, Status
from sadtui.services.logs import log
from sadtui.services.player import Player, PlayerEvent, parse_mpv_options
from sadtui.services.playorder import PlayOrder
from sadtui.services.requests import VOLUME_MAX, Tickets, volume

__all__ = ["ADVANCE_DELAY", "REPORT_WITHIN", "RESOLVE_WORKERS", "VOLUME_MAX", "PlaybackEngine"]

REPORT_WITHIN = 14.5  # seconds from a request to its failure report, at most
ADVANCE_DELAY = 2.0  # seconds an auto-advanced failure stays on screen before moving on
RESOLVE_WORKERS = 3  # resolutions in flight at most (one per song)

_STOP = object()
SLEEP_CYCLE = ("off", "song", "15", "30", "45", "60")  # what `z` steps through


def _starting_status(options: Sequence[tuple[str, str]]) -> Status:
    """Volume and mute as the person's mpv options set them (shown before mpv starts;
    mpv's own values are taken over when it does)."""
    status = Status()
    for key, value in options:
        if key == "volume":
            try:
                status = replace(status, volume=volume(float(value)))
            except ValueError:
                log.debug("engine: volume option %r left to mpv", value)  # mpv refuses it when it starts
        elif key == "mute" and value.strip().lower() in ("yes", "no"):
            status = replace(status, muted=value.strip().lower() == "yes")
    return status


class _Outbox:
    """Hands events to `notify` in order from one thread (``sadtui-events``)."""

    def __init__(self, notify: Callable[[EngineEvent], None]) -> None:
        self._notify = notify
        self._queue: queue_module.SimpleQueue[Any] = queue_module.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="sadtui-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def put(self, event: EngineEvent) -> None:
        self._queue.put(event)

    def close(self) -> None:
        self._queue.put(_STOP)  # events already queued are still delivered

    def _run(self) -> None:
        while (event := self._queue.get()) is not _STOP:
            try:
                self._notify(event)
            except Exception:  # noqa: BLE001 - a consumer's bug must not stop playback
                log.exception("engine: notify(%s) failed", type(event).__name__)


def _pinner(pins: Any) -> Callable[[Any, Any], None]:
    """The resolver's on_pick: pin the recording a song's search chose (when it has none)."""
    from sadtui.services.pins import Pin

    def pin(song: Any, candidate: Any) -> None:
        pins.set_if_unpinned(song, Pin(candidate.url, candidate.title, candidate.channel, candidate.duration))

    return pin


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
        clock: Clock | None = None,
        library: Any = None,
        pins: Any = None,
    ) -> None:
        self.playlist = playlist
        self.mpv_options = tuple(mpv_options)
        options = parse_mpv_options(self.mpv_options)  # KEY=VALUE syntax now; names when mpv starts
        order = PlayOrder([song.rank for song in playlist.songs], queue=queue, rng=rng)
        if resolver is None:
            from sadtui.services.resolver import Resolver

            resolver = Resolver()
        self.resolver = resolver
        self.player = player if player is not None else Player(options=self.mpv_options)
        self.queue = order.queue
        # Warm yt-dlp up in the background (the TUI: the first Enter then costs
        # nothing).  `sadtui play` turns it off: it plays at once, and a warm-up
        # would only compete with the first song for the CPU.
        self.warm_up = warm_up
        self._clock = clock or MONOTONIC
        self._outbox = _Outbox(notify)
        self._tickets = Tickets()
        self._control = Control(
            playlist=playlist, player=self.player, resolver=resolver, order=order, emit=self._outbox.put,
            clock=self._clock, tickets=self._tickets, advance_delay=advance_delay,
            report_within=report_within, status=_starting_status(options), library=library, pins=pins,
        )
        self.pins = pins  # pinned recordings: a search's first pick is pinned, a pinned song plays it
        if pins is not None and hasattr(resolver, "on_pick"):
            resolver.on_pick = _pinner(pins)
        self.library = library  # the library of kept audio: kept songs play from disk
        self._lock = threading.Lock()  # guards the lifecycle fields and the settings asked for
        self._loop: Any = None
        self._thread: threading.Thread | None = None
        self._pools: list[ThreadPoolExecutor] = []
        self._waiting: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []  # commands before start()
        self._started = False
        self._closed = False
        self._order_asked = Order.RANK
        self._repeat_asked = Repeat.OFF
        self._sleep_asked = "off"
        self._sleeps_seen = 0
        self.player.set_notify(self._on_player_event)

    # ================================================================ lifecycle

    def start(self) -> None:
        """Start the control loop, run the commands given so far, and warm yt-dlp up in
        the background. Never blocks; a second call does nothing."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
            loop = new_loop(self._clock)
            resolve = ThreadPoolExecutor(RESOLVE_WORKERS, thread_name_prefix="sadtui-resolve")
            explain = ThreadPoolExecutor(1, thread_name_prefix="sadtui-explain")
            self._pools = [resolve, explain]
            self._control.attach(loop, resolve, explain)
            for fn, args in self._waiting:
                loop.call_soon(self._control.run, fn, args)
            self._waiting.clear()
            self._loop = loop
            self._thread = threading.Thread(target=self._run_loop, args=(loop,), name="sadtui-engine", daemon=True)
            self._outbox.start()
            self._thread.start()
        resolve.submit(self._warm_up)

    def open_player(self) -> None:
        """Create mpv now, before start(), so a bad --mpv-option is found at once.

        Raises PlayerError (``usage=True`` for a bad option)."""
        with self._lock:
            if self._started or self._closed:
                raise RuntimeError("open_player() is for before start()")
            self._control.open_player()  # no control loop yet: this thread is the owner

    def shutdown(self, timeout: float = 4.0) -> None:
        """Stop everything (mpv, the pools, the keeping of songs it started); returns
        within about `timeout` seconds whatever mpv does.  Safe at any time (before
        start() too), from any thread, more than once."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._waiting.clear()
            loop, thread = self._loop, self._thread
        deadline = time.monotonic() + timeout
        self._stop_keeping(deadline, wait=False)  # first, so it stops before it starts yt-dlp
        for pool in self._pools:
            pool.shutdown(wait=False, cancel_futures=True)
        if loop is None:
            self.player.terminate(timeout=timeout)
        else:
            try:
                loop.call_soon_threadsafe(self._stop_loop, loop)
            except RuntimeError:  # already closed
                log.debug("engine: control loop already closed")
            if thread is not None and thread is not threading.current_thread():
                thread.join(timeout)  # the control thread terminates mpv itself
        self._stop_keeping(deadline)
        self._outbox.close()

    def _stop_keeping(self, deadline: float, *, wait: bool = True) -> None:
        """Cancel the keeping the engine started (songs played to their end) and wait for
        it within the shutdown's time: a download cut off as the process exits would
        leave its pieces behind, or be inside OpenSSL as the interpreter tears down."""
        stop = getattr(self.library, "stop_keeping", None)
        if not callable(stop):
            return
        try:
            if not stop(timeout=max(0.0, deadline - time.monotonic()) if wait else 0.0) and wait:
                log.info("engine: a song was still being kept at shutdown")
        except Exception:  # noqa: BLE001 - shutting down goes on
            log.exception("engine: stopping the keeping failed")

    def _run_loop(self, loop: Any) -> None:
        try:
            loop.run_forever()
        finally:
            self._control.closed = True
            try:
                self.player.terminate(timeout=3.0)
            finally:
                loop.close()

    def _stop_loop(self, loop: Any) -> None:
        self._control.close()
        loop.stop()

    def _warm_up(self) -> None:
        """On a pool thread: is playback possible at all, then yt-dlp's first-use cost."""
        check = getattr(self.player, "check_available", None)
        if callable(check):
            problem = check()
            if problem:
                self._control.post(self._control.set_unavailable, problem)
        if not self.warm_up:
            return
        try:
            self.resolver.warm_up()
        except Exception:  # noqa: BLE001 - resolving reports it later
            log.warning("engine: yt-dlp warm-up failed", exc_info=True)

    def _on_player_event(self, event: PlayerEvent) -> None:
        """mpv's event thread: hand the event to the control loop, nothing else."""
        self._control.post(self._control.on_player_event, event)

    def _command(self, fn: Callable[..., Any], *args: Any) -> None:
        """Hand a command to the control loop (kept until start(); dropped after shutdown())."""
        with self._lock:
            if self._closed:
                return
            if self._loop is None:
                self._waiting.append((fn, args))
                return
            try:
                self._loop.call_soon_threadsafe(self._control.run, fn, args)
            except RuntimeError:  # the loop is closing
                log.debug("engine: command after the loop closed, dropped")

    @property
    def status(self) -> Status:
        return self._control.status

    # ================================================================ public controls

    def play(self, rank: int, start: float | None = None) -> None:
        """Play the song with this rank (as asked by a person: a failure stays on screen),
        from `start` seconds when given (resuming where it stopped)."""
        self._control.song(rank)  # an unknown rank is the caller's mistake: raise ValueError now
        self._command(self._control.play, rank, self._tickets.take(), None if start is None else float(start))

    def restore(self, *, volume: int | None = None, muted: bool | None = None, order: Order | None = None,
                repeat: Repeat | None = None) -> None:
        """Start with remembered settings (None: keep as is); before or after start()."""
        with self._lock:
            if order is not None:
                self._order_asked = order
            if repeat is not None:
                self._repeat_asked = repeat
        self._command(self._control.restore, volume, muted, order, repeat)

    def play_queue(self) -> None:
        """Play the queue given to the constructor from its start (failures move on)."""
        if not self.queue:
            raise ValueError("this engine has no queue")
        self._command(self._control.play_queue)

    def toggle_pause(self) -> None:
        self._command(self._control.toggle_pause)

    def stop(self) -> None:
        self._tickets.take()  # a play queued before this stop never starts
        self._command(self._control.stop)

    def next(self) -> None:
        self._command(self._control.step, +1, self._tickets.take())

    def previous(self) -> None:
        self._command(self._control.step, -1, self._tickets.take())

    def seek(self, seconds: float, relative: bool = True) -> None:
        self._command(self._control.seek, float(seconds), bool(relative))

    def change_volume(self, delta: int) -> None:
        self._command(self._control.change_volume, int(delta))

    def toggle_mute(self) -> None:
        self._command(self._control.toggle_mute)

    def cycle_order(self) -> Order:
        """The next order (rank, countdown, shuffle); returns it."""
        with self._lock:
            order = self._order_asked = self._order_asked.next()
        self._command(self._control.set_order, order)
        return order

    def audio_devices(self) -> Future[list[tuple[str, str]]]:
        """mpv's audio outputs and devices, (name, description) pairs, in a Future
        (the control loop asks mpv; it opens mpv if it is not open yet)."""
        result: Future[list[tuple[str, str]]] = Future()
        self._command(self._control.audio_devices, result)
        return result

    def set_audio_device(self, name: str) -> None:
        """Play through this device from now on (a name from audio_devices())."""
        self._command(self._control.set_audio_device, str(name))

    def set_sleep(self, mode: str) -> str:
        """The sleep timer: "off", "song" (the end of this song) or minutes ("15");
        returns it.  Raises ValueError for anything else."""
        mode = str(mode).strip()
        if mode not in ("off", "song"):
            try:
                minutes = float(mode)
            except ValueError:
                raise ValueError(f"not a sleep time: {mode!r}") from None
            if not 0 < minutes <= 24 * 60:
                raise ValueError(f"not a sleep time: {mode!r}")
            mode = f"{minutes:g}"
        with self._lock:
            self._sleep_asked = mode
            self._sleeps_seen = self._control.sleeps_over
        self._command(self._control.set_sleep, mode)
        return mode

    def cycle_sleep(self) -> str:
        """The next sleep timer: off, end of this song, 15, 30, 45, 60 minutes; returns it."""
        with self._lock:
            # Ran out since it was set: the cycle starts over from off.
            asked = self._sleep_asked if self._control.sleeps_over == self._sleeps_seen else "off"
        cycle = list(SLEEP_CYCLE)
        return self.set_sleep(cycle[(cycle.index(asked) + 1) % len(cycle)] if asked in cycle else "off")

    def cycle_repeat(self) -> Repeat:
        """The next repeat mode (off, one, all); returns it."""
        with self._lock:
            repeat = self._repeat_asked = self._repeat_asked.next()
        self._command(self._control.set_repeat, repeat)
        return repeat
