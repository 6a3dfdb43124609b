"""What the player hands out: :class:`PlayerError` and the events (plain values), and the
part of :class:`sadtui.services.player.Player` that runs on python-mpv's event thread and
turns libmpv's events into them.

Those callbacks only copy plain values into :class:`PlayerEvent` objects and hand them to
``notify``; they never block.  Redirects: when mpv replaces an entry by what a .pls/.m3u
lists (end reason "redirect"), the first new entry's events carry the original entry's id,
so the caller follows "its" entry unchanged; the playlist's later entries never play.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sadtui.model.text import safe_text
from sadtui.services.logs import log

__all__ = [
    "FileEnded", "FileLoaded", "FileStarted", "PlayerError", "PlayerEvent", "PlayerEvents", "PlayerShutdown",
    "PropertyChanged",
]


def _end_reasons() -> dict[int, str]:
    import mpv

    e = mpv.MpvEventEndFile
    return {e.EOF: "eof", e.RESTARTED: "stop", e.ABORTED: "stop", e.QUIT: "quit", e.ERROR: "error", e.REDIRECT: "redirect"}


class PlayerError(Exception):
    """Playback cannot start; ``usage`` means a bad --mpv-option (exit status 2)."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


# ---------------------------------------------------------------- events (plain values)


@dataclass(frozen=True, slots=True)
class FileStarted:
    entry: int


@dataclass(frozen=True, slots=True)
class FileLoaded:
    entry: int


@dataclass(frozen=True, slots=True)
class FileEnded:
    entry: int
    reason: str  # eof, stop, quit, error, redirect
    error: int  # mpv error code (0 when none)


@dataclass(frozen=True, slots=True)
class PropertyChanged:
    name: str
    value: Any


@dataclass(frozen=True, slots=True)
class PlayerShutdown:
    pass


PlayerEvent = FileStarted | FileLoaded | FileEnded | PropertyChanged | PlayerShutdown



class PlayerEvents:
    """mpv's event thread, for :class:`~sadtui.services.player.Player` (which provides the
    attributes declared here, and ``_on_hook`` and ``_line``)."""

    _notify: Callable[[PlayerEvent], None] | None
    _last_started: int | None
    _alias: dict[int, int]
    _redirect_ended: set[int]
    _leftovers: set[int]
    _end_reasons: dict[int, str]
    _end_reason_names: dict[int, str]

    def _send(self, event: PlayerEvent) -> None:
        notify = self._notify
        if notify is not None:
            try:
                notify(event)
            except Exception:  # noqa: BLE001 - never break mpv's event thread
                log.exception("player event handler failed")

    def _on_event(self, event: Any) -> None:
        import mpv

        try:
            eid = int(event.event_id.value)
            ids = mpv.MpvEventID
            if eid == ids.START_FILE:
                self._on_start_file(int(event.data.playlist_entry_id))
            elif eid == ids.FILE_LOADED:  # belongs to the latest start-file
                if self._last_started is not None and self._last_started not in self._leftovers:
                    self._send(FileLoaded(self._alias.get(self._last_started, self._last_started)))
            elif eid == ids.END_FILE:
                self._on_end_file(event.data)
            elif eid == ids.HOOK:
                self._on_hook(event.data)
            elif eid == ids.SHUTDOWN:
                self._send(PlayerShutdown())
        except Exception:  # noqa: BLE001 - never break mpv's event thread
            log.exception("handling an mpv event")

    def _on_start_file(self, entry: int) -> None:
        self._last_started = entry
        if entry not in self._alias and self._is_redirect_leftover(entry):
            self._leftovers.add(entry)  # the hook refuses it; nobody asked for it: no events
            return
        self._send(FileStarted(self._alias.get(entry, entry)))

    def _on_end_file(self, data: Any) -> None:
        entry = int(data.playlist_entry_id)
        reason = self._end_reason_names.get(int(data.reason), "error")
        if entry in self._leftovers:
            self._leftovers.discard(entry)
            return
        original = self._alias.get(entry, entry)
        if reason == "redirect":
            # mpv replaced the entry by what the .pls/.m3u lists: follow the first new entry
            # as the same song (later ones never play: the hook refuses them).
            first, count = int(data.playlist_insert_id), int(data.playlist_insert_num_entries)
            if first > 0 and count > 0:
                self._alias[first] = original
                self._line(f"[sadtui] v: entry {entry} redirected: following entry {first} as entry {original}")
                if len(self._alias) > 200:
                    for old in sorted(self._alias)[:-50]:
                        self._alias.pop(old, None)
                return  # the song goes on: the engine sees no end
            reason = "error"  # a playlist with nothing (allowed) in it: nothing will play
        elif entry != original:
            self._redirect_ended.add(original)
            if len(self._redirect_ended) > 200:
                self._redirect_ended.clear()
        self._end_reasons[original] = reason
        self._send(FileEnded(original, reason, int(data.error)))

    def _on_property(self, name: str, value: Any) -> None:
        if isinstance(value, str):
            value = safe_text(value)
        elif value is not None and not isinstance(value, (bool, int, float)):
            value = safe_text(str(value))
        self._send(PropertyChanged(name, value))

