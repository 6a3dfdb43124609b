"""The main screen: the ranked list, the details, the FAQ and About panels, the
now-playing bar; every key of the app and every engine event is handled here.

The app owns the engine and the remembered state; this screen shows things.  The
open panel and the playback status are reactives: their watchers switch the body and
update the list's marker, and the now-playing bar is bound to them (``data_bind``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header, Input

from sadtui.model.playlist import Playlist, Song
from sadtui.services.events import (
    Order,
    PlaybackEnded,
    PositionChanged,
    SongFailed,
    SongFinished,
    State,
    Status,
    StatusChanged,
)
from sadtui.tui.keymap import APP, bindings_for
from sadtui.tui.messages import EngineNotice
from sadtui.tui.screens.library_actions import LibraryActions
from sadtui.tui.widgets.filter_bar import FilterBar
from sadtui.tui.widgets.focus import focus_now
from sadtui.tui.widgets.now_playing import ACTIVE_STATES, NowPlaying
from sadtui.tui.widgets.panes import SongDetails
from sadtui.tui.widgets.rank_entry import RankEntry
from sadtui.tui.widgets.song_list import SongList

if TYPE_CHECKING:
    from sadtui.tui.app import SadtuiApp
    from sadtui.tui.screens.panels import Panel

GAVE_UP = "Stopped: every song in the list failed."
PANEL_NAMES = ("faq", "about")
FOOTER_ROOMY = 80  # columns from which the footer has room for every key and ^p


class MainScreen(LibraryActions, Screen[None]):
    BINDINGS = bindings_for(APP)
    AUTO_FOCUS = "#songs"
    RANK_TIMEOUT = 1.0  # seconds after the last digit before a typed rank is taken

    panel: reactive[str | None] = reactive(None, init=False)  # "faq", "about" or None (the list)
    status: reactive[Status] = reactive(Status, init=False)  # the engine's, as last reported
    unavailable: reactive[str | None] = reactive(None, init=False)  # why nothing can play

    app: SadtuiApp  # type: ignore[assignment]

    def __init__(self, playlist: Playlist, start: Song | None, panel: str | None = None) -> None:
        super().__init__()
        self.playlist = playlist
        self._start = start
        self._start_panel = panel
        self._panels: dict[str, Panel] = {}  # FAQ and About: created when first shown

    def compose(self) -> ComposeResult:
        first = self._start or (self.playlist.songs[0] if self.playlist.songs else None)
        self.songs = SongList(self.playlist.songs, id="songs")
        self.filter_bar = FilterBar(id="filter-bar", return_focus=self.songs)
        self.rank_entry = RankEntry(
            (song.rank for song in self.playlist.songs), timeout=self.RANK_TIMEOUT, id="rank-entry"
        )
        self.details = SongDetails(first, self.playlist, id="details")
        self.details.card.data_bind(MainScreen.status)
        self.now_playing = NowPlaying(self.playlist, id="now-playing").data_bind(
            MainScreen.status, MainScreen.unavailable
        )
        self._finished: set[int] = set()  # songs played to their end in this run of the order
        self.switcher = ContentSwitcher(id="body", initial="browse")
        yield Header(icon="♪")
        with self.switcher:
            with Horizontal(id="browse"):
                with Vertical(id="list-pane"):
                    yield self.filter_bar
                    yield self.rank_entry
                    yield self.songs
                yield self.details
        yield self.now_playing
        yield Footer(compact=self.app.size.width < FOOTER_ROOMY,
                     show_command_palette=self.app.size.width >= FOOTER_ROOMY)

    def on_resize(self, event) -> None:  # noqa: ANN001 - events.Resize
        # Below FOOTER_ROOMY columns the footer packs its keys and leaves ^p out (it is
        # on the help screen), so no key is cut mid-word.
        footer = self.query_one(Footer)
        roomy = event.size.width >= FOOTER_ROOMY
        footer.compact = not roomy
        footer.show_command_palette = roomy

    def on_mount(self) -> None:
        self.watch(self.songs, "highlighted", self._on_list_highlight, init=False)
        self.refresh_list_title()
        self.details.border_title = "Details"
        if self._start is not None:
            self.songs.highlight_rank(self._start.rank)
        if self._start_panel in PANEL_NAMES:
            self.show_panel(self._start_panel, save=False)
        self.call_after_refresh(self._show_library)  # after the first paint: it reads the library

    def _show_library(self) -> None:
        """What each song plays (details) and which are kept (list)."""
        try:
            self.details.plays = self.plays_text
            self.details.refresh_plays()
            self.refresh_kept()
        except Exception:  # noqa: BLE001 - the library is a bonus: logged
            from sadtui.services.logs import log

            log.exception("tui: reading the library failed")

    async def show_playlist(self, playlist: Playlist, start: Song | None, panel: str | None = None) -> None:
        """Another list in place of this one ("Switch list…"): built anew, nothing playing."""
        self.playlist = playlist
        self._start = start
        self._start_panel = panel
        self._panels = {}
        self.set_reactive(MainScreen.panel, None)
        self.set_reactive(MainScreen.unavailable, None)
        self.set_reactive(MainScreen.status, Status())
        await self.recompose()
        self.on_mount()
        if self.panel is None:
            focus_now(self.songs)

    @property
    def highlighted_rank(self) -> int | None:
        song = self.songs.highlighted_song or self.details.song
        return song.rank if song else None

    # ================================================================== engine events

    def on_engine_notice(self, message: EngineNotice) -> None:
        match message.event:
            case StatusChanged(status=status):
                self.status = status
            case PositionChanged(rank=rank, position=position, duration=duration):
                if rank is not None and self.status.rank is not None and rank != self.status.rank:
                    return  # a late update for a song that is no longer current
                fields = {"position": position} | ({"duration": duration} if duration is not None else {})
                self.status = replace(self.status, **fields)
            case SongFailed(rank=rank, title=title, message=text):
                self._song_failed(rank, text)
                bar = self.now_playing
                bar.report_failure(rank, title, text)
                if not bar.failure_fits():
                    # Cut short in the bar (a narrow terminal): the whole line as a notice too.
                    self.notify(bar.failure or "", severity="error", markup=False, timeout=8)
            case PlaybackEnded(reason="failures"):
                self.now_playing.report_gave_up(GAVE_UP)
                self.notify(GAVE_UP, severity="error", markup=False, timeout=8)
            case PlaybackEnded():
                self._end_of_list()
            case SongFinished(rank=rank):
                self._finished.add(rank)
            case _:
                pass

    def watch_status(self, old: Status, status: Status) -> None:
        kind = {State.PAUSED: "paused", State.PLAYING: "playing"}.get(status.state, "resolving")
        self.songs.set_playing(status.rank if status.state in ACTIVE_STATES else None, kind)
        rank = status.rank
        if rank is not None and status.duration:
            self.songs.set_duration(rank, status.duration)
        if status.state is State.PLAYING and rank in self.details.failures:
            del self.details.failures[rank]  # it plays now: no longer failed
            self.songs.failed = frozenset(self.details.failures)
            self.details.refresh_heading()
        if status.order != old.order:
            self._finished.clear()  # a full run counts in one order
        if status.thumbnail and self.artwork is None and getattr(self.app, "artwork", False):
            self._mount_artwork(status)

    def _song_failed(self, rank: int, reason: str) -> None:
        self.details.failures[rank] = reason
        self.songs.failed = frozenset(self.details.failures)
        self.details.refresh_heading()

    def _end_of_list(self) -> None:
        """The play order ran out: say so, and highlight where Enter starts again; after
        a full run in rank or countdown order, the closing word."""
        self.now_playing.ended = True
        songs = self.playlist.songs
        if not songs:
            return
        first = songs[-1] if self.status.order is Order.COUNTDOWN else songs[0]
        if self.panel is None and not self.filter_active:
            self.songs.highlight_rank(first.rank)
        full_run = self.status.order in (Order.RANK, Order.COUNTDOWN) and self._finished >= {s.rank for s in songs}
        self._finished.clear()
        if full_run and self.playlist.outro:
            self.app.show_words("outro")

    def on_now_playing_seek(self, message: NowPlaying.Seek) -> None:
        duration = self.status.duration
        if duration:
            self.app.control(lambda engine: engine.seek(message.fraction * duration, False))

    def action_reveal_spoiler(self) -> None:
        if not self.details.reveal():
            self.notify("No spoiler to show here.", markup=False, timeout=2)

    # ================================================================== artwork

    artwork = None  # the Artwork widget, mounted when the first thumbnail arrives (config: artwork)

    def _mount_artwork(self, status: Status) -> None:
        from sadtui.tui.widgets.artwork import Artwork

        self.artwork = Artwork(id="artwork-image")
        slots = self.query("#artwork")  # the now-playing card's place for it, when it has one
        if slots:
            slot = slots.first()
            slot.mount(self.artwork)
            slot.add_class("-filled")
        else:
            self.query_one("#browse").mount(self.artwork, after=self.details)
        self.call_after_refresh(lambda: self.artwork.follow_status(self.status))

    # ================================================================== list & details

    def _on_list_highlight(self, index: int | None) -> None:
        """Watcher of the list's `highlighted`: runs in the same call as the move, so the
        new heading is drawn in the same frame as the moved highlight."""
        if index is not None:
            self.details.show_song(self.songs.highlighted_song)

    def on_song_list_activated(self, event: SongList.Activated) -> None:
        self.app.play(event.rank)

    def go_to_rank(self, rank: int) -> bool:
        """Highlight a song by rank (clearing a filter that hides it); back to the list."""
        if self.playlist.song(rank) is None:
            self.notify(f"No song with rank {rank}.", markup=False)
            return False
        self.show_panel(None)
        if not self.songs.highlight_rank(rank):
            self.clear_filter()
            self.songs.highlight_rank(rank)
        focus_now(self.songs)
        return True

    def action_digit(self, digit: int) -> None:
        self.rank_entry.push(digit)

    def on_rank_entry_done(self, message: RankEntry.Done) -> None:
        if message.rank is not None:
            self.go_to_rank(message.rank)
        else:
            if message.missing is not None:
                self.notify(f"No song with rank {message.missing}.", markup=False)
            if self.focused is self.rank_entry:
                focus_now(self.songs)

    def watch_panel(self, name: str | None) -> None:
        if name is None:
            self.switcher.current = "browse"
            focus_now(self.songs)
        else:
            panel = self._panel(name)
            panel.build()
            self.switcher.current = name
            focus_now(panel)

    # ---- palette moves (the keys themselves are bound on the list)

    def action_list(self, name: str) -> None:
        self.show_panel(None)
        getattr(self.songs, f"action_{name}")()
        focus_now(self.songs)

    def action_jump_prompt(self) -> None:
        self.app.open_palette(songs_only=True)

    # ================================================================== filter

    def action_filter_key(self) -> None:
        """`/`: a priority binding, run when the app reads the key.  The focus moves to the
        filter at once, so what is typed right after `/` (a fast typist, a paste) goes
        into the filter, not to the list's bindings."""
        if isinstance(self.focused, Input):
            raise SkipAction()  # typing `/` in the filter or the palette: just a character
        self.action_filter()

    def action_filter(self) -> None:
        self.show_panel(None)
        self.filter_bar.add_class("-active")
        focus_now(self.filter_bar.input)

    def on_filter_bar_changed(self, event: FilterBar.Changed) -> None:
        if event.query == self.filter_bar.value:  # else stale: a newer one follows
            self._apply_filter(event.query)

    def on_filter_bar_kept(self, event: FilterBar.Kept) -> None:
        if not event.query.strip():
            self.clear_filter()
        else:
            self._apply_filter(event.query)

    def on_filter_bar_cleared(self, event: FilterBar.Cleared) -> None:
        self.clear_filter()

    def _apply_filter(self, query: str) -> None:
        shown = self.songs.apply_filter(query)
        self.filter_bar.set_count(shown, len(self.playlist.songs))
        self.refresh_list_title()
        self.details.show_song(self.songs.highlighted_song)

    def refresh_list_title(self) -> None:
        songs = self.songs
        if songs.filter_text.strip():
            songs.border_title = f"Songs · {songs.option_count} of {len(self.playlist.songs)}"
        else:
            songs.border_title = "Songs"

    def clear_filter(self) -> None:
        bar = self.filter_bar
        if bar.value:
            bar.input.value = ""  # posts Changed(""), but apply now so callers see it
        self._apply_filter("")
        bar.remove_class("-active")

    @property
    def filter_active(self) -> bool:
        return bool(self.songs.filter_text.strip())

    # ================================================================== panels

    def show_panel(self, name: str | None, *, save: bool = True) -> None:
        """Show the FAQ or About panel; None returns to the list."""
        if name == self.panel:
            return
        self.panel = name
        if save:
            self.app.save_state()

    def _panel(self, name: str) -> Panel:
        panel = self._panels.get(name)
        if panel is None:
            from sadtui.tui.screens.panels import AboutPanel, FaqPanel

            panel = {"faq": FaqPanel, "about": AboutPanel}[name](self.playlist, id=name)
            panel.display = False  # the switcher shows it
            self.switcher.mount(panel)
            self._panels[name] = panel
        return panel

    def action_toggle_panel(self, name: str) -> None:
        self.show_panel(None if self.panel == name else name)

    def action_back(self) -> None:
        if self.panel is not None:
            self.show_panel(None)
        elif self.filter_active or self.filter_bar.has_class("-active"):
            self.clear_filter()
        focus_now(self.songs)

    # ================================================================== lyrics (`l`, `R`, `[`, `]`)

    lyrics_pane = None  # the LyricsPane, mounted beside (or under) the details on the first `l`

    def action_toggle_lyrics(self) -> None:
        from sadtui.tui.widgets.lyrics import LyricsPane

        self.show_panel(None)
        if self.lyrics_pane is None:
            self.lyrics_pane = LyricsPane(
                self.playlist, self.app.lyrics_finder, offsets=self.app.lyrics_offsets, id="lyrics"
            )
            self.query_one("#browse").mount(self.lyrics_pane)
            self.call_after_refresh(lambda: self.lyrics_pane.follow_status(self.status))
            return
        self.lyrics_pane.display = not self.lyrics_pane.display
        if self.lyrics_pane.display:
            self.lyrics_pane.follow_status(self.status)

    def _lyrics_shown(self, what: str):  # -> LyricsPane | None
        pane = self.lyrics_pane
        if pane is None or not pane.display:
            self.notify(f"{what}: open the lyrics with l first.", markup=False, timeout=3)
            return None
        return pane

    def action_toggle_romaji(self) -> None:
        if (pane := self._lyrics_shown("Romaji")) is not None:
            self.notify("Romaji on." if pane.toggle_romaji() else "Romaji off.", markup=False, timeout=2)

    def action_lyrics_offset(self, seconds: float) -> None:
        if (pane := self._lyrics_shown("Lyrics offset")) is not None:
            offset = pane.shift(float(seconds))
            self.notify(f"Lyrics offset {offset:+.1f} s for this song.", markup=False, timeout=2)

    def action_help(self) -> None:
        from sadtui.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_quit(self) -> None:
        self.app.exit()

    def action_switch_list(self) -> None:
        self.app.action_switch_list()

    # ================================================================== playback

    def action_play(self) -> None:
        song = self.songs.highlighted_song
        if song is None:
            self.notify("No song is highlighted.", markup=False)
            return
        self.app.play(song.rank)

    def action_toggle_pause(self) -> None:
        if self.status.state is State.IDLE:
            self.action_play()  # nothing played yet: Space plays the highlighted song
        else:
            self.app.control(lambda engine: engine.toggle_pause())

    def action_stop(self) -> None:
        self.app.control(lambda engine: engine.stop())

    def action_next(self) -> None:
        self.app.control(lambda engine: engine.next())

    def action_previous(self) -> None:
        self.app.control(lambda engine: engine.previous())

    def action_seek(self, seconds: float) -> None:
        self.app.control(lambda engine: engine.seek(float(seconds), True))

    def action_volume(self, delta: int) -> None:
        self.app.control(lambda engine: engine.change_volume(int(delta)))

    def action_mute(self) -> None:
        self.app.control(lambda engine: engine.toggle_mute())

    def action_cycle_order(self) -> None:
        self.app.control(lambda engine: engine.cycle_order())

    def action_cycle_repeat(self) -> None:
        self.app.control(lambda engine: engine.cycle_repeat())

    def action_cycle_sleep(self) -> None:
        def cycle(engine) -> None:
            mode = engine.cycle_sleep()
            shown = {"off": "off", "song": "end of this song"}.get(mode, f"{mode} min")
            self.notify(f"Sleep timer: {shown}", markup=False, timeout=3)

        self.app.control(cycle)
