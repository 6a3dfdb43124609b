"""Find a song's audio stream with yt-dlp (as a library), with an on-disk cache.

* A song's ``url`` wins; otherwise ``ytsearch8:<search terms>`` (flat), its
  entries scored against the song (:mod:`sadtui.services.versions`) and the best
  one taken (and reported to ``on_pick``, which pins it).  Format ``bestaudio/best``.
* Only web addresses leave the resolver: whatever yt-dlp extracts from a page (the
  chosen format's URL, its manifest and fragments, every requested format) must be
  http(s) (:func:`sadtui.model.urls.is_web_url`), or the song fails with "the
  page points at a non-web address".  The cache holds nothing else either.
* Bounded: every call gives up within ``deadline`` seconds (15 by default), with
  short socket timeouts and a single retry, because yt-dlp's defaults can spend
  minutes on a dead network.  yt-dlp runs in a small pool of sessions
  (:mod:`sadtui.services.ytdl_session`); a call that overruns is abandoned and its
  ``YoutubeDL`` closed when it returns.  :meth:`Resolver.close` closes them all.
* One resolution per song in flight: a second caller for the same song (a
  prefetch, another thread) waits for the first one's answer.
* Cache (:mod:`sadtui.services.resolve_cache`): a search's video page for 30
  days, a stream URL until its expiry (YouTube's ``expire=``) minus a margin, or
  one hour when the URL carries no expiry.
* Failures are :class:`ResolveError` with one line a person can act on
  (:mod:`sadtui.services.errors`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sadtui.model.playlist import Song
from sadtui.model.text import safe_text
from sadtui.model.urls import SEARCH_PREFIX, YOUTUBE_HOST, host_of, host_port_of, is_web_url
from sadtui.services.errors import (
    JS_RUNTIME_HINT,
    NO_AUDIO,
    NON_WEB,
    ResolveError,
    describe_ytdlp_error,
    exception_chain,
    first_line,
)
from sadtui.services.logs import log
from sadtui.services.prefetch import Prefetcher
from sadtui.services.resolve_cache import CACHE_VERSION, ResolveCache
from sadtui.services.shared_calls import SharedCalls
from sadtui.services.versions import CANDIDATES, Candidate, candidates_from_info, rank
from sadtui.services.ytdl_info import (
    EXPIRY_MARGIN,
    STREAM_TTL,
    channel_of,
    check_song_url,
    is_direct_media,
    number,
    stream_expires_at,
    stream_of,
    thumbnail_of,
    url_expiry,
)
from sadtui.services.ytdl_session import SessionPool, YtdlSession, js_runtimes, warm_extractors, ytdl_options

__all__ = [
    "CACHE_VERSION",
    "DEADLINE",
    "EXPIRY_MARGIN",
    "JS_RUNTIME_HINT",
    "NON_WEB",
    "SEARCH_PREFIX",
    "SEARCH_TTL",
    "STREAM_TTL",
    "YOUTUBE_HOST",
    "ResolveError",
    "Resolved",
    "Resolver",
    "describe_error",
    "host_of",
    "host_port_of",
    "is_direct_media",
    "js_runtimes",
    "stream_expires_at",
    "url_expiry",
]

SEARCH_TTL = 30 * 24 * 3600.0  # a search's video page
CANDIDATES_TTL = 24 * 3600.0  # a versions search's list
VERSIONS_PREFIX = f"ytsearch{CANDIDATES}:"
MIN_STREAM_TTL = 60.0  # never cache shorter than this (or not at all)
DEADLINE = 15.0  # seconds: any source fails within this
SOCKET_TIMEOUT = 6.0
POOL_SIZE = 3  # YoutubeDL sessions at most (busy in abandoned calls included)

describe_error = describe_ytdlp_error  # the name callers and tests know


@dataclass(frozen=True, slots=True)
class Resolved:
    url: str  # the stream for mpv: always http(s)
    headers: dict[str, str] = field(default_factory=dict)  # HTTP headers yt-dlp says to send
    title: str | None = None
    duration: float | None = None
    expires_at: float = 0.0  # epoch seconds; after this the cached entry is not used
    from_cache: bool = False
    source: str = ""  # the page (or media) URL it was found from
    channel: str | None = None  # who published the recording (yt-dlp's channel or uploader)
    thumbnail: str | None = None  # the recording's artwork: an http(s) URL only


# ---------------------------------------------------------------- the resolver


class Resolver:
    """Song -> stream URL and headers, via a small pool of YoutubeDLs and a disk cache."""

    def __init__(
        self,
        *,
        cache_path: Path | None = None,
        socket_timeout: float = SOCKET_TIMEOUT,
        deadline: float = DEADLINE,
        ydl_factory: Callable[[dict[str, Any]], Any] | None = None,
        clock: Callable[[], float] = time.time,
        pool_size: int = POOL_SIZE,
    ) -> None:
        self.socket_timeout = socket_timeout
        self.deadline = deadline
        self._ydl_factory = ydl_factory
        self._clock = clock
        self._cache = ResolveCache(cache_path, clock)
        self._pool = SessionPool(lambda: YtdlSession(self.ydl_options(), ydl_factory), pool_size)
        self._lock = threading.Lock()  # guards the fields below
        self._calls: SharedCalls[Resolved] = SharedCalls()
        self._prefetcher = Prefetcher(self)
        # Told of the recording a search chose for a song (the engine pins it); may be None.
        self.on_pick: Callable[[Song, Candidate], None] | None = None

    @property
    def cache_path(self) -> Path:
        return self._cache.path

    def close(self) -> None:
        """Close every YoutubeDL (busy ones when their call returns)."""
        self._pool.close()

    # ------------------------------------------------------------ yt-dlp

    def ydl_options(self) -> dict[str, Any]:
        return ytdl_options(self.socket_timeout)

    def warm_up(self) -> None:
        """Create a YoutubeDL and pay the first-extraction cost (offline, no requests)."""
        try:
            session = self._pool.acquire(0.1)
        except Exception:  # noqa: BLE001 - logged; a song's play says it too
            log.warning("yt-dlp could not be set up", exc_info=True)
            return
        if session is None:
            return
        try:
            if self._ydl_factory is None:
                warm_extractors(session)
        except Exception:  # noqa: BLE001 - logged
            log.warning("yt-dlp warm-up failed", exc_info=True)
        finally:
            self._pool.release(session)

    def _extract(self, target: str, deadline_at: float) -> dict[str, Any]:
        """``extract_info(target)`` on a pooled session in a helper thread, abandoned at
        `deadline_at` (its session is then closed when the call returns)."""
        try:
            session = self._pool.acquire(deadline_at - time.monotonic())
        except Exception as exc:  # noqa: BLE001 - logged, and said in one line
            log.warning("yt-dlp could not be set up", exc_info=True)
            raise ResolveError(f"yt-dlp could not start: {first_line(exc)}") from None
        if session is None:
            if self._pool.closed:
                raise ResolveError("the resolver is closed")
            raise ResolveError(f"timed out talking to {first_line(host_of(target))}")
        box: dict[str, Any] = {}
        done = threading.Event()

        def run() -> None:
            try:
                box["result"] = session.extract(target)
            finally:
                done.set()
                self._pool.release(session)

        threading.Thread(target=run, name="sadtui-ytdlp", daemon=True).start()
        if not done.wait(max(0.0, deadline_at - time.monotonic())):
            self._pool.retire(session)  # it may be stuck: closed when it returns, never reused
            raise ResolveError(f"timed out talking to {first_line(host_of(target))}")
        info, error, warnings = box["result"]
        if error is not None:
            chain = " | ".join(f"{type(e).__name__}: {e}" for e in exception_chain(error))
            log.info("yt-dlp failed on %s: %s", first_line(target), safe_text(chain))  # outside text: escaped
            raise ResolveError(describe_ytdlp_error(error, target, warnings))
        if not isinstance(info, dict):
            raise ResolveError(NO_AUDIO)
        return info

    # ------------------------------------------------------------ cache

    def _cached_stream(self, source: str) -> Resolved | None:
        entry = self._cache.stream(source)
        if entry is None:
            return None
        return Resolved(
            url=entry["url"],
            headers=entry["headers"],
            title=entry["title"],
            duration=entry["duration"],
            expires_at=entry["expires_at"],
            from_cache=True,
            source=source,
            channel=entry.get("channel"),
            thumbnail=entry.get("thumbnail"),
        )

    def _cached_search(self, terms: str) -> str | None:
        entry = self._cache.search(terms)
        return entry["url"] if entry is not None else None

    def cached(self, song: Song) -> Resolved | None:
        """The cached resolution of `song`, if still fresh (never touches the network)."""
        source = song.url or self._cached_search(song.search_terms)
        return self._cached_stream(source) if source else None

    def invalidate(self, song: Song, *, search: bool = False) -> None:
        """Forget the cached stream of `song` (and its search result when `search`)."""
        source = song.url
        drop: list[tuple[str, str]] = []
        if source is None:
            source = self._cache.search_url(song.search_terms)
            if search:
                drop.append(("searches", song.search_terms))
        if source:
            drop.append(("streams", source))
        self._cache.drop(*drop)

    # ------------------------------------------------------------ resolving

    def resolve(self, song: Song) -> Resolved:
        """The stream for `song` (cached when fresh); raises ResolveError within the deadline.

        Safe from several threads at once; callers for the same song share one resolution."""
        if song.url is not None:
            check_song_url(song.url)
        cached = self.cached(song)
        if cached is not None:
            if song.url is None:
                self._pick_cached(song)
            return cached
        key = song.url or SEARCH_PREFIX + song.search_terms
        deadline_at = time.monotonic() + self.deadline

        def call() -> Resolved:
            try:  # the one call for `key`; one that ended since the check above may have cached it
                return self.cached(song) or self._resolve_uncached(song, deadline_at)
            except ResolveError:
                raise
            except Exception as exc:  # noqa: BLE001 - logged, and said in one line
                log.warning("resolving %s failed unexpectedly", first_line(key), exc_info=True)
                raise ResolveError(first_line(exc)) from None

        def late() -> ResolveError:
            return ResolveError(f"timed out talking to {first_line(host_of(key))}")

        return self._calls.run(key, call, deadline_at - time.monotonic(), late)

    def _resolve_uncached(self, song: Song, deadline_at: float) -> Resolved:
        source = song.url
        if source is not None and is_direct_media(source):
            return Resolved(url=source, expires_at=self._clock() + STREAM_TTL, source=source)
        if source is None:
            terms = song.search_terms
            source = self._pick_cached(song)
            if source is None:
                info = self._extract(VERSIONS_PREFIX + terms, deadline_at)
                entries = [e for e in (info.get("entries") or []) if isinstance(e, dict)]
                if info.get("_type") in ("playlist", "multi_video") or "entries" in info:
                    if not entries:
                        raise ResolveError(f"nothing found on YouTube for “{first_line(terms)}”")
                    found = candidates_from_info(info)[:CANDIDATES]
                    best = rank(found, song)
                    if not best:
                        raise ResolveError(NON_WEB)
                    entry = entries[0]
                    for candidate in entries:
                        if (candidate.get("webpage_url") or candidate.get("url")) == best[0].url:
                            entry = candidate
                            break
                    self._remember_candidates(terms, found)
                else:
                    entry = info
                page = entry.get("webpage_url") or entry.get("url")
                if not page or not isinstance(page, str):
                    raise ResolveError(f"nothing found on YouTube for “{first_line(terms)}”")
                if not is_web_url(page):
                    raise ResolveError(NON_WEB)
                self._remember_search(terms, page, entry)
                chosen = candidates_from_info(entry)
                if chosen:
                    self._picked(song, chosen[0])
                if entry.get("_type") not in ("url", "url_transparent") and (
                    entry.get("formats") or entry.get("requested_formats")
                ):
                    return self._store(page, entry)  # already a full result (not flat)
                source = page
                cached = self._cached_stream(source)
                if cached is not None:
                    return cached
        info = self._extract(source, deadline_at)
        if info.get("_type") in ("playlist", "multi_video") or "entries" in info:
            entries = [e for e in (info.get("entries") or []) if isinstance(e, dict)]
            if not entries:
                raise ResolveError(NO_AUDIO)
            first = entries[0]
            if first.get("_type") in ("url", "url_transparent") and first.get("url"):
                if not is_web_url(first["url"]):
                    raise ResolveError(NON_WEB)
                info = self._extract(str(first["url"]), deadline_at)
            else:
                info = first
        return self._store(source, info)

    def _remember_search(self, terms: str, page: str, entry: dict[str, Any]) -> None:
        channel = entry.get("channel") or entry.get("uploader")
        self._cache.put(
            "searches",
            terms,
            {
                "url": page,
                "id": entry.get("id") if isinstance(entry.get("id"), str) else None,
                "title": entry.get("title") if isinstance(entry.get("title"), str) else None,
                "channel": channel if isinstance(channel, str) else None,
                "duration": number(entry.get("duration")),
                "expires_at": self._clock() + SEARCH_TTL,
            },
        )

    def _remember_candidates(self, terms: str, candidates: list[Candidate]) -> None:
        items = [{"url": c.url, "title": c.title, "channel": c.channel, "duration": c.duration} for c in candidates]
        self._cache.put("candidates", terms, {"items": items, "expires_at": self._clock() + CANDIDATES_TTL})

    def _pick_cached(self, song: Song) -> str | None:
        """The page a cached search of `song` found (reported to on_pick), or None."""
        entry = self._cache.search(song.search_terms)
        if entry is None:
            return None
        page: str = entry["url"]
        self._picked(song, Candidate(page, entry["title"] or page, entry.get("channel"), entry.get("duration")))
        return page

    def _picked(self, song: Song, candidate: Candidate) -> None:
        notify = self.on_pick
        if notify is None:
            return
        try:
            notify(song, candidate)
        except Exception:  # noqa: BLE001 - pinning is a bonus: the song plays anyway
            log.exception("resolver: on_pick failed for rank %s", song.rank)

    # ------------------------------------------------------------ versions

    def search(self, song: Song, *, fresh: bool = False) -> list[Candidate]:
        """The top candidates for `song`'s search terms, scored, best first (cached for a day);
        raises ResolveError within the deadline."""
        terms = song.search_terms
        items = None if fresh else self._cache.candidates(terms)
        if items is None:
            info = self._extract(VERSIONS_PREFIX + terms, time.monotonic() + self.deadline)
            found = candidates_from_info(info)[:CANDIDATES]
            if not found:
                raise ResolveError(f"nothing found on YouTube for “{first_line(terms)}”")
            self._remember_candidates(terms, found)
            return rank(found, song)
        found = [Candidate(i["url"], i["title"], i["channel"], i["duration"], position=n) for n, i in enumerate(items)]
        return rank(found, song)

    def _store(self, source: str, info: dict[str, Any]) -> Resolved:
        url, headers = stream_of(info)
        if not url:
            raise ResolveError(NO_AUDIO)
        now = self._clock()
        resolved = Resolved(
            url=url,
            headers=headers,
            title=info.get("title") if isinstance(info.get("title"), str) else None,
            duration=number(info.get("duration")),
            expires_at=stream_expires_at(url, now),
            from_cache=False,
            source=source,
            channel=channel_of(info),
            thumbnail=thumbnail_of(info),
        )
        if resolved.expires_at - now >= MIN_STREAM_TTL:
            self._cache.put(
                "streams",
                source,
                {
                    "url": resolved.url,
                    "headers": resolved.headers,
                    "title": resolved.title,
                    "duration": resolved.duration,
                    "expires_at": resolved.expires_at,
                    "channel": resolved.channel,
                    "thumbnail": resolved.thumbnail,
                },
            )
        return resolved

    # ------------------------------------------------------------ prefetch

    def prefetch(self, song: Song) -> None:
        """Resolve `song` in the background (latest request wins); errors are ignored."""
        self._prefetcher.prefetch(song)
