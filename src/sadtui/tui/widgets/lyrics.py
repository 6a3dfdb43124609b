"""The lyrics pane (`l`): the playing song's lyrics, the sung line highlighted and kept in view.

It follows the screen's ``status`` (the engine's, updated by its ``StatusChanged`` and
``PositionChanged`` events): the song shown is the one playing, or the highlighted one
when nothing plays.  Lyrics are found in a thread worker (the song's lyrics file, kept
lyrics, then LRCLIB: :mod:`sadtui.services.lyrics`) and remembered per song for the run;
romaji (`R`) is converted in a worker too, once per song.  Every line from outside goes
through ``safe_line`` before it is shown.

The sung line moves on time, not on the next report (issue 15: within one frame of the
time it names).  Position reports come a few times a second; each one (and each seek,
pause and resume) re-anchors the pane's estimate of where playback is, and the pane sets a
one-shot timer for the moment the next line begins.  The anchor is the engine's stamp of
when mpv reported the position (``Status.position_at``), not the moment the report got
here: it crossed threads since.  The clock is injectable (tests move it by hand); it must be
the engine's (``time.monotonic``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual import work
from textual.content import Content
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from sadtui.model.lrc import Lyrics, lyrics_key
from sadtui.model.playlist import Playlist, Song
from sadtui.model.text import safe_line
from sadtui.services.events import State, Status
from sadtui.services.logs import log
from sadtui.tui.widgets.panes import ScrollPane

if TYPE_CHECKING:
    from sadtui.services.lyrics import LyricsFinder

NO_LYRICS = "No lyrics found."
LOOKING = "Looking for lyrics…"
NOTHING = "Highlight or play a song to see its lyrics."
OFFSET_STEP = 0.5
# An engine stamp older than this is not trusted (a clock that is not the engine's): the
# position is taken as true when it arrives.  Reports come several times a second.
MAX_REPORT_AGE = 1.0
MIN_WAIT = 0.001  # seconds: the shortest wait for the next line (below the event loop's 1 ms grain)
ACTIVE = (State.PLAYING, State.PAUSED, State.BUFFERING, State.RESOLVING)
# A song that is starting: nothing is looked up until it sounds, so lyrics never delay first audio.
STARTING = (State.BUFFERING, State.RESOLVING)


def is_starting(status: Status) -> bool:
    """Resolving, buffering, or playing with no audio yet (time-pos not past 0)."""
    return status.state in STARTING or (status.state is State.PLAYING and not (status.position or 0) > 0)


class LyricLineView(Static):
    """One line (and its romaji under it)."""

    DEFAULT_CSS = """
    LyricLineView { color: $text-muted; }
    LyricLineView.-current { color: $text; text-style: bold; background: $boost; }
    """


class LyricsPane(ScrollPane):
    DEFAULT_CSS = """
    LyricsPane { width: 1fr; height: 1fr; }
    LyricsPane .lyrics-message { color: $text-muted; text-style: italic; }
    """

    current: reactive[int | None] = reactive(None, init=False, repaint=False)  # the highlighted line

    def __init__(
        self,
        playlist: Playlist,
        finder_factory: Callable[[], LyricsFinder],
        *,
        offsets: Any = None,  # a StateStore (lyrics_offset / save_lyrics_offset), or None
        clock: Callable[[], float] = time.monotonic,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.playlist = playlist
        self._finder_factory = finder_factory
        self._offsets = offsets
        self.clock = clock
        self.song: Song | None = None
        self.lyrics: Lyrics | None = None
        self.message: str | None = None
        self.time_offset = 0.0
        self.romaji = False
        self._found: dict[int, Lyrics | None] = {}  # rank -> lyrics (None: none found), this run
        self._romaji: dict[int, list[str | None]] = {}  # rank -> romaji per line
        self._lines: list[LyricLineView] = []
        self._position: float | None = None
        self._position_at = 0.0
        self._playing = False
        self._timer: Timer | None = None

    # ================================================================== following the screen

    HIGHLIGHT_PAUSE = 0.3  # seconds the highlight rests on a song before its lyrics are looked up

    def on_mount(self) -> None:
        self.border_title = "Lyrics"
        self.watch(self.screen, "status", self.follow_status)
        songs = getattr(self.screen, "songs", None)
        if songs is not None:
            self.watch(songs, "highlighted", self._highlight_moved, init=False)
        self._highlight_timer: Timer | None = None

    def _highlight_moved(self, _index: int | None) -> None:
        """Nothing plays: the highlighted song's lyrics, once the highlight rests (no lookup per key)."""
        if self.screen.status.state in ACTIVE or not self.display:
            return
        if self._highlight_timer is not None:
            self._highlight_timer.stop()
        self._highlight_timer = self.set_timer(self.HIGHLIGHT_PAUSE, lambda: self.follow_status(self.screen.status))

    def wanted_song(self, status: Status) -> Song | None:
        """The playing song; when nothing plays, the highlighted one."""
        if status.rank is not None and status.state in ACTIVE:
            return self.playlist.song(status.rank)
        highlighted = getattr(self.screen, "highlighted_rank", None)
        return self.playlist.song(highlighted) if highlighted is not None else None

    def follow_status(self, status: Status) -> None:
        if not self.display:
            return
        if is_starting(status):
            return  # nothing changes until the song sounds: the pane never delays first audio
        song = self.wanted_song(status)
        if song is not self.song:
            self.show_song(song, status.duration)
        now = self.clock()
        at = status.position_at  # when the position was true (the engine's stamp), if known
        self._position = status.position
        self._position_at = at if at is not None and 0.0 <= now - at <= MAX_REPORT_AGE else now
        self._playing = status.state is State.PLAYING
        self.update_current()

    def show_song(self, song: Song | None, duration: float | None = None) -> None:
        self.song = song
        self.lyrics = None
        self.current = None
        self._position = None
        if song is None:
            self._show_message(NOTHING)
            return
        self.time_offset = self._offsets.lyrics_offset(lyrics_key(song.title, song.artist, song.anime)) if self._offsets else 0.0
        self._update_title()
        if song.rank in self._found:
            self._show_lyrics(self._found[song.rank])
            return
        self._show_message(LOOKING)
        self.fetch(song, duration)

    # ================================================================== finding

    @work(thread=True, exclusive=True, group="lyrics", exit_on_error=False)
    def fetch(self, song: Song, duration: float | None) -> tuple[Song, Lyrics | None]:
        found = self._finder_factory().find(song, self.playlist.path, duration)
        return song, None if found is None else found.lyrics

    @work(thread=True, exclusive=True, group="romaji", exit_on_error=False)
    def convert(self, song: Song, lyrics: Lyrics) -> tuple[Song, list[str | None]]:
        from sadtui.services.romaji import romanize

        return song, romanize([line.text for line in lyrics.lines])

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group not in ("lyrics", "romaji"):
            return
        event.stop()
        if event.state is WorkerState.ERROR:
            log.warning("finding lyrics or romaji failed", exc_info=worker.error)
            if worker.group == "lyrics" and self.lyrics is None:
                self._show_message(NO_LYRICS)
            return
        if event.state is not WorkerState.SUCCESS or worker.result is None:
            return
        song, result = worker.result
        if worker.group == "lyrics":
            self._found[song.rank] = result
            if song is self.song:
                self._show_lyrics(result)
        else:
            self._romaji[song.rank] = result
            if song is self.song and self.romaji:
                self._render_lines()

    # ================================================================== drawing

    def _clear(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._lines = []
        self.remove_children()

    def _show_message(self, text: str) -> None:
        self._clear()
        self.message = text
        self.mount(Static(text, classes="lyrics-message", markup=False))

    def _show_lyrics(self, lyrics: Lyrics | None) -> None:
        if lyrics is None or lyrics.empty:
            self.lyrics = None
            self._show_message(NO_LYRICS)
            return
        self._clear()
        self.message = None
        self.lyrics = lyrics
        self.current = None
        self._lines = [LyricLineView(classes="lyric-line") for _ in lyrics.lines]
        self._render_lines()
        self.mount_all(self._lines)
        self.scroll_home(animate=False, immediate=True)
        if self.romaji:
            self._want_romaji()
        self.update_current()

    def _render_lines(self) -> None:
        if self.lyrics is None or self.song is None:
            return
        romaji = self._romaji.get(self.song.rank) if self.romaji else None
        for index, (view, line) in enumerate(zip(self._lines, self.lyrics.lines, strict=False)):
            text = safe_line(line.text) if line.text.strip() else ("♪" if self.lyrics.synced else " ")
            extra = romaji[index] if romaji is not None and index < len(romaji) else None
            if extra:
                view.update(Content.assemble(text, "\n", (safe_line(extra), "italic")))
            else:
                view.update(Content(text))

    def _update_title(self) -> None:
        parts = ["Lyrics"]
        if self.time_offset:
            parts.append(f"offset {self.time_offset:+.1f} s")
        if self.romaji:
            parts.append("romaji")
        self.border_title = " · ".join(parts)

    # ================================================================== the current line

    def estimated_position(self) -> float | None:
        if self._position is None:
            return None
        if not self._playing:
            return self._position
        return self._position + max(0.0, self.clock() - self._position_at)

    def update_current(self) -> None:
        """Highlight the line sung now, and wake up when the next one begins."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        lyrics = self.lyrics
        if lyrics is None or not lyrics.synced:
            return
        position = self.estimated_position()
        index = lyrics.index_at(position, self.time_offset)
        self.current = index
        if self._playing and position is not None:
            following = (index + 1) if index is not None else 0
            if following < len(lyrics.lines):
                due = (lyrics.lines[following].time or 0.0) + self.time_offset - position
                self._timer = self.set_timer(max(MIN_WAIT, due), self.update_current, name="next lyric line")

    def watch_current(self, old: int | None, new: int | None) -> None:
        """Move the highlight (in this call, so it is in the next frame) and keep it in view."""
        if old is not None and old < len(self._lines):
            self._lines[old].remove_class("-current")
        if new is not None and new < len(self._lines):
            line = self._lines[new]
            line.add_class("-current")
            self.scroll_to_widget(line, animate=False, center=True, immediate=True)

    # ================================================================== keys (via the screen)

    def shift(self, seconds: float) -> float:
        """`[` / `]`: lines shown `seconds` later (negative: sooner), remembered for the song."""
        if self.song is None:
            return self.time_offset
        self.time_offset = round(self.time_offset + seconds, 3)
        if self._offsets is not None:
            self._offsets.save_lyrics_offset(lyrics_key(self.song.title, self.song.artist, self.song.anime), self.time_offset)
        self._update_title()
        self.update_current()
        return self.time_offset

    def toggle_romaji(self) -> bool:
        self.romaji = not self.romaji
        self._update_title()
        if self.romaji:
            self._want_romaji()
        self._render_lines()
        return self.romaji

    def _want_romaji(self) -> None:
        if self.song is not None and self.lyrics is not None and self.song.rank not in self._romaji:
            self.convert(self.song, self.lyrics)


# ====================================================================== the screen's keys (`l`, `R`, `[`, `]`)


def lyrics_finder(app: Any) -> LyricsFinder:
    """A LyricsFinder with the config's settings (called in the lyrics worker thread)."""
    from sadtui.services.lyrics import LyricsFinder

    return LyricsFinder(base_url=app.lyrics_url, online=app.lyrics_online)


def toggle_lyrics(screen: Any) -> LyricsPane:
    """`l`: the pane, mounted beside (or under) the details the first time; then shown or hidden."""
    pane = screen.lyrics_pane
    if pane is None:
        app = screen.app
        pane = LyricsPane(screen.playlist, partial(lyrics_finder, app), offsets=app.memory.lyrics_offsets,
                          id="lyrics")
        screen.query_one("#browse").mount(pane)
        screen.call_after_refresh(lambda: pane.follow_status(screen.status))
        return pane
    pane.display = not pane.display
    if pane.display:
        pane.follow_status(screen.status)
    return pane


def shown_lyrics(screen: Any, what: str) -> LyricsPane | None:
    """The pane if it is shown; else None, and the screen says to open it first."""
    pane = screen.lyrics_pane
    if pane is None or not pane.display:
        screen.notify(f"{what}: open the lyrics with l first.", markup=False, timeout=3)
        return None
    return pane


def toggle_romaji(screen: Any) -> None:
    if (pane := shown_lyrics(screen, "Romaji")) is not None:
        screen.notify("Romaji on." if pane.toggle_romaji() else "Romaji off.", markup=False, timeout=2)


def shift_lyrics(screen: Any, seconds: float) -> None:
    if (pane := shown_lyrics(screen, "Lyrics offset")) is not None:
        offset = pane.shift(float(seconds))
        screen.notify(f"Lyrics offset {offset:+.1f} s for this song.", markup=False, timeout=2)
