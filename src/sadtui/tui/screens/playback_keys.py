"""The main screen's playback: the engine's events and the playback keys.

A mixin for :class:`sadtui.tui.screens.main.MainScreen` (Textual looks for a binding's
action on the screen): the events update the ``status`` reactive, which the list, the
details, the bar, the lyrics and the artwork follow; every key is one guarded engine
call (``app.control``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

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
from sadtui.tui.messages import EngineNotice
from sadtui.tui.widgets.now_playing import ACTIVE_STATES, NowPlaying
from sadtui.tui.widgets.song_list import SongList

GAVE_UP = "Stopped: every song in the list failed."


class PlaybackKeys:
    """Mixed into the main screen (which has `status`, `playlist`, `songs`, `details`,
    `now_playing`, `panel`, `filter_active`, `app`)."""

    status: Any
    playlist: Any
    songs: Any
    details: Any
    now_playing: Any
    panel: Any
    filter_active: bool
    app: Any
    artwork: Any
    notify: Any
    _finished: set[int]  # songs played to their end in this run of the order

    # ================================================================== engine events

    def on_engine_notice(self, message: EngineNotice) -> None:
        match message.event:
            case StatusChanged(status=status):
                self.status = status
            case PositionChanged(rank=rank, position=position, duration=duration, at=at):
                if rank is not None and self.status.rank is not None and rank != self.status.rank:
                    return  # a late update for a song that is no longer current
                fields = {"position": position, "position_at": at}
                if duration is not None:
                    fields["duration"] = duration
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
            from sadtui.tui.widgets.artwork import mount_artwork

            self.artwork = mount_artwork(self)  # type: ignore[arg-type]

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

    def on_song_list_activated(self, event: SongList.Activated) -> None:
        self.app.play(event.rank)

    # ================================================================== keys

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
