"""The parse cache for large playlists (used by :func:`sadtui.model.playlist.load_playlist`).

tomllib needs about 0.3 s for a 10,000-song file, so the validated contents of a
large playlist are kept in the cache directory (``<cache>/playlists/``), keyed by
the file's bytes, this module and the Python version: an edited file or another
sadtui simply misses.  Each entry carries a digest of itself; anything unreadable
is ignored (the file is parsed as usual), and deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path

from sadtui.model import playlist as playlist_module
from sadtui.model.playlist import FaqEntry, Playlist, _new_song

KEEP = 8  # entries kept, most recently used first
FORMAT = 1


def key(raw: bytes) -> str:
    """The cache key of a playlist file's bytes."""
    try:
        me = Path(playlist_module.__file__).stat()
        code = f"{me.st_mtime_ns}:{me.st_size}"
    except OSError:  # pragma: no cover
        code = "?"
    digest = hashlib.sha1(raw)
    digest.update(f"\0{FORMAT}:{code}:{sys.hexversion}".encode())
    return digest.hexdigest()


def folder() -> Path:
    from sadtui.model import paths

    return paths.cache_dir() / "playlists"


def load(key: str, name: str) -> Playlist | None:
    """The cached playlist (its path set to `name`), or None."""
    file = folder() / f"{key}.bin"
    try:
        blob = file.read_bytes()
        if hashlib.sha1(blob[20:]).digest() != blob[:20]:
            return None
        stored, title, intro, outro, source, songs, faq = marshal.loads(blob[20:])
        if stored != key:
            return None
        playlist = Playlist(
            title=title,
            songs=tuple(_new_song(*fields) for fields in songs),
            intro=intro,
            outro=outro,
            source=source,
            faq=tuple(FaqEntry(question, answer) for question, answer in faq),
            path=name,
        )
        os.utime(file)  # most recently used
    except Exception:  # noqa: BLE001 - a cache never stops a playlist from loading
        return None
    return playlist


def store(key: str, playlist: Playlist) -> None:
    """Keep a validated playlist (best effort, atomic)."""
    songs = tuple(
        (s.rank, s.title, s.anime, s.artist, s.description, s.query, s.url) for s in playlist.songs
    )
    faq = tuple((entry.question, entry.answer) for entry in playlist.faq)
    try:
        payload = marshal.dumps(
            (key, playlist.title, playlist.intro, playlist.outro, playlist.source, songs, faq)
        )
        where = folder()
        from sadtui.model.paths import write_atomic

        write_atomic(where / f"{key}.bin", hashlib.sha1(payload).digest() + payload)
        entries = sorted(where.glob("*.bin"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - caching is best effort
        pass
