"""A loaded playlist written as M3U, XSPF, JSON or Markdown (``sadtui export``).

M3U has ``#EXTINF`` (artist - title), ``#EXTALB`` (the anime) and, for a song with
no URL, a ``ytdl://ytsearch1:TERMS`` line that mpv understands; XSPF follows the
version 1 specification; JSON is what ``sadtui list --json`` prints; Markdown is a
readable ranked article.  Importing an export gives back the same songs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from urllib.parse import quote
from xml.sax.saxutils import escape

from sadtui.model.playlist import Playlist, Song

FORMATS = ("m3u", "xspf", "json", "md")


def _location(song: Song, pinned: dict[int, str] | None, *, uri: bool = False) -> str:
    """Where the song plays from; a search for a song without a URL (spaces kept on an
    M3U line, percent-encoded where a URI is required)."""
    if pinned and song.rank in pinned:
        return pinned[song.rank]
    if song.url:
        return song.url
    if song.path:
        from pathlib import Path

        return Path(song.path).as_uri() if uri else song.path
    return "ytdl://ytsearch1:" + quote(song.search_terms, safe="'!,()&" if uri else " '!,()&")


def to_m3u(playlist: Playlist, songs: Sequence[Song], pinned: dict[int, str] | None = None) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{' '.join(playlist.title.split())}"]
    for song in songs:
        name = f"{song.artist} - {song.title}" if song.artist else song.title
        lines.append(f"#EXTINF:-1,{' '.join(name.split())}")
        if song.anime:
            lines.append(f"#EXTALB:{' '.join(song.anime.split())}")
        lines.append(_location(song, pinned))
    return "\n".join(lines) + "\n"


def to_xspf(playlist: Playlist, songs: Sequence[Song], pinned: dict[int, str] | None = None) -> str:
    def element(name: str, value: str | None, indent: str) -> str:
        return f"{indent}<{name}>{escape(value)}</{name}>\n" if value else ""

    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', '<playlist version="1" xmlns="http://xspf.org/ns/0/">\n']
    out.append(element("title", playlist.title, "  "))
    out.append(element("annotation", playlist.intro, "  "))
    if playlist.source:
        out.append(element("info", playlist.source, "  "))
    out.append("  <trackList>\n")
    for song in songs:
        out.append("    <track>\n")
        out.append(element("location", _location(song, pinned, uri=True), "      "))
        out.append(element("title", song.title, "      "))
        out.append(element("creator", song.artist, "      "))
        out.append(element("annotation", song.description, "      "))
        out.append(element("album", song.anime, "      "))
        out.append("    </track>\n")
    out.append("  </trackList>\n</playlist>\n")
    return "".join(out)


def to_json(playlist: Playlist, songs: Sequence[Song], pinned: dict[int, str] | None = None) -> str:
    rows = []
    for song in songs:
        row = song.to_json()
        if pinned and song.rank in pinned:
            row["url"] = pinned[song.rank]
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def to_markdown(playlist: Playlist, songs: Sequence[Song], pinned: dict[int, str] | None = None) -> str:
    parts = [f"# {playlist.title}\n"]
    if playlist.intro:
        parts.append(playlist.intro.strip() + "\n")
    for song in songs:
        byline = " · ".join(part for part in (song.anime, song.artist) if part)
        heading = f"## {song.rank}. {song.title}" + (f" ({byline})" if byline else "")
        parts.append(heading + "\n")
        if song.description:
            parts.append(song.description.strip() + "\n")
        location = pinned.get(song.rank) if pinned else None
        if location or song.url:
            parts.append(f"Listen: <{location or song.url}>\n")
    if playlist.faq:
        parts.append("## Frequently asked questions\n")
        for entry in playlist.faq:
            parts.append(f"### {entry.question}\n")
            parts.append(entry.answer.strip() + "\n")
    if playlist.outro:
        parts.append("## Closing word\n")
        parts.append(playlist.outro.strip() + "\n")
    if playlist.source:
        parts.append(f"Source: <{playlist.source}>\n")
    return "\n".join(parts)


WRITERS = {"m3u": to_m3u, "xspf": to_xspf, "json": to_json, "md": to_markdown}


def export(playlist: Playlist, fmt: str, ranks: Sequence[int] = (), pinned: dict[int, str] | None = None) -> str:
    """`playlist` (or the songs of `ranks`, in that order) in format `fmt`."""
    songs = [playlist.song(rank) for rank in ranks] if ranks else list(playlist.songs)
    return WRITERS[fmt](playlist, [song for song in songs if song is not None], pinned)
