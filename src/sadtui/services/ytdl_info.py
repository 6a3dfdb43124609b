"""Reading what yt-dlp returns: the stream to play, and only if it is a web address.

:func:`stream_of` picks the chosen format's URL and headers from an info dict and
refuses (``ResolveError("the page points at a non-web address")``) when that URL,
its manifest, fragment base or fragments, or any requested format, is not http(s):
a page must not decide that mpv opens ``file://``, ``av://lavfi:...`` or ``edl://``.
Pure functions, standard library only.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sadtui.model.urls import is_web_url
from sadtui.services.errors import BAD_ADDRESS, NON_WEB, ResolveError

__all__ = [
    "DIRECT_MEDIA_EXTENSIONS", "channel_of", "chosen_format", "clean_headers", "thumbnail_of",
    "is_direct_media", "number", "stream_of", "url_expiry", "web_only",
]

# A song `url` whose path ends in one of these is the media itself: mpv opens it as
# it is, with nothing for yt-dlp to extract (pages still go through yt-dlp).
DIRECT_MEDIA_EXTENSIONS = frozenset(
    {".wav", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".aac", ".weba", ".mka", ".wma"}
)


def is_direct_media(url: str) -> bool:
    """True for a URL that names an audio file (by its extension), not a page."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return os.path.splitext(path)[1].lower() in DIRECT_MEDIA_EXTENSIONS


def url_expiry(url: str) -> float | None:
    """The epoch time a stream URL stops working, when it says so (YouTube: expire=)."""
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return None
    values = query.get("expire") or query.get("Expires") or query.get("expires")
    if not values:
        match = re.search(r"/expire/(\d{9,11})(?:/|$)", url)
        values = [match.group(1)] if match else None
    if not values or len(values[0]) > 20:
        return None
    try:
        return float(values[0])
    except ValueError:
        return None


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if 0 < number < float("inf") else None


def web_only(*formats: Any) -> None:
    """Raise NON_WEB unless every URL these formats would open (their own, manifest,
    fragment base, fragments) is http(s)."""
    for fmt in formats:
        if not isinstance(fmt, dict):
            continue
        for key in ("url", "manifest_url", "fragment_base_url"):
            value = fmt.get(key)
            if value is not None and not is_web_url(value):
                raise ResolveError(NON_WEB)
        for fragment in fmt.get("fragments") or ():
            value = fragment.get("url") if isinstance(fragment, dict) else None
            if value is not None and not is_web_url(value):
                raise ResolveError(NON_WEB)


def clean_headers(headers: Any) -> dict[str, str]:
    if not isinstance(headers, dict):
        return {}
    clean: dict[str, str] = {}
    for key, value in headers.items():
        if value is None:
            continue
        key, value = str(key), str(value)
        if key and not any(c in key + value for c in "\r\n\x00"):
            clean[key] = value
    return clean


def chosen_format(info: dict[str, Any]) -> dict[str, Any] | None:
    """The format yt-dlp chose, from a processed info dict: the info itself when it has
    a URL, else the audio one of its requested formats; raises NON_WEB unless every URL
    it would open is http(s)."""
    requested = [f for f in info.get("requested_formats") or [] if isinstance(f, dict)]
    chosen: dict[str, Any] | None = info
    if not info.get("url"):
        audio = [f for f in requested if f.get("acodec") not in (None, "none")]
        chosen = (audio or requested or [None])[0]
        if chosen is None:
            formats = [f for f in info.get("formats") or [] if isinstance(f, dict) and f.get("url")]
            chosen = formats[-1] if formats else None
        if chosen is None:
            return None
    web_only(info if info.get("url") else None, chosen, *requested)
    return chosen


def stream_of(info: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The chosen format's URL and headers from a processed info dict (web URLs only)."""
    chosen = chosen_format(info)
    if chosen is None:
        return None, {}
    url = chosen.get("url")
    headers = clean_headers(chosen.get("http_headers") or info.get("http_headers") or {})
    return (str(url) if url else None), headers


MAX_NAME = 300  # characters of a channel name kept
MAX_THUMBNAIL_URL = 2000


def channel_of(info: dict[str, Any]) -> str | None:
    """Who published the recording: yt-dlp's `channel`, else its `uploader`."""
    for key in ("channel", "uploader"):
        value = info.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_NAME]
    return None


def thumbnail_of(info: dict[str, Any]) -> str | None:
    """The recording's artwork URL when it is a web address (http(s)), else None."""
    value = info.get("thumbnail")
    if isinstance(value, str) and len(value) <= MAX_THUMBNAIL_URL and is_web_url(value):
        return value
    return None


STREAM_TTL = 3600.0  # a stream URL without a known expiry
EXPIRY_MARGIN = 600.0  # re-resolve this long before a stream URL expires


def stream_expires_at(url: str, now: float) -> float:
    expiry = url_expiry(url)
    if expiry is None:
        return now + STREAM_TTL
    return expiry - EXPIRY_MARGIN


def check_song_url(url: str) -> None:
    """Refuse a song URL that is not a web address before yt-dlp sees it."""
    if is_web_url(url):
        return
    if re.match(r"(?i)https?://", url):
        raise ResolveError(BAD_ADDRESS)
    raise ResolveError("the address is not a web address (http or https)")
