"""Playlists: :func:`load_playlist` reads a TOML file (or the default playlist) and
checks it.

The playlist file format is a public contract (see README.md).  Every problem in
a file is reported as a :class:`PlaylistError` whose message names the file, the
entry and the problem in one line, e.g.::

    mine.toml: songs[3] (rank 7): 'url' must be an http(s) URL

Entries are counted from 1, in the order they appear in the file.  The parts: the
values (:class:`Playlist`, :class:`Song`...) in :mod:`sadtui.model.playlist_types`, the
validator (:func:`parse_playlist`) in :mod:`sadtui.model.playlist_check`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from sadtui.model import playlist_check, playlist_types

# Re-exported (`X as X`): importable from here as before the split.
from sadtui.model.playlist_check import FAQ_KEYS as FAQ_KEYS
from sadtui.model.playlist_check import MAX_RANK as MAX_RANK
from sadtui.model.playlist_check import MULTILINE_KEYS as MULTILINE_KEYS
from sadtui.model.playlist_check import SONG_KEYS as SONG_KEYS
from sadtui.model.playlist_check import TOP_KEYS as TOP_KEYS
from sadtui.model.playlist_check import parse_playlist
from sadtui.model.playlist_types import FaqEntry, Playlist, PlaylistError, Song
from sadtui.model.text import safe_text

__all__ = [
    "FaqEntry", "Playlist", "PlaylistError", "Song", "default_playlist_path", "load_playlist", "parse_playlist",
]

DEFAULT_PLAYLIST_NAME = "saddest-anime-songs.toml"
MAX_FILE_BYTES = 64 * 1024 * 1024


def default_playlist_path() -> Path:
    """The default playlist shipped inside the package (or the source tree)."""
    # Beside the package (a wheel install), then <repo>/data (editable installs and
    # a plain source checkout): plain path checks, so start-up never has to import
    # importlib.resources.  Anything else (a zipped package...) asks importlib.
    package = Path(__file__).parents[1]  # src/sadtui (this file is in sadtui/model)
    for candidate in (package / "data" / DEFAULT_PLAYLIST_NAME, package.parents[1] / "data" / DEFAULT_PLAYLIST_NAME):
        if candidate.is_file():
            return candidate
    try:
        from importlib import resources

        shipped = resources.files("sadtui") / "data" / DEFAULT_PLAYLIST_NAME
        if shipped.is_file():
            return Path(str(shipped))
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):  # pragma: no cover
        pass
    return package.parents[1] / "data" / DEFAULT_PLAYLIST_NAME


CACHE_MIN_BYTES = 256 * 1024  # smaller files parse in less time than the cache takes


def load_playlist(path: str | Path | None = None) -> Playlist:
    """Load and validate a playlist file; None loads the default playlist."""
    if path is not None and not str(path).strip():
        raise PlaylistError("the playlist file name is empty")
    file = Path(path) if path is not None else default_playlist_path()
    name = safe_text(str(path) if path is not None else str(file))
    try:
        with file.open("rb") as handle:  # a FIFO (`--playlist <(...)`) works too
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise PlaylistError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise PlaylistError(f"{name}: is a directory, not a playlist file") from None
    except PermissionError:
        raise PlaylistError(f"{name}: permission denied") from None
    except OSError as exc:
        raise PlaylistError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise PlaylistError(f"{name}: too large for a playlist (more than {MAX_FILE_BYTES // 2**20} MiB)")
    if not raw.strip():
        raise PlaylistError(f"{name}: the file is empty")
    cache_key = None
    if len(raw) >= CACHE_MIN_BYTES:  # big: look for it in the parse cache
        from sadtui.model import playlist_cache

        # The folder is part of the key: a song's `path` is resolved from it.
        cache_key = playlist_cache.key(raw, f"{_loader_version()}:{_folder_of(file)}")
        if (fields := playlist_cache.load(cache_key)) is not None and (cached := _from_fields(fields, name)):
            return cached
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PlaylistError(
            f"{name}: line {line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc).splitlines()[0] if str(exc) else "invalid TOML"
        raise PlaylistError(f"{name}: TOML syntax error: {message}") from None
    except RecursionError:
        raise PlaylistError(f"{name}: arrays or tables nested too deeply") from None
    except ValueError as exc:  # e.g. an integer with thousands of digits
        raise PlaylistError(f"{name}: cannot read a value: {str(exc).splitlines()[0]}") from None
    playlist = parse_playlist(data, name, _folder_of(file))
    if cache_key is not None:
        from sadtui.model import playlist_cache

        playlist_cache.store(cache_key, _to_fields(playlist))
    return playlist


def _folder_of(file: Path) -> Path | None:
    try:
        return file.resolve().parent
    except (OSError, RuntimeError):
        return None


def _loader_version() -> str:
    """Changes whenever the loader's files do (this one, the validator, the values): a
    cache entry from another loader is not used."""
    stamps = []
    for module_file in (__file__, playlist_check.__file__, playlist_types.__file__):
        try:
            me = Path(module_file).stat()
        except OSError:  # pragma: no cover
            return "?"
        stamps.append(f"{me.st_mtime_ns}:{me.st_size}")
    return ":".join(stamps)



def _to_fields(playlist: Playlist) -> tuple[Any, ...]:
    songs = tuple(
        (s.rank, s.title, s.anime, s.artist, s.description, s.query, s.url, s.path, s.spoiler, s.lyrics) for s in playlist.songs
    )
    faq = tuple((entry.question, entry.answer) for entry in playlist.faq)
    return (playlist.title, playlist.intro, playlist.outro, playlist.source, songs, faq)


def _from_fields(fields: tuple[Any, ...], name: str) -> Playlist | None:
    """A playlist from what the cache gave back; None if it has the wrong shape."""
    try:
        title, intro, outro, source, songs, faq = fields
        return Playlist(
            title=title,
            songs=tuple(Song(*song) for song in songs),
            intro=intro,
            outro=outro,
            source=source,
            faq=tuple(FaqEntry(question, answer) for question, answer in faq),
            path=name,
        )
    except (TypeError, ValueError):
        return None
