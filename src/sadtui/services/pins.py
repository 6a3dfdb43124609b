"""Pinned recordings: for each playlist, the video each searched song plays.

When a song's search first resolves, the chosen video (its page URL, title,
channel, duration) is pinned, so the same recording plays every time until the
person picks another (`v`, ``sadtui pin``).  A pin is keyed by the playlist and
the song's search terms: editing a song's ``query`` (or its title, anime, artist
when it has no query) forgets the pin.  Songs with a ``url`` or a ``path`` are
never pinned.

One JSON file, ``pins.json`` beside ``state.json``.  Every entry is validated
when read (a page that is not http(s), a wrong type... and it is dropped); writes
are merged with the file on disk under an inter-process lock and atomic.
"""

from __future__ import annotations

import json
import os
import stat
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sadtui.model import paths
from sadtui.model.playlist import Playlist, Song
from sadtui.model.state import playlist_key
from sadtui.model.text import safe_text
from sadtui.model.urls import is_web_url
from sadtui.services.logs import log
from sadtui.services.resolve_cache import _file_lock, _number, _text

__all__ = ["PIN_VERSION", "Pin", "PinStore", "pins_file", "valid_pin"]

PIN_VERSION = 1
MAX_BYTES = 4 * 1024 * 1024
MAX_PLAYLISTS = 200
LOCK_WAIT = 3.0


def pins_file() -> Path:
    return paths.state_dir() / "pins.json"


@dataclass(frozen=True, slots=True)
class Pin:
    url: str  # the video's page: always http(s)
    title: str | None = None
    channel: str | None = None
    duration: float | None = None
    pinned_at: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "title": self.title, "channel": self.channel, "duration": self.duration,
                "pinned_at": self.pinned_at}


def valid_pin(entry: Any) -> Pin | None:
    """A pin from a JSON entry, or None when anything in it is wrong."""
    if not isinstance(entry, dict) or not is_web_url(entry.get("url")):
        return None
    title, channel, duration = entry.get("title"), entry.get("channel"), entry.get("duration")
    if title is not None and _text(title) is None:
        return None
    if channel is not None and _text(channel) is None:
        return None
    seconds = _number(duration)
    if duration is not None and (seconds is None or seconds <= 0):
        return None
    when = _number(entry.get("pinned_at", 0.0))
    return Pin(entry["url"], title, channel, seconds, when or 0.0)


def _read(path: Path) -> dict[str, dict[str, Pin]]:
    """Every playlist's pins in `path`, bad entries dropped; anything unreadable is empty."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            if stat.S_ISREG(info.st_mode):
                log.warning("the pins file %s is too big: ignored", safe_text(str(path)))
            return {}
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        log.warning("the pins file %s cannot be read: ignored", safe_text(str(path)), exc_info=True)
        return {}
    if not isinstance(data, dict) or data.get("version") != PIN_VERSION or not isinstance(data.get("playlists"), dict):
        return {}
    out: dict[str, dict[str, Pin]] = {}
    for key, table in data["playlists"].items():
        if _text(key) is None or not isinstance(table, dict):
            continue
        pins = {terms: pin for terms, raw in table.items()
                if _text(terms) is not None and (pin := valid_pin(raw)) is not None}
        if pins:
            out[key] = pins
    return out


class PinStore:
    """The pins of one playlist (safe from several threads and processes)."""

    def __init__(self, playlist: Playlist | str, path: Path | None = None, clock: Any = time.time) -> None:
        self.key = playlist if isinstance(playlist, str) else playlist_key(playlist.path, playlist.title)
        self._path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._pins: dict[str, Pin] | None = None
        self._stamp: tuple[int, int] | None = None

    @property
    def path(self) -> Path:
        return self._path or pins_file()

    @staticmethod
    def pinnable(song: Song) -> bool:
        return song.url is None and song.path is None

    def _current(self) -> dict[str, Pin]:
        try:
            st = os.stat(self.path)
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if self._pins is None or stamp != self._stamp:
                self._pins = _read(self.path).get(self.key, {}) if stamp is not None else {}
                self._stamp = stamp
            return self._pins

    def get(self, song: Song) -> Pin | None:
        if not self.pinnable(song):
            return None
        return self._current().get(song.search_terms)

    def apply(self, song: Song) -> Song:
        """`song` as it plays: with its pinned page as its url (itself when not pinned)."""
        pin = self.get(song)
        return replace(song, url=pin.url) if pin is not None else song

    def set(self, song: Song, pin: Pin) -> bool:
        """Pin `pin` for `song`; False when it cannot (not pinnable, not a web page, not written)."""
        if not self.pinnable(song) or valid_pin(pin.to_json()) is None:
            return False
        return self._write(song.search_terms, replace(pin, pinned_at=self._clock()))

    def set_if_unpinned(self, song: Song, pin: Pin) -> bool:
        if self.get(song) is not None:
            return False
        return self.set(song, pin)

    def clear(self, song: Song) -> bool:
        """Unpin `song`; True when it had a pin."""
        if self.get(song) is None:
            return False
        return self._write(song.search_terms, None)

    def _write(self, terms: str, pin: Pin | None) -> bool:
        path = self.path
        try:
            with _file_lock(path.with_name(path.name + ".lock"), LOCK_WAIT) as locked:
                if not locked:
                    log.warning("pins: %s is locked by another sadtui; not written", safe_text(str(path)))
                    return False
                everything = _read(path)
                mine = dict(everything.pop(self.key, {}))
                if pin is None:
                    mine.pop(terms, None)
                else:
                    mine[terms] = pin
                if mine:
                    everything[self.key] = mine  # most recently changed last
                while len(everything) > MAX_PLAYLISTS:
                    everything.pop(next(iter(everything)))
                doc = {"version": PIN_VERSION, "playlists": {
                    key: {t: p.to_json() for t, p in table.items()} for key, table in everything.items()}}
                paths.write_atomic(path, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"), durable=True)
        except OSError:
            log.warning("pins: cannot write %s", safe_text(str(path)), exc_info=True)
            return False
        with self._lock:
            self._pins = None
        return True


def pinned_song(song: Song, pins: PinStore, resolver: Any) -> Song:
    """`song` with its pinned recording as its url; an unpinned searched song is searched
    first (``resolver.search``) and its best candidate pinned.  Raises ResolveError."""
    if not pins.pinnable(song):
        return song
    pin = pins.get(song)
    if pin is None:
        best = resolver.search(song)[0]
        pin = Pin(best.url, best.title, best.channel, best.duration)
        pins.set_if_unpinned(song, pin)
        pin = pins.get(song) or pin
    return replace(song, url=pin.url)
