"""What the app remembers between runs (``state.json``, per list): the place in the list,
the open panel, the theme, the intro once shown, the playback settings and the last song.

:class:`Memory` is the app's one owner of the ``StateStore`` of the open list: it
loads it, says where the app starts, restores the engine's settings once it is ready,
applies the theme and saves (warning once when it cannot).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sadtui.model.config import Config
from sadtui.model.playlist import Playlist, Song
from sadtui.model.state import PANELS, Remembered, StateStore, playlist_key
from sadtui.model.text import safe_line

if TYPE_CHECKING:
    from sadtui.tui.app import SadtuiApp
    from sadtui.tui.playback import Engine


class Memory:
    """The remembered state of the open list (nothing is read or written with ``remember=False``)."""

    def __init__(self, path: Path, playlist: Playlist, *, remember: bool) -> None:
        self.remember = remember
        self.store = StateStore(path, playlist_key(playlist.path, playlist.title))
        self.saved, self.notice = self.store.load() if remember else (Remembered(), None)
        self.intro_shown = False  # shown in this run
        self._save_warned = False

    def open(self, playlist: Playlist) -> str | None:
        """Another list ("Switch list…"): its own remembered place; a notice if it was unreadable."""
        self.store = StateStore(self.store.path, playlist_key(playlist.path, playlist.title))
        self.saved, self.notice = self.store.load() if self.remember else (Remembered(), None)
        return self.notice

    def start(self, playlist: Playlist, *, resume: bool = False) -> tuple[Song | None, str | None]:
        """The song to highlight first (with resume, the last one played) and the panel to open."""
        saved = self.saved
        first = saved.played if resume and saved.played is not None else saved.rank
        return (playlist.song(first) if first is not None else None,
                saved.panel if saved.panel in PANELS else None)

    @property
    def intro_due(self) -> bool:
        """The first launch: the intro has never been shown."""
        return self.remember and not self.saved.intro_shown

    @property
    def lyrics_offsets(self) -> StateStore | None:
        """Where lyrics offsets are remembered (state.json), None when nothing is remembered."""
        return self.store if self.remember else None

    # ------------------------------------------------------------ theme

    def apply_theme(self, app: SadtuiApp, asked: str | None, config: Config) -> None:
        """--theme, else the one picked in the palette last time, else config.toml's."""
        remembered = self.saved.theme if self.remember else None
        for name, where in ((asked, "--theme"), (remembered, None), (config.theme, "config.toml")):
            if not name:
                continue
            if name in app.available_themes:
                app.theme = name
                if where == "--theme":  # remembered, like a choice in the palette
                    app.call_after_refresh(lambda: app.save_state(theme=True))
                return
            if where is not None:
                app.notify(f"{where}: no theme named '{safe_line(name)}' (ctrl+p → themes lists them)",
                           severity="warning", markup=False, timeout=8)

    # ------------------------------------------------------------ playback

    def restore_playback(self, app: SadtuiApp, mpv_options: Sequence[str], *, resume: bool) -> None:
        """The remembered volume, mute, order, repeat and audio device (an mpv option on the
        command line or in config.toml wins for volume, mute and device); with resume, the
        last song from where it stopped."""
        if not self.remember:
            return
        from sadtui.services.events import Order, Repeat

        saved = self.saved
        given = {option.split("=", 1)[0].strip() for option in mpv_options}
        settings = {
            "volume": saved.volume if "volume" not in given else None,
            "muted": saved.muted if "mute" not in given else None,
            "order": Order(saved.order) if saved.order else None,
            "repeat": Repeat(saved.repeat) if saved.repeat else None,
        }
        if any(value is not None for value in settings.values()):
            app.control(lambda engine: engine.restore(**settings))
        if saved.audio_device and "audio-device" not in given:
            app.devices.restore(saved.audio_device)
        if resume and saved.played is not None and app.playlist.song(saved.played) is not None:
            rank, position = saved.played, saved.position
            app.control(lambda engine: engine.play(rank, start=position))

    # ------------------------------------------------------------ saving

    def save(self, app: SadtuiApp, engine: Engine | None, *, theme: bool = False, closing: bool = False) -> bool:
        """Remember the song and panel (and the theme, when it was just chosen: another
        sadtui running at the same time keeps the theme it saved otherwise)."""
        if not self.remember:
            return False
        played = playback = None
        main = app.main
        status = main.status
        if engine is not None:  # else nothing is known yet: keep what was saved
            playback = {"volume": status.volume, "muted": status.muted,
                        "order": status.order.value, "repeat": status.repeat.value,
                        "audio_device": app.devices.current}
            if status.rank is not None:
                played = (status.rank, round(status.position, 1) if status.position else None)
        saved = self.store.save(
            theme=app.theme if theme else None,
            rank=main.highlighted_rank,
            panel=main.panel,
            intro_shown=self.intro_shown,
            played=played, playback=playback,
        )
        if not saved and not self._save_warned and not closing:
            self._save_warned = True  # once: it says where and why
            app.notify(f"Note: {self.store.last_error}", severity="warning", markup=False, timeout=8)
        return saved
