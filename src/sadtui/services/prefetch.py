"""Resolving the next song in the background: one thread, the latest request wins."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sadtui.services.errors import ResolveError
from sadtui.services.logs import log

if TYPE_CHECKING:
    from sadtui.model.playlist import Song
    from sadtui.services.resolver import Resolver


class Prefetcher:
    """`prefetch(song)` resolves `song` through `resolver` in the background (only the
    newest wanted song; errors are ignored: the real play reports them). The thread
    ends after 30 s with nothing to do."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolver = resolver
        self._cv = threading.Condition()
        self._wanted: Song | None = None
        self._thread: threading.Thread | None = None

    def prefetch(self, song: Song) -> None:
        try:
            if self._resolver.cached(song) is not None:
                return
        except ResolveError:
            return
        with self._cv:
            self._wanted = song
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="sadtui-prefetch", daemon=True)
                self._thread.start()
            self._cv.notify()

    def _loop(self) -> None:
        while True:
            with self._cv:
                if self._wanted is None:
                    self._cv.wait(timeout=30)
                    if self._wanted is None:
                        self._thread = None
                        return
                song, self._wanted = self._wanted, None
            try:
                self._resolver.resolve(song)
            except ResolveError:
                pass  # the real play reports it
            except Exception:  # noqa: BLE001 - logged
                log.warning("prefetching rank %s failed", song.rank, exc_info=True)
