"""The resolver's cache on disk (``resolved.json``), safe against bad files and other processes.

Three tables: ``searches`` (search terms -> the video page found, 30 days),
``streams`` (page or media URL -> the stream URL, its headers, title, duration,
until it expires) and ``candidates`` (search terms -> the versions a search listed,
a day).  Every entry read from disk is validated
(:func:`valid_stream`, :func:`valid_search`): a wrong type, a number that is not
finite (or has 401 digits), a URL that is not http(s)... and the entry is dropped,
never raised.  A file that is not JSON, too big or too deeply nested is an empty
cache.

Writes merge: under an inter-process lock (``fcntl.flock`` on ``resolved.json.lock``
beside it), the file on disk is read, this process's changes are applied on top,
expired entries are dropped, and the result is written atomically.  Writes in one
process are serialised, so an older snapshot never overwrites a newer one, and two
sadtuis at once keep each other's entries.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sadtui.model import paths
from sadtui.model.text import safe_text
from sadtui.model.urls import is_web_url
from sadtui.services.logs import log

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: the in-process lock only
    fcntl = None  # type: ignore[assignment]

__all__ = ["CACHE_VERSION", "ResolveCache", "read_cache_file", "valid_search", "valid_stream"]

CACHE_VERSION = 1
SECTIONS = ("searches", "streams", "candidates")
MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_TEXT = 4096  # a title, a header value, a search id
MAX_HEADERS = 64
LOCK_WAIT = 3.0  # seconds to wait for another process's write before giving up this one


def _number(value: Any) -> float | None:
    """A finite float from a JSON number (not a bool), else None (401 digits included)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and len(value) <= MAX_TEXT else None


def valid_stream(entry: Any) -> dict[str, Any] | None:
    """A clean copy of a cached stream entry, or None when anything in it is wrong."""
    if not isinstance(entry, dict):
        return None
    url, expires = entry.get("url"), _number(entry.get("expires_at"))
    if not is_web_url(url) or expires is None:
        return None
    headers = entry.get("headers", {})
    if headers is None:
        headers = {}
    if not isinstance(headers, dict) or len(headers) > MAX_HEADERS:
        return None
    clean_headers: dict[str, str] = {}
    for key, value in headers.items():
        if _text(key) is None or _text(value) is None or not key or any(c in key + value for c in "\r\n\x00"):
            return None
        clean_headers[key] = value
    title, duration = entry.get("title"), entry.get("duration")
    if title is not None and _text(title) is None:
        return None
    seconds = _number(duration)
    if duration is not None and seconds is None:
        return None
    channel, thumbnail = entry.get("channel"), entry.get("thumbnail")
    if channel is not None and _text(channel) is None:
        return None
    if thumbnail is not None and (_text(thumbnail) is None or not is_web_url(thumbnail)):
        thumbnail = None  # artwork only from the web
    return {
        "url": url,
        "headers": clean_headers,
        "title": title,
        "duration": seconds if seconds is not None and seconds > 0 else None,
        "expires_at": expires,
        "channel": channel,
        "thumbnail": thumbnail,
    }


def valid_search(entry: Any) -> dict[str, Any] | None:
    """A clean copy of a cached search entry, or None when anything in it is wrong."""
    if not isinstance(entry, dict):
        return None
    url, expires = entry.get("url"), _number(entry.get("expires_at"))
    if not is_web_url(url) or expires is None:
        return None
    ident, title = entry.get("id"), entry.get("title")
    if (ident is not None and _text(ident) is None) or (title is not None and _text(title) is None):
        return None
    channel, duration = entry.get("channel"), entry.get("duration")
    if channel is not None and _text(channel) is None:
        return None
    seconds = _number(duration)
    if duration is not None and seconds is None:
        return None
    return {"url": url, "id": ident, "title": title, "channel": channel,
            "duration": seconds if seconds is not None and seconds > 0 else None, "expires_at": expires}


MAX_CANDIDATES = 50


def valid_candidates(entry: Any) -> dict[str, Any] | None:
    """A clean copy of a cached versions search (its candidates), or None when anything is wrong."""
    if not isinstance(entry, dict):
        return None
    items, expires = entry.get("items"), _number(entry.get("expires_at"))
    if not isinstance(items, list) or len(items) > MAX_CANDIDATES or expires is None:
        return None
    clean = []
    for item in items:
        if not isinstance(item, dict) or not is_web_url(item.get("url")) or _text(item.get("title")) is None:
            return None
        channel, seconds = item.get("channel"), _number(item.get("duration"))
        if channel is not None and _text(channel) is None:
            return None
        if item.get("duration") is not None and seconds is None:
            return None
        clean.append({"url": item["url"], "title": item["title"], "channel": channel,
                      "duration": seconds if seconds is not None and seconds > 0 else None})
    return {"items": clean, "expires_at": expires}


_VALIDATORS: dict[str, Callable[[Any], dict[str, Any] | None]] = {
    "searches": valid_search, "streams": valid_stream, "candidates": valid_candidates,
}


def empty_cache() -> dict[str, Any]:
    return {"version": CACHE_VERSION, "searches": {}, "streams": {}, "candidates": {}}


def read_cache_file(path: Path) -> dict[str, Any]:
    """The cache in `path` with every bad entry dropped; anything unreadable is an empty cache."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError:
        return empty_cache()
    if len(raw) > MAX_FILE_BYTES:
        log.warning("the resolver cache %s is too big: ignored", safe_text(str(path)))
        return empty_cache()
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):  # not JSON, 4300+ digits, nested too deeply
        return empty_cache()
    cache = empty_cache()
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
        return cache
    for section in SECTIONS:
        table = data.get(section)
        if not isinstance(table, dict):
            continue
        validate = _VALIDATORS[section]
        for key, entry in table.items():
            clean = validate(entry) if isinstance(key, str) and len(key) <= MAX_TEXT else None
            if clean is not None:
                cache[section][key] = clean
    return cache


@contextlib.contextmanager
def _file_lock(path: Path, wait: float) -> Iterator[bool]:
    """Hold an exclusive flock on `path` (created beside the cache); yields False when
    another process kept it for `wait` seconds (then nothing is written)."""
    if fcntl is None:  # pragma: no cover
        yield True
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.01)  # flock has no timed wait: poll, bounded by `wait`
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class ResolveCache:
    """The two tables in memory, with changes written through to disk (merged)."""

    def __init__(self, path: Path | None = None, clock: Callable[[], float] = time.time) -> None:
        self._path = path
        self._clock = clock
        self._lock = threading.Lock()  # guards _tables and _pending
        self._write_lock = threading.Lock()  # one writer at a time in this process
        self._tables: dict[str, Any] | None = None
        self._pending: dict[tuple[str, str], dict[str, Any] | None] = {}  # None: delete

    @property
    def path(self) -> Path:
        return self._path or paths.resolve_cache_file()

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    def _load(self) -> dict[str, Any]:
        """The tables (under self._lock), read from disk the first time."""
        if self._tables is None:
            self._tables = read_cache_file(self.path)
        return self._tables

    def _fresh(self, section: str, key: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._load()[section].get(key)
        return dict(entry) if entry is not None and entry["expires_at"] > self._clock() else None

    def stream(self, source: str) -> dict[str, Any] | None:
        """The fresh cached stream entry for `source` (a copy), or None."""
        return self._fresh("streams", source)

    def search(self, terms: str) -> dict[str, Any] | None:
        """The fresh cached search entry for `terms` (a copy), or None."""
        return self._fresh("searches", terms)

    def candidates(self, terms: str) -> list[dict[str, Any]] | None:
        """The fresh cached versions of `terms` (copies), or None."""
        entry = self._fresh("candidates", terms)
        return [dict(item) for item in entry["items"]] if entry is not None else None

    def search_url(self, terms: str) -> str | None:
        """The page a search found, even when stale (to forget its stream)."""
        with self._lock:
            entry = self._load()["searches"].get(terms)
        return entry["url"] if entry is not None else None

    def put(self, section: str, key: str, entry: dict[str, Any]) -> bool:
        """Store an entry (validated: a bad one is refused, False) and write the file."""
        clean = _VALIDATORS[section](entry)
        if clean is None:
            return False
        with self._lock:
            self._load()[section][key] = clean
            self._pending[(section, key)] = clean
        self.save()
        return True

    def drop(self, *items: tuple[str, str]) -> None:
        """Forget (section, key) entries and write the file."""
        with self._lock:
            tables = self._load()
            for section, key in items:
                tables[section].pop(key, None)
                self._pending[(section, key)] = None
        self.save()

    def save(self) -> bool:
        """Merge this process's changes into the file on disk; False when it could not."""
        with self._write_lock:
            with self._lock:
                ops, self._pending = self._pending, {}
            if not ops:
                return True
            merged: dict[str, Any] | None = None
            try:
                with _file_lock(self.lock_path, LOCK_WAIT) as locked:
                    if locked:
                        merged = read_cache_file(self.path)
                        _apply(merged, ops)
                        _prune(merged, self._clock())
                        text = json.dumps(merged, ensure_ascii=False, indent=1, sort_keys=True)
                        paths.write_atomic(self.path, text.encode("utf-8"))
                    else:
                        log.warning("the resolver cache is locked by another process: not written this time")
            except OSError:
                log.warning("cannot write the resolver cache %s", safe_text(str(self.path)), exc_info=True)
                merged = None
            with self._lock:
                if merged is None:  # keep the changes for the next write (newer ones win)
                    self._pending = {**ops, **self._pending}
                    return False
                _apply(merged, self._pending)  # changes made while writing stay on top
                self._tables = merged
            return True


def _apply(tables: dict[str, Any], ops: dict[tuple[str, str], dict[str, Any] | None]) -> None:
    for (section, key), entry in ops.items():
        if entry is None:
            tables[section].pop(key, None)
        else:
            tables[section][key] = entry


def _prune(tables: dict[str, Any], now: float) -> None:
    for section in SECTIONS:
        table = tables[section]
        for key in [k for k, v in table.items() if v["expires_at"] <= now]:
            del table[key]
