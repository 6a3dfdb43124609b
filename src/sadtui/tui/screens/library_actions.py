"""The main screen's library keys: `d` keeps the highlighted song, "Download all" (the
palette) keeps every song, `v` opens the versions picker.

A mixin for :class:`sadtui.tui.screens.main.MainScreen`: downloads run in a thread
worker (one song at a time, in order); the songs waiting or in flight carry the list's
"⇣" mark, the one in flight its progress in the list's subtitle and the now-playing
bar; the outcome is a notice; a kept song gets the list's kept mark.
"""

from __future__ import annotations

import threading
from typing import Any

from textual import work

from sadtui.model.playlist import Song
from sadtui.model.text import safe_line


class LibraryActions:
    """Mixed into the main screen (which has `playlist`, `songs`, `details`, `app`)."""

    playlist: Any
    songs: Any
    details: Any
    now_playing: Any
    app: Any
    _library_parts: tuple[Any, Any] | None = None
    _keeping: set[int] | None = None

    # ------------------------------------------------------------ parts (made on first use)

    def library_parts(self) -> tuple[Any, Any]:
        """(Library, PinStore) for this playlist."""
        if self._library_parts is None:
            from sadtui.services.library import Library
            from sadtui.services.pins import PinStore

            engine = getattr(self.app, "engine", None)
            library = getattr(engine, "library", None) or Library()
            pins = getattr(engine, "pins", None) or PinStore(self.playlist)
            self._library_parts = (library, pins)
        return self._library_parts

    def _resolver(self) -> Any:
        engine = getattr(self.app, "engine", None)
        resolver = getattr(engine, "resolver", None)
        if resolver is not None and callable(getattr(resolver, "search", None)):
            return resolver
        from sadtui.services.resolver import Resolver

        if getattr(self, "_own_resolver", None) is None:
            self._own_resolver = Resolver()
        return self._own_resolver

    def plays_text(self, song: Song) -> str:
        """The details pane's "Plays: …" line."""
        from sadtui.services.versions import plays_line

        library, pins = self.library_parts()
        pin = pins.get(song)
        kept = song.path is None and library.entry(pins.apply(song)) is not None
        return plays_line(song, pin, kept=kept)

    def refresh_kept(self) -> None:
        """Mark the kept songs in the list (when it can)."""
        library, pins = self.library_parts()
        kept = frozenset(s.rank for s in self.playlist.songs
                         if s.path is None and library.entry(pins.apply(s)) is not None)
        if hasattr(self.songs, "kept"):
            self.songs.kept = kept
        refresh = getattr(self.details, "refresh_plays", None)
        if callable(refresh):
            refresh()

    def show_library(self) -> None:
        """What each song plays (details) and which are kept (list)."""
        try:
            self.details.plays = self.plays_text
            self.details.refresh_plays()
            self.refresh_kept()
        except Exception:  # noqa: BLE001 - the library is a bonus: logged
            from sadtui.services.logs import log

            log.exception("tui: reading the library failed")

    # ------------------------------------------------------------ keeping

    def action_keep(self) -> None:
        song = self.songs.highlighted_song
        if song is None:
            self.app.notify("No song is highlighted.", markup=False)
            return
        if song.path is not None:
            self.app.notify(f"#{song.rank} is your own file already.", markup=False)
            return
        self._keep([song])

    def action_download_all(self) -> None:
        self._keep([s for s in self.playlist.songs if s.path is None])

    def _keep(self, songs: list[Song]) -> None:
        keeping = self._keeping if self._keeping is not None else set()
        self._keeping = keeping
        wanted = [s for s in songs if s.rank not in keeping]
        if not wanted:
            self.app.notify("Already being kept.", markup=False)
            return
        keeping.update(s.rank for s in wanted)
        self._show_keeping()
        self._keep_worker(wanted)

    def _show_keeping(self) -> None:
        """The list's "⇣" marks: the songs waiting to be kept or being kept."""
        self.songs.keeping = frozenset(self._keeping or ())

    @work(thread=True, exit_on_error=False, group="keep")
    def _keep_worker(self, songs: list[Song]) -> None:
        from sadtui.services.errors import ResolveError
        from sadtui.services.library import LibraryError
        from sadtui.services.logs import log
        from sadtui.services.pins import pinned_song

        library, pins = self.library_parts()
        resolver = self._resolver()
        kept = failed = 0
        cancel = threading.Event()
        for n, song in enumerate(songs, 1):
            label = f"Keeping #{song.rank} ({n} of {len(songs)})" if len(songs) > 1 else f"Keeping #{song.rank}"
            of = f" ({n}/{len(songs)})" if len(songs) > 1 else ""

            def progress(p: Any, label: str = label, rank: int = song.rank, of: str = of) -> None:
                share = f"{100 * p.done // p.total}%" if p.total else f"{p.done // 1000} kB"
                self.app.call_from_thread(self._show_progress, f"{label} {share}", f"#{rank} {share}{of}")

            try:
                target = pinned_song(song, pins, resolver)
                library.download(target, progress=progress, cancel=cancel)
                kept += 1
            except (LibraryError, ResolveError) as exc:
                failed += 1
                self.app.call_from_thread(self.app.notify, f"Can't keep #{song.rank} {safe_line(song.title, limit=60)}: "
                                          f"{safe_line(exc.message)}", severity="error", markup=False, timeout=8)
            except Exception as exc:  # noqa: BLE001 - a bug: logged, said in one line
                log.exception("tui: keeping #%s failed", song.rank)
                failed += 1
                self.app.call_from_thread(self.app.notify, f"Can't keep #{song.rank}: {safe_line(exc)}",
                                          severity="error", markup=False)
            finally:
                if self._keeping is not None:
                    self._keeping.discard(song.rank)
            self.app.call_from_thread(self._show_keeping)
            self.app.call_from_thread(self.refresh_kept)
        library.close_sessions(this_thread_only=True)
        done = f"Kept {kept} song{'s' if kept != 1 else ''}" + (f", {failed} failed" if failed else "")
        self.app.call_from_thread(self._show_progress, None, None)
        self.app.call_from_thread(self.app.notify, done, markup=False)

    def _show_progress(self, text: str | None, short: str | None) -> None:
        """The song in flight: "Keeping #3 (3 of 26) 45%" under the list, "⇣ #3 45% (3/26)"
        in the now-playing bar; None when done."""
        self.songs.border_subtitle = text or ""
        self.now_playing.keeping = short

    # ------------------------------------------------------------ versions

    def action_versions(self) -> None:
        from sadtui.tui.screens.versions import VersionsScreen

        song = self.songs.highlighted_song
        if song is None:
            self.app.notify("No song is highlighted.", markup=False)
            return
        if song.url is not None or song.path is not None:
            self.app.notify(f"#{song.rank} has its own {'url' if song.url else 'file'}: no versions to pick.",
                            markup=False)
            return
        _, pins = self.library_parts()
        pin = pins.get(song)
        resolver = self._resolver()
        self.app.push_screen(VersionsScreen(song, resolver.search, pin.url if pin else None),
                             lambda chosen: self._picked(song, chosen))

    def _picked(self, song: Song, chosen: Any) -> None:
        if chosen is None:
            return
        from sadtui.services.pins import Pin

        _, pins = self.library_parts()
        if not pins.set(song, Pin(chosen.url, chosen.title, chosen.channel, chosen.duration)):
            self.app.notify("Could not save the pin (see the log).", severity="error", markup=False)
            return
        self.refresh_kept()
        self.app.notify(f"#{song.rank} now plays {safe_line(chosen.title, limit=80)}", markup=False)
        self.app.play(song.rank)
