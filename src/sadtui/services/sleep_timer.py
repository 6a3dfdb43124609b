"""The sleep timer: stop at the end of this song, or after some minutes, fading out over
the last :data:`SLEEP_FADE` seconds (the app stays open).

A part of :class:`sadtui.services.control.Control` (it runs on the control thread only,
like the rest of it), kept apart to keep each module short.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sadtui.services.clock import Clock
from sadtui.services.events import EngineEvent, PlaybackEnded, State, Status

SLEEP_FADE = 10.0  # seconds: the sleep timer's fade-out


class SleepTimer:
    """The sleep timer, for Control (which provides the attributes and the methods
    declared here)."""

    player: Any
    clock: Clock
    status: Status
    emit: Callable[[EngineEvent], None]
    player_ready: bool
    sleep_deadline: float | None
    sleep_tick: asyncio.TimerHandle | None
    faded: bool
    sleeps_over: int

    if TYPE_CHECKING:
        def set(self, **fields: Any) -> None: ...
        def later(self, delay: float, fn: Callable[..., Any], *args: Any) -> asyncio.TimerHandle: ...
        def stop(self) -> None: ...
        def apply_volume(self) -> None: ...


    def set_sleep(self, mode: str) -> None:
        """"off", "song" (stop at the end of this song) or minutes ("15"): the last
        SLEEP_FADE seconds fade out, then playback stops (the app stays open)."""
        if self.sleep_tick is not None:
            self.sleep_tick.cancel()
            self.sleep_tick = None
        self.unfade()
        if mode == "off":
            self.sleep_deadline = None
            self.set(sleep="off", sleep_left=None)
            return
        if mode == "song":
            self.sleep_deadline = None
            self.set(sleep="song", sleep_left=self.song_left())
        else:
            minutes = float(mode)
            self.sleep_deadline = self.clock.now() + minutes * 60
            self.set(sleep=mode, sleep_left=minutes * 60)
        self.sleep_tick = self.later(0.0, self.on_sleep_tick)

    def song_left(self) -> float | None:
        status = self.status
        if status.duration is None or status.position is None or status.state not in (State.PLAYING, State.BUFFERING):
            return None
        return max(0.0, status.duration - status.position)

    def on_sleep_tick(self) -> None:
        self.sleep_tick = None
        if self.status.sleep == "off":
            return
        left = self.song_left() if self.sleep_deadline is None else self.sleep_deadline - self.clock.now()
        if left is not None and left <= 0 and self.sleep_deadline is not None:
            self.sleep_over()
            return
        self.set(sleep_left=None if left is None else max(0.0, round(left)))
        if left is not None and left <= SLEEP_FADE:
            self.fade(left / SLEEP_FADE)
        elif self.faded:
            self.unfade()
        step = 1.0 if left is None or left > SLEEP_FADE + 1 else 0.25
        if left is not None and left > SLEEP_FADE + 1:
            step = min(1.0, left - SLEEP_FADE)
        self.sleep_tick = self.later(step, self.on_sleep_tick)

    def fade(self, factor: float) -> None:
        if self.player_ready and not self.status.muted:
            self.faded = True
            self.player.set_volume(int(self.status.volume * max(0.0, min(1.0, factor))))

    def unfade(self) -> None:
        if self.faded:
            self.faded = False
            self.apply_volume()

    def sleep_over(self) -> None:
        """The sleep timer ran out: stop, and put the volume back for next time."""
        if self.sleep_tick is not None:
            self.sleep_tick.cancel()
            self.sleep_tick = None
        self.sleep_deadline = None
        self.sleeps_over += 1
        self.stop()
        self.unfade()
        self.set(sleep="off", sleep_left=None)
        self.emit(PlaybackEnded("sleep"))
