"""What a URL is: a web address sadtui may hand to mpv, and the host it talks to.

The one check of "may this leave sadtui for mpv": :func:`is_web_url` (http or
https, a host, nothing hidden in it).  The resolver applies it to everything
yt-dlp returns and to its cache; the player and the playlist loader can use it
too.  Pure functions, standard library only.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = [
    "SEARCH_PREFIX",
    "WEB_SCHEMES",
    "YOUTUBE_HOST",
    "host_of",
    "host_port_of",
    "is_web_url",
]

SEARCH_PREFIX = "ytsearch1:"
YOUTUBE_HOST = "www.youtube.com"
WEB_SCHEMES = frozenset({"http", "https"})
MAX_URL_LENGTH = 16 * 1024
# Whitespace, C0/C1 controls, DEL, and the format/separator characters that hide text.
_HIDDEN = re.compile(r"[\x00-\x20\x7f-\xa0\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def is_web_url(url: object) -> bool:
    """True only for an http(s) URL with a host and no whitespace or control characters.

    ``file:``, ``av://lavfi:...``, ``edl://``, ``fd://``, ``memory://``, a bare path,
    ``ytsearch:`` and anything that does not parse are all False."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH or _HIDDEN.search(url):
        return False
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return False
    host = parts.hostname
    return parts.scheme.lower() in WEB_SCHEMES and bool(host) and "%" not in (host or "")


def host_of(url: str | None) -> str:
    """The host a URL (or a YouTube search) talks to, for messages (not escaped)."""
    if not url:
        return "the server"
    if url.startswith(SEARCH_PREFIX):
        return YOUTUBE_HOST
    try:
        parts = urlsplit(url)
        return parts.hostname or "the server"
    except ValueError:
        return "the server"


def host_port_of(url: str | None) -> str:
    """``host:port`` of a URL (the scheme's default port when none is given), for messages."""
    try:
        parts = urlsplit(url or "")
        host = parts.hostname or "the server"
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return f"{host}:{port}"
    except ValueError:
        return "the server"
