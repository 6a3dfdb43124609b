"""The library of kept audio: songs downloaded once and played from disk after that.

Where: ``audio/`` in the data directory (``~/.local/share/sadtui/audio``), with an
index, ``index.json``, beside the files.  Kept files are keyed by what a song
resolves to (:func:`song_key`): its ``url``, else its pinned recording, else its
search terms, so editing a song's ``url`` or ``query`` never plays the old file.

* The index is validated when read (a wrong type, a file name that is not one of
  ours, a size that is not a positive integer... and the entry is dropped), and
  written atomically under an inter-process lock (``index.json.lock``), merged with
  what is on disk, like :mod:`sadtui.services.resolve_cache`.
* yt-dlp itself downloads (``bestaudio/best``, the container as served, no
  re-encoding, no ffmpeg), with bounded socket timeouts, into a private temporary
  name (``.dl-…``, with yt-dlp's own ``.part`` while it runs).  Only when yt-dlp says
  it is complete, and its length matches what the server announced, is it renamed
  to its kept name and entered in the index: an interrupted download (Ctrl-C, a cut,
  a stall) is never counted as kept, and its pieces are removed.
* Only web addresses are downloaded from (:func:`sadtui.services.ytdl_info.chosen_format`).
* A size cap (2 GiB by default) evicts the least recently played songs first.
* Two sadtuis keeping the same song at once: each downloads to its own temporary
  file; under the lock the first one entered wins and the other's copy is removed.

The parts: :mod:`sadtui.services.library_index` (names, keys, the index read and
validated) and :mod:`sadtui.services.library_download` (yt-dlp downloading, keeping
in the background).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from sadtui.model import paths
from sadtui.model.playlist import Song
from sadtui.model.text import safe_line, safe_text
from sadtui.services.library_download import KEEP_AFTER, SOCKET_TIMEOUT, Downloader
from sadtui.services.library_index import (
    _FILE_NAME,
    DEFAULT_CAP,
    INDEX_VERSION,
    LOCK_WAIT,
    STALE_TEMP,
    TEMP_PREFIX,
    Kept,
    LibraryError,
    Progress,
    _regular_size,
    is_kept_name,
    library_dir,
    read_index,
    song_key,
    valid_entry,
)
from sadtui.services.logs import log
from sadtui.services.resolve_cache import _file_lock

__all__ = [
    "DEFAULT_CAP", "INDEX_VERSION", "Kept", "Library", "LibraryError", "Progress", "library_dir",
    "is_kept_name", "read_index", "song_key", "valid_entry",
]



_default_cap = DEFAULT_CAP


def set_default_cap(cap: int | None) -> None:
    """The cap of every Library made without one (config.toml's `library_cap`)."""
    global _default_cap
    _default_cap = cap if cap is not None and cap > 0 else DEFAULT_CAP


def default_cap() -> int:
    return _default_cap


class Library(Downloader):
    """The kept audio of every playlist (safe from several threads and processes)."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        cap: int | None = None,
        socket_timeout: float = SOCKET_TIMEOUT,
        clock: Callable[[], float] = time.time,
        keep_after: float = KEEP_AFTER,
    ) -> None:
        self._directory = directory
        self.keep_after = keep_after  # seconds a background keep waits before it begins
        self.cap = cap if cap is not None else default_cap()
        self.socket_timeout = socket_timeout
        self._clock = clock
        self._sessions = threading.local()  # each thread's yt-dlp (library_download)
        self._all_sessions: list = []
        self._lock = threading.Lock()
        self._index_lock = threading.Lock()  # one index writer at a time in this process
        self._songs: dict[str, dict[str, Any]] | None = None
        self._stamp: tuple[int, int] | None = None
        self._busy: dict[str, threading.Event] = {}  # keys being kept in this process
        self._background: threading.Thread | None = None
        self._wanted: list[tuple[Song, str | None]] = []
        self._running = 0  # background keeps taken off `_wanted` and not finished
        self._cv = threading.Condition(self._lock)
        self._keep_cancel = threading.Event()
        self.on_change: Callable[[], None] | None = None  # called after a song is kept or dropped

    # ------------------------------------------------------------ where

    @property
    def directory(self) -> Path:
        return self._directory or library_dir()

    @property
    def index_path(self) -> Path:
        return self.directory / "index.json"

    def contains(self, path: Path | str) -> bool:
        """Is `path` a kept file's name directly inside the library directory (a regular file)?"""
        try:
            candidate = Path(os.path.abspath(path))
            real_dir = Path(os.path.realpath(self.directory))
        except (OSError, ValueError):
            return False
        return (
            candidate.parent == real_dir
            and _FILE_NAME.fullmatch(candidate.name) is not None
            and _regular_size(candidate) is not None
        )

    # ------------------------------------------------------------ reading

    def _entries(self) -> dict[str, dict[str, Any]]:
        """The index, read again only when the file changed (a stat per call)."""
        try:
            st = os.stat(self.index_path)
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if self._songs is None or stamp != self._stamp:
                self._songs = read_index(self.index_path) if stamp is not None else {}
                self._stamp = stamp
            return self._songs

    def _kept(self, key: str, entry: dict[str, Any] | None) -> Kept | None:
        if entry is None:
            return None
        return Kept(key=key, directory=self.directory, **entry)

    def entry(self, song: Song, pin: str | None = None) -> Kept | None:
        """The kept file of `song` when it is there and whole (its size as recorded)."""
        key = song_key(song, pin)
        kept = self._kept(key, self._entries().get(key))
        if kept is None or _regular_size(kept.path) != kept.bytes:
            return None
        return kept

    def path_for(self, song: Song, pin: str | None = None) -> Path | None:
        kept = self.entry(song, pin)
        return kept.path if kept is not None else None

    def all(self) -> list[Kept]:
        out = []
        for key, entry in self._entries().items():
            kept = self._kept(key, entry)
            if kept is not None and _regular_size(kept.path) == kept.bytes:
                out.append(kept)
        return out

    def total_bytes(self) -> int:
        return sum(k.bytes for k in self.all())

    # ------------------------------------------------------------ writing

    def _update(self, change: Callable[[dict[str, dict[str, Any]]], Any], *, protect: str | None = None) -> Any:
        """Apply `change` to the index on disk under the lock, evict over the cap, write it.
        Returns what `change` returned.  Raises LibraryError when the index is locked or
        cannot be written."""
        directory = self.directory
        directory.mkdir(parents=True, exist_ok=True)
        # Threads of this process queue on a lock of their own; the file lock (which has
        # no timed wait, so it is polled) is then only ever waited for by other processes.
        if not self._index_lock.acquire(timeout=LOCK_WAIT):
            raise LibraryError("the library is busy; try again")
        try:
            with _file_lock(directory / "index.json.lock", LOCK_WAIT) as locked:
                if not locked:
                    raise LibraryError("the library is busy in another sadtui; try again")
                songs = read_index(self.index_path)
                result = change(songs)
                removed = self._evict(songs, protect)
                text = json.dumps({"version": INDEX_VERSION, "songs": songs}, ensure_ascii=False, indent=1, sort_keys=True)
                paths.write_atomic(self.index_path, text.encode("utf-8"))
                for name in removed:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(directory / name)
        except OSError as exc:
            log.warning("cannot write the library index %s", safe_text(str(self.index_path)), exc_info=True)
            raise LibraryError(f"cannot write the library: {safe_line(exc.strerror or exc)}") from None
        finally:
            self._index_lock.release()
        with self._lock:
            self._songs = None  # read again next time
        notify = self.on_change
        if notify is not None:
            try:
                notify()
            except Exception:  # noqa: BLE001 - a listener's bug must not break keeping
                log.exception("library: on_change failed")
        return result

    def _evict(self, songs: dict[str, dict[str, Any]], protect: str | None) -> list[str]:
        """Drop the least recently played entries until the total fits the cap; their files."""
        removed: list[str] = []
        total = sum(e["bytes"] for e in songs.values())
        for key in sorted(songs, key=lambda k: max(songs[k]["played_at"], songs[k]["kept_at"])):
            if total <= self.cap:
                break
            if key == protect:
                continue
            entry = songs.pop(key)
            total -= entry["bytes"]
            removed.append(entry["file"])
            log.info("library: evicted %s (over the size cap)", safe_line(key, limit=200))
        return removed

    def touch(self, song: Song, pin: str | None = None) -> None:
        """`song` was played from disk just now (it is evicted last)."""
        key, now = song_key(song, pin), self._clock()

        def change(songs: dict[str, dict[str, Any]]) -> None:
            if key in songs:
                songs[key]["played_at"] = now

        try:
            self._update(change, protect=key)
        except LibraryError:
            log.warning("library: could not note that a song was played", exc_info=True)

    def drop(self, songs_to_drop: Iterable[Song] | None = None, *, keys: Iterable[str] | None = None) -> int:
        """Remove these songs' files (all of them when both are None); how many were removed."""
        wanted: set[str] | None = None
        if songs_to_drop is not None or keys is not None:
            wanted = {song_key(s) for s in songs_to_drop or ()} | set(keys or ())

        def change(songs: dict[str, dict[str, Any]]) -> list[str]:
            names = []
            for key in list(songs):
                if wanted is None or key in wanted:
                    names.append(songs.pop(key)["file"])
            return names

        names = self._update(change)
        for name in names:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.directory / name)
        if wanted is None:
            self._sweep(everything=True)
        return len(names)

    def _sweep(self, *, everything: bool = False) -> None:
        """Remove leftover temporary files (old ones; all of them with `everything`)."""
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        now = time.time()
        for name in names:
            path = self.directory / name
            if not name.startswith(TEMP_PREFIX) and not (everything and _FILE_NAME.fullmatch(name)):
                continue
            try:
                if everything or now - os.lstat(path).st_mtime > STALE_TEMP:
                    os.unlink(path)
            except OSError:
                log.debug("library: cannot remove %s", safe_text(name))
