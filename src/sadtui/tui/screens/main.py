"""The main screen: the ranked list, the details, the FAQ and About panels, the
now-playing bar; every key of the app is bound here.

The app owns the engine and the remembered state; this screen shows things.  The
open panel and the playback status are reactives: their watchers switch the body and
update the list's marker, and the now-playing bar is bound to them (``data_bind``).
The playback keys and the engine's events are in ``playback_keys``, the filter in
``filtering``, the library keys in ``library_actions`` (mixins: Textual looks for a
binding's action on the screen); the lyrics and the artwork are their widgets'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header

from sadtui.model.playlist import Playlist, Song
from sadtui.services.events import Status
from sadtui.tui.keymap import APP, bindings_for
from sadtui.tui.screens.filtering import ListFilter
from sadtui.tui.screens.library_actions import LibraryActions
from sadtui.tui.screens.playback_keys import PlaybackKeys
from sadtui.tui.widgets.filter_bar import FilterBar
from sadtui.tui.widgets.focus import focus_now
from sadtui.tui.widgets.now_playing import NowPlaying
from sadtui.tui.widgets.panes import SongDetails
from sadtui.tui.widgets.rank_entry import RankEntry
from sadtui.tui.widgets.song_list import SongList

if TYPE_CHECKING:
    from sadtui.tui.app import SadtuiApp
    from sadtui.tui.screens.panels import Panel

PANEL_NAMES = ("faq", "about")
FOOTER_ROOMY = 80  # columns from which the footer has room for every key and ^p


class MainScreen(LibraryActions, PlaybackKeys, ListFilter, Screen[None]):
    BINDINGS = bindings_for(APP)
    AUTO_FOCUS = "#songs"
    RANK_TIMEOUT = 1.0  # seconds after the last digit before a typed rank is taken

    panel: reactive[str | None] = reactive(None, init=False)  # "faq", "about" or None (the list)
    # The engine's status, as last reported.  Not a repaint of the whole screen at each report
    # (several a second): the widgets bound to it repaint themselves.
    status: reactive[Status] = reactive(Status, init=False, repaint=False)
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
        self.call_after_refresh(self.show_library)  # after the first paint: it reads the library

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

    def action_reveal_spoiler(self) -> None:
        if not self.details.reveal():
            self.notify("No spoiler to show here.", markup=False, timeout=2)

    # ================================================================== list & details

    def _on_list_highlight(self, index: int | None) -> None:
        """Watcher of the list's `highlighted`: runs in the same call as the move, so the
        new heading is drawn in the same frame as the moved highlight."""
        if index is not None:
            self.details.show_song(self.songs.highlighted_song)

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
    artwork = None  # the Artwork widget, mounted when the first thumbnail arrives (config: artwork)

    def action_toggle_lyrics(self) -> None:
        from sadtui.tui.widgets.lyrics import toggle_lyrics

        self.show_panel(None)
        self.lyrics_pane = toggle_lyrics(self)

    def action_toggle_romaji(self) -> None:
        from sadtui.tui.widgets.lyrics import toggle_romaji

        toggle_romaji(self)

    def action_lyrics_offset(self, seconds: float) -> None:
        from sadtui.tui.widgets.lyrics import shift_lyrics

        shift_lyrics(self, seconds)

    def action_help(self) -> None:
        from sadtui.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_quit(self) -> None:
        self.app.exit()

    def action_switch_list(self) -> None:
        self.app.action_switch_list()
