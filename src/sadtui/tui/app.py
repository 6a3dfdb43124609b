"""The Textual app: ranked list, details, FAQ and About panels, now-playing bar.

Playback lives in ``sadtui.services.engine``; it is imported and created in a
background thread only after the first paint (nothing for yt-dlp or libmpv is
imported before then).  The engine calls ``notify(event)`` from its own threads;
``_notify`` only wraps the event in a Textual message and ``post_message``s it
(thread-safe, never blocking), so every UI change happens on the UI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from textual import events
from textual.actions import SkipAction
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header, Input

from sadtui import gcpause
from sadtui.model import paths
from sadtui.model.playlist import Playlist, Song
from sadtui.model.state import PANELS, Remembered, StateStore, playlist_key
from sadtui.services.events import EngineEvent, State, Status
from sadtui.tui.keymap import APP, bindings_for, palette_entries
from sadtui.tui.messages import (
    EnginePlaybackEnded,
    EnginePosition,
    EngineReady,
    EngineSongFailed,
    EngineSongFinished,
    EngineStatus,
    EngineUnavailable,
    to_message,
)
from sadtui.tui.rankjump import Outcome, RankJumper
from sadtui.tui.widgets.filter_bar import FilterBar
from sadtui.tui.widgets.focus import focus_now
from sadtui.tui.widgets.now_playing import ACTIVE_STATES, NowPlaying
from sadtui.tui.widgets.panes import SongDetails
from sadtui.tui.widgets.song_list import SongList

if TYPE_CHECKING:
    from sadtui.tui.screens.panels import Panel

Notify = Callable[[EngineEvent], None]


class Engine(Protocol):  # the contract of sadtui.services.engine.PlaybackEngine
    status: Status

    def start(self) -> None: ...
    def play(self, rank: int) -> None: ...
    def toggle_pause(self) -> None: ...
    def stop(self) -> None: ...
    def next(self) -> None: ...
    def previous(self) -> None: ...
    def seek(self, seconds: float, relative: bool = True) -> None: ...
    def change_volume(self, delta: int) -> None: ...
    def toggle_mute(self) -> None: ...
    def cycle_order(self) -> Any: ...
    def cycle_repeat(self) -> Any: ...
    def shutdown(self) -> None: ...


EngineFactory = Callable[[Playlist, Notify], Engine]


def songs_provider():
    """The palette's song finder, imported when the palette first opens."""
    from sadtui.tui.commands import SongsProvider

    return SongsProvider


GAVE_UP = "Stopped: every song in the list failed."
SHUTDOWN_TIMEOUT = 5.0  # seconds; quitting never waits longer for the engine
LIBMPV_HINT = "libmpv is not installed: run `sudo apt-get install libmpv2`"


def default_engine_factory(mpv_options: Sequence[str] = ()) -> EngineFactory:
    def create(playlist: Playlist, notify: Notify) -> Engine:
        from sadtui.services.engine import PlaybackEngine  # after the first paint only

        return PlaybackEngine(playlist, notify, mpv_options=tuple(mpv_options))

    return create


def describe_engine_error(exc: BaseException) -> str:
    """One line saying why playback cannot work and how to fix it."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, ModuleNotFoundError):
        name = exc.name or ""
        if name.startswith("sadtui"):
            return "Playback unavailable: this sadtui has no playback engine yet"
        if name == "mpv":
            return "Playback unavailable: python-mpv is missing: run `pip install mpv`"
        if name.startswith("yt_dlp"):
            return "Playback unavailable: yt-dlp is missing: run `pip install yt-dlp`"
        return f"Playback unavailable: missing Python module {name or text}"
    if isinstance(exc, (OSError, ImportError)) and "mpv" in text.lower():
        return f"Playback unavailable: {LIBMPV_HINT}"
    return f"Playback unavailable: {text}"


def shutdown_engine(engine: Engine, timeout: float | None = None) -> bool:
    """engine.shutdown(), but never wait longer than `timeout`; True if it finished."""
    timeout = SHUTDOWN_TIMEOUT if timeout is None else timeout
    done = threading.Event()

    def run() -> None:
        try:
            engine.shutdown()
        except Exception:  # noqa: BLE001 - quitting must not fail
            pass
        finally:
            done.set()

    threading.Thread(target=run, name="sadtui-engine-shutdown", daemon=True).start()
    return done.wait(timeout)


class SadtuiApp(App[int]):
    """Browse a ranked playlist and play its songs."""

    CSS_PATH = Path(__file__).with_name("sadtui.tcss")  # absolute: subclasses live elsewhere
    BINDINGS = bindings_for(APP)
    COMMANDS = App.COMMANDS | {songs_provider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    AUTO_FOCUS = "#songs"
    RANK_TIMEOUT = 1.0  # seconds after the last digit before a typed rank is taken

    def __init__(
        self,
        playlist: Playlist,
        *,
        engine_factory: EngineFactory | None = None,
        mpv_options: Sequence[str] = (),
        state_path: Any = None,
        remember: bool = True,
    ) -> None:
        super().__init__()
        self.playlist = playlist
        self.title = playlist.title
        self.sub_title = playlist.count_text
        self._engine_factory = engine_factory or default_engine_factory(mpv_options)
        self.engine: Engine | None = None
        self.engine_error: str | None = None
        self.status = Status()
        self._closing_down = False
        self._save_warned = False
        self._pending_play: int | None = None
        self._jumper = RankJumper(song.rank for song in playlist.songs)
        self._jump_timer = None
        self.panel: str | None = None  # "faq", "about" or None (the list)
        self.painted = threading.Event()
        self._remember = remember
        self._store = StateStore(
            state_path if state_path is not None else paths.state_file(),
            playlist_key(playlist.path, playlist.title),
        )
        if remember:
            self._saved, self._state_notice = self._store.load()
        else:
            self._saved, self._state_notice = Remembered(), None
        start = playlist.song(self._saved.rank) if self._saved.rank is not None else None
        first = start or (playlist.songs[0] if playlist.songs else None)
        self._start_song: Song | None = start
        self._highlighted_rank: int | None = first.rank if first else None

    # ================================================================== layout

    def get_default_screen(self) -> Screen:
        # Start with the breakpoint class that the first Resize would add: that
        # saves restyling every widget once before the first paint.
        screen = super().get_default_screen()
        width = self.size.width
        names = [name for edge, name in sorted(self.HORIZONTAL_BREAKPOINTS or []) if width >= edge]
        if names:
            screen.add_class(names[-1], update=False)
        return screen

    def compose(self) -> ComposeResult:
        # Keep references: while a modal (help, palette) is on top, queries on
        # the app would search that screen, but engine events still arrive.
        first = self._start_song or (self.playlist.songs[0] if self.playlist.songs else None)
        self._song_list = SongList(self.playlist.songs, id="songs")
        self._filter_bar = FilterBar(id="filter-bar", return_focus=self._song_list)
        self._details = SongDetails(first, id="details")
        self._now_playing = NowPlaying(id="now-playing")
        self._switcher = ContentSwitcher(id="body", initial="browse")
        self._panels: dict[str, Panel] = {}  # FAQ and About: created when first shown
        yield Header(icon="♪")
        with self._switcher:
            with Horizontal(id="browse"):
                with Vertical(id="list-pane"):
                    yield self._filter_bar
                    yield self._song_list
                yield self._details
        yield self._now_playing
        yield Footer()

    @property
    def songs(self) -> SongList:
        return self._song_list

    @property
    def details(self) -> SongDetails:
        return self._details

    @property
    def now_playing(self) -> NowPlaying:
        return self._now_playing

    @property
    def filter_bar(self) -> FilterBar:
        return self._filter_bar

    def on_mount(self) -> None:
        songs = self.songs
        self.watch(songs, "highlighted", self._on_list_highlight, init=False)
        self._refresh_list_title()
        self.details.border_title = "Details"
        if self._start_song is not None:
            songs.highlight_rank(self._start_song.rank)
        if self._remember and self._saved.theme:
            if self._saved.theme in self.available_themes:
                self.theme = self._saved.theme
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        if self._saved.panel in PANELS:
            self.show_panel(self._saved.panel, save=False)
        if self._state_notice:
            self.notify(self._state_notice, severity="warning", markup=False, timeout=8)
        self.call_after_refresh(self._after_first_paint)

    def _after_first_paint(self) -> None:
        gcpause.resume(freeze=True)  # paused by `sadtui`'s main for a faster start
        self.painted.set()
        self._filter_bar.build()  # hidden until `/`: kept off the first paint
        threading.Thread(target=self._create_engine, name="sadtui-engine-init", daemon=True).start()

    # ================================================================== engine

    def _notify(self, event: EngineEvent) -> None:
        """The engine's callback: runs on any thread; wraps and posts, never blocks."""
        message = to_message(event)
        if message is None or self._closing_down:
            return
        try:
            self.post_message(message)
        except RuntimeError:  # the event loop is already closed (quitting)
            pass

    def _create_engine(self) -> None:
        """Background thread: import and create the engine, then hand it to the UI."""
        try:
            engine = self._engine_factory(self.playlist, self._notify)
        except Exception as exc:  # noqa: BLE001 - any failure: read-only mode
            self._post_safely(EngineUnavailable(describe_engine_error(exc)))
            return
        if self._closing_down or not self._post_safely(EngineReady(engine)):
            shutdown_engine(engine)

    def _post_safely(self, message) -> bool:
        try:
            return self.post_message(message)
        except RuntimeError:
            return False

    def on_engine_ready(self, message: EngineReady) -> None:
        if self._closing_down:
            shutdown_engine(message.engine)
            return
        engine = message.engine
        try:
            engine.start()
        except Exception as exc:  # noqa: BLE001
            shutdown_engine(engine, timeout=1.0)
            self._playback_unavailable(describe_engine_error(exc))
            return
        self.engine = engine
        try:
            status = engine.status
        except Exception:  # noqa: BLE001
            status = None
        if isinstance(status, Status):
            self._apply_status(status)
        if self._pending_play is not None:
            rank, self._pending_play = self._pending_play, None
            self._call_engine("play", rank)

    def on_engine_unavailable(self, message: EngineUnavailable) -> None:
        self._playback_unavailable(message.reason)

    def _playback_unavailable(self, reason: str) -> None:
        self.engine_error = reason
        self.now_playing.set_unavailable(reason)
        if self._pending_play is not None:
            self._pending_play = None
            self.notify(reason, severity="error", markup=False)

    def on_engine_status(self, message: EngineStatus) -> None:
        self._apply_status(message.status)

    def _apply_status(self, status: Status) -> None:
        self.status = status
        self.now_playing.set_status(status)
        self.songs.set_playing(status.rank if status.state in ACTIVE_STATES else None)

    def on_engine_position(self, message: EnginePosition) -> None:
        self.now_playing.set_position(message.rank, message.position, message.duration)

    def on_engine_song_failed(self, message: EngineSongFailed) -> None:
        bar = self.now_playing
        bar.set_failure(message.rank, message.title, message.message)
        if not bar.failure_fits():
            # Cut short in the bar (a narrow terminal): the whole line as a notice too.
            self.notify(bar.failure or "", severity="error", markup=False, timeout=8)

    def on_engine_song_finished(self, message: EngineSongFinished) -> None:
        pass  # the engine moves on by itself; the status tells us what plays next

    def on_engine_playback_ended(self, message: EnginePlaybackEnded) -> None:
        if message.reason == "failures":
            self.now_playing.set_gave_up(GAVE_UP)
            self.notify(GAVE_UP, severity="error", markup=False, timeout=8)

    def _call_engine(self, method: str, *args: Any) -> Any:
        engine = self.engine
        if engine is None:
            if self.engine_error:
                self.notify(self.engine_error, severity="error", markup=False)
            else:
                self.notify("Playback is still starting; try again in a moment.", markup=False)
            return None
        try:
            return getattr(engine, method)(*args)
        except Exception as exc:  # noqa: BLE001 - the TUI stays usable
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.notify(f"Playback error: {text}", severity="error", markup=False)
            return None

    # ================================================================== quitting

    def on_unmount(self) -> None:
        self._closing_down = True
        self.save_state()
        engine, self.engine = self.engine, None
        if engine is not None:
            shutdown_engine(engine)

    def save_state(self, *, theme: bool = False) -> bool:
        """Remember the song and panel (and the theme, when it was just chosen: another
        sadtui running at the same time keeps the theme it saved otherwise)."""
        if not self._remember:
            return False
        saved = self._store.save(
            theme=self.theme if theme else None, rank=self._highlighted_rank, panel=self.panel
        )
        if not saved and not self._save_warned and not self._closing_down:
            self._save_warned = True  # once: it says where and why
            self.notify(f"Note: {self._store.last_error}", severity="warning", markup=False, timeout=8)
        return saved

    def _on_theme_changed(self, _theme) -> None:
        self.save_state(theme=True)

    # ================================================================== list & details

    def _on_list_highlight(self, index: int | None) -> None:
        """Watcher of the list's `highlighted`: runs in the same call as the move,
        so the new heading is drawn in the same frame as the moved highlight
        (OptionHighlighted would bubble up a frame or two later)."""
        if index is None:
            return  # the options are being replaced; _apply_filter shows the result
        song = self.songs.highlighted_song
        if song is not None:
            self._highlighted_rank = song.rank
        self.details.show_song(song)

    def on_song_list_activated(self, event: SongList.Activated) -> None:
        self.play_rank(event.rank)

    async def on_event(self, event: events.Event) -> None:
        # A key that is not a digit takes a rank being typed before it does its own
        # job, so `2` then Enter plays rank 2 (not the song highlighted before);
        # Escape only cancels the rank.  Here, before the key reaches any binding.
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and self._jumper.buffer
            and not (event.character or "").isdigit()
        ):
            if event.key == "escape":
                self._finish_jump(self._jumper.reset())
                return
            self._finish_jump(self._jumper.expire())
        await super().on_event(event)

    def go_to_rank(self, rank: int) -> bool:
        """Highlight a song by rank (clearing a filter that hides it); back to the list."""
        song = self.playlist.song(rank)
        if song is None:
            self.notify(f"No song with rank {rank}.", markup=False)
            return False
        self.show_panel(None)
        songs = self.songs
        if not songs.highlight_rank(rank):
            self._clear_filter()
            songs.highlight_rank(rank)
        songs.focus()
        return True

    # ---- typing a rank

    def action_digit(self, digit: int) -> None:
        self._finish_jump(self._jumper.push(digit))

    def flush_rank_jump(self) -> None:
        """Act on the digits typed so far now (what the timer does after a pause)."""
        self._finish_jump(self._jumper.expire())

    def _finish_jump(self, outcome: Outcome) -> None:
        if self._jump_timer is not None:
            self._jump_timer.stop()
            self._jump_timer = None
        self._refresh_list_title()
        if outcome.waiting:
            self._jump_timer = self.set_timer(self.RANK_TIMEOUT, self.flush_rank_jump)
            return
        if outcome.jump_to is not None:
            self.go_to_rank(outcome.jump_to)
        elif outcome.missing is not None:
            self.notify(f"No song with rank {outcome.missing}.", markup=False)

    # ---- palette moves (the keys themselves are bound on the list)

    def _list_action(self, name: str) -> None:
        self.show_panel(None)
        songs = self.songs
        getattr(songs, f"action_{name}")()
        songs.focus()

    def action_list_down(self) -> None:
        self._list_action("cursor_down")

    def action_list_up(self) -> None:
        self._list_action("cursor_up")

    def action_list_first(self) -> None:
        self._list_action("first")

    def action_list_last(self) -> None:
        self._list_action("last")

    def action_list_page_down(self) -> None:
        self._list_action("page_down")

    def action_list_page_up(self) -> None:
        self._list_action("page_up")

    def action_jump_prompt(self) -> None:
        from textual.command import CommandPalette

        self.push_screen(
            CommandPalette(providers=[songs_provider()], placeholder="Type a rank or words of a title…")
        )

    # ================================================================== filter

    def action_filter_key(self) -> None:
        """`/`: a priority binding, run when the app reads the key.  The focus moves
        to the filter at once, so what is typed right after `/` (a fast typist, a
        paste) goes into the filter: with Widget.focus(), which waits its turn,
        `/sorrow` stopped playback (s) and cycled the play order (o) and repeat (r)."""
        if isinstance(self.focused, Input):
            raise SkipAction()  # typing `/` in the filter or the palette: just a character
        self.action_filter()

    def action_filter(self) -> None:
        self.show_panel(None)
        bar = self.filter_bar
        bar.add_class("-active")
        focus_now(bar.input)

    def on_filter_bar_changed(self, event: FilterBar.Changed) -> None:
        if event.query != self.filter_bar.value:
            return  # stale (keys typed in a burst, or cleared since): a newer one follows
        self._apply_filter(event.query)

    def on_filter_bar_kept(self, event: FilterBar.Kept) -> None:
        if not event.query.strip():
            self._clear_filter()
        else:
            self._apply_filter(event.query)  # typed in a burst: its Changed may still be on the way
        self.songs.focus()

    def on_filter_bar_late_key(self, event: FilterBar.LateKey) -> None:
        self.post_message(events.Key(event.key, event.character))

    def on_filter_bar_cleared(self, event: FilterBar.Cleared) -> None:
        self._clear_filter()
        self.songs.focus()

    def _apply_filter(self, query: str) -> None:
        songs = self.songs
        shown = songs.apply_filter(query)
        self.filter_bar.set_count(shown, len(self.playlist.songs))
        self._refresh_list_title()
        self.details.show_song(songs.highlighted_song)

    def _refresh_list_title(self) -> None:
        songs = self.songs
        if self._jumper.buffer:
            songs.border_title = f"Go to rank {self._jumper.buffer}…"
        elif songs.query.strip():
            songs.border_title = f"Songs · {songs.option_count} of {len(self.playlist.songs)}"
        else:
            songs.border_title = "Songs"

    def _clear_filter(self) -> None:
        bar = self.filter_bar
        if bar.value:
            bar.input.value = ""  # posts Changed(""), but apply now so callers see it
        self._apply_filter("")
        bar.remove_class("-active")

    @property
    def filter_active(self) -> bool:
        return bool(self.songs.query.strip())

    # ================================================================== panels

    def show_panel(self, name: str | None, *, save: bool = True) -> None:
        """Show the FAQ or About panel; None returns to the list."""
        if name == self.panel:
            return
        switcher = self._switcher
        if name is None:
            switcher.current = "browse"
            self.panel = None
            self.songs.focus()
        else:
            panel = self._panel(name)
            panel.build()
            switcher.current = name
            self.panel = name
            panel.focus()
        if save:
            self.save_state()

    def _panel(self, name: str) -> Panel:
        panel = self._panels.get(name)
        if panel is None:
            from sadtui.tui.screens.panels import AboutPanel, FaqPanel

            panel = {"faq": FaqPanel, "about": AboutPanel}[name](self.playlist, id=name)
            panel.display = False  # the switcher shows it
            self._switcher.mount(panel)
            self._panels[name] = panel
        return panel

    def action_toggle_panel(self, name: str) -> None:
        self.show_panel(None if self.panel == name else name)

    def action_back(self) -> None:
        if self.panel is not None:
            self.show_panel(None)
        elif self.filter_active or self.filter_bar.has_class("-active"):
            self._clear_filter()
        self.songs.focus()

    def action_help(self) -> None:
        from sadtui.tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen())

    # ================================================================== playback

    def play_rank(self, rank: int) -> None:
        if self.engine is None and self.engine_error is None:
            self._pending_play = rank
            self.notify("Starting playback…", markup=False, timeout=2)
            return
        self._call_engine("play", rank)

    def action_play(self) -> None:
        song = self.songs.highlighted_song
        if song is None:
            self.notify("No song is highlighted.", markup=False)
            return
        self.play_rank(song.rank)

    def action_toggle_pause(self) -> None:
        if self.status.state is State.IDLE:
            self.action_play()  # nothing played yet: Space plays the highlighted song
            return
        self._call_engine("toggle_pause")

    def action_stop(self) -> None:
        self._call_engine("stop")

    def action_next(self) -> None:
        self._call_engine("next")

    def action_previous(self) -> None:
        self._call_engine("previous")

    def action_seek(self, seconds: float) -> None:
        self._call_engine("seek", float(seconds), True)

    def action_volume(self, delta: int) -> None:
        self._call_engine("change_volume", int(delta))

    def action_mute(self) -> None:
        self._call_engine("toggle_mute")

    def action_cycle_order(self) -> None:
        self._call_engine("cycle_order")

    def action_cycle_repeat(self) -> None:
        self._call_engine("cycle_repeat")

    # ================================================================== palette

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for key in palette_entries():
            yield SystemCommand(
                f"{key.description}  ({key.display.replace('  ', ' / ')})",
                key.help,
                partial(self.run_action, key.command),
            )


def run_app(playlist: Playlist, mpv_options: Sequence[str] = ()) -> int:
    """Run the TUI with fd 2 sent to the player log (ALSA/libmpv noise stays off screen)."""
    from sadtui.services.stdio import fd2_to_log

    app = SadtuiApp(playlist, mpv_options=tuple(mpv_options))
    with fd2_to_log(paths.mpv_log_file()):
        app.run()
    code = app.return_code
    return 0 if code is None else int(code)
