"""Read M3U/M3U8, PLS, XSPF and JSPF playlists into :class:`~sadtui.model.formats.Imported`.

Web locations (http/https) become a song's ``url``; ``ytdl://ytsearch1:TERMS``
(what ``sadtui export --format m3u`` writes for a song without a URL) becomes its
``query``.  Title, creator and album become title, artist and anime; the order
becomes the rank.  Local files and other addresses are counted as skipped: sadtui
plays only web addresses.  XML is parsed with defusedxml: entity expansion, DTDs
and external entities are refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from sadtui.model.formats import Entry, FormatError, Imported, clean

XSPF_NS = "http://xspf.org/ns/0/"
SEARCH_PREFIX = "ytdl://ytsearch1:"
LOCAL_SKIP = "local files named by a web address (never played)"
MISSING_SKIP = "local files that are not there"
OTHER_SKIP = "addresses that are not http(s)"
EMPTY_SKIP = "entries with neither a title nor an address"


def _title_from_location(location: str) -> str | None:
    path = urlsplit(location).path if "://" in location else location
    name = PurePosixPath(unquote(path).replace("\\", "/")).name
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return clean(stem.replace("_", " "))


def _local_path(location: str, base: Path) -> str | None:
    """A local entry (a path, or a file:// URI) as an absolute path, if it is a file there."""
    if location.lower().startswith("file://"):
        parts = urlsplit(location)
        if parts.netloc not in ("", "localhost"):
            return None
        location = unquote(parts.path)
    local = Path(location.replace("\\", "/") if re.match(r"^[A-Za-z]:[\\/]", location) else location).expanduser()
    if not local.is_absolute():
        local = base / local
    try:
        resolved = local.resolve()
        return str(resolved) if resolved.is_file() else None
    except (OSError, RuntimeError, ValueError):
        return None


def add_entry(imported: Imported, *, location: str | None, title: Any = None, artist: Any = None,
              anime: Any = None, description: Any = None, base: Path | None = None) -> None:
    """One entry from a playlist: checked, cleaned, or counted as skipped.  Local files
    become a `path` only when the playlist itself is a file on this machine (`base`, its
    folder): a web page or a remote playlist never names a local file that plays."""
    location = (location or "").strip() or None
    entry = Entry(title=clean(title) or "", artist=clean(artist), anime=clean(anime),
                  description=clean(description, multiline=True))
    if location is not None:
        scheme = urlsplit(location).scheme.lower() if "://" in location else ""
        if location.startswith(SEARCH_PREFIX):
            entry.query = clean(unquote(location[len(SEARCH_PREFIX):]))
            if not entry.query:
                imported.skip(EMPTY_SKIP)
                return
            entry.title = entry.title or entry.query
        elif scheme in ("http", "https"):
            # XML Schema's anyURI collapses whitespace; a space left inside is written as %20.
            location = " ".join(location.split()).replace(" ", "%20")
            if not _has_host(location):
                imported.skip(OTHER_SKIP)
                return
            entry.url = location
            entry.title = entry.title or _title_from_location(location) or location
        elif scheme in ("", "file") or re.match(r"^[A-Za-z]:[\\/]", location):
            if base is None:
                imported.skip(LOCAL_SKIP)
                return
            path = _local_path(location, base)
            if path is None:
                imported.skip(MISSING_SKIP)
                return
            entry.path = path
            entry.title = entry.title or _title_from_location(location) or Path(path).name
        else:
            imported.skip(OTHER_SKIP)
            return
    elif not entry.title:
        imported.skip(EMPTY_SKIP)
        return
    imported.entries.append(entry)


def _has_host(url: str) -> bool:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return False
    return bool(parts.hostname)


# ---------------------------------------------------------------- M3U

_EXTINF = re.compile(r"^#EXTINF:\s*(-?[\d.]+)?((?:\s+[\w-]+=\"[^\"]*\")*)\s*,(.*)$", re.I)


def _split_artist_title(text: str) -> tuple[str | None, str]:
    for sep in (" – ", " — ", " - "):
        if sep in text:
            artist, title = text.split(sep, 1)
            if artist.strip() and title.strip():
                return artist.strip(), title.strip()
    return None, text.strip()


def parse_m3u(text: str, base: Path | None = None) -> Imported:
    imported = Imported()
    pending: dict[str, Any] = {}
    for raw in text.lstrip("\ufeff").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            upper = line.upper()
            if match := _EXTINF.match(line):
                artist, title = _split_artist_title(match.group(3))
                pending["title"], pending["artist"] = title, artist
            elif upper.startswith("#PLAYLIST:"):
                imported.title = clean(line.split(":", 1)[1])
            elif upper.startswith("#EXTALB:"):
                pending["anime"] = line.split(":", 1)[1]
            elif upper.startswith("#EXTART:"):
                pending["artist"] = line.split(":", 1)[1]
            continue
        add_entry(imported, location=line, base=base, **pending)
        pending = {}
    return imported


# ---------------------------------------------------------------- PLS


def parse_pls(text: str, base: Path | None = None) -> Imported:
    import configparser

    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str.lower  # type: ignore[assignment,method-assign]
    try:
        parser.read_string(text.lstrip("\ufeff"))
    except configparser.Error as exc:
        raise FormatError(f"not a PLS playlist ({str(exc).splitlines()[0]})") from None
    section = next((name for name in parser.sections() if name.lower() == "playlist"), None)
    if section is None:
        raise FormatError("not a PLS playlist (no [playlist] section)")
    items = dict(parser.items(section))
    numbers = sorted({int(m.group(1)) for key in items if (m := re.fullmatch(r"file(\d{1,9})", key))})
    imported = Imported()
    for number in numbers:
        add_entry(imported, location=items.get(f"file{number}"), title=items.get(f"title{number}"), base=base)
    return imported


# ---------------------------------------------------------------- XSPF


def _text_of(element: Any, name: str) -> str | None:
    child = element.find(f"{{{XSPF_NS}}}{name}")
    return child.text if child is not None and child.text is not None else None


def parse_xspf(data: bytes, base: Path | None = None) -> Imported:
    from xml.etree.ElementTree import ParseError

    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise FormatError(f"refused: the XML declares {type(exc).__name__.replace('Forbidden', '').lower() or 'entities'} "
                          "(entities, DTDs and external references are not allowed)") from None
    except (ParseError, ValueError) as exc:
        raise FormatError(f"not well-formed XML ({str(exc).splitlines()[0] if str(exc) else 'parse error'})") from None
    if root.tag != f"{{{XSPF_NS}}}playlist":
        raise FormatError("not an XSPF playlist (the root element is not <playlist> in the XSPF namespace)")
    imported = Imported(title=clean(_text_of(root, "title")), intro=clean(_text_of(root, "annotation"), multiline=True))
    track_list = root.find(f"{{{XSPF_NS}}}trackList")
    if track_list is None:
        raise FormatError("not an XSPF playlist (no <trackList>)")
    for track in track_list.findall(f"{{{XSPF_NS}}}track"):
        locations = [loc.text.strip() for loc in track.findall(f"{{{XSPF_NS}}}location") if loc.text and loc.text.strip()]
        # The first web location if there is one (a player renders only one of them).
        location = next((loc for loc in locations if loc.lower().startswith(("http://", "https://"))),
                        locations[0] if locations else None)
        add_entry(imported, location=location, title=_text_of(track, "title"), artist=_text_of(track, "creator"),
                  anime=_text_of(track, "album"), description=_text_of(track, "annotation"), base=base)
    return imported


# ---------------------------------------------------------------- JSPF


def parse_jspf(text: str, base: Path | None = None) -> Imported:
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise FormatError(f"not valid JSON ({str(exc).splitlines()[0] if str(exc) else 'too deeply nested'})") from None
    playlist = doc.get("playlist") if isinstance(doc, dict) else None
    if not isinstance(playlist, dict):
        raise FormatError('not a JSPF playlist (no "playlist" object)')
    tracks = playlist.get("track", [])
    if not isinstance(tracks, list):
        raise FormatError('not a JSPF playlist ("track" is not a list)')
    imported = Imported(title=clean(playlist.get("title")), intro=clean(playlist.get("annotation"), multiline=True))
    for track in tracks:
        if not isinstance(track, dict):
            imported.skip("entries that are not objects")
            continue
        locations = track.get("location")
        if isinstance(locations, str):
            locations = [locations]
        locations = [loc for loc in locations or [] if isinstance(loc, str) and loc.strip()] if isinstance(locations, list) else []
        location = next((loc for loc in locations if loc.lower().startswith(("http://", "https://"))),
                        locations[0] if locations else None)
        add_entry(imported, location=location, title=track.get("title"), artist=track.get("creator"),
                  anime=track.get("album"), description=track.get("annotation"), base=base)
    return imported


# ---------------------------------------------------------------- detection


def parse_playlist(data: bytes, name: str = "", base: Path | None = None) -> Imported | None:
    """A playlist in any of the formats above, told by its name and its first bytes;
    None when it is none of them (the caller may try an article).  `base`: the folder of
    a playlist file on this machine (its local entries become paths); None for the web."""
    lower = name.lower()
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if lower.endswith(".xspf") or head.startswith(b"<?xml") and b"xspf.org/ns" in data[:4096]:
        return parse_xspf(data, base)
    if b"\x00" in data[:4096]:
        raise FormatError("a binary file, not a playlist or an article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if lower.endswith(".jspf") or head.startswith(b"{") and b'"playlist"' in data[:4096]:
        return parse_jspf(text, base)
    if lower.endswith(".pls") or head.lower().startswith(b"[playlist]"):
        return parse_pls(text, base)
    if lower.endswith((".m3u", ".m3u8")) or head.upper().startswith(b"#EXTM3U"):
        return parse_m3u(text, base)
    return None
