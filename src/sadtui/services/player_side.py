"""The control loop's side facing mpv: its events, the volume, the audio device, why a song ended.

A part of :class:`sadtui.services.control.Control` (it runs on the control
thread only, like the rest of it), kept apart to keep each module short.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sadtui.model.playlist import Song
from sadtui.services.clock import Clock
from sadtui.services.events import EngineEvent, PositionChanged, State, Status
from sadtui.services.logs import log
from sadtui.services.player import FileEnded, FileLoaded, PlayerEvent, PlayerShutdown, PropertyChanged
from sadtui.services.playorder import PlayOrder
from sadtui.services.requests import Request, explain_later, volume

POSITION_INTERVAL = 0.2  # seconds between PositionChanged events


class PlayerSide:
    """mpv's events and settings, for Control (which provides the attributes and the
    methods declared here)."""

    player: Any
    resolver: Any
    order: PlayOrder
    clock: Clock
    status: Status
    req: Request | None
    emit: Callable[[EngineEvent], None]
    explain_pool: Executor | None
    fail_streak: int
    mpv_paused: bool
    paused_for_cache: bool
    player_ready: bool
    volume_adopted: bool
    volume_set: bool
    last_position_emit: float
    audio_started: bool
    loop: asyncio.AbstractEventLoop | None

    if TYPE_CHECKING:  # not at run time: they would hide the other parts' methods
        def set(self, **fields: Any) -> None: ...
        def post(self, fn: Callable[..., Any], *args: Any) -> None: ...
        def retire(self, req: Request) -> None: ...
        def resolve(self, req: Request) -> None: ...
        def fail(self, req: Request, message: str) -> None: ...
        def finished(self, req: Request) -> None: ...
        def song(self, rank: int) -> Song: ...
        def drop_kept(self, req: Request) -> None: ...
        def offline_message(self, req: Request, message: str) -> str: ...

    def open_player(self) -> None:
        self.player.open()
        self.player_ready = True
        device = getattr(self, "audio_device", None)
        if device:
            self.player.set_audio_device(device)
        if not self.volume_adopted:
            # The first mpv starts at the volume and mute of the person's mpv options
            # (`--mpv-option volume=60`): the status takes them over, unless the
            # volume was changed before mpv was up.
            self.volume_adopted = True
            mpv_volume, muted = self.player.volume_and_mute()
            changes: dict[str, Any] = {}
            if mpv_volume is not None:
                changes["volume"] = volume(mpv_volume)
            if muted is not None:
                changes["muted"] = muted
            if changes and not self.volume_set:
                self.set(**changes)
        self.apply_volume()

    def apply_volume(self) -> None:
        if self.player_ready:
            self.player.set_volume(self.status.volume)
            self.player.set_mute(self.status.muted)

    def player_stop(self) -> None:
        if self.player.is_open:
            self.player.stop()

    def on_player_event(self, event: PlayerEvent) -> None:
        if isinstance(event, PropertyChanged):
            self.on_property(event.name, event.value)
            return
        if isinstance(event, PlayerShutdown):
            self.on_player_shutdown()
            return
        req = self.req
        if req is None or req.done or req.entry is None or getattr(event, "entry", None) != req.entry:
            return
        if isinstance(event, FileLoaded):
            req.loaded = True
            if req.watchdog is not None:
                req.watchdog.cancel()
            self.fail_streak = 0
            state = State.PAUSED if self.mpv_paused else (State.BUFFERING if self.paused_for_cache else State.PLAYING)
            start, req.start = req.start, None  # resuming: begin where it stopped
            if start is not None and (self.status.duration is None or start < self.status.duration - 1.0):
                self.player.seek(start, False)
                req.resume_at = start
            else:
                start = None
            self.set(state=state, position=start or 0.0)
            self.last_position_emit = 0.0
            self.audio_started = False
            self.prefetch_after(req)
        elif isinstance(event, FileEnded):
            self.on_file_ended(req, event)

    def on_file_ended(self, req: Request, event: FileEnded) -> None:
        if event.reason in ("stop", "redirect"):
            return  # we replaced or stopped it
        if event.reason == "quit":
            self.retire(req)
            self.set(state=State.STOPPED, position=None)
            return
        explain_later(
            self.player, self.explain_pool, event.entry, done=lambda message: self.post(self.explained, req, event, message),
            url=getattr(req.resolved, "url", "") or "", reason=event.reason, error=event.error,
            position=self.status.position, duration=self.status.duration, seeked_to_end=req.seeked_to_end,
        )

    def explained(self, req: Request, event: FileEnded, message: str | None) -> None:
        """The player's word on why `req` ended (None: it played to its end)."""
        if req.done or req is not self.req:
            return  # a newer request came meanwhile
        if message is None and event.reason == "eof":
            self.finished(req)
            return
        message = message or "mpv could not play it"
        if req.from_disk and not req.disk_failed:
            # A kept file that fails to play (truncated, corrupt): drop it and stream, silently.
            log.info("engine: the kept file of #%s failed (%s): dropped", req.rank, message)
            self.drop_kept(req)
            req.entry = None
            req.loaded = False
            self.set(state=State.RESOLVING, position=None, from_disk=False)
            self.resolve(req)
            return
        if getattr(req.resolved, "from_cache", False) and not req.retried:
            # A cached stream URL that no longer works: resolve it again, once, silently.
            req.retried = True
            req.entry = None
            req.loaded = False
            try:
                self.resolver.invalidate(req.song)
            except Exception:  # noqa: BLE001 - resolving again reports what matters
                log.warning("engine: could not forget the cached stream of #%s", req.rank, exc_info=True)
            self.set(state=State.RESOLVING, position=None)
            self.resolve(req)
            return
        self.fail(req, self.offline_message(req, message))

    def prefetch_after(self, req: Request) -> None:
        target = self.order.after(req.rank, req.queue_index, after_failure=False)
        if target is None or target.rank == req.rank:
            return
        try:
            self.resolver.prefetch(self.song(target.rank))
        except Exception:  # noqa: BLE001 - the real request reports any problem
            log.warning("engine: prefetch of #%s failed", target.rank, exc_info=True)

    def on_property(self, name: str, value: Any) -> None:
        req = self.req
        active = req is not None and not req.done and req.loaded
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if name == "time-pos":
            if not active or not number:
                return
            if req.resume_at is not None:  # resuming: mpv reports 0 until its seek is done
                if value < req.resume_at - 1.0:
                    return
                req.resume_at = None
            now = self.clock.now()  # stamped here, before the position crosses threads to the UI
            self.status = replace(self.status, position=float(value), position_at=now)
            first_audio = value > 0 and not self.audio_started
            if first_audio:
                self.audio_started = True
            # While paused time-pos moves only when seeking: send each one, or the
            # last of a quick run of seeks would be dropped and the bar stay behind.
            if first_audio or self.mpv_paused or now - self.last_position_emit >= POSITION_INTERVAL:
                self.last_position_emit = now
                self.emit(PositionChanged(self.status.rank, float(value), self.status.duration, now))
        elif name == "duration":
            if active and number and value > 0:
                self.set(duration=float(value))
        elif name == "pause":
            self.mpv_paused = bool(value)
            self.sync_state(active)
        elif name == "paused-for-cache":
            self.paused_for_cache = bool(value)
            self.sync_state(active)
        # volume and mute: the engine is the only one who changes them; its status leads.

    def sync_state(self, active: bool) -> None:
        if not active or self.status.state not in (State.PLAYING, State.PAUSED, State.BUFFERING):
            return
        if self.mpv_paused:
            self.set(state=State.PAUSED)
        else:
            self.set(state=State.BUFFERING if self.paused_for_cache else State.PLAYING)

    def on_player_shutdown(self) -> None:
        """mpv's core went away (e.g. an option made it quit): start a new one next time."""
        self.player_ready = False
        self.player.terminate(timeout=1.0)
        req = self.req
        if req is not None and not req.done:
            self.fail(req, "mpv stopped unexpectedly (see the player log)")

    # ================================================================ audio devices

    def audio_devices(self, result: Future[Any]) -> None:
        try:
            if not self.player.is_open:
                self.open_player()
            devices = self.player.audio_devices()
        except Exception as exc:  # noqa: BLE001 - the caller shows it
            log.warning("engine: listing the audio devices failed", exc_info=True)
            result.set_exception(exc)
            return
        result.set_result(devices)

    def set_audio_device(self, name: str) -> None:
        self.audio_device = name
        if self.player.is_open:
            self.player.set_audio_device(name)
