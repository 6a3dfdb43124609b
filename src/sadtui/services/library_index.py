"""The library of kept audio's index and names: where it is (:func:`library_dir`), what a
kept file is called (:func:`is_kept_name`), what a song is kept under (:func:`song_key`),
and ``index.json`` read and validated (:func:`read_index`, :func:`valid_entry`).

The index is validated when read: a wrong type, a file name that is not one of ours, a
size that is not a positive integer... and the entry is dropped.  See
:mod:`sadtui.services.library` for the library itself.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sadtui.model import paths
from sadtui.model.playlist import Song
from sadtui.model.text import safe_text
from sadtui.model.urls import SEARCH_PREFIX, is_web_url
from sadtui.services.logs import log
from sadtui.services.resolve_cache import _number, _text

__all__ = [
    "DEFAULT_CAP", "INDEX_VERSION", "Kept", "LibraryError", "Progress", "is_kept_name", "library_dir",
    "read_index", "song_key", "valid_entry",
]


INDEX_VERSION = 1
DEFAULT_CAP = 2 * 1024**3  # bytes
MAX_INDEX_BYTES = 8 * 1024 * 1024
LOCK_WAIT = 5.0
TEMP_PREFIX = ".dl-"
STALE_TEMP = 24 * 3600.0  # seconds: a temporary file older than this is a leftover
_FILE_NAME = re.compile(r"[0-9a-f]{24}-[0-9a-f]{8}\.[a-z0-9]{1,8}")


TOO_LARGE = "the file is larger than the library's size cap"


class LibraryError(Exception):
    """A song could not be kept: one line a person can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
