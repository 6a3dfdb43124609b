"""MPRIS2 on the session D-Bus: media keys, the desktop's player widget, `playerctl -p sadtui`.

:class:`Mpris` publishes ``org.mpris.MediaPlayer2.sadtui`` with the interfaces
``org.mpris.MediaPlayer2`` and ``org.mpris.MediaPlayer2.Player``, on whatever
asyncio loop calls :meth:`Mpris.start` (the TUI: Textual's own loop; ``sadtui
play``: a small loop thread of its own).  It knows nothing of Textual or of the
engine's internals: commands go to a :class:`Controls` object, and the owner
feeds it the engine's :class:`~sadtui.services.events.Status` with
:meth:`Mpris.update` (on that loop), which sends ``PropertiesChanged`` for what
changed and ``Seeked`` when the position jumps.

No session bus (SSH, containers): :meth:`start` returns ``None`` with the reason
and nothing else happens.  dbus-fast is imported only here (and by
:mod:`sadtui.services.mpris_dbus`, the D-Bus interfaces), after the first paint.
The engine's :class:`EngineControls` are in :mod:`sadtui.services.mpris_controls`.
"""

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from dbus_fast import BusType
from dbus_fast.aio import MessageBus

from sadtui.model.playlist import Playlist
from sadtui.services.events import Order, Repeat, State, Status

# Re-exported (`X as X`): importable from here as before the split.
from sadtui.services.mpris_controls import EngineControls as EngineControls
from sadtui.services.mpris_dbus import _LOOP, BUS_NAME, OBJECT_PATH, _Player, _Root, metadata, playback_status
from sadtui.services.mpris_dbus import NO_TRACK as NO_TRACK
from sadtui.services.mpris_dbus import TRACK_PREFIX as TRACK_PREFIX
from sadtui.services.mpris_dbus import track_id as track_id

log = logging.getLogger("sadtui.mpris")

SEEK_JUMP = 1.5  # seconds off the expected position that count as a seek



class Controls(Protocol):
    """What MPRIS asks of the player; every call returns at once."""

    def play(self) -> None: ...
    def pause(self) -> None: ...
    def play_pause(self) -> None: ...
    def stop(self) -> None: ...
    def next(self) -> None: ...
    def previous(self) -> None: ...
    def seek(self, seconds: float, relative: bool) -> None: ...
    def set_volume(self, volume: int) -> None: ...
    def set_repeat(self, repeat: Repeat) -> None: ...
    def set_shuffle(self, shuffle: bool) -> None: ...
    def raise_window(self) -> None: ...
    def quit(self) -> None: ...



@dataclass
class _Seen:
    """What was last published, to send only what changed."""

    props: dict[str, Any]
    position: float | None = None
    at: float = 0.0
    playing: bool = False


class Mpris:
    """sadtui on the session bus. Create, then ``await start()`` on the loop that will own it."""

    def __init__(self, playlist: Playlist, controls: Controls, *, can_raise: bool = False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.playlist = playlist
        self.controls = controls
        self.can_raise = can_raise
        self.status = Status()
        self._clock = clock
        self._bus: MessageBus | None = None
        self._root = _Root(self)
        self._player = _Player(self)
        self._seen = _Seen(props=self._props(self.status))

    @staticmethod
    def session_bus_address() -> str | None:
        return os.environ.get("DBUS_SESSION_BUS_ADDRESS") or None

    async def start(self) -> str | None:
        """Connect and take the name. Returns None when published, else the reason it is off."""
        if self.session_bus_address() is None:
            return "no session D-Bus (DBUS_SESSION_BUS_ADDRESS is not set)"
        try:
            bus = await MessageBus(bus_type=BusType.SESSION).connect()
        except Exception as exc:  # noqa: BLE001 - any failure means: MPRIS is off
            log.info("MPRIS off: cannot connect to the session bus", exc_info=True)
            return f"cannot connect to the session D-Bus ({type(exc).__name__})"
        bus.export(OBJECT_PATH, self._root)
        bus.export(OBJECT_PATH, self._player)
        try:
            await bus.request_name(BUS_NAME)
        except Exception as exc:  # noqa: BLE001
            log.info("MPRIS off: cannot take the bus name", exc_info=True)
            bus.disconnect()
            return f"cannot take the name {BUS_NAME} ({type(exc).__name__})"
        self._bus = bus
        return None

    @property
    def running(self) -> bool:
        return self._bus is not None

    def stop(self) -> None:
        if self._bus is not None:
            self._bus.disconnect()
            self._bus = None

    def position(self) -> float | None:
        """The position now (extrapolated while playing since the last report)."""
        seen = self._seen
        if seen.position is None:
            return None
        if seen.playing:
            return seen.position + (self._clock() - seen.at)
        return seen.position

    def _props(self, status: Status) -> dict[str, Any]:
        return {
            "PlaybackStatus": playback_status(status),
            "LoopStatus": _LOOP[status.repeat],
            "Shuffle": status.order == Order.SHUFFLE,
            "Volume": 0.0 if status.muted else status.volume / 100,
            "CanSeek": status.rank is not None,
            "Metadata": (status.rank, status.duration),
        }

    def update(self, status: Status) -> None:
        """The engine's newest status (call on the bus's loop): publish what changed."""
        previous_rank = self.status.rank
        self.status = status
        props = self._props(status)
        changed = {key: value for key, value in props.items() if self._seen.props.get(key) != value}
        self._seen.props = props
        if changed and self._bus is not None:
            out: dict[str, Any] = {}
            for key in changed:
                out[key] = metadata(self.playlist, status) if key == "Metadata" else props[key]
            self._player.emit_properties_changed(out)
        self.update_position(status.position, playing=status.state == State.PLAYING,
                             new_track=status.rank != previous_rank)

    def update_position(self, position: float | None, *, playing: bool | None = None, new_track: bool = False) -> None:
        """A position report: a jump away from where it should be is a seek (``Seeked``)."""
        seen = self._seen
        now = self._clock()
        expected = self.position()
        if playing is not None:
            seen.playing = playing
        jumped = (
            position is not None and expected is not None and not new_track and abs(position - expected) > SEEK_JUMP
        )
        seen.position, seen.at = position, now
        if jumped and self._bus is not None:
            self._player.Seeked(int(position * 1_000_000))


class MprisThread:
    """MPRIS on an asyncio loop of its own, in a daemon thread: for `sadtui play`, which
    has no event loop. Calls from any thread; none of them blocks for long."""

    def __init__(self, playlist: Playlist, controls: Controls) -> None:
        import asyncio
        import threading

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="sadtui-mpris", daemon=True)
        self._thread.start()
        self.mpris = Mpris(playlist, controls)
        self.off_reason: str | None = None
        try:
            future = asyncio.run_coroutine_threadsafe(self.mpris.start(), self._loop)
            self.off_reason = future.result(timeout=5.0)
        except Exception as exc:  # noqa: BLE001 - MPRIS is a nicety: never stop playback for it
            log.info("MPRIS off", exc_info=True)
            self.off_reason = f"MPRIS did not start ({type(exc).__name__})"

    def publish(self, status: Status) -> None:
        if self.mpris.running:
            self._loop.call_soon_threadsafe(self.mpris.update, status)

    def position(self, position: float | None) -> None:
        if self.mpris.running:
            self._loop.call_soon_threadsafe(self.mpris.update_position, position)

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self.mpris.stop)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=2.0)
