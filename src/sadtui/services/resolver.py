"""Find a song's audio stream with yt-dlp (as a library), with an on-disk cache.

One long-lived ``yt_dlp.YoutubeDL`` is reused for every song (a new one costs
~0.1 s and its first extraction another ~0.3 s: :meth:`Resolver.warm_up` pays
that in the background).  yt-dlp is imported lazily, inside the methods, so
importing this module stays cheap.

* A song's ``url`` wins; otherwise ``ytsearch1:<search terms>`` and its first
  entry.  Format ``bestaudio/best``.
* Bounded: every call gives up within ``deadline`` seconds (15 by default), with
  short socket timeouts and a single retry, because yt-dlp's defaults can spend
  minutes on a dead network.  A call that overruns is abandoned together with
  its ``YoutubeDL``; the next call starts a fresh one.
* Cache (``paths.resolve_cache_file()``, JSON, written atomically): a search's
  video page for 30 days, a stream URL until its expiry (YouTube's ``expire=``)
  minus a margin, or one hour when the URL carries no expiry.  A corrupt file is
  ignored and rewritten.
* Failures are :class:`ResolveError` with one line a person can act on.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sadtui.model import paths
from sadtui.model.playlist import Song

CACHE_VERSION = 1
SEARCH_TTL = 30 * 24 * 3600.0  # a search's video page
STREAM_TTL = 3600.0  # a stream URL without a known expiry
EXPIRY_MARGIN = 600.0  # re-resolve this long before a stream URL expires
MIN_STREAM_TTL = 60.0  # never cache shorter than this (or not at all)
DEADLINE = 15.0  # seconds: any source fails within this
SOCKET_TIMEOUT = 6.0
BUSY_WAIT = 0.5  # seconds to wait for the shared YoutubeDL before using a throw-away one
SEARCH_PREFIX = "ytsearch1:"
YOUTUBE_HOST = "www.youtube.com"
JS_RUNTIME_HINT = "YouTube needs a JavaScript runtime: run `sadtui doctor`"
# A song `url` whose path ends in one of these is the media itself: mpv opens it as
# it is, with nothing for yt-dlp to extract (pages still go through yt-dlp).
DIRECT_MEDIA_EXTENSIONS = frozenset(
    {".wav", ".mp3", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".aac", ".weba", ".mka", ".wma"}
)


class ResolveError(Exception):
    """A song whose audio cannot be found; ``message`` is one line for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Resolved:
    url: str  # the stream for mpv
    headers: dict[str, str] = field(default_factory=dict)  # HTTP headers yt-dlp says to send
    title: str | None = None
    duration: float | None = None
    expires_at: float = 0.0  # epoch seconds; after this the cached entry is not used
    from_cache: bool = False
    source: str = ""  # the page (or media) URL it was found from


# ---------------------------------------------------------------- helpers


def is_direct_media(url: str) -> bool:
    """True for a URL that names an audio file (by its extension), not a page."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return os.path.splitext(path)[1].lower() in DIRECT_MEDIA_EXTENSIONS


def venv_deno() -> Path | None:
    """The `deno` binary of the PyPI `deno` package, next to this Python (maybe not on PATH)."""
    candidate = Path(sys.executable).parent / ("deno.exe" if os.name == "nt" else "deno")
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    return None


def js_runtimes() -> dict[str, dict[str, str]]:
    """yt-dlp's ``js_runtimes`` option: the venv's deno by path, else whatever is on PATH."""
    deno = venv_deno()
    if deno is not None:
        return {"deno": {"path": str(deno)}}
    found: dict[str, dict[str, str]] = {}
    for name, exe in (("deno", "deno"), ("node", "node"), ("bun", "bun"), ("quickjs", "qjs")):
        path = shutil.which(exe)
        if path:
            found[name] = {"path": path}
    return found or {"deno": {}}


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
    if not values:
        return None
    try:
        return float(values[0])
    except ValueError:
        return None


def stream_expires_at(url: str, now: float) -> float:
    expiry = url_expiry(url)
    if expiry is None:
        return now + STREAM_TTL
    return expiry - EXPIRY_MARGIN


def host_of(url: str | None) -> str:
    """The host a URL (or a YouTube search) talks to, for messages."""
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
    try:
        parts = urlsplit(url or "")
        host = parts.hostname or "the server"
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return f"{host}:{port}"
    except ValueError:
        return "the server"


def _exception_chain(exc: BaseException) -> list[BaseException]:
    """exc and everything it wraps (yt-dlp's exc_info / cause, __cause__, __context__)."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
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


_DNS = re.compile(
    r"name or service not known|temporary failure in name resolution|nodename nor servname|"
    r"getaddrinfo failed|failed to resolve|no address associated|name resolution|"
    r"network is unreachable|no route to host|errno -[23]\b|errno -5\b",
    re.I,
)
_TIMEOUT = re.compile(r"timed out|timeout", re.I)
_REFUSED = re.compile(r"connection refused|errno 111\b", re.I)
_RESET = re.compile(r"connection reset|connection aborted|remote end closed|incompleteread", re.I)
_SSL = re.compile(r"ssl|certificate", re.I)
_HOST_PORT = re.compile(r"host='([^']+)',\s*port=(\d+)")
_JS_HINTS = re.compile(r"javascript runtime|js runtime|challenge solv|n challenge|signature solv", re.I)
_NO_MEDIA = re.compile(
    r"unsupported url|no video formats|requested format is not available|no media|"
    r"did not get any data blocks|only images are available|no formats|no audio",
    re.I,
)


def _clean_ytdlp_message(text: str) -> str:
    text = text.strip().splitlines()[0] if text.strip() else ""
    text = re.sub(r"^ERROR:\s*", "", text)
    text = re.sub(r"^\[[^\]]+\]\s*(?:[\w-]+:\s*)?", "", text)
    text = re.sub(r"\s*\(caused by .*$", "", text)
    text = re.sub(r";\s*please report this issue.*$", "", text, flags=re.I)
    return text.strip().rstrip(".") or "yt-dlp could not extract it"


def describe_error(exc: BaseException, target: str | None, warnings: list[str] | None = None) -> str:
    """One line for a person from a yt-dlp exception; `target` is what was asked for."""
    chain = _exception_chain(exc)
    text = " | ".join(str(e) for e in chain)
    host = host_of(target)
    for item in chain:
        status = getattr(item, "status", None)
        if status is None:
            status = getattr(item, "code", None)
        if isinstance(status, int) and 400 <= status < 600 and type(item).__name__ == "HTTPError":
            response = getattr(item, "response", None)
            url = getattr(response, "url", None) if response is not None else None
            url = url or getattr(item, "url", None) or getattr(item, "filename", None)
            return f"HTTP {status} from {host_of(url) if url else host}"
    match = _HOST_PORT.search(text)
    where_host = match.group(1) if match else host
    youtube = host.endswith("youtube.com") or host == "youtu.be" or "youtube" in text.lower()
    if _REFUSED.search(text):
        where = f"{match.group(1)}:{match.group(2)}" if match else host_port_of(target)
        return f"connection refused by {where}"
    if _DNS.search(text):
        return f"cannot reach {where_host} (no network or DNS failure)"
    if _TIMEOUT.search(text):
        return f"timed out talking to {where_host}"
    if youtube and (
        _JS_HINTS.search(text) or any(_JS_HINTS.search(w) for w in warnings or ())
    ):
        return JS_RUNTIME_HINT
    if _RESET.search(text):
        return f"the connection to {where_host} was cut"
    if _NO_MEDIA.search(text):
        return "no audio found on that page"
    if _SSL.search(text) and "error" in text.lower():
        return f"secure connection to {where_host} failed (SSL)"
    return _clean_ytdlp_message(str(exc))


class _QuietLogger:
    """yt-dlp's `logger`: nothing reaches the terminal; the latest warnings are kept."""

    def __init__(self) -> None:
        self.lines: deque[str] = deque(maxlen=100)
        self.count = 0

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        self._keep(msg)

    def error(self, msg: str) -> None:
        self._keep(msg)

    def _keep(self, msg: str) -> None:
        self.lines.append(str(msg))
        self.count += 1

    def since(self, mark: int) -> list[str]:
        """The lines kept after `count` was `mark`."""
        new = self.count - mark
        return list(self.lines)[-new:] if new > 0 else []


class _Session:
    """One YoutubeDL and the lock that serialises its use."""

    def __init__(self, ydl: Any, logger: _QuietLogger) -> None:
        self.ydl = ydl
        self.logger = logger
        self.lock = threading.Lock()
        self.warmed = False


class _Flight:
    """A resolution in progress that other callers for the same song may wait on."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Resolved | None = None
        self.error: BaseException | None = None


# ---------------------------------------------------------------- the resolver


class Resolver:
    """Song -> stream URL and headers, via one long-lived YoutubeDL and a disk cache."""

    def __init__(
        self,
        *,
        cache_path: Path | None = None,
        socket_timeout: float = SOCKET_TIMEOUT,
        deadline: float = DEADLINE,
        ydl_factory: Callable[[dict[str, Any]], Any] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._cache_path = cache_path
        self.socket_timeout = socket_timeout
        self.deadline = deadline
        self._ydl_factory = ydl_factory
        self._clock = clock
        self._lock = threading.Lock()  # guards the fields below
        self._session: _Session | None = None
        self._cache: dict[str, Any] | None = None
        self._flights: dict[str, _Flight] = {}
        self._prefetch_wanted: Song | None = None
        self._prefetch_thread: threading.Thread | None = None
        self._prefetch_cv = threading.Condition(self._lock)
        self.resolutions = 0  # how many times yt-dlp was asked (tests, diagnostics)

    # ------------------------------------------------------------ yt-dlp

    def ydl_options(self) -> dict[str, Any]:
        return {
            "quiet": True,
            "no_warnings": False,  # warnings go to our logger (and explain JS-runtime failures)
            "noprogress": True,
            "no_color": True,
            "socket_timeout": self.socket_timeout,
            "extractor_retries": 1,
            "retries": 1,
            "fragment_retries": 1,
            "file_access_retries": 0,
            "noplaylist": True,
            "format": "bestaudio/best",
            "extract_flat": "in_playlist",  # a search gives url entries; we extract the first
            "skip_download": True,
            "cachedir": str(paths.cache_dir() / "yt-dlp"),
            "js_runtimes": js_runtimes(),
        }

    def _new_session(self) -> _Session:
        logger = _QuietLogger()
        options = {**self.ydl_options(), "logger": logger}
        if self._ydl_factory is not None:
            ydl = self._ydl_factory(options)
        else:
            import yt_dlp  # lazily: importing this module must stay cheap

            ydl = yt_dlp.YoutubeDL(options)
        return _Session(ydl, logger)

    def _get_session(self) -> _Session:
        with self._lock:
            session = self._session
        if session is not None:
            return session
        fresh = self._new_session()  # outside the lock: it may take a moment
        with self._lock:
            if self._session is None:
                self._session = fresh
            return self._session

    def _drop_session(self, session: _Session) -> None:
        with self._lock:
            if self._session is session:
                self._session = None

    def warm_up(self) -> None:
        """Create the YoutubeDL and pay the first-extraction cost (offline, no requests)."""
        try:
            session = self._get_session()
        except Exception:  # noqa: BLE001 - a broken yt-dlp shows up when a song is played
            return
        if session.warmed or not session.lock.acquire(timeout=0.1):
            return
        try:
            ies = getattr(session.ydl, "_ies", None)
            if isinstance(ies, dict):
                probe = "https://www.youtube.com/watch?v=aaaaaaaaaaa"
                for ie in list(ies.values()):  # compiles every extractor's URL pattern
                    try:
                        ie.suitable(probe)
                    except Exception:  # noqa: BLE001
                        pass
                for key in ("Generic", "Youtube", "YoutubeSearch"):
                    try:
                        session.ydl.get_info_extractor(key)
                    except Exception:  # noqa: BLE001
                        pass
            session.warmed = True
        finally:
            session.lock.release()

    def _extract(self, target: str, deadline_at: float) -> dict[str, Any]:
        """ydl.extract_info(target) in a helper thread, abandoned at `deadline_at`.

        The long-lived YoutubeDL is used when it is free; when another call (a
        prefetch, an abandoned request) has held it for a moment, a throw-away one
        is made rather than waiting behind it."""
        session = self._get_session()
        box: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            use = session
            if not use.lock.acquire(timeout=min(BUSY_WAIT, max(0.0, deadline_at - time.monotonic()))):
                try:
                    use = self._new_session()
                except BaseException as exc:  # noqa: BLE001
                    box["error"] = exc
                    done.set()
                    return
                use.lock.acquire()
            try:
                mark = use.logger.count
                try:
                    box["info"] = use.ydl.extract_info(target, download=False)
                except BaseException as exc:  # noqa: BLE001 - handed to the caller
                    box["error"] = exc
                    box["warnings"] = use.logger.since(mark)
            finally:
                use.lock.release()
                done.set()

        with self._lock:
            self.resolutions += 1
        threading.Thread(target=run, name="sadtui-ytdlp", daemon=True).start()
        if not done.wait(max(0.0, deadline_at - time.monotonic())):
            self._drop_session(session)  # it may be stuck: the next call gets a fresh YoutubeDL
            raise ResolveError(f"timed out talking to {host_of(target)}")
        if "error" in box:
            raise ResolveError(describe_error(box["error"], target, box.get("warnings"))) from None
        info = box.get("info")
        if not isinstance(info, dict):
            raise ResolveError("no audio found on that page")
        return info

    # ------------------------------------------------------------ cache

    @property
    def cache_path(self) -> Path:
        return self._cache_path or paths.resolve_cache_file()

    def _load_cache(self) -> dict[str, Any]:
        """The cache (under self._lock); a missing or corrupt file is an empty cache."""
        if self._cache is not None:
            return self._cache
        data: Any = None
        try:
            data = json.loads(self.cache_path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):  # nested too deeply, too
            data = None
        if (
            not isinstance(data, dict)
            or data.get("version") != CACHE_VERSION
            or not isinstance(data.get("searches"), dict)
            or not isinstance(data.get("streams"), dict)
        ):
            data = {"version": CACHE_VERSION, "searches": {}, "streams": {}}
        self._cache = data
        return data

    def _save_cache(self) -> None:
        """Write the cache atomically (tmp file + os.replace), dropping expired entries."""
        with self._lock:
            cache = self._load_cache()
            now = self._clock()
            for section in ("searches", "streams"):
                table = cache[section]
                for key in [k for k, v in table.items() if not _fresh(v, now)]:
                    del table[key]
            text = json.dumps(cache, ensure_ascii=False, indent=1, sort_keys=True)
        try:
            paths.write_atomic(self.cache_path, text.encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written is only slower

    def _cached_stream(self, source: str) -> Resolved | None:
        with self._lock:
            entry = self._load_cache()["streams"].get(source)
            if not _fresh(entry, self._clock()):
                return None
            try:
                return Resolved(
                    url=str(entry["url"]),
                    headers={str(k): str(v) for k, v in dict(entry.get("headers") or {}).items()},
                    title=entry.get("title"),
                    duration=_number(entry.get("duration")),
                    expires_at=float(entry["expires_at"]),
                    from_cache=True,
                    source=source,
                )
            except (KeyError, TypeError, ValueError):
                return None

    def _cached_search(self, terms: str) -> str | None:
        with self._lock:
            entry = self._load_cache()["searches"].get(terms)
            if not _fresh(entry, self._clock()):
                return None
            url = entry.get("url")
            return url if isinstance(url, str) and url else None

    def cached(self, song: Song) -> Resolved | None:
        """The cached resolution of `song`, if still fresh (never touches the network)."""
        source = song.url or self._cached_search(song.search_terms)
        return self._cached_stream(source) if source else None

    def invalidate(self, song: Song, *, search: bool = False) -> None:
        """Forget the cached stream of `song` (and its search result when `search`)."""
        with self._lock:
            cache = self._load_cache()
            source = song.url
            if source is None:
                entry = cache["searches"].get(song.search_terms)
                source = entry.get("url") if isinstance(entry, dict) else None
                if search:
                    cache["searches"].pop(song.search_terms, None)
            if source:
                cache["streams"].pop(source, None)
        self._save_cache()

    # ------------------------------------------------------------ resolving

    def resolve(self, song: Song) -> Resolved:
        """The stream for `song` (cached when fresh); raises ResolveError within the deadline."""
        cached = self.cached(song)
        if cached is not None:
            return cached
        key = song.url or SEARCH_PREFIX + song.search_terms
        deadline_at = time.monotonic() + self.deadline
        with self._lock:
            flight = self._flights.get(key)
            mine = flight is None
            if mine:
                flight = self._flights[key] = _Flight()
        assert flight is not None
        if not mine:  # someone (a prefetch) is already on it: share its answer
            if not flight.done.wait(max(0.0, deadline_at - time.monotonic())):
                raise ResolveError(f"timed out talking to {host_of(key)}")
            if flight.error is not None:
                raise flight.error
            assert flight.result is not None
            return flight.result
        try:
            flight.result = self._resolve_uncached(song, deadline_at)
            return flight.result
        except BaseException as exc:
            flight.error = exc if isinstance(exc, ResolveError) else ResolveError(str(exc) or type(exc).__name__)
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def _resolve_uncached(self, song: Song, deadline_at: float) -> Resolved:
        source = song.url
        if source is not None and is_direct_media(source):
            return Resolved(url=source, expires_at=self._clock() + STREAM_TTL, source=source)
        if source is None:
            terms = song.search_terms
            source = self._cached_search(terms)
            if source is None:
                info = self._extract(SEARCH_PREFIX + terms, deadline_at)
                entries = [e for e in (info.get("entries") or []) if isinstance(e, dict)]
                if info.get("_type") in ("playlist", "multi_video") or "entries" in info:
                    if not entries:
                        raise ResolveError(f"nothing found on YouTube for “{terms}”")
                    entry = entries[0]
                else:
                    entry = info
                page = entry.get("webpage_url") or entry.get("url")
                if not page:
                    raise ResolveError(f"nothing found on YouTube for “{terms}”")
                if entry.get("_type") not in ("url", "url_transparent") and (
                    entry.get("formats") or entry.get("requested_formats")
                ):
                    # Already a full result (not flat): use it as it is.
                    self._remember_search(terms, str(page), entry)
                    return self._store(str(page), entry)
                self._remember_search(terms, str(page), entry)
                source = str(page)
                cached = self._cached_stream(source)
                if cached is not None:
                    return cached
        info = self._extract(source, deadline_at)
        if info.get("_type") in ("playlist", "multi_video") or "entries" in info:
            entries = [e for e in (info.get("entries") or []) if isinstance(e, dict)]
            if not entries:
                raise ResolveError("no audio found on that page")
            first = entries[0]
            if first.get("_type") in ("url", "url_transparent") and first.get("url"):
                info = self._extract(str(first["url"]), deadline_at)
            else:
                info = first
        return self._store(source, info)

    def _remember_search(self, terms: str, page: str, entry: dict[str, Any]) -> None:
        with self._lock:
            self._load_cache()["searches"][terms] = {
                "url": page,
                "id": entry.get("id"),
                "title": entry.get("title"),
                "expires_at": self._clock() + SEARCH_TTL,
            }
        self._save_cache()

    def _store(self, source: str, info: dict[str, Any]) -> Resolved:
        url, headers = _stream_of(info)
        if not url:
            raise ResolveError("no audio found on that page")
        now = self._clock()
        resolved = Resolved(
            url=url,
            headers=headers,
            title=info.get("title") if isinstance(info.get("title"), str) else None,
            duration=_number(info.get("duration")),
            expires_at=stream_expires_at(url, now),
            from_cache=False,
            source=source,
        )
        if resolved.expires_at - now >= MIN_STREAM_TTL:
            with self._lock:
                self._load_cache()["streams"][source] = {
                    "url": resolved.url,
                    "headers": resolved.headers,
                    "title": resolved.title,
                    "duration": resolved.duration,
                    "expires_at": resolved.expires_at,
                }
            self._save_cache()
        return resolved

    # ------------------------------------------------------------ prefetch

    def prefetch(self, song: Song) -> None:
        """Resolve `song` in the background (latest request wins); errors are ignored."""
        if self.cached(song) is not None:
            return
        with self._prefetch_cv:
            self._prefetch_wanted = song
            if self._prefetch_thread is None or not self._prefetch_thread.is_alive():
                self._prefetch_thread = threading.Thread(
                    target=self._prefetch_loop, name="sadtui-prefetch", daemon=True
                )
                self._prefetch_thread.start()
            self._prefetch_cv.notify()

    def _prefetch_loop(self) -> None:
        while True:
            with self._prefetch_cv:
                if self._prefetch_wanted is None:
                    self._prefetch_cv.wait(timeout=30)
                    if self._prefetch_wanted is None:
                        self._prefetch_thread = None
                        return
                song, self._prefetch_wanted = self._prefetch_wanted, None
            try:
                self.resolve(song)
            except Exception:  # noqa: BLE001 - the real play reports it
                pass

    def wait_prefetch_idle(self, timeout: float = 15.0) -> bool:
        """Wait until no prefetch is pending or running (tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                idle = self._prefetch_wanted is None and not self._flights
            if idle:
                return True
            time.sleep(0.02)
        return False


# ---------------------------------------------------------------- small helpers


def _fresh(entry: Any, now: float) -> bool:
    if not isinstance(entry, dict):
        return False
    expires = entry.get("expires_at")
    return isinstance(expires, (int, float)) and not isinstance(expires, bool) and expires > now


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value > 0 else None


def _stream_of(info: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The chosen format's URL and headers from a processed info dict."""
    chosen: dict[str, Any] = info
    if not info.get("url"):
        requested = info.get("requested_formats") or []
        audio = [f for f in requested if isinstance(f, dict) and f.get("acodec") not in (None, "none")]
        pick = (audio or [f for f in requested if isinstance(f, dict)] or [None])[0]
        if pick is None:
            formats = [f for f in info.get("formats") or [] if isinstance(f, dict) and f.get("url")]
            pick = formats[-1] if formats else None
        if pick is None:
            return None, {}
        chosen = pick
    url = chosen.get("url")
    headers = chosen.get("http_headers") or info.get("http_headers") or {}
    headers = {str(k): str(v) for k, v in dict(headers).items() if v is not None}
    return (str(url) if url else None), headers
