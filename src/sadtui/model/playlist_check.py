"""The playlist validator: :func:`parse_playlist` checks parsed TOML data, key by key.

The playlist file format is a public contract (see README.md).  Every problem in
a file is reported as a :class:`~sadtui.model.playlist_types.PlaylistError` whose
message names the file, the entry and the problem in one line, e.g.::

    mine.toml: songs[3] (rank 7): 'url' must be an http(s) URL

Entries are counted from 1, in the order they appear in the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from sadtui.model.playlist_types import FaqEntry, Playlist, PlaylistError, Song
from sadtui.model.text import is_unsafe_char, safe_text, unsafe_char_name
from sadtui.model.urls import is_web_url

__all__ = ["FAQ_KEYS", "MAX_RANK", "MULTILINE_KEYS", "SONG_KEYS", "TOP_KEYS", "parse_playlist"]


TOP_KEYS = {"title", "intro", "outro", "source", "songs", "faq"}
# Text that may run over several lines (shown as Markdown); every other text is one line.
MULTILINE_KEYS = {"intro", "outro", "description", "answer"}
MAX_RANK = 2**63 - 1  # TOML's integers are 64-bit

# Control characters would reach the terminal as they are (ESC starts escape
# sequences), and format characters (bidi overrides such as U+202E, isolates such
# as U+2066) reorder or hide what is shown: every character that
# sadtui.model.text.is_unsafe_char names is refused in every text; line breaks
# and tabs only where text may run over several lines.
_MULTILINE_ALLOWED = frozenset("\n\t")
SONG_KEYS = {"rank", "title", "anime", "artist", "description", "query", "url", "path", "spoiler", "lyrics"}
FAQ_KEYS = {"question", "answer"}


def _suggest(key: str, allowed: set[str]) -> str:
    import difflib  # only for error messages

    close = difflib.get_close_matches(key, sorted(allowed), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


_TYPE_NAMES = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "list": "an array",
    "dict": "a table",
    "datetime": "a date-time",
    "date": "a date",
    "time": "a time",
}


def _type_name(value: object) -> str:
    name = type(value).__name__
    return _TYPE_NAMES.get(name, name)


class _Checker:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, where: str, problem: str) -> PlaylistError:
        prefix = f"{self.name}: {where}: " if where else f"{self.name}: "
        return PlaylistError(prefix + problem)

    def unknown_keys(self, table: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(where, f"unknown key '{safe_text(key)}'{_suggest(key, allowed)}")

    def text(
        self, table: dict[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        if key not in table:
            if required:
                raise self.fail(where, f"missing required key '{key}'")
            return None
        value = table[key]
        if not isinstance(value, str):
            raise self.fail(where, f"'{key}' must be a string, not {_type_name(value)}")
        if required and not value.strip():
            raise self.fail(where, f"'{key}' must not be empty")
        if not value.isprintable():  # rare: find out which character, and whether it is allowed here
            allowed = _MULTILINE_ALLOWED if key in MULTILINE_KEYS else frozenset()
            for char in value:
                if char not in allowed and is_unsafe_char(char):
                    name = unsafe_char_name(char)
                    code = "" if "U+" in name else f" (U+{ord(char):04X})"
                    raise self.fail(where, f"'{key}' contains {name}{code}; remove it")
        return value


def _check_url(checker: _Checker, url: str, where: str) -> str:
    url = url.strip()
    if any(char.isspace() for char in url):
        raise checker.fail(where, "'url' must not contain spaces (write them as %20)")
    if not is_web_url(url):
        raise checker.fail(where, "'url' must be an http(s) URL")
    return url


def _check_path(checker: _Checker, value: str, where: str, base: Path | None) -> str:
    """A song's local file: written relative to the playlist's folder (or absolute, or ~);
    kept absolute. Whether it exists is found out when it plays."""
    text = value.strip()
    if not text:
        raise checker.fail(where, "'path' must not be empty")
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text):
        raise checker.fail(where, "'path' is a local file; a web address goes in 'url'")
    local = Path(text).expanduser()
    if not local.is_absolute():
        local = (base or Path.cwd()) / local
    try:
        return str(local.resolve())
    except (OSError, RuntimeError, ValueError):
        raise checker.fail(where, "'path' cannot be resolved (a symbolic link loop?)") from None


def _check_lyrics_path(checker: _Checker, value: str, where: str) -> str:
    """A lyrics file must be a relative path inside the playlist's folder (no "..", no "~")."""
    from pathlib import PurePosixPath, PureWindowsPath

    value = value.strip()
    if not value:
        raise checker.fail(where, "'lyrics' must not be empty")
    posix, windows = PurePosixPath(value), PureWindowsPath(value)
    if posix.is_absolute() or windows.is_absolute() or windows.drive or value.startswith("~"):
        raise checker.fail(where, "'lyrics' must be a path relative to the playlist's folder")
    if ".." in posix.parts or ".." in windows.parts:
        raise checker.fail(where, "'lyrics' must stay inside the playlist's folder (no '..')")
    return value


def _checked_song(checker: _Checker, number: int, raw: dict[str, Any], seen: dict[int, int],
                  base: Path | None = None) -> Song:
    where = f"songs[{number}]"
    rank = raw.get("rank")
    if "rank" not in raw:
        raise checker.fail(where, "missing required key 'rank'")
    if isinstance(rank, bool) or not isinstance(rank, int):
        raise checker.fail(where, f"'rank' must be an integer, not {_type_name(rank)}")
    if rank < 1:
        raise checker.fail(where, f"'rank' must be a positive integer, not {rank}")
    if rank > MAX_RANK:
        raise checker.fail(where, f"'rank' is too large (at most {MAX_RANK})")
    where = f"songs[{number}] (rank {rank})"
    if rank in seen:
        raise checker.fail(where, f"duplicate rank {rank} (also used by songs[{seen[rank]}])")
    checker.unknown_keys(raw, SONG_KEYS, where)
    title_ = checker.text(raw, "title", where, required=True)
    url = checker.text(raw, "url", where)
    if url is not None:
        url = _check_url(checker, url, where)
    query = checker.text(raw, "query", where)
    path = checker.text(raw, "path", where)
    if path is not None:
        if url is not None:
            raise checker.fail(where, "give 'url' or 'path', not both")
        path = _check_path(checker, path, where, base)
    spoiler = raw.get("spoiler", False)
    if not isinstance(spoiler, bool):
        raise checker.fail(where, f"'spoiler' must be true or false, not {_type_name(spoiler)}")
    lyrics = checker.text(raw, "lyrics", where)
    if lyrics is not None:
        lyrics = _check_lyrics_path(checker, lyrics, where)
    return Song(
        rank,
        title_ or "",
        checker.text(raw, "anime", where) or None,
        checker.text(raw, "artist", where) or None,
        checker.text(raw, "description", where) or None,
        query.strip() if query and query.strip() else None,
        url or None,
        path,
        spoiler,
        lyrics or None,
    )


def parse_playlist(data: dict[str, Any], name: str, base: Path | None = None) -> Playlist:
    """Validate already-parsed TOML data; `name` is used in error messages, `base` is the
    folder a song's relative `path` starts from (the playlist file's)."""
    checker = _Checker(name)
    checker.unknown_keys(data, TOP_KEYS, "top level")
    title = checker.text(data, "title", "top level", required=True)
    intro = checker.text(data, "intro", "top level")
    outro = checker.text(data, "outro", "top level")
    source = checker.text(data, "source", "top level")

    raw_songs = data.get("songs")
    if raw_songs is None:
        raise checker.fail("", "no songs: add at least one [[songs]] entry")
    if not isinstance(raw_songs, list) or not all(isinstance(s, dict) for s in raw_songs):
        raise checker.fail("songs", "must be an array of tables ([[songs]])")
    if not raw_songs:
        raise checker.fail("", "no songs: add at least one [[songs]] entry")

    songs: list[Song] = []
    seen: dict[int, int] = {}
    for number, raw in enumerate(raw_songs, start=1):
        song = _checked_song(checker, number, raw, seen, base)
        seen[song.rank] = number
        songs.append(song)
    songs.sort(key=lambda s: s.rank)

    raw_faq = data.get("faq", [])
    if not isinstance(raw_faq, list) or not all(isinstance(f, dict) for f in raw_faq):
        raise checker.fail("faq", "must be an array of tables ([[faq]])")
    faq: list[FaqEntry] = []
    for number, raw in enumerate(raw_faq, start=1):
        where = f"faq[{number}]"
        checker.unknown_keys(raw, FAQ_KEYS, where)
        question = checker.text(raw, "question", where, required=True) or ""
        answer = checker.text(raw, "answer", where, required=True) or ""
        faq.append(FaqEntry(question=question, answer=answer))

    return Playlist(
        title=title or "",
        songs=tuple(songs),
        intro=intro or None,
        outro=outro or None,
        source=source or None,
        faq=tuple(faq),
        path=name,
    )
