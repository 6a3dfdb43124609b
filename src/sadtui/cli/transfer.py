"""`sadtui import SOURCE` and `sadtui export`: playlists in and out of sadtui's format.

Import reads M3U/M3U8, PLS, XSPF or JSPF from a file or an http(s) URL, writes a
sadtui playlist (by default into the library of lists, under a name made from its
title) and prints one line: "26 songs, 3 skipped (local files ...) → FILE".  The
TOML is checked by the real loader before it is saved: anything that can't be
imported is one line, exit 2, nothing written.
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

from sadtui.cli.common import EXIT_OK, EXIT_USAGE, PROG, find_song
from sadtui.model.library import library_of_lists, lists_dir
from sadtui.model.text import safe_line, safe_text

MAX_IMPORT_BYTES = 16 * 1024 * 1024
FETCH_TIMEOUT = 15.0


class TransferError(Exception):
    """One line for the person; exit 2."""


def register(sub: Any, playlist_option: Any) -> None:
    from sadtui.cli.common import parse_rank

    p = sub.add_parser("import", help="make a sadtui playlist from a ranked-list article or an M3U, PLS, XSPF, JSPF or online playlist")
    p.add_argument("source", metavar="SOURCE", help="a file (HTML, Markdown, text, M3U, PLS, XSPF, JSPF) or an http(s) URL")
    p.add_argument("-o", "--output", metavar="FILE.toml", help="where to write it (default: the library of lists)")
    p.add_argument("--open", action="store_true", help="then open the TUI on it")
    p.set_defaults(handler=cmd_import, needs_playlist=False)

    p = sub.add_parser("lists", help="the library of lists: file, title, songs, source")
    p.add_argument("--json", action="store_true", help="print a JSON array instead")
    p.set_defaults(handler=cmd_lists, needs_playlist=False)

    p = sub.add_parser("export", help="write the playlist as M3U, XSPF, JSON or Markdown")
    playlist_option(p, top=False)
    p.add_argument("ranks", nargs="*", type=parse_rank, metavar="RANK", help="only these songs, in this order")
    p.add_argument("--format", required=True, choices=("m3u", "xspf", "json", "md"), help="the format to write")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--pinned", action="store_true",
                   help="write the pinned recordings' URLs for songs found by a search (the same recordings every time)")
    p.set_defaults(handler=cmd_export)


def _fail(text: str) -> int:
    sys.stderr.write(f"{PROG}: {text}\n")
    return EXIT_USAGE


# ---------------------------------------------------------------- import


def _read_source(source: str) -> tuple[bytes, str]:
    """The bytes of `source` (a file or an http(s) URL) and a name to tell its format by."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", source):
        from urllib.parse import urlsplit

        parts = urlsplit(source)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise TransferError(f"{safe_line(source)}: only files and http(s) URLs can be imported")
        return _fetch(source), parts.path.rsplit("/", 1)[-1]
    path = Path(source)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_IMPORT_BYTES + 1)
    except IsADirectoryError:
        raise TransferError(f"{safe_line(source)}: is a directory, not a playlist") from None
    except OSError as exc:
        raise TransferError(f"{safe_line(source)}: cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_IMPORT_BYTES:
        raise TransferError(f"{safe_line(source)}: too large to be a playlist (over {MAX_IMPORT_BYTES // 2**20} MB)")
    return data, path.name


def _fetch(url: str) -> bytes:
    """The body at `url`: the shared fetcher (bounded, redirects to http(s) only)."""
    from sadtui.services.webfetch import FetchError, get

    try:
        return get(url, timeout=FETCH_TIMEOUT, max_bytes=MAX_IMPORT_BYTES, retries=1)
    except FetchError as exc:
        if exc.status is not None:
            raise TransferError(f"{safe_line(url)}: HTTP {exc.status} from the server") from None
        if "too large" in str(exc):
            raise TransferError(
                f"{safe_line(url)}: too large to be a playlist (over {MAX_IMPORT_BYTES // 2**20} MB)") from None
        raise TransferError(f"{safe_line(url)}: cannot fetch it ({safe_line(exc)})") from None


def slug(title: str) -> str:
    """A file name made from a title: "Saddest Anime Songs!" → "saddest-anime-songs"."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    out = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text.lower()):
        if len(out) + len(word) + 1 > 60:
            break  # whole words only
        out = f"{out}-{word}" if out else word
    return out or "playlist"


def _free_name(directory: Path, stem: str) -> Path:
    candidate = directory / f"{stem}.toml"
    number = 2
    while candidate.exists():
        candidate = directory / f"{stem}-{number}.toml"
        number += 1
    return candidate


def _summary(imported: Any, songs: int, faq: int, target: Path) -> str:
    parts = [f"{songs} song" + ("" if songs == 1 else "s")]
    if faq:
        parts.append(f"{faq} question" + ("" if faq == 1 else "s"))
    if imported.intro:
        parts.append("intro")
    if imported.outro:
        parts.append("closing word")
    for reason, count in imported.skipped.items():
        parts.append(f"{count} skipped ({reason})")
    return ", ".join(parts) + f" → {safe_text(str(target))}"


def _parse_source(source: str) -> Any:
    """`source` read as a playlist file, a ranked-list article, or a playlist yt-dlp knows."""
    from sadtui.model.formats import FormatError
    from sadtui.model.formats.article import parse_article
    from sadtui.model.formats.playlists import parse_playlist

    is_url = bool(re.match(r"^https?://", source, re.I))
    try:
        if is_url:
            from sadtui.services.playlist_import import flat_playlist, has_own_extractor

            if has_own_extractor(source):  # YouTube and the like: their pages need yt-dlp
                return flat_playlist(source)
        data, name = _read_source(source)
        if not data.strip():
            raise TransferError(f"{safe_line(source)}: is empty")
        # A playlist file on this machine may name local files (they become `path`);
        # one from the web never does.
        base = None if is_url else Path(source).expanduser().resolve().parent
        imported = parse_playlist(data, name, base)
        if imported is not None:
            return imported
        try:
            return parse_article(data, name, source if is_url else None)
        except FormatError:
            if not is_url:
                raise
            return flat_playlist(source)  # a page yt-dlp reads as a playlist (several media)
    except FormatError as exc:
        raise TransferError(f"{safe_line(source)}: {exc}") from None


def import_source(source: str, output: str | None) -> tuple[str, Path]:
    """Import `source`; returns the summary line and where the playlist was written."""
    from sadtui.model import paths
    from sadtui.model.formats import to_toml
    from sadtui.model.playlist import PlaylistError, load_playlist

    imported = _parse_source(source)
    if not imported.entries:
        skipped = "; ".join(f"{count} {reason}" for reason, count in imported.skipped.items())
        raise TransferError(f"{safe_line(source)}: no song to import" + (f" (skipped: {skipped})" if skipped else ""))
    if not imported.title:
        stem = Path(source.rstrip("/").rsplit("/", 1)[-1]).stem
        imported.title = safe_line(stem.replace("_", " ").replace("-", " ")).strip() or "Imported playlist"
    if imported.source is None and re.match(r"^https?://", source, re.I):
        imported.source = source
    text = to_toml(imported)
    target = Path(output) if output else _free_name(lists_dir(), slug(imported.title))
    if target.is_dir():
        raise TransferError(f"{safe_line(str(target))}: is a directory")
    # The loader is the judge: check what would be written before writing it.
    import tempfile

    with tempfile.TemporaryDirectory(prefix="sadtui-import-") as tmp:
        check = Path(tmp) / (target.name or "playlist.toml")
        check.write_text(text, encoding="utf-8")
        try:
            playlist = load_playlist(check)
        except PlaylistError as exc:  # a bug of ours: say it plainly, write nothing
            raise TransferError(f"{safe_line(source)}: the imported list does not load ({exc})") from None
    try:
        paths.write_atomic(target, text.encode("utf-8"))
    except OSError as exc:
        raise TransferError(f"{safe_line(str(target))}: cannot write it ({exc.strerror or exc})") from None
    return _summary(imported, len(playlist.songs), len(playlist.faq), target), target


def cmd_import(args: argparse.Namespace, playlist: Any) -> int:
    try:
        line, _target = import_source(args.source, args.output)
    except TransferError as exc:
        return _fail(str(exc))
    print(line)
    if getattr(args, "open", False):
        args.open_after = str(_target)  # cli.main then starts the TUI on it
    return EXIT_OK


# ---------------------------------------------------------------- the library of lists


def cmd_lists(args: argparse.Namespace, playlist: Any) -> int:
    rows, problems = library_of_lists()
    for problem in problems:
        sys.stderr.write(f"{PROG}: {problem}\n")
    if args.json:
        import json

        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for row in rows:
        source = f"  ({safe_line(row['source'])})" if row["source"] else ""
        count = f"{row['songs']} song" + ("" if row["songs"] == 1 else "s")
        print(f"{safe_line(row['title'])}  ·  {count}{source}\n    {safe_text(row['file'])}")
    return EXIT_OK


# ---------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace, playlist: Any) -> int:
    from sadtui.model.formats.export import export

    for rank in args.ranks:
        find_song(playlist, rank)  # a rank that is not there: one line, exit 2
    pinned = None
    if args.pinned:
        from sadtui.services.pins import PinStore

        pins = PinStore(playlist)
        pinned = {song.rank: pin.url for song in playlist.songs if (pin := pins.get(song)) is not None}
    text = export(playlist, args.format, args.ranks, pinned)
    if args.output:
        from sadtui.model import paths

        try:
            paths.write_atomic(Path(args.output), text.encode("utf-8"))
        except OSError as exc:
            return _fail(f"{safe_line(args.output)}: cannot write it ({exc.strerror or exc})")
        return EXIT_OK
    sys.stdout.write(text)
    return EXIT_OK
