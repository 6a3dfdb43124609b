"""MPRIS's commands on top of the engine: :class:`EngineControls`, the
:class:`sadtui.services.mpris.Controls` that the TUI and `sadtui play` give MPRIS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sadtui.services.events import Order, Repeat, State, Status


class EngineControls:
    """:class:`Controls` on top of the engine's public methods.

    `current` gives the rank to play when nothing has played yet (the TUI: the
    highlighted song); `on_raise` and `on_quit` are the owner's."""

    def __init__(self, engine: Any, *, current: Callable[[], int | None] = lambda: None,
                 on_raise: Callable[[], None] | None = None, on_quit: Callable[[], None] | None = None) -> None:
        self.engine = engine
        self._current = current
        self._on_raise = on_raise
        self._on_quit = on_quit

    def _status(self) -> Status:
        return self.engine.status

    def play(self) -> None:
        status = self._status()
        if status.state == State.PAUSED:
            self.engine.toggle_pause()
        elif status.state in (State.IDLE, State.STOPPED, State.ERROR):
            rank = status.rank if status.rank is not None else self._current()
            if rank is None and self.engine.playlist.songs:
                rank = self.engine.playlist.songs[0].rank
            if rank is not None:
                self.engine.play(rank)

    def pause(self) -> None:
        if self._status().state in (State.PLAYING, State.BUFFERING):
            self.engine.toggle_pause()

    def play_pause(self) -> None:
        if self._status().state in (State.PLAYING, State.BUFFERING, State.PAUSED):
            self.engine.toggle_pause()
        else:
            self.play()

    def stop(self) -> None:
        self.engine.stop()

    def next(self) -> None:
        self.engine.next()

    def previous(self) -> None:
        self.engine.previous()

    def seek(self, seconds: float, relative: bool) -> None:
        self.engine.seek(seconds, relative=relative)

    def set_volume(self, volume: int) -> None:
        status = self._status()
        if status.muted and volume > 0:
            self.engine.toggle_mute()
        if volume != status.volume:
            self.engine.change_volume(volume - status.volume)

    def set_repeat(self, repeat: Repeat) -> None:
        members = list(Repeat)
        steps = (members.index(repeat) - members.index(self._status().repeat)) % len(members)
        for _ in range(steps):  # the engine takes commands in order
            self.engine.cycle_repeat()

    def set_shuffle(self, shuffle: bool) -> None:
        current = self._status().order
        if (current == Order.SHUFFLE) == shuffle:
            return
        # On: to shuffle. Off: back to rank order (the order cycle passes through countdown).
        members = list(Order)
        target = Order.SHUFFLE if shuffle else Order.RANK
        for _ in range((members.index(target) - members.index(current)) % len(members)):
            self.engine.cycle_order()

    def raise_window(self) -> None:
        if self._on_raise is not None:
            self._on_raise()

    def quit(self) -> None:
        if self._on_quit is not None:
            self._on_quit()
