"""Textual messages that carry the playback engine's events into the app.

The engine calls ``notify(event)`` from its own threads (and from mpv's event
thread).  The app's notify callback only wraps the event in one of these and
``post_message``s it (thread-safe, never blocks); the handlers then run on the UI
thread.  Position updates arrive several times a second: consecutive ones in the
queue collapse into the newest (``can_replace``).
"""

from __future__ import annotations

from typing import Any

from textual.message import Message

from sadtui.services.events import (
    EngineEvent,
    PlaybackEnded,
    PositionChanged,
    SongFailed,
    SongFinished,
    Status,
    StatusChanged,
)


class EngineStatus(Message):
    """A full snapshot of the player's state."""

    def __init__(self, status: Status) -> None:
        super().__init__()
        self.status = status


class EnginePosition(Message):
    """Where the current song is; only the newest of a run of these is handled."""

    def __init__(self, rank: int | None, position: float, duration: float | None) -> None:
        super().__init__()
        self.rank = rank
        self.position = position
        self.duration = duration

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, EnginePosition)


class EngineSongFailed(Message):
    def __init__(self, rank: int, title: str, message: str) -> None:
        super().__init__()
        self.rank = rank
        self.title = title
        self.message = message


class EngineSongFinished(Message):
    def __init__(self, rank: int) -> None:
        super().__init__()
        self.rank = rank


class EnginePlaybackEnded(Message):
    """Nothing more plays until asked: "done", or "failures" (every song failed)."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class EngineReady(Message):
    """The engine was created (in a background thread) and may be started."""

    def __init__(self, engine: Any) -> None:
        super().__init__()
        self.engine = engine


class EngineUnavailable(Message):
    """The engine could not be created; the app stays open for reading."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


def to_message(event: EngineEvent) -> Message | None:
    """Wrap one engine event; None for anything unknown (ignored, never a crash)."""
    if isinstance(event, PositionChanged):
        return EnginePosition(event.rank, event.position, event.duration)
    if isinstance(event, StatusChanged):
        return EngineStatus(event.status)
    if isinstance(event, SongFailed):
        return EngineSongFailed(event.rank, event.title, event.message)
    if isinstance(event, SongFinished):
        return EngineSongFinished(event.rank)
    if isinstance(event, PlaybackEnded):
        return EnginePlaybackEnded(event.reason)
    return None
