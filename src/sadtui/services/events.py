"""Plain events that the playback engine reports (no Textual in here).

The engine calls its ``notify`` callback with these from its own threads (and
from mpv's event thread).  The callback must only hand the event on (the TUI
wraps it in a Textual ``Message`` and ``post_message``s it; the CLI puts it on a
queue); it must never block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class State(str, Enum):  # noqa: UP042 - StrEnum would change str() of the members
    IDLE = "idle"  # nothing played yet
    RESOLVING = "resolving"  # yt-dlp is finding the stream
    BUFFERING = "buffering"  # mpv is opening / filling its cache
    PLAYING = "playing"
    PAUSED = "paused"
    STOPPED = "stopped"
    ERROR = "error"


class Order(str, Enum):  # noqa: UP042 - StrEnum would change str() of the members
    RANK = "rank"  # 1 to N
    COUNTDOWN = "countdown"  # N to 1
    SHUFFLE = "shuffle"

    def next(self) -> Order:
        members = list(Order)
        return members[(members.index(self) + 1) % len(members)]


class Repeat(str, Enum):  # noqa: UP042 - StrEnum would change str() of the members
    OFF = "off"
    ONE = "one"
    ALL = "all"

    def next(self) -> Repeat:
        members = list(Repeat)
        return members[(members.index(self) + 1) % len(members)]


@dataclass(frozen=True, slots=True)
class Status:
    """A full snapshot of what the engine is doing; sent whenever any of it changes."""

    state: State = State.IDLE
    rank: int | None = None  # the current song, if any
    title: str | None = None
    position: float | None = None  # seconds
    duration: float | None = None  # seconds
    # When `position` was true, on the engine's clock (time.monotonic unless a test gives it
    # another): mpv's time-pos is stamped as it arrives, before it crosses threads to a
    # consumer, so a consumer can tell where playback is now (lyrics: the line sung now).
    # Not compared: the same status at another moment is the same status.
    position_at: float | None = field(default=None, compare=False)
    volume: int = 100  # 0..130
    muted: bool = False
    order: Order = Order.RANK
    repeat: Repeat = Repeat.OFF
    error: str | None = None  # the last failure, one line, when state is ERROR
    # What recording plays (from the resolver, once known): shown on the now-playing card.
    recording_title: str | None = None
    recording_channel: str | None = None
    recording_page: str | None = None  # the page (or media URL) it was found from
    thumbnail: str | None = None  # the recording's artwork URL (http(s)), when the source has one
    from_disk: bool = False  # played from the offline library, not streamed
    # The sleep timer: "off", "song" (end of this song) or minutes; seconds left when timed.
    sleep: str = "off"
    sleep_left: float | None = None
    up_next: int | None = None  # the rank that plays after this one ends, in the play order


@dataclass(frozen=True, slots=True)
class StatusChanged:
    status: Status


@dataclass(frozen=True, slots=True)
class PositionChanged:
    """Frequent (several a second) while playing; consumers may drop all but the newest."""

    rank: int | None
    position: float
    duration: float | None
    at: float | None = None  # when `position` was true, on the engine's clock (as Status.position_at)


@dataclass(frozen=True, slots=True)
class SongFailed:
    """One line a person can act on, e.g. 'HTTP 404 from 127.0.0.1'."""

    rank: int
    title: str
    message: str


@dataclass(frozen=True, slots=True)
class SongFinished:
    """A song played to its end (not stopped, not failed)."""

    rank: int


@dataclass(frozen=True, slots=True)
class PlaybackEnded:
    """Nothing more will play until asked: the play order ran out (repeat off), the
    queue given to the engine is done, or every song in a row failed."""

    reason: str = "done"  # "done" (ran out) or "failures" (gave up after every song failed)


EngineEvent = StatusChanged | PositionChanged | SongFailed | SongFinished | PlaybackEnded
