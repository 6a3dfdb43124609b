"""A stand-in for sadtui.services.engine.PlaybackEngine, for UI unit tests.

It implements the engine contract (non-blocking methods, a `status` property,
events sent through `notify`), records every call, and — like the real engine —
calls `notify` from another thread, so the app's thread-safe message path is
exercised.  It never makes a sound.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from typing import Any

from sadtui.model.playlist import Playlist
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

DEFAULT_DURATION = 200.0


class FakeEngine:
    def __init__(
        self,
        playlist: Playlist,
        notify: Callable[[EngineEvent], None],
        *,
        mpv_options: tuple[str, ...] = (),
        threaded: bool = True,
        fail: dict[int, str] | None = None,
        start_error: Exception | None = None,
    ) -> None:
        self.playlist = playlist
        self.notify = notify
        self.mpv_options = mpv_options
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.fail = dict(fail or {})  # rank -> failure message
        self.start_error = start_error
        self.started = False
        self.shut_down = False
        self._status = Status()
        self._threaded = threaded
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.notify_threads: set[str] = set()

    # ------------------------------------------------------------------ plumbing

    def _pump(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            if isinstance(event, _Marker):
                event.done.set()
                continue
            self.notify_threads.add(threading.current_thread().name)
            self.notify(event)

    def emit(self, event: EngineEvent) -> None:
        """Send an event the way the real engine does: from another thread."""
        if self._threaded and self._thread is not None:
            self._queue.put(event)
        else:
            self.notify(event)

    def _set(self, **fields: Any) -> Status:
        if "position_at" not in fields and ("position" in fields or fields.get("state") is State.PLAYING):
            fields["position_at"] = None  # like the engine: true now (unstamped: when it arrives)
        self._status = replace(self._status, **fields)
        self.emit(StatusChanged(self._status))
        return self._status

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))

    def called(self, name: str) -> list[tuple[Any, ...]]:
        return [args for call, args in self.calls if call == name]

    # ------------------------------------------------------------------ contract

    @property
    def status(self) -> Status:
        return self._status

    def start(self) -> None:
        self._record("start")
        if self.start_error is not None:
            raise self.start_error
        self.started = True
        if self._threaded:
            self._thread = threading.Thread(target=self._pump, name="fake-engine-events", daemon=True)
            self._thread.start()

    def play(self, rank: int, start: float | None = None) -> None:
        if start is None:
            self._record("play", rank)
        else:
            self._record("play", rank, start)
        song = self.playlist.song(rank)
        title = song.title if song else f"rank {rank}"
        self._set(state=State.RESOLVING, rank=rank, title=title, position=None, duration=None, error=None)
        if rank in self.fail:
            message = self.fail[rank]
            self._set(state=State.ERROR, error=message)
            self.emit(SongFailed(rank, title, message))
            return
        ranks = [song.rank for song in self.playlist.songs]
        after = ranks[ranks.index(rank) + 1] if rank in ranks and ranks.index(rank) + 1 < len(ranks) else None
        self._set(state=State.PLAYING, position=start or 0.0, duration=DEFAULT_DURATION, up_next=after,
                  recording_title=f"{title} (official audio)", recording_channel="A Channel")

    def restore(self, *, volume: int | None = None, muted: bool | None = None, order: Order | None = None,
                repeat: Repeat | None = None) -> None:
        self._record("restore", volume, muted, order, repeat)
        changes = {key: value for key, value in
                   (("volume", volume), ("muted", muted), ("order", order), ("repeat", repeat)) if value is not None}
        self._set(**changes)

    def toggle_pause(self) -> None:
        self._record("toggle_pause")
        if self._status.state is State.PLAYING:
            self._set(state=State.PAUSED)
        elif self._status.state is State.PAUSED:
            self._set(state=State.PLAYING)

    def stop(self) -> None:
        self._record("stop")
        self._set(state=State.STOPPED, position=None)

    def _step(self, delta: int) -> None:
        """Like the real engine (repeat off, rank order): `p` past 3 s or on the first
        song restarts it; `n` on the last ends the list."""
        ranks = [song.rank for song in self.playlist.songs]
        status = self._status
        if status.rank is None or status.rank not in ranks:
            target = ranks[0]
        else:
            if delta < 0 and status.state in (State.PLAYING, State.PAUSED) and (status.position or 0) > 3:
                self._set(position=0.0)
                return
            index = ranks.index(status.rank) + delta
            if index >= len(ranks) and status.repeat is Repeat.OFF:
                self._set(state=State.STOPPED, position=None)
                self.emit(PlaybackEnded("done"))
                return
            target = ranks[max(index, 0) % len(ranks)]
        self.play(target)
        self.calls.pop()  # play() recorded itself; keep only next/previous

    def next(self) -> None:
        self._record("next")
        self._step(+1)

    def previous(self) -> None:
        self._record("previous")
        self._step(-1)

    def seek(self, seconds: float, relative: bool = True) -> None:
        self._record("seek", seconds, relative)
        base = (self._status.position or 0.0) if relative else 0.0
        duration = self._status.duration or DEFAULT_DURATION
        self._set(position=min(max(base + seconds, 0.0), duration))

    def change_volume(self, delta: int) -> None:
        self._record("change_volume", delta)
        self._set(volume=min(max(self._status.volume + delta, 0), 130))

    def toggle_mute(self) -> None:
        self._record("toggle_mute")
        self._set(muted=not self._status.muted)

    def cycle_order(self) -> Order:
        self._record("cycle_order")
        return self._set(order=self._status.order.next()).order

    def cycle_repeat(self) -> Repeat:
        self._record("cycle_repeat")
        return self._set(repeat=self._status.repeat.next()).repeat

    _devices: list[tuple[str, str]] = [("auto", "Autoselect device"), ("alsa/hdmi", "HDMI"), ("null", "No sound")]

    def audio_devices(self) -> Future[list[tuple[str, str]]]:
        self._record("audio_devices")
        result: Future[list[tuple[str, str]]] = Future()
        result.set_result(list(self._devices))
        return result

    def set_audio_device(self, name: str) -> None:
        self._record("set_audio_device", name)

    def set_sleep(self, mode: str) -> str:
        self._record("set_sleep", mode)
        left = float(mode) * 60 if mode not in ("off", "song") else None
        self._set(sleep=mode, sleep_left=left)
        return mode

    def cycle_sleep(self) -> str:
        self._record("cycle_sleep")
        cycle = ["off", "song", "15", "30", "45", "60"]
        mode = cycle[(cycle.index(self._status.sleep) + 1) % len(cycle)] if self._status.sleep in cycle else "off"
        self._set(sleep=mode, sleep_left=float(mode) * 60 if mode not in ("off", "song") else None)
        return mode

    def shutdown(self) -> None:
        self._record("shutdown")
        self.shut_down = True
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=2)

    # ------------------------------------------------------------------ simulation

    def progress(self, position: float, duration: float | None = DEFAULT_DURATION, *, count: int = 1,
                 at: float | None = None) -> None:
        """A burst of position updates ending at `position` (the app keeps the newest); `at`:
        when mpv reported it, on the UI's clock (the real engine stamps time.monotonic)."""
        for i in range(count, 0, -1):
            self.emit(PositionChanged(self._status.rank, position - (i - 1) * 0.1, duration, at if i == 1 else None))
        self._status = replace(self._status, position=position, duration=duration, position_at=at)

    def finish(self) -> None:
        rank = self._status.rank
        if rank is not None:
            self.emit(SongFinished(rank))

    def drain(self, timeout: float = 2.0) -> None:
        """Wait until every queued event has been handed to notify."""
        if self._thread is None:
            return
        done = threading.Event()
        self._queue.put(_Marker(done))  # type: ignore[arg-type]
        done.wait(timeout)


class _Marker:
    def __init__(self, done: threading.Event) -> None:
        self.done = done


class FactoryRecorder:
    """engine_factory for the app that keeps the engine it made."""

    def __init__(self, **options: Any) -> None:
        self.options = options
        self.engine: FakeEngine | None = None
        self.created_on: str | None = None

    def __call__(self, playlist: Playlist, notify: Callable[[EngineEvent], None]) -> FakeEngine:
        self.created_on = threading.current_thread().name
        self.engine = FakeEngine(playlist, notify, **self.options)
        return self.engine
