"""The Textual app: owns the playback engine and the remembered state; everything on
screen is the main screen's (``sadtui.tui.screens.main``).

Playback lives in ``sadtui.services.engine``; it is imported and created in a
Textual worker thread only after the first paint (nothing for yt-dlp or libmpv is
imported before then), and its failure is handled in one place
(``on_worker_state_changed``).  The engine calls ``notify(event)`` from its own
threads; ``_notify`` only wraps the event in an ``EngineNotice`` and posts it to the
main screen (thread-safe, never blocking), so every UI change happens on the UI thread.

What is remembered is ``remember.Memory``'s, the audio device picker ``devices``', list
switching ``switching``'s, the palette's commands ``widgets.palette``'s, media keys ``mpris``'s.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from sadtui import gcpause
from sadtui.model import paths
from sadtui.model.config import Config
from sadtui.model.playlist import Playlist
from sadtui.model.text import safe_line
from sadtui.services.events import EngineEvent
from sadtui.services.logs import log
from sadtui.tui.devices import AudioDevices
from sadtui.tui.keymap import keymap_for
from sadtui.tui.messages import EngineNotice
from sadtui.tui.mpris import MprisBridge
from sadtui.tui.playback import (
    Engine,
    EngineCall,
    EngineFactory,
    default_engine_factory,
    describe_engine_error,
    first_line,
    shutdown_engine,
)
from sadtui.tui.remember import Memory
from sadtui.tui.screens.main import MainScreen
from sadtui.tui.theme import DEFAULT_THEME, THEMES
from sadtui.tui.widgets.palette import PALETTE_PAGE_BINDINGS, PaletteCommands, songs_provider

STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)  # handled like `q`: clean exit, state saved


class SadtuiApp(PaletteCommands, App[int]):
    """Browse a ranked playlist and play its songs."""

    CSS_PATH = Path(__file__).with_name("sadtui.tcss")  # absolute: subclasses live elsewhere
    BINDINGS = PALETTE_PAGE_BINDINGS
    COMMANDS = App.COMMANDS | {songs_provider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(
        self,
        playlist: Playlist,
        *,
        engine_factory: EngineFactory | None = None,
        mpv_options: Sequence[str] = (),
        state_path: Any = None,
        remember: bool = True,
        handle_signals: bool = False,
        intro: bool = True,
        lyrics_online: bool = True,
        lyrics_url: str | None = None,
        artwork: bool | str = True,
        resume: bool = False,
        theme: str | None = None,
        config: Config | None = None,
    ) -> None:
        super().__init__()
        for own_theme in THEMES:
            self.register_theme(own_theme)
        self.theme = DEFAULT_THEME
        self.lyrics_online = lyrics_online  # `config.toml`: lyrics_online, lyrics_url, artwork
        self.lyrics_url = lyrics_url
        self.artwork = artwork
        self.playlist = playlist
        self.title = safe_line(playlist.title)
        self.sub_title = playlist.count_text
        self._engine_factory = engine_factory or default_engine_factory(mpv_options)
        self._mpv_options = tuple(mpv_options)
        self._resume = resume
        self._config = config or Config()
        self.devices = AudioDevices(self)  # picked in "Audio device…" (remembered)
        self._list_generation = 0  # counts the lists opened with "Switch list…"
        self._theme_asked = theme  # the command line's: wins over the remembered one and config.toml's
        self.key_remaps: dict[str, tuple[str, ...]] = dict(self._config.keys)
        if self.key_remaps:
            self.set_keymap(keymap_for(self.key_remaps))
        self._real_engine = engine_factory is None
        self.engine: Engine | None = None
        self.engine_error: str | None = None
        self._closing_down = False
        self._pending_play: int | None = None
        self._handle_signals = handle_signals
        self._first_launch_intro = intro  # show the intro on the first launch
        self.memory = Memory(state_path if state_path is not None else paths.state_file(), playlist,
                             remember=remember)
        self.main = MainScreen(playlist, *self.memory.start(playlist, resume=resume))
        self.mpris = MprisBridge(self)  # on the session bus after the first paint (when there is one)

    @property
    def songs(self):
        """The main screen's song list (also while a modal is on top)."""
        return self.main.songs

    def get_default_screen(self) -> Screen:
        # Start with the breakpoint class that the first Resize would add: that saves
        # restyling every widget once before the first paint.
        names = [name for edge, name in sorted(self.HORIZONTAL_BREAKPOINTS) if self.size.width >= edge]
        if names:
            self.main.add_class(names[-1], update=False)
        return self.main

    def on_mount(self) -> None:
        self.memory.apply_theme(self, self._theme_asked, self._config)
        self.theme_changed_signal.subscribe(self, lambda _theme: self.save_state(theme=True))
        if self.memory.notice:
            self.notify(self.memory.notice, severity="warning", markup=False, timeout=8)

        if self._handle_signals:
            loop = asyncio.get_running_loop()
            for number in STOP_SIGNALS:
                loop.add_signal_handler(number, self.exit)
        self.call_after_refresh(self.first_paint_done)

    def first_paint_done(self) -> None:
        gcpause.resume()  # paused by the launcher for a faster start (measured: see gcpause)
        self.main.filter_bar.build()  # hidden until `/`: kept off the first paint
        if self._first_launch_intro and self.memory.intro_due and self.playlist.intro:
            self.show_words("intro")  # the first launch: the intro, once
            self.memory.intro_shown = True
            self.save_state()
        if self._real_engine:
            # libmpv needs LC_NUMERIC=C, and python-mpv's import calls setlocale itself:
            # both belong on the main thread (setlocale is not thread-safe), after the first paint.
            from sadtui.services.player import ensure_numeric_locale

            ensure_numeric_locale()
        self.create_engine()
        self.mpris.launch()  # media keys, when there is a session bus

    # ================================================================== engine

    def _notify(self, event: EngineEvent) -> None:
        """The engine's callback: runs on any thread; wraps and posts, never blocks."""
        if not self._closing_down:
            self.main.post_message(EngineNotice(event))  # False once the app has closed

    @work(thread=True, exit_on_error=False, name="engine", group="engine")
    def create_engine(self) -> Engine:
        """Import and create the engine (blocking: a worker thread)."""
        playlist, generation = self.playlist, self._list_generation

        def notify(event: EngineEvent) -> None:  # this list's engine: silent once another list is open
            if generation == self._list_generation:
                self._notify(event)

        return self._engine_factory(playlist, notify)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group in ("mpris", "audio-device", "switch-list") and event.state is WorkerState.ERROR:
            log.warning("%s failed", worker.group, exc_info=worker.error)
            self.notify(f"{worker.group}: {first_line(worker.error or RuntimeError())}", severity="error",
                        markup=False)
            return
        if worker.group != "engine":
            return
        if event.state is WorkerState.ERROR:
            error = worker.error or RuntimeError("unknown error")
            log.warning("playback engine unavailable", exc_info=error)
            self._playback_unavailable(describe_engine_error(error))
        elif event.state is WorkerState.SUCCESS and worker.result is not None:
            self._engine_ready(worker.result)

    def _engine_ready(self, engine: Engine) -> None:
        if self._closing_down or getattr(engine, "playlist", self.playlist) is not self.playlist:
            shutdown_engine(engine, timeout=0.0)  # quitting, or made for a list no longer open
            return
        try:
            engine.start()
            status = engine.status
        except Exception as exc:  # noqa: BLE001 - any failure: read-only mode
            log.exception("the playback engine failed to start")
            shutdown_engine(engine, timeout=1.0)
            self._playback_unavailable(describe_engine_error(exc))
            return
        self.engine = engine
        self.main.status = status
        self.memory.restore_playback(self, self._mpv_options, resume=self._resume and self._pending_play is None)
        if self._pending_play is not None:
            rank, self._pending_play = self._pending_play, None
            self.play(rank)

    def _playback_unavailable(self, reason: str) -> None:
        self.engine_error = reason
        self.main.unavailable = reason
        if self._pending_play is not None:
            self._pending_play = None
            self.notify(reason, severity="error", markup=False)

    def play(self, rank: int) -> None:
        if self.engine is None and self.engine_error is None:
            self._pending_play = rank  # played as soon as the engine is ready
            self.notify("Starting playback…", markup=False, timeout=2)
            return
        self.control(lambda engine: engine.play(rank))

    def control(self, call: EngineCall) -> None:
        """Run one engine command (e.g. ``lambda engine: engine.next()``); the one guard
        around them: no engine yet, or an engine that raises, is a notice, never a crash."""
        engine = self.engine
        if engine is None:
            text = self.engine_error or "Playback is still starting; try again in a moment."
            self.notify(text, severity="error" if self.engine_error else "information", markup=False)
            return
        try:
            call(engine)
        except Exception as exc:  # noqa: BLE001 - the TUI stays usable
            log.exception("an engine command failed")
            self.notify(f"Playback error: {first_line(exc)}", severity="error", markup=False)

    # ================================================================== quitting

    def on_unmount(self) -> None:
        self._closing_down = True
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            for number in STOP_SIGNALS:
                loop.remove_signal_handler(number)
        self.mpris.close()
        self.save_state()
        engine, self.engine = self.engine, None
        if engine is not None:
            shutdown_engine(engine)

    def save_state(self, *, theme: bool = False) -> bool:
        """Remember the song and panel (and the theme, when it was just chosen)."""
        return self.memory.save(self, self.engine, theme=theme, closing=self._closing_down)

    def show_words(self, which: str) -> None:
        """The playlist's intro or closing word over the list (a key closes it)."""
        from sadtui.tui.screens.words import WordsScreen

        text = self.playlist.intro if which == "intro" else self.playlist.outro
        if text:
            self.push_screen(WordsScreen(which, text))

    # ================================================================== pickers

    def action_audio_device(self) -> None:
        """The palette's "Audio device…": mpv's outputs and devices; the pick switches now."""
        self.devices.open_picker()

    def action_switch_list(self) -> None:
        """`ctrl+o` and the palette's "Switch list…": the library of lists; the pick opens
        without a restart (each list keeps its own place)."""
        from sadtui.tui.switching import pick_list

        self.run_worker(pick_list(self), group="switch-list", exclusive=True, exit_on_error=False)

    def switch_playlist(self, playlist: Playlist) -> None:
        """Open another list in place: its own remembered place, a new engine for it."""
        self.save_state()  # this list's place
        engine, self.engine = self.engine, None
        if engine is not None:
            shutdown_engine(engine, timeout=0.0)  # in the background: the switch never waits
        self.playlist = playlist
        self.title = safe_line(playlist.title)
        self.sub_title = playlist.count_text
        self.engine_error = None
        self._pending_play = None
        self._resume = False
        notice = self.memory.open(playlist)
        self._list_generation += 1
        self.mpris.set_playlist(playlist)
        # Rebuilt in the screen's own context (its compose binds the now-playing bar to it).
        self.main.call_later(self.main.show_playlist, playlist, *self.memory.start(playlist))
        if notice:
            self.notify(notice, severity="warning", markup=False, timeout=8)
        self.create_engine()


def run_app(playlist: Playlist, mpv_options: Sequence[str] = (), *, resume: bool = False,
            theme: str | None = None, config: Config | None = None) -> int:
    """Run the TUI with fd 2 sent to the player log (ALSA/libmpv noise stays off screen)."""
    from sadtui.services import logs
    from sadtui.services.stdio import fd2_to_log

    logs.setup()
    settings = {} if config is None else {
        "lyrics_online": config.lyrics_online, "lyrics_url": config.lyrics_url, "artwork": config.artwork
    }
    if settings.get("artwork") == "graphics":
        from sadtui.tui.widgets.artwork import import_graphics

        import_graphics()  # before Textual reads the terminal
    app = SadtuiApp(playlist, mpv_options=tuple(mpv_options), handle_signals=True, resume=resume,
                    theme=theme, config=config, **settings)
    with fd2_to_log(paths.mpv_log_file()):
        app.run()
    code = app.return_code
    return 0 if code is None else int(code)
