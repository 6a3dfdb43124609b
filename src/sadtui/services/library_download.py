"""Keeping a song: yt-dlp downloads it into the library of kept audio, now
(:meth:`Downloader.download`) or in the background, one at a time, a moment after it is
asked for (``keep_later``; ``stop_keeping`` cancels that and waits for it).

yt-dlp itself downloads pages and searches (``bestaudio/best``, the container as
served, no re-encoding, no ffmpeg), with bounded socket timeouts, with one YoutubeDL
per downloading thread (made once: its extractors cost ~70 ms to set up), into a
private temporary name (``.dl-…``, with yt-dlp's own ``.part`` while it runs).  An
audio file's own URL has nothing to extract: :mod:`sadtui.services.library_fetch`
GETs it.  Only when the download is complete, and
its length matches what the server announced, is it renamed to its kept name and
entered in the index: an interrupted download (Ctrl-C, a cut, a stall) is never
counted as kept, and its pieces are removed.  Only web addresses are downloaded from
(:func:`sadtui.services.ytdl_info.chosen_format`, :func:`sadtui.model.urls.is_web_url`).

A part of :class:`sadtui.services.library.Library`, kept apart to keep each module short.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sadtui.model.playlist import Song
from sadtui.model.text import safe_line
from sadtui.model.urls import is_web_url
from sadtui.services.errors import ResolveError, describe_ytdlp_error, first_line
from sadtui.services.library_fetch import fetch
from sadtui.services.library_index import TEMP_PREFIX, TOO_LARGE, Kept, LibraryError, Progress, _regular_size, song_key
from sadtui.services.logs import log
from sadtui.services.ytdl_info import chosen_format, is_direct_media, number
from sadtui.services.ytdl_session import YtdlSession, ytdl_options

SOCKET_TIMEOUT = 10.0
KEEP_AFTER = 2.0  # seconds a background keep waits first: the next song starts without it

_EXT = re.compile(r"[a-z0-9]{1,8}")
_SHORT = re.compile(r"bytes read, \d+ more expected|ContentTooShort", re.I)


class _Cancelled(Exception):
    pass


class Downloader:
    """Downloading and keeping in the background, for :class:`~sadtui.services.library.Library`
    (which provides the attributes and the methods declared here)."""

    cap: int
    socket_timeout: float
    keep_after: float
    _clock: Callable[[], float]
    _sessions: threading.local
    _all_sessions: list[YtdlSession]
    _lock: threading.Lock
    _busy: dict[str, threading.Event]
    _background: threading.Thread | None
    _wanted: list[tuple[Song, str | None]]
    _running: int
    _cv: threading.Condition
    _keep_cancel: threading.Event  # set by stop_keeping: the background keep under way stops

    if TYPE_CHECKING:
        @property
        def directory(self) -> Path: ...
        def entry(self, song: Song, pin: str | None = None) -> Kept | None: ...
        def _update(self, change: Callable[[dict[str, dict[str, Any]]], Any], *, protect: str | None = None) -> Any: ...
        def _sweep(self, *, everything: bool = False) -> None: ...

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
        if cancel is not None and cancel.is_set():
            raise LibraryError("cancelled")
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

        target = key
        session = None if is_direct_media(target) else self._session()
        mark = session.logger.count if session is not None else 0
        try:
            if session is None:  # the media itself: nothing to extract, one HTTP GET
                info: dict[str, Any] = {}
                url = target
                ext = os.path.splitext(urlsplit(target).path)[1][1:].lower()
                written = directory / f"{temp}.{ext}"
                fetch(target, written, socket_timeout=self.socket_timeout, cap=self.cap, hook=hook)
            else:
                if cancel is not None and cancel.is_set():  # making this thread's yt-dlp took a while
                    raise _Cancelled()
                info = session.ydl.extract_info(target, download=False)
                if isinstance(info, dict) and (info.get("_type") in ("playlist", "multi_video") or "entries" in info):
                    entries = [e for e in info.get("entries") or [] if isinstance(e, dict)]
                    if not entries:
                        raise LibraryError(f"nothing found for “{first_line(song.search_terms)}”")
                    info = entries[0]
                if not isinstance(info, dict):
                    raise LibraryError("no audio found there")
                fmt = chosen_format(info)  # raises "the page points at a non-web address"
                url = fmt.get("url") if fmt is not None else None
                if fmt is None or not url:
                    raise LibraryError("no audio found there")
                ext = str(fmt.get("ext") or "").lower()
                if not _EXT.fullmatch(ext):
                    ext = "audio"
                if cancel is not None and cancel.is_set():  # extracting took a while
                    raise _Cancelled()
                written = directory / f"{temp}.{ext}"
                self._ytdl_fetch(session, written, fmt, hook)
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
            if (name in ("DownloadError", "ExtractorError", "DownloadCancelled") or isinstance(exc, OSError)
                    or type(exc).__module__.startswith("urllib3.")):
                log.info("library: keeping %s failed: %s", safe_line(key, limit=200), safe_line(exc))
                if _SHORT.search(str(exc)):
                    raise LibraryError("the download ended early (connection cut)") from None
                raise LibraryError(describe_ytdlp_error(exc, target, session.logger.since(mark) if session else [])) from None
            log.exception("library: keeping %s failed unexpectedly", safe_line(key, limit=200))
            raise LibraryError(first_line(exc)) from None
        finally:
            for leftover in directory.glob(f"{temp}*"):  # never a partial file left behind
                with contextlib.suppress(OSError):
                    os.unlink(leftover)

    def _session(self) -> YtdlSession:
        """This thread's yt-dlp, made once (its extractors cost ~70 ms of CPU to set up)
        and used for every page or search the thread downloads."""
        session = getattr(self._sessions, "ytdl", None)
        if session is None or session.closed:
            session = YtdlSession({
                **ytdl_options(self.socket_timeout),
                "skip_download": False,
                "overwrites": True,
                "continuedl": False,
                "max_filesize": self.cap,
                # yt-dlp reads 1 KiB at a time at first and reports progress after each
                # read: with several downloads at once that is Python work fighting for
                # one core. Start at 256 KiB (it still adapts) so reads and reports are few.
                "buffersize": 256 * 1024,
                # Nothing of yt-dlp's own progress line is shown, but it is formatted (a
                # template evaluated) after every read unless throttled.
                "progress_delta": 3600.0,
            })
            self._sessions.ytdl = session
            with self._lock:
                self._all_sessions.append(session)
        return session

    def close_sessions(self, *, this_thread_only: bool = False) -> None:
        """Close the yt-dlp instances (their network handlers) of every thread, or of the
        calling thread only (a thread that downloaded and is about to end)."""
        mine = getattr(self._sessions, "ytdl", None)
        self._sessions.ytdl = None
        with self._lock:
            if this_thread_only:
                sessions = [mine] if mine is not None else []
                self._all_sessions = [s for s in self._all_sessions if s is not mine]
            else:
                sessions, self._all_sessions = self._all_sessions, []
        for session in sessions:
            session.close()

    @staticmethod
    def _ytdl_fetch(session: YtdlSession, written: Path, fmt: dict[str, Any], hook: Callable[[dict[str, Any]], None]) -> None:
        """yt-dlp's own downloader for this format (HTTP, or the fragments of a manifest)
        into `written` (by way of `written.part`)."""
        from yt_dlp.downloader import get_suitable_downloader

        params = session.ydl.params
        downloader = get_suitable_downloader(fmt, params)(session.ydl, params)
        downloader.add_progress_hook(hook)
        ok, _ = downloader.download(str(written), fmt)
        if not ok:
            # yt-dlp's HTTP downloader declines (rather than fails) only for a file larger
            # than `max_filesize`, the cap; its other failures raise.
            if downloader.FD_NAME == "http":
                raise LibraryError(TOO_LARGE)
            raise LibraryError("the download did not complete")

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

    def stop_keeping(self, timeout: float = 1.0) -> bool:
        """Cancel the background keeping: the songs waiting, and the one under way (its
        pieces are removed), and wait up to `timeout` seconds for that one to end, so that
        it is not cut off mid-way when the process exits.  Songs asked for later are kept
        as usual.  True when no keeping is under way any more."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cv:
            self._wanted.clear()
            self._keep_cancel.set()
            self._keep_cancel = threading.Event()  # for the songs asked for later
            self._cv.notify_all()
            while self._running:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cv.wait(remaining)
            return True

    def _keep_loop(self) -> None:
        while True:
            with self._cv:
                if not self._wanted:
                    self._cv.wait(timeout=30)
                    if not self._wanted:
                        self._background = None
                        break
                # A moment first: the song after it starts without yt-dlp competing for
                # the CPU, and a process that is exiting (`sadtui play` after its last
                # song) stops this keep before it has begun.
                begin = time.monotonic() + self.keep_after
                while self._wanted and (wait := begin - time.monotonic()) > 0:
                    self._cv.wait(wait)
                if not self._wanted:
                    continue
                song, pin = self._wanted.pop(0)
                cancel = self._keep_cancel
                self._running += 1
            try:
                self.download(song, pin=pin, cancel=cancel)
            except LibraryError as exc:
                log.info("library: could not keep #%s: %s", song.rank, safe_line(exc.message))
            except Exception:  # noqa: BLE001 - logged
                log.exception("library: keeping #%s failed", song.rank)
            finally:
                with self._cv:
                    self._running -= 1
                    self._cv.notify_all()
        self.close_sessions(this_thread_only=True)

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
