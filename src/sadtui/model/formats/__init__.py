"""Other playlist formats in and out of sadtui's TOML.

* :mod:`.playlists` reads M3U/M3U8 (with ``#EXTINF``), PLS, XSPF and JSPF into an
  :class:`Imported` list; :func:`to_toml` writes it as a sadtui playlist.
* :mod:`.export` writes a loaded playlist as M3U, XSPF, JSON or Markdown.

An import never drops an entry silently: every entry it cannot use is counted in
``Imported.skipped`` with the reason, and the caller says so in its summary.  The
TOML it writes is always checked by the real loader before anything is saved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sadtui.model.text import is_plain, is_unsafe_char


class FormatError(Exception):
    """Input that cannot be imported; the message is one line for the person."""


@dataclass
class Entry:
    """One song as an importer found it (rank given by the caller or by order)."""

    title: str
    artist: str | None = None
    anime: str | None = None
    url: str | None = None
    description: str | None = None
    query: str | None = None
    path: str | None = None  # a local file (absolute), only from a playlist file on this machine
    rank: int | None = None


@dataclass
class Imported:
    title: str | None = None
    intro: str | None = None
    outro: str | None = None
    source: str | None = None
    entries: list[Entry] = field(default_factory=list)
    faq: list[tuple[str, str]] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> how many

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())


def clean(text: Any, *, multiline: bool = False) -> str | None:
    """Outside text as a playlist may hold it: unsafe characters dropped, whitespace
    collapsed (line breaks kept in `multiline` texts); None when nothing is left."""
    if not isinstance(text, str):
        return None
    if not multiline and is_plain(text):  # the usual case: nothing to drop, only spaces to tidy
        return " ".join(text.split()) or None
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        kept = "".join(c for c in text if c == "\n" or not is_unsafe_char(c))
        lines = [" ".join(line.split()) for line in kept.split("\n")]
        out = "\n".join(lines).strip()
        while "\n\n\n" in out:
            out = out.replace("\n\n\n", "\n\n")
    else:
        out = " ".join("".join(" " if is_unsafe_char(c) else c for c in text).split())
    return out or None


def to_toml(imported: Imported) -> str:
    """`imported` as a sadtui playlist (TOML text). Ranks: the ones found, else the order."""
    import tomli_w

    doc: dict[str, Any] = {"title": imported.title or "Imported playlist"}
    for key in ("intro", "outro", "source"):
        value = getattr(imported, key)
        if value:
            doc[key] = value
    songs = []
    used: set[int] = set()
    for position, entry in enumerate(imported.entries, start=1):
        rank = entry.rank if entry.rank and entry.rank not in used else position
        while rank in used:
            rank += 1
        used.add(rank)
        song: dict[str, Any] = {"rank": rank, "title": entry.title}
        for key in ("anime", "artist", "description", "query", "url", "path"):
            value = getattr(entry, key)
            if value:
                song[key] = value
        songs.append(song)
    doc["songs"] = songs
    if imported.faq:
        doc["faq"] = [{"question": q, "answer": a} for q, a in imported.faq]
    return tomli_w.dumps(doc, multiline_strings=True)
