"""Why something failed, in one line a person can act on: the one classifier.

:func:`describe_ytdlp_error` turns a yt-dlp failure into one plain sentence
("HTTP 404 from example.org", "cannot reach example.org (no network or DNS
failure)", "the address is not valid"...).  yt-dlp's typed exceptions
(``yt_dlp.networking.exceptions``, ``DownloadError.exc_info``) and the standard
library's (``socket.gaierror``, ``ConnectionRefusedError``...) are looked at
first; text matching is only the fallback.  Every text taken from outside (a
host, yt-dlp's own message) goes through :func:`sadtui.model.text.safe_line`.

The helpers the player's mpv classifier shares live here too: :func:`first_line`,
:func:`exception_chain`, :func:`host_of`, :func:`host_port_of` and the text
patterns (``DNS``, ``TIMEOUT``, ``REFUSED``, ``RESET``).

yt-dlp is never imported here: its exception classes are looked up only when
yt-dlp is already loaded (an exception from it cannot exist otherwise).
"""

from __future__ import annotations

import re
import socket
import ssl
import sys
from collections.abc import Iterable

from sadtui.model.text import safe_line
from sadtui.model.urls import host_of, host_port_of

__all__ = [
    "BAD_ADDRESS",
    "DNS",
    "JS_RUNTIME_HINT",
    "NON_WEB",
    "NO_AUDIO",
    "REFUSED",
    "RESET",
    "ResolveError",
    "TIMEOUT",
    "describe_ytdlp_error",
    "exception_chain",
    "first_line",
    "host_of",
    "host_port_of",
]

NON_WEB = "the page points at a non-web address"
BAD_ADDRESS = "the address is not valid"
NO_AUDIO = "no audio found on that page"
JS_RUNTIME_HINT = "YouTube needs a JavaScript runtime: run `sadtui doctor`"

DNS = re.compile(
    r"name or service not known|temporary failure in name resolution|nodename nor servname|"
    r"getaddrinfo failed|failed to resolve|no address associated|name resolution|"
    r"network is unreachable|no route to host|errno -[23]\b|errno -5\b",
    re.I,
)
TIMEOUT = re.compile(r"timed out|timeout", re.I)
REFUSED = re.compile(r"connection refused|errno 111\b", re.I)
RESET = re.compile(r"connection reset|connection aborted|remote end closed|incompleteread", re.I)
SSL_TEXT = re.compile(r"ssl|certificate", re.I)
_HOST_PORT = re.compile(r"host='([^']+)',\s*port=(\d+)")
_RESOLVE_HOST = re.compile(r"(?:failed to resolve|resolve) '([^']+)'", re.I)
_JS_HINTS = re.compile(r"javascript runtime|js runtime|challenge solv|n challenge|signature solv", re.I)
_NO_MEDIA = re.compile(
    r"unsupported url|no video formats|requested format is not available|no media|"
    r"did not get any data blocks|only images are available|no formats|no audio",
    re.I,
)
_NON_WEB_TEXT = re.compile(
    r"file:// urls are disabled|no connection adapters were found|unsupported url scheme|"
    r"unsupported request|no suitable handler",
    re.I,
)
_BAD_ADDRESS_TEXT = re.compile(
    r"invalid ipv6 url|'idna' codec failed|label (?:empty or )?too long|failed to parse: |invalid url|"
    r"invalid port|nonnumeric port|url can't contain control characters",
    re.I,
)
_BAD_ADDRESS_TYPES = frozenset({"LocationParseError", "InvalidURL", "InvalidSchema", "MissingSchema", "LocationValueError"})


class ResolveError(Exception):
    """A song whose audio cannot be found; ``message`` is one line for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def first_line(exc: BaseException | str) -> str:
    """The first non-empty line of an exception's text (or its type's name), escaped."""
    if isinstance(exc, str):
        return safe_line(exc)
    return safe_line(str(exc)) or type(exc).__name__


def exception_chain(exc: BaseException) -> list[BaseException]:
    """`exc` and everything it wraps (yt-dlp's ``exc_info`` and ``cause``, ``__cause__``,
    ``__context__``), each once, outermost first."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo and len(seen) < 50:
        item = todo.pop(0)
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        exc_info = getattr(item, "exc_info", None)
        if isinstance(exc_info, tuple) and len(exc_info) > 1 and isinstance(exc_info[1], BaseException):
            todo.append(exc_info[1])
        cause = getattr(item, "cause", None)
        if isinstance(cause, BaseException):
            todo.append(cause)
        todo.append(item.__cause__)
        todo.append(item.__context__)
    return seen


def _ytdlp_types() -> dict[str, type]:
    """yt-dlp's networking exception classes, when yt-dlp is loaded (never imports it)."""
    module = sys.modules.get("yt_dlp.networking.exceptions")
    if module is None:
        return {}
    names = ("HTTPError", "IncompleteRead", "SSLError", "TransportError", "UnsupportedRequest", "NoSupportingHandlers")
    return {name: getattr(module, name) for name in names if isinstance(getattr(module, name, None), type)}


def _is(item: BaseException, types: dict[str, type], name: str) -> bool:
    cls = types.get(name)
    return cls is not None and isinstance(item, cls)


def _http_status(item: BaseException, types: dict[str, type]) -> int | None:
    status = getattr(item, "status", None) if _is(item, types, "HTTPError") else None
    if status is None and type(item).__name__ == "HTTPError":  # urllib's, or an older yt-dlp's
        status = getattr(item, "status", None) or getattr(item, "code", None)
    return status if isinstance(status, int) and not isinstance(status, bool) else None


def _response_host(item: BaseException, fallback: str) -> str:
    response = getattr(item, "response", None)
    url = getattr(response, "url", None) if response is not None else None
    url = url or getattr(item, "url", None) or getattr(item, "filename", None)
    return host_of(url) if isinstance(url, str) and url else fallback


def _typed(chain: list[BaseException], host: str, target: str | None) -> str | None:
    """The message from exception types alone, or None to fall back to text."""
    types = _ytdlp_types()
    for item in chain:
        status = _http_status(item, types)
        if status is not None:
            where = safe_line(_response_host(item, host))
            if getattr(item, "redirect_loop", False) or "redirect loop" in str(item).lower():
                return f"too many redirects at {where}"
            return f"HTTP {status} from {where}"
    for item in chain:
        if type(item).__name__ in _BAD_ADDRESS_TYPES:
            return BAD_ADDRESS
        if _is(item, types, "UnsupportedRequest") or _is(item, types, "NoSupportingHandlers"):
            return NON_WEB
    for item in chain:
        if isinstance(item, ConnectionRefusedError):
            return None  # the text names host and port: let the text rules say it
        if isinstance(item, socket.gaierror):
            return None  # the text names the host that failed: let the text rules say it
        if isinstance(item, (TimeoutError, socket.timeout)):
            return f"timed out talking to {safe_line(host)}"
        if _is(item, types, "IncompleteRead") or isinstance(item, ConnectionResetError):
            return f"the connection to {safe_line(host)} was cut"
        if _is(item, types, "SSLError") or isinstance(item, ssl.SSLError):
            return f"secure connection to {safe_line(host)} failed (SSL)"
    return None


def _clean_ytdlp_message(text: str) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    text = re.sub(r"^ERROR:\s*", "", text)
    text = re.sub(r"^\[[^\]]+\]\s*(?:[\w-]+:\s*)?", "", text)
    text = re.sub(r"\s*\(caused by .*$", "", text)
    text = re.sub(r";\s*please report this issue.*$", "", text, flags=re.I)
    return safe_line(text.strip().rstrip(".")) or "yt-dlp could not extract it"


def describe_ytdlp_error(exc: BaseException, target: str | None, warnings: Iterable[str] | None = None) -> str:
    """One line for a person from a yt-dlp exception; `target` is what was asked for."""
    chain = exception_chain(exc)
    text = " | ".join(str(e) for e in chain)
    host = host_of(target)
    if _NON_WEB_TEXT.search(text):
        return NON_WEB
    typed = _typed(chain, host, target)
    if typed is not None:
        return typed
    if _BAD_ADDRESS_TEXT.search(text):
        return BAD_ADDRESS
    match = _HOST_PORT.search(text)
    named = _RESOLVE_HOST.search(text)
    where_host = safe_line(named.group(1) if named else match.group(1) if match else host)
    youtube = host.endswith("youtube.com") or host == "youtu.be" or "youtube" in text.lower()
    if REFUSED.search(text):
        where = f"{match.group(1)}:{match.group(2)}" if match else host_port_of(target)
        return f"connection refused by {safe_line(where)}"
    if DNS.search(text):
        return f"cannot reach {where_host} (no network or DNS failure)"
    if TIMEOUT.search(text):
        return f"timed out talking to {where_host}"
    if youtube and (_JS_HINTS.search(text) or any(_JS_HINTS.search(str(w)) for w in warnings or ())):
        return JS_RUNTIME_HINT
    if RESET.search(text):
        return f"the connection to {where_host} was cut"
    if _NO_MEDIA.search(text):
        return NO_AUDIO
    if SSL_TEXT.search(text) and "error" in text.lower():
        return f"secure connection to {where_host} failed (SSL)"
    return _clean_ytdlp_message(str(exc))
