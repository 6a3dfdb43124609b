"""Small parts of the engine: one request to play a song, command tickets, and
the player's failure explanation off the control thread."""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sadtui.model.playlist import Song
from sadtui.model.text import safe_line
from sadtui.services.logs import log

VOLUME_MAX = 130


@dataclass(eq=False)
class Request:
    """One attempt to play one song (a new one for every play/next/auto-advance)."""

    song: Song
    auto: bool  # reached by auto-advance or a queue: a failure moves on
    queue_index: int | None
    requested_at: float  # on the engine's clock
    ticket: int  # the newest command when it was made (see Tickets)
    resolved: Any = None  # resolver.Resolved
    future: Future[Any] | None = None  # its resolution (shared by every request for the song)
    watchdog: asyncio.TimerHandle | None = None  # reports it if it has not started in time
    entry: int | None = None  # mpv's playlist entry id
    loaded: bool = False
    retried: bool = False
    seeked_to_end: bool = False
    from_disk: bool = False  # playing its kept file (the library of kept audio)
    disk_failed: bool = False  # its kept file failed to play: dropped, resolved again
    start: float | None = None  # where to begin (seconds), e.g. resuming where it stopped
    resume_at: float | None = None  # that seek is under way: earlier positions are mpv's pre-seek ones
    done: bool = False  # finished, failed, stopped or replaced: anything late is ignored

    @property
    def rank(self) -> int:
        return self.song.rank


class Tickets:
    """Numbers the commands that choose a song (play, next, previous, stop) as they are given.

    The control loop skips starting a song whose command is no longer the newest: a
    newer one is already queued behind it and replaces it at once, so pressing Enter
    on five songs quickly resolves only the last.  The command itself still runs
    (``n`` pressed twice moves two songs)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = itertools.count(1)
        self.newest = 0

    def take(self) -> int:
        with self._lock:
            self.newest = next(self._count)
            return self.newest

    def superseded(self, ticket: int) -> bool:
        return ticket < self.newest


def volume(value: float) -> int:
    """A volume as the engine keeps it: a whole number from 0 to VOLUME_MAX."""
    return min(max(int(round(value)), 0), VOLUME_MAX)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return safe_line(text.splitlines()[0]) if text else type(exc).__name__


def host_of_request(req: Request) -> str:
    url = getattr(req.resolved, "url", None) or req.song.url
    if not url:
        return "www.youtube.com"
    try:
        return safe_line(urlsplit(url).hostname or "the server")
    except ValueError:
        return "the server"


def explain_later(
    player: Any, pool: Executor | None, entry: int, *, done: Callable[[str | None], None], **details: Any
) -> None:
    """Ask the player why `entry` ended, without waiting: `done(message)` is called once,
    from another thread.  Uses ``Player.explain_later`` when the player has it, else runs
    ``Player.explain`` (which may wait ~1 s for mpv's log) on `pool`."""
    later = getattr(player, "explain_later", None)
    if callable(later):
        later(entry, done=done, **details)
        return

    def run() -> None:
        try:
            message = player.explain(entry, **details)
        except Exception:  # noqa: BLE001 - no explanation: the caller says "mpv could not play it"
            log.exception("engine: explaining entry %s failed", entry)
            message = "mpv could not play it"
        done(message)

    if pool is None:
        run()
    else:
        pool.submit(run)
