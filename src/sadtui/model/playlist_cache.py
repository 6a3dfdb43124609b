"""The parse cache for large playlists (used by :func:`sadtui.model.playlist.load_playlist`).

tomllib needs about 0.3 s for a 10,000-song file, so the validated contents of a
large playlist are kept in the cache directory (``<cache>/playlists/``), keyed by
the file's bytes, the loader's version and the Python version: an edited file or
another sadtui simply misses.  Each entry carries a digest of itself; anything
unreadable is ignored (the file is parsed as usual), and deleting the folder is
always safe.  The benchmark "first paint, 10,000 songs" (target: at most twice
the time for 26 songs) needs it: see ``bench/run.py`` and the README.

This module stores plain tuples and knows nothing of the playlist classes, so
:mod:`sadtui.model.playlist` imports it and not the other way round.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from pathlib import Path
from typing import Any

KEEP = 8  # entries kept, most recently used first
FORMAT = 2


def key(raw: bytes, loader_version: str) -> str:
    """The cache key of a playlist file's bytes, read by the loader `loader_version`."""
    digest = hashlib.sha1(raw)
    digest.update(f"\0{FORMAT}:{loader_version}:{sys.hexversion}".encode())
    return digest.hexdigest()


def folder() -> Path:
    from sadtui.model import paths

    return paths.cache_dir() / "playlists"


def load(key: str) -> tuple[Any, ...] | None:
    """The fields stored under `key`, or None (missing, damaged, or from another version)."""
    file = folder() / f"{key}.bin"
    try:
        blob = file.read_bytes()
    except OSError:
        return None
    try:
        if hashlib.sha1(blob[20:]).digest() != blob[:20]:
            return None
        stored, *fields = marshal.loads(blob[20:])
    except (ValueError, EOFError, TypeError):
        return None
    if stored != key:
        return None
    try:
        os.utime(file)  # most recently used
    except OSError:
        pass
    return tuple(fields)


def store(key: str, fields: tuple[Any, ...]) -> None:
    """Keep a validated playlist's fields (best effort, atomic); only str, int, None and tuples."""
    from sadtui.model.paths import write_atomic

    try:
        payload = marshal.dumps((key, *fields))
        where = folder()
        write_atomic(where / f"{key}.bin", hashlib.sha1(payload).digest() + payload)
        entries = sorted(where.glob("*.bin"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, ValueError):  # caching is best effort: a full disk, a read-only cache...
        import logging  # sadtui's log (services.logs sets it up); model code cannot import services

        logging.getLogger("sadtui.model").warning("playlist cache: cannot store %s", key, exc_info=True)
