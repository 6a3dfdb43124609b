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
* Only web addresses are downloaded from (:func:`sadtui.services.ytdl_info.stream_of`).
* A size cap (2 GiB by default) evicts the least recently played songs first.
* Two sadtuis keeping the same song at once: each downloads to its own temporary
  file; under the lock the first one entered wins and the other's copy is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sadtui.model import paths
from sadtui.model.playlist import Song
from sadtui.model.text import safe_line, safe_text
from sadtui.services.errors import ResolveError, describe_ytdlp_error, first_line
from sadtui.services.logs import log
from sadtui.services.resolve_cache import _file_lock, _number, _text
from sadtui.services.urls import SEARCH_PREFIX, is_web_url
from sadtui.services.ytdl_info import number, stream_of
from sadtui.services.ytdl_session import QuietLogger, ytdl_options

__all__ = [
    "DEFAULT_CAP", "INDEX_VERSION", "Kept", "Library", "LibraryError", "Progress", "library_dir",
    "is_kept_name", "read_index", "song_key", "valid_entry",
]

INDEX_VERSION = 1
DEFAULT_CAP = 2 * 1024**3  # bytes
MAX_INDEX_BYTES = 8 * 1024 * 1024
LOCK_WAIT = 5.0
SOCKET_TIMEOUT = 10.0
TEMP_PREFIX = ".dl-"
STALE_TEMP = 24 * 3600.0  # seconds: a temporary file older than this is a leftover
_FILE_NAME = re.compile(r"[0-9a-f]{24}-[0-9a-f]{8}\.[a-z0-9]{1,8}")
_EXT = re.compile(r"[a-z0-9]{1,8}")
_SHORT = re.compile(r"bytes read, \d+ more expected|ContentTooShort", re.I)


class LibraryError(Exception):
    """A song could not be kept: one line a person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Cancelled(Exception):
    pass


def is_kept_name(name: str) -> bool:
    """Is `name` the name the library gives a kept file?"""
    return _FILE_NAME.fullmatch(name) is not None


def library_dir() -> Path:
    return paths.data_dir() / "audio"


def song_key(song: Song, pin: str | None = None) -> str:
    """What `song` resolves to: its url, else its pinned recording, else its search."""
    if song.url:
        return song.url
    if pin and is_web_url(pin):
        return pin
    return SEARCH_PREFIX + song.search_terms


@dataclass(frozen=True, slots=True)
class Kept:
    key: str
    file: str  # the name inside the library directory
    bytes: int
    title: str | None
    source: str | None  # the page or media it was downloaded from
    kept_at: float
    played_at: float
    directory: Path

    @property
    def path(self) -> Path:
        return self.directory / self.file


@dataclass(frozen=True, slots=True)
class Progress:
    """How a download is going (for progress bars)."""

    key: str
    done: int
    total: int | None
    speed: float | None  # bytes a second
    eta: float | None  # seconds


def valid_entry(entry: Any) -> dict[str, Any] | None:
    """A clean copy of an index entry, or None when anything in it is wrong."""
    if not isinstance(entry, dict):
        return None
    name, size = entry.get("file"), entry.get("bytes")
    if not isinstance(name, str) or not _FILE_NAME.fullmatch(name):
        return None
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size < 2**50:
        return None
    title, source = entry.get("title"), entry.get("source")
    if title is not None and _text(title) is None:
        return None
    if source is not None and not is_web_url(source):
        return None
    kept_at, played_at = _number(entry.get("kept_at")), _number(entry.get("played_at"))
    if kept_at is None or played_at is None:
        return None
    return {"file": name, "bytes": size, "title": title, "source": source, "kept_at": kept_at, "played_at": played_at}


def read_index(path: Path) -> dict[str, dict[str, Any]]:
    """The index in `path` with every bad entry dropped; anything unreadable is empty."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_INDEX_BYTES + 1)
    except OSError:
        return {}
    if len(raw) > MAX_INDEX_BYTES:
        log.warning("the library index %s is too big: ignored", safe_text(str(path)))
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("version") != INDEX_VERSION or not isinstance(data.get("songs"), dict):
        return {}
    songs: dict[str, dict[str, Any]] = {}
    for key, entry in data["songs"].items():
        clean = valid_entry(entry) if isinstance(key, str) and 0 < len(key) <= 4096 else None
        if clean is not None:
            songs[key] = clean
    return songs


def _regular_size(path: Path) -> int | None:
    """The size of `path` if it is a regular file (not a link), else None."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    import stat

    return st.st_size if stat.S_ISREG(st.st_mode) else None


class Library:
    """The kept audio of every playlist (safe from several threads and processes)."""

    def __init__(
        self,
        directory: Path | None = None,
        *,
        cap: int = DEFAULT_CAP,
        socket_timeout: float = SOCKET_TIMEOUT,
        clock: Callable[[], float] = time.time,
        ydl_factory: Callable[[dict[str, Any]], Any] | None = None,
    ) -> None:
        self._directory = directory
        self.cap = cap
        self.socket_timeout = socket_timeout
        self._clock = clock
        self._ydl_factory = ydl_factory
        self._lock = threading.Lock()
        self._songs: dict[str, dict[str, Any]] | None = None
        self._stamp: tuple[int, int] | None = None
        self._busy: dict[str, threading.Event] = {}  # keys being kept in this process
        self._background: threading.Thread | None = None
        self._wanted: list[tuple[Song, str | None]] = []
        self._running = 0  # background keeps taken off `_wanted` and not finished
        self._cv = threading.Condition(self._lock)
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

    # ------------------------------------------------------------ downloading

    def download(
        self,
        song: Song,
        *,
        pin: str | None = None,
        progress: Callable[[Progress], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> Kept:
        """Keep `song` (download it unless it is kept already); raises LibraryError."""
        kept = self.entry(song, pin)
        if kept is not None:
            return kept
        key = song_key(song, pin)
        if song.url is not None and not is_web_url(song.url):
            raise LibraryError("the address is not a web address (http or https)")
        with self._lock:
            running = self._busy.get(key)
            if running is None:
                self._busy[key] = threading.Event()
        if running is not None:  # this process is keeping it already: wait for that one
            while not running.wait(0.2):
                if cancel is not None and cancel.is_set():
                    raise LibraryError("cancelled")
            kept = self.entry(song, pin)
            if kept is None:
                raise LibraryError("could not keep it")
            return kept
        try:
            return self._download(song, key, progress, cancel)
        finally:
            with self._lock:
                self._busy.pop(key).set()

    def _download(
        self, song: Song, key: str, progress: Callable[[Progress], None] | None, cancel: threading.Event | None
    ) -> Kept:
        directory = self.directory
        directory.mkdir(parents=True, exist_ok=True)
        self._sweep()
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        temp = f"{TEMP_PREFIX}{digest}-{secrets.token_hex(4)}"
        totals: dict[str, int | None] = {"total": None}

        def hook(d: dict[str, Any]) -> None:
            if cancel is not None and cancel.is_set():
                raise _Cancelled()
            total = d.get("total_bytes") or d.get("total_bytes_estimate")
            done = d.get("downloaded_bytes")
            if isinstance(d.get("total_bytes"), int):
                totals["total"] = d["total_bytes"]
            if progress is not None and isinstance(done, int):
                try:
                    progress(Progress(key, done, int(total) if number(total) else None,
                                      number(d.get("speed")), number(d.get("eta"))))
                except Exception:  # noqa: BLE001 - a display's bug must not fail the download
                    log.exception("library: progress callback failed")

        logger = QuietLogger()
        options = {
            **ytdl_options(self.socket_timeout),
            "logger": logger,
            "skip_download": False,
            "extract_flat": False,
            "playlist_items": "1",
            "outtmpl": str(directory / temp).replace("%", "%%") + ".%(ext)s",
            "overwrites": True,
            "continuedl": False,
            "progress_hooks": [hook],
            "postprocessors": [],
            "writethumbnail": False,
            "max_filesize": self.cap,
        }
        target = key
        try:
            if self._ydl_factory is not None:
                ydl = self._ydl_factory(options)
            else:
                import yt_dlp

                ydl = yt_dlp.YoutubeDL(options)
            with ydl:
                info = ydl.extract_info(target, download=False)
                if isinstance(info, dict) and (info.get("_type") in ("playlist", "multi_video") or "entries" in info):
                    entries = [e for e in info.get("entries") or [] if isinstance(e, dict)]
                    if not entries:
                        raise LibraryError(f"nothing found for “{first_line(song.search_terms)}”")
                    info = entries[0]
                if not isinstance(info, dict):
                    raise LibraryError("no audio found there")
                url, _ = stream_of(info)  # raises "the page points at a non-web address"
                if not url:
                    raise LibraryError("no audio found there")
                if cancel is not None and cancel.is_set():
                    raise _Cancelled()
                done = ydl.process_ie_result(info, download=True)
            files = [d.get("filepath") for d in (done or {}).get("requested_downloads") or [] if isinstance(d, dict)]
            ext = str(files[0]).rpartition(".")[2].lower() if files and files[0] else ""
            if len(files) != 1 or not _EXT.fullmatch(ext):
                raise LibraryError("yt-dlp wrote no single audio file")
            written = directory / f"{temp}.{ext}"
            size = _regular_size(written)
            if not size:
                raise LibraryError("the download is empty")
            expected = totals["total"]
            if expected is not None and size != expected:
                raise LibraryError(f"the download is incomplete ({size} of {expected} bytes)")
            title = info.get("title") if isinstance(info.get("title"), str) else None
            source = info.get("webpage_url") if is_web_url(info.get("webpage_url")) else (url if is_web_url(url) else None)
            return self._enter(key, written, size, ext, title, source, digest)
        except _Cancelled:
            raise LibraryError("cancelled") from None
        except LibraryError:
            raise
        except ResolveError as exc:
            raise LibraryError(exc.message) from None
        except Exception as exc:  # noqa: BLE001 - yt-dlp's errors: one line
            if _caused_by_cancel(exc) or (cancel is not None and cancel.is_set()):
                raise LibraryError("cancelled") from None
            name = type(exc).__name__
            if name in ("DownloadError", "ExtractorError", "DownloadCancelled") or isinstance(exc, OSError):
                log.info("library: keeping %s failed: %s", safe_line(key, limit=200), safe_line(exc))
                if _SHORT.search(str(exc)):
                    raise LibraryError("the download ended early (connection cut)") from None
                raise LibraryError(describe_ytdlp_error(exc, target, logger.since(0))) from None
            log.exception("library: keeping %s failed unexpectedly", safe_line(key, limit=200))
            raise LibraryError(first_line(exc)) from None
        finally:
            for leftover in directory.glob(f"{temp}*"):  # never a partial file left behind
                with contextlib.suppress(OSError):
                    os.unlink(leftover)

    def _enter(self, key: str, written: Path, size: int, ext: str, title: str | None, source: str | None,
               digest: str) -> Kept:
        """Rename the complete download to its kept name and enter it (the first one wins)."""
        final = f"{digest}-{secrets.token_hex(4)}.{ext}"
        now = self._clock()

        def change(songs: dict[str, dict[str, Any]]) -> dict[str, Any]:
            current = songs.get(key)
            if current is not None and _regular_size(self.directory / current["file"]) == current["bytes"]:
                return current  # another sadtui kept it meanwhile: ours is removed
            os.replace(written, self.directory / final)
            entry = {"file": final, "bytes": size, "title": title, "source": source, "kept_at": now, "played_at": now}
            songs[key] = entry
            return entry

        entry = self._update(change, protect=key)
        return Kept(key=key, directory=self.directory, **entry)

    # ------------------------------------------------------------ in the background

    def keep_later(self, song: Song, pin: str | None = None) -> None:
        """Keep `song` in the background (one at a time, never blocking); errors are logged."""
        with self._cv:
            if any(song_key(s, p) == song_key(song, pin) for s, p in self._wanted):
                return
            self._wanted.append((song, pin))
            if self._background is None or not self._background.is_alive():
                self._background = threading.Thread(target=self._keep_loop, name="sadtui-keep", daemon=True)
                self._background.start()
            self._cv.notify()

    def _keep_loop(self) -> None:
        while True:
            with self._cv:
                if not self._wanted:
                    self._cv.wait(timeout=30)
                    if not self._wanted:
                        self._background = None
                        return
                song, pin = self._wanted.pop(0)
                self._running += 1
            try:
                self.download(song, pin=pin)
            except LibraryError as exc:
                log.info("library: could not keep #%s: %s", song.rank, safe_line(exc.message))
            except Exception:  # noqa: BLE001 - logged
                log.exception("library: keeping #%s failed", song.rank)
            finally:
                with self._cv:
                    self._running -= 1

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until nothing is being kept in the background (tests, `sadtui play`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cv:
                idle = not self._wanted and not self._busy and not self._running
            if idle:
                return True
            time.sleep(0.02)
        return False


def _caused_by_cancel(exc: BaseException) -> bool:
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 10:
        if isinstance(current, _Cancelled):
            return True
        exc_info = getattr(current, "exc_info", None)
        if isinstance(exc_info, tuple) and len(exc_info) > 1 and isinstance(exc_info[1], _Cancelled):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False
