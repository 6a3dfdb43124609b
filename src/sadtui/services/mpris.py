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
and nothing else happens.  dbus-fast is imported only here, after the first paint.
"""

# No `from __future__ import annotations`: dbus-fast reads the D-Bus signatures
# from the real annotation objects (typing.Annotated) at class creation.

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol

from dbus_fast import BusType, PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusDict, DBusDouble, DBusInt64, DBusObjectPath, DBusSignature, DBusStr
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from sadtui.model.playlist import Playlist
from sadtui.services.events import Order, Repeat, State, Status

log = logging.getLogger("sadtui.mpris")

BUS_NAME = "org.mpris.MediaPlayer2.sadtui"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
TRACK_PREFIX = "/org/sadtui/track/"
SEEK_JUMP = 1.5  # seconds off the expected position that count as a seek
DBusStrList = Annotated[list[str], DBusSignature("as")]

_LOOP = {Repeat.OFF: "None", Repeat.ONE: "Track", Repeat.ALL: "Playlist"}
_REPEAT = {value: key for key, value in _LOOP.items()}


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


def track_id(rank: int | None) -> str:
    return f"{TRACK_PREFIX}{rank}" if rank is not None else NO_TRACK


def playback_status(status: Status) -> str:
    if status.state in (State.PLAYING, State.BUFFERING, State.RESOLVING):
        return "Playing"
    if status.state == State.PAUSED:
        return "Paused"
    return "Stopped"


def metadata(playlist: Playlist, status: Status) -> dict[str, Variant]:
    """The MPRIS Metadata of the current song (empty but for the track id when none)."""
    song = playlist.song(status.rank) if status.rank is not None else None
    if song is None:
        return {"mpris:trackid": Variant("o", NO_TRACK)}
    data = {
        "mpris:trackid": Variant("o", track_id(song.rank)),
        "xesam:title": Variant("s", song.title),
    }
    if song.rank < 2**31:
        data["xesam:trackNumber"] = Variant("i", song.rank)
    if song.artist:
        data["xesam:artist"] = Variant("as", [song.artist])
    if song.anime:
        data["xesam:album"] = Variant("s", song.anime)
    if song.url:
        data["xesam:url"] = Variant("s", song.url)
    if status.duration and status.duration > 0:
        data["mpris:length"] = Variant("x", int(status.duration * 1_000_000))
    return data


class _Root(ServiceInterface):
    def __init__(self, owner: "Mpris") -> None:
        super().__init__("org.mpris.MediaPlayer2")
        self._owner = owner

    @dbus_method()
    def Raise(self) -> None:  # noqa: N802 - D-Bus names
        self._owner.controls.raise_window()

    @dbus_method()
    def Quit(self) -> None:  # noqa: N802
        self._owner.controls.quit()

    @dbus_property(access=PropertyAccess.READ)
    def CanQuit(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanRaise(self) -> DBusBool:  # noqa: N802
        return self._owner.can_raise

    @dbus_property(access=PropertyAccess.READ)
    def HasTrackList(self) -> DBusBool:  # noqa: N802
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Identity(self) -> DBusStr:  # noqa: N802
        return "sadtui"

    @dbus_property(access=PropertyAccess.READ)
    def SupportedUriSchemes(self) -> DBusStrList:  # noqa: N802
        return []

    @dbus_property(access=PropertyAccess.READ)
    def SupportedMimeTypes(self) -> DBusStrList:  # noqa: N802
        return []


class _Player(ServiceInterface):
    def __init__(self, owner: "Mpris") -> None:
        super().__init__("org.mpris.MediaPlayer2.Player")
        self._owner = owner

    @property
    def _status(self) -> Status:
        return self._owner.status

    # -------------------------------------------------------- methods

    @dbus_method()
    def Next(self) -> None:  # noqa: N802
        self._owner.controls.next()

    @dbus_method()
    def Previous(self) -> None:  # noqa: N802
        self._owner.controls.previous()

    @dbus_method()
    def Pause(self) -> None:  # noqa: N802
        self._owner.controls.pause()

    @dbus_method()
    def PlayPause(self) -> None:  # noqa: N802
        self._owner.controls.play_pause()

    @dbus_method()
    def Stop(self) -> None:  # noqa: N802
        self._owner.controls.stop()

    @dbus_method()
    def Play(self) -> None:  # noqa: N802
        self._owner.controls.play()

    @dbus_method()
    def Seek(self, offset: DBusInt64) -> None:  # noqa: N802
        self._owner.controls.seek(offset / 1_000_000, True)

    @dbus_method()
    def SetPosition(self, track: DBusObjectPath, position: DBusInt64) -> None:  # noqa: N802
        status = self._status
        if track != track_id(status.rank) or position < 0:
            return  # a stale request (the spec says: ignore it)
        if status.duration is not None and position / 1_000_000 > status.duration:
            return
        self._owner.controls.seek(position / 1_000_000, False)

    @dbus_method()
    def OpenUri(self, uri: DBusStr) -> None:  # noqa: N802
        return None  # sadtui plays its playlist only (SupportedUriSchemes is empty)

    @dbus_signal()
    def Seeked(self, position: DBusInt64) -> DBusInt64:  # noqa: N802
        return position

    # -------------------------------------------------------- properties

    @dbus_property(access=PropertyAccess.READ)
    def PlaybackStatus(self) -> DBusStr:  # noqa: N802
        return playback_status(self._status)

    @dbus_property()
    def LoopStatus(self) -> DBusStr:  # noqa: N802
        return _LOOP[self._status.repeat]

    @LoopStatus.setter
    def LoopStatus(self, value: DBusStr) -> None:  # noqa: N802
        if value in _REPEAT:
            self._owner.controls.set_repeat(_REPEAT[value])

    @dbus_property()
    def Rate(self) -> DBusDouble:  # noqa: N802
        return 1.0

    @Rate.setter
    def Rate(self, value: DBusDouble) -> None:  # noqa: N802
        return None  # fixed at 1 (MinimumRate = MaximumRate = 1)

    @dbus_property()
    def Shuffle(self) -> DBusBool:  # noqa: N802
        return self._status.order == Order.SHUFFLE

    @Shuffle.setter
    def Shuffle(self, value: DBusBool) -> None:  # noqa: N802
        self._owner.controls.set_shuffle(bool(value))

    @dbus_property(access=PropertyAccess.READ)
    def Metadata(self) -> DBusDict:  # noqa: N802
        return metadata(self._owner.playlist, self._status)

    @dbus_property()
    def Volume(self) -> DBusDouble:  # noqa: N802
        status = self._status
        return 0.0 if status.muted else status.volume / 100

    @Volume.setter
    def Volume(self, value: DBusDouble) -> None:  # noqa: N802
        if value == value:  # not NaN
            self._owner.controls.set_volume(round(min(max(value, 0.0), 1.3) * 100))

    @dbus_property(access=PropertyAccess.READ)
    def Position(self) -> DBusInt64:  # noqa: N802
        return int((self._owner.position() or 0.0) * 1_000_000)

    @dbus_property(access=PropertyAccess.READ)
    def MinimumRate(self) -> DBusDouble:  # noqa: N802
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def MaximumRate(self) -> DBusDouble:  # noqa: N802
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def CanGoNext(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanGoPrevious(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPlay(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPause(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanSeek(self) -> DBusBool:  # noqa: N802
        return self._status.rank is not None

    @dbus_property(access=PropertyAccess.READ)
    def CanControl(self) -> DBusBool:  # noqa: N802
        return True


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
