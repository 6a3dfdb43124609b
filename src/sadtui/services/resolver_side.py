"""The control loop's side facing the resolver: finding a song's stream (yt-dlp, on the
pool: one Future per song in flight, a repeated request joins it) and handing it to mpv.

A part of :class:`sadtui.services.control.Control` (it runs on the control thread only,
like the rest of it), kept apart to keep each module short.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sadtui.model.playlist import Song
from sadtui.services.events import State
from sadtui.services.logs import log
from sadtui.services.player import PlayerError
from sadtui.services.requests import Request, Tickets, first_line


@dataclass(frozen=True, slots=True)
class _Superseded:
    """A resolve that started after nobody wanted its song any more."""


class ResolverSide:
    """Resolving and loading, for Control (which provides the attributes and the methods
    declared here)."""

    player: Any
    resolver: Any
    pool: Executor | None
    tickets: Tickets
    req: Request | None
    resolving: dict[int, Future[Any]]
    closed: bool
    offline: bool
    mpv_paused: bool
    paused_for_cache: bool
    player_ready: bool

    if TYPE_CHECKING:
        def set(self, **fields: Any) -> None: ...
        def post(self, fn: Callable[..., Any], *args: Any) -> None: ...
        def fail(self, req: Request, message: str) -> None: ...
        def open_player(self) -> None: ...
        def offline_message(self, req: Request, message: str) -> str: ...


    def resolve(self, req: Request) -> None:
        """Find `req`'s stream on the pool: one Future per song (a repeated request joins it)."""
        future = self.resolving.get(req.rank)
        if future is None or future.cancelled():
            assert self.pool is not None
            future = self.pool.submit(self._resolve_job, req.song)
            self.resolving[req.rank] = future
            future.add_done_callback(lambda done, rank=req.rank: self.post(self.resolved, rank, done))
        req.future = future

    def _resolve_job(self, song: Song) -> Any:
        """On a pool thread: resolve `song` unless nobody wants it any more."""
        req = self.req
        if self.closed or req is None or req.done or req.song is not song:
            return _Superseded()
        return self.resolver.resolve(song)

    def resolved(self, rank: int, future: Future[Any]) -> None:
        if self.resolving.get(rank) is future:
            del self.resolving[rank]
        req = self.req
        if req is None or req.done or req.future is not future or future.cancelled():
            return
        if self.tickets.superseded(req.ticket):
            return  # a newer request is queued: do not start this one in mpv
        error = future.exception()
        if error is not None:
            message = getattr(error, "message", None)
            if not message:  # not a ResolveError: a yt-dlp surprise
                log.warning("engine: resolving #%s failed", rank, exc_info=error)
                message = f"could not find the audio: {first_line(error)}"
            self.fail(req, self.offline_message(req, message))
            return
        result = future.result()
        if isinstance(result, _Superseded):
            self.resolve(req)  # wanted again after all (a repeated request): start over
            return
        self.load(req, result)

    def load(self, req: Request, resolved: Any) -> None:
        req.resolved = resolved
        try:
            if not self.player.is_open:
                self.open_player()
            req.entry = self.player.load(resolved.url, resolved.headers)
        except PlayerError as exc:
            self.fail(req, exc.message)
            return
        except Exception as exc:  # noqa: BLE001 - mpv in a bad state: start a new one next time
            log.exception("engine: mpv could not load #%s", req.rank)
            self.player_ready = False
            self.player.terminate(timeout=1.0)
            self.fail(req, f"mpv could not start it: {first_line(exc)}")
            return
        req.loaded = False
        self.offline = False
        self.mpv_paused = False  # load() unpauses; mpv reports it after file-loaded
        self.paused_for_cache = False
        self.set(
            state=State.BUFFERING,
            duration=getattr(resolved, "duration", None),
            recording_title=getattr(resolved, "title", None) or None,
            recording_channel=getattr(resolved, "channel", None) or None,
            recording_page=getattr(resolved, "source", None) or None,
            thumbnail=getattr(resolved, "thumbnail", None) or None,
        )
