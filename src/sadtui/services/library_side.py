"""The control loop's side facing the library of kept audio and the disk: a song's own
local file (``path``), a kept file played without the network, keeping a song that
played to its end, and saying "offline" when a song is not kept and the network is
unreachable.

A part of :class:`sadtui.services.control.Control` (it runs on the control thread only,
like the rest of it), kept apart to keep each module short.
"""

from __future__ import annotations

import re
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sadtui.model.playlist import Song
from sadtui.services.events import State
from sadtui.services.logs import log
from sadtui.services.player import PlayerError
from sadtui.services.requests import Request


@dataclass(frozen=True, slots=True)
class FromDisk:
    """A kept song's file, played from the library of kept audio (no network)."""

    url: str  # the file's path (Player.load_kept checks it again)
    title: str | None = None
    duration: float | None = None
    headers: dict[str, str] | None = None
    from_cache: bool = False
    from_disk: bool = True


OFFLINE = "not downloaded, and the network is unreachable"
# Resolver failures that mean the network (or the source) cannot be reached at all.
_UNREACHABLE = re.compile(r"connection refused|cannot reach|network is unreachable|no route to host|no network", re.I)


class LibrarySide:
    """Local and kept files, for Control (which provides the attributes and the methods
    declared here)."""

    player: Any
    pool: Executor | None
    library: Any
    pins: Any
    offline: bool
    mpv_paused: bool
    paused_for_cache: bool

    if TYPE_CHECKING:
        def set(self, **fields: Any) -> None: ...
        def fail(self, req: Request, message: str) -> None: ...
        def song(self, rank: int) -> Song: ...
        def open_player(self) -> None: ...

    def play_local(self, req: Request) -> None:
        """A song with a `path`: its own local file, at once, never resolved."""
        path = req.song.path or ""
        req.resolved = FromDisk(url=path, title=req.song.title)
        try:
            if not self.player.is_open:
                self.open_player()
            req.entry = self.player.load_local(path)
        except PlayerError as exc:
            self.fail(req, exc.message)
            return
        req.loaded = False
        self.mpv_paused = False
        self.paused_for_cache = False
        self.set(state=State.BUFFERING)

    def kept_path(self, song: Song) -> Any:
        """The kept file of `song`, or None (a stat or two: fine on the control thread)."""
        if self.library is None:
            return None
        try:
            return self.library.path_for(song)
        except Exception:  # noqa: BLE001 - a broken library means streaming
            log.exception("engine: looking #%s up in the library failed", song.rank)
            return None

    def play_from_disk(self, req: Request) -> bool:
        """Start `req` from its kept file, at once and without the network; False when it
        has none (or it cannot be loaded: then it is dropped and the song resolved)."""
        if req.disk_failed:
            return False
        path = self.kept_path(req.song)
        if path is None:
            return False
        resolved = FromDisk(url=str(path), title=req.song.title)
        req.resolved = resolved
        req.from_disk = True
        try:
            if not self.player.is_open:
                self.open_player()
            req.entry = self.player.load_kept(path)
        except PlayerError as exc:
            log.warning("engine: the kept file of #%s was refused: %s", req.rank, exc.message)
            self.drop_kept(req)
            return False
        req.loaded = False
        self.mpv_paused = False
        self.paused_for_cache = False
        self.set(state=State.BUFFERING, from_disk=True)
        return True

    def drop_kept(self, req: Request) -> None:
        """`req`'s kept file failed: forget it (off the control thread) and stream instead."""
        req.disk_failed = True
        req.from_disk = False
        req.resolved = None
        library, song = self.library, req.song
        if library is None or self.pool is None:
            return

        def job() -> None:
            try:
                library.drop([song])
            except Exception:  # noqa: BLE001 - logged; the song streams anyway
                log.exception("engine: could not drop the kept file of #%s", song.rank)

        self.pool.submit(job)

    def offline_message(self, req: Request, message: str) -> str:
        """With a library: a song that is not kept and cannot reach the network says so
        (and auto-advance then skips to the next kept song)."""
        if self.library is None or req.from_disk or not _UNREACHABLE.search(message):
            return message
        self.offline = True
        return f"{OFFLINE} ({message})"

    def after_finished(self, req: Request) -> None:
        """A song played to its end: keep it (in the background), or note it was played."""
        library = self.library
        if library is None or req.song.path is not None:
            return  # nothing to keep: a song with a `path` is a local file already
        try:
            if req.from_disk:
                if self.pool is not None:
                    self.pool.submit(library.touch, req.song)
            else:
                song = req.song
                if self.pins is not None and song.url is None:
                    song = self.song(req.rank)  # its search was pinned meanwhile: keep the pin
                library.keep_later(song)
        except Exception:  # noqa: BLE001 - keeping is a bonus
            log.exception("engine: could not keep #%s", req.rank)
