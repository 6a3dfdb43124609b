"""yt-dlp as a library: one ``YoutubeDL`` per session, and a small bounded pool of them.

* :class:`YtdlSession` owns one ``YoutubeDL`` and its quiet logger; it is a
  context manager and :meth:`YtdlSession.close` closes the ``YoutubeDL``.
* :class:`SessionPool` lends sessions out, at most ``size`` at a time (those busy
  in an abandoned call included), so a stalled network cannot pile up threads or
  ``YoutubeDL`` objects.  A session taken back with ``retire=True`` (its call overran
  its deadline) is closed as soon as its call returns and never lent again; every
  session is closed by :meth:`SessionPool.close`.
* :func:`warm_extractors` pays yt-dlp's first-extraction cost (compiling every
  extractor's URL pattern) through its public API, without a request.

yt-dlp is imported lazily, so importing this module stays cheap.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sadtui.model import paths
from sadtui.services.logs import log

__all__ = ["QuietLogger", "SessionPool", "YtdlSession", "js_runtimes", "venv_deno", "warm_extractors", "ytdl_options"]

_warm_lock = threading.Lock()
_warmed = False


def venv_deno() -> Path | None:
    """The `deno` binary of the PyPI `deno` package, next to this Python (maybe not on PATH)."""
    candidate = Path(sys.executable).parent / ("deno.exe" if os.name == "nt" else "deno")
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    return None


def js_runtimes() -> dict[str, dict[str, str]]:
    """yt-dlp's ``js_runtimes`` option: the venv's deno by path, else whatever is on PATH."""
    deno = venv_deno()
    if deno is not None:
        return {"deno": {"path": str(deno)}}
    found: dict[str, dict[str, str]] = {}
    for name, exe in (("deno", "deno"), ("node", "node"), ("bun", "bun"), ("quickjs", "qjs")):
        path = shutil.which(exe)
        if path:
            found[name] = {"path": path}
    return found or {"deno": {}}


def ytdl_options(socket_timeout: float) -> dict[str, Any]:
    """yt-dlp's options for resolving: quiet, bounded in time, audio, no download."""
    return {
        "quiet": True,
        "no_warnings": False,  # warnings go to our logger (and explain JS-runtime failures)
        "noprogress": True,
        "no_color": True,
        "socket_timeout": socket_timeout,
        "extractor_retries": 1,
        "retries": 1,
        "fragment_retries": 1,
        "file_access_retries": 0,
        "noplaylist": True,
        "format": "bestaudio/best",
        "extract_flat": "in_playlist",  # a search gives url entries; we extract the first
        "skip_download": True,
        "cachedir": str(paths.cache_dir() / "yt-dlp"),
        "js_runtimes": js_runtimes(),
    }


class QuietLogger:
    """yt-dlp's `logger`: nothing reaches the terminal; the latest warnings are kept."""

    def __init__(self) -> None:
        self.lines: deque[str] = deque(maxlen=100)
        self.count = 0
        self._lock = threading.Lock()

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        self._keep(msg)

    def error(self, msg: str) -> None:
        self._keep(msg)

    def _keep(self, msg: str) -> None:
        with self._lock:
            self.lines.append(str(msg))
            self.count += 1

    def since(self, mark: int) -> list[str]:
        """The lines kept after `count` was `mark`."""
        with self._lock:
            new = self.count - mark
            return list(self.lines)[-new:] if new > 0 else []


class YtdlSession:
    """One ``YoutubeDL`` (made by `factory`, yt-dlp's own by default) and its logger."""

    def __init__(self, options: dict[str, Any], factory: Callable[[dict[str, Any]], Any] | None = None) -> None:
        self.logger = QuietLogger()
        options = {**options, "logger": self.logger}
        if factory is not None:
            self.ydl = factory(options)
        else:
            import yt_dlp  # lazily: importing this module must stay cheap

            self.ydl = yt_dlp.YoutubeDL(options)
        self.closed = False

    def extract(self, target: str) -> tuple[Any, BaseException | None, list[str]]:
        """``extract_info(target, download=False)``: (info, None, []) or (None, error, warnings)."""
        mark = self.logger.count
        try:
            return self.ydl.extract_info(target, download=False), None, []
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who explains it
            return None, exc, self.logger.since(mark)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        close = getattr(self.ydl, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # noqa: BLE001 - logged
                log.warning("closing a YoutubeDL failed", exc_info=True)

    def __enter__(self) -> YtdlSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SessionPool:
    """At most `size` sessions, lent one caller at a time; made on demand by `make`."""

    def __init__(self, make: Callable[[], YtdlSession], size: int = 3) -> None:
        self._make = make
        self.size = max(1, size)
        self._cv = threading.Condition()
        self._idle: list[YtdlSession] = []
        self._busy: dict[int, tuple[YtdlSession, bool]] = {}  # id -> (session, retired)
        self._making = 0  # sessions being made (they count towards `size`)
        self._closed = False
        self.made = 0  # how many sessions were made (diagnostics)

    def acquire(self, timeout: float) -> YtdlSession | None:
        """A free session (an idle one, else a new one while under `size`), or None after
        `timeout` seconds.  Raises what making a YoutubeDL raises."""
        deadline = time.monotonic() + max(0.0, timeout)
        with self._cv:
            while True:
                if self._closed:
                    return None
                if self._idle:
                    session = self._idle.pop()
                    self._busy[id(session)] = (session, False)
                    return session
                if len(self._busy) + self._making < self.size:
                    self._making += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cv.wait(remaining)
        try:
            session = self._make()  # outside the lock: it may take a moment
        except BaseException:
            with self._cv:
                self._making -= 1
                self._cv.notify()
            raise
        with self._cv:
            self._making -= 1
            self._busy[id(session)] = (session, False)
            self.made += 1
        return session

    def retire(self, session: YtdlSession) -> None:
        """Never lend `session` again; it is closed when its caller releases it."""
        with self._cv:
            if id(session) in self._busy:
                self._busy[id(session)] = (session, True)

    def release(self, session: YtdlSession) -> None:
        with self._cv:
            _, retired = self._busy.pop(id(session), (session, True))
            keep = not retired and not self._closed and not session.closed
            if keep:
                self._idle.append(session)
            self._cv.notify()
        if not keep:
            session.close()

    @property
    def closed(self) -> bool:
        with self._cv:
            return self._closed

    def busy(self) -> int:
        with self._cv:
            return len(self._busy) + self._making

    def close(self) -> None:
        """Close the idle sessions now and the busy ones when they are released."""
        with self._cv:
            self._closed = True
            idle, self._idle = self._idle, []
            for key, (session, _) in list(self._busy.items()):
                self._busy[key] = (session, True)
            self._cv.notify_all()
        for session in idle:
            session.close()


def warm_extractors(session: YtdlSession | None = None) -> None:
    """Compile every extractor's URL pattern once per process (yt-dlp's public API only)."""
    global _warmed
    with _warm_lock:
        if _warmed:
            return
        from yt_dlp.extractor import gen_extractor_classes

        probe = "https://www.youtube.com/watch?v=aaaaaaaaaaa"
        for ie in gen_extractor_classes():
            try:
                ie.suitable(probe)
            except Exception:  # noqa: BLE001 - logged
                log.warning("yt-dlp extractor %s failed its warm-up", getattr(ie, "__name__", "?"), exc_info=True)
        if session is not None:
            get = getattr(session.ydl, "get_info_extractor", None)
            for key in ("Generic", "Youtube", "YoutubeSearch"):
                try:
                    if callable(get):
                        get(key)
                except Exception:  # noqa: BLE001 - logged
                    log.warning("yt-dlp extractor %s is missing", key, exc_info=True)
        _warmed = True
