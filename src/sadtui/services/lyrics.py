"""Where a song's lyrics come from, in order (no Textual here; call from a worker thread):

1. the song's own lyrics file (the playlist field ``lyrics = "path.lrc"``, relative to the
   playlist's folder; LRC or plain text);
2. lyrics found before, kept in ``lyrics/`` under the data directory (so they show offline);
3. LRCLIB's public API (no key): ``/api/get`` by title, artist and duration, then
   ``/api/search``; 5 s timeouts, bounded retries, a size cap.  What it finds is kept (2).

The base URL is ``LRCLIB_URL``, or ``$SADTUI_LYRICS_URL``, or the `base_url` given.
Nothing here raises for a missing, slow or broken source: :meth:`LyricsFinder.find` returns
None (and logs why) and the caller shows "No lyrics found".
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from sadtui.model import paths
from sadtui.model.lrc import Lyrics, lyrics_key, parse_lrc
from sadtui.model.playlist import Song
from sadtui.model.text import safe_line
from sadtui.services import webfetch
from sadtui.services.logs import log

LRCLIB_URL = "https://lrclib.net"
URL_ENV = "SADTUI_LYRICS_URL"
MAX_ANSWER_BYTES = 2 * 1024 * 1024  # an LRCLIB answer (a search holds up to 20 records)
MAX_FILE_BYTES = 1024 * 1024  # a lyrics file
DURATION_SLACK = 3.0  # seconds: a search result this close to the song's length is preferred


@dataclass(frozen=True, slots=True)
class Found:
    lyrics: Lyrics
    source: str  # "file", "kept" or "lrclib"


def lyrics_dir() -> Path:
    return paths.data_dir() / "lyrics"


def song_key(song: Song) -> str:
    """The name lyrics are kept under: the song's title, artist and anime (not its rank)."""
    return lyrics_key(song.title, song.artist, song.anime)


def read_text_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """A regular file's text (UTF-8, else Latin-1), at most `max_bytes`; None if unusable."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) > max_bytes or b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def song_file(song: Song, playlist_path: str | Path | None) -> Path | None:
    """The song's own lyrics file, resolved inside the playlist's folder; None if none or outside."""
    if not song.lyrics or not playlist_path:
        return None
    folder = Path(playlist_path).expanduser().resolve().parent
    candidate = (folder / song.lyrics).resolve()
    if not candidate.is_relative_to(folder):  # a symlink pointing out of the folder
        return None
    return candidate


class LyricsFinder:
    def __init__(
        self,
        *,
        base_url: str | None = None,
        online: bool = True,
        timeout: float = webfetch.TIMEOUT,
        retries: int = webfetch.RETRIES,
        max_bytes: int = MAX_ANSWER_BYTES,
        sleep: Callable[[float], None] | None = None,
        keep_dir: Path | None = None,
    ) -> None:
        self.base_url = (base_url or os.environ.get(URL_ENV) or LRCLIB_URL).rstrip("/")
        self.online = online
        self.timeout = timeout
        self.retries = retries
        self.max_bytes = max_bytes
        self._sleep = sleep
        self._keep_dir = keep_dir
        self.last_error: str | None = None  # why the service gave nothing, one line

    @property
    def keep_dir(self) -> Path:
        return self._keep_dir or lyrics_dir()

    # ------------------------------------------------------------------ the order

    def find(self, song: Song, playlist_path: str | Path | None = None,
             duration: float | None = None) -> Found | None:
        self.last_error = None
        file = song_file(song, playlist_path)
        if file is not None:
            text = read_text_file(file)
            if text is not None and not (lyrics := parse_lrc(text)).empty:
                return Found(lyrics, "file")
            log.info("lyrics file %s of song %s is missing, too large or empty", safe_line(str(file)), song.rank)
        kept = self.kept(song)
        if kept is not None:
            return Found(kept, "kept")
        if not self.online:
            return None
        lyrics = self.lookup(song, duration)
        if lyrics is None:
            return None
        self.keep(song, lyrics)
        return Found(lyrics, "lrclib")

    # ------------------------------------------------------------------ kept lyrics

    def _kept_path(self, song: Song) -> Path:
        return self.keep_dir / f"{song_key(song)}.json"

    def kept(self, song: Song) -> Lyrics | None:
        text = read_text_file(self._kept_path(song), MAX_ANSWER_BYTES)
        if text is None:
            return None
        try:
            doc = json.loads(text)
            lyrics = parse_lrc(doc["text"]) if isinstance(doc.get("text"), str) else None
        except (ValueError, TypeError, AttributeError, KeyError, RecursionError):
            log.warning("kept lyrics %s are broken; ignored", self._kept_path(song), exc_info=True)
            return None
        return lyrics if lyrics is not None and not lyrics.empty else None

    def keep(self, song: Song, lyrics: Lyrics) -> None:
        doc = {"title": song.title, "artist": song.artist, "synced": lyrics.synced, "text": lyrics.to_lrc()}
        try:
            paths.write_atomic(self._kept_path(song), json.dumps(doc, ensure_ascii=False).encode("utf-8"))
        except OSError:
            log.warning("cannot keep the lyrics of song %s", song.rank, exc_info=True)

    # ------------------------------------------------------------------ LRCLIB

    def _get_json(self, endpoint: str, params: dict[str, str]) -> object | None:
        url = f"{self.base_url}{endpoint}?{urlencode(params)}"
        kwargs = {"sleep": self._sleep} if self._sleep is not None else {}
        try:
            body = webfetch.get(url, timeout=self.timeout, max_bytes=self.max_bytes, retries=self.retries,
                                accept="application/json", **kwargs)
        except webfetch.FetchError as exc:
            if exc.status != 404:
                self.last_error = f"the lyrics service: {exc}"
                log.info("lyrics: %s from %s", safe_line(str(exc)), endpoint)
            return None
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            self.last_error = "the lyrics service sent something that is not JSON"
            log.info("lyrics: %s sent something that is not JSON", endpoint)
            return None

    @staticmethod
    def _from_record(record: object) -> Lyrics | None:
        if not isinstance(record, dict):
            return None
        for key in ("syncedLyrics", "plainLyrics"):
            text = record.get(key)
            if isinstance(text, str) and text.strip():
                lyrics = parse_lrc(text)
                if not lyrics.empty:
                    return lyrics
        return None

    def lookup(self, song: Song, duration: float | None = None) -> Lyrics | None:
        """Ask LRCLIB: the exact record first (when the artist is known), then a search."""
        if song.artist:
            params = {"track_name": song.title, "artist_name": song.artist}
            if duration:
                params["duration"] = str(round(duration))
            if (found := self._from_record(self._get_json("/api/get", params))) is not None:
                return found
            if self.last_error is not None:
                return None  # a service that fails (slow, unreachable, garbage): don't ask it twice
        params = {"track_name": song.title}
        if song.artist:
            params["artist_name"] = song.artist
        results = self._get_json("/api/search", params)
        if not isinstance(results, list):
            return None
        records = [r for r in results[:50] if isinstance(r, dict)]

        def rank(record: dict) -> tuple[int, int]:
            length = record.get("duration")
            close = (duration is not None and isinstance(length, int | float)
                     and abs(float(length) - duration) <= DURATION_SLACK)
            synced = isinstance(record.get("syncedLyrics"), str) and bool(record["syncedLyrics"].strip())
            return (0 if close else 1, 0 if synced else 1)

        for record in sorted(records, key=rank):
            if (found := self._from_record(record)) is not None:
                return found
        return None
