"""The MPRIS2 D-Bus interfaces: ``org.mpris.MediaPlayer2`` (:class:`_Root`) and
``org.mpris.MediaPlayer2.Player`` (:class:`_Player`), with the Metadata of a song.

Both read the owner's (:class:`sadtui.services.mpris.Mpris`) status and send every
command to its ``controls``; they hold no state of their own.
"""

# No `from __future__ import annotations`: dbus-fast reads the D-Bus signatures
# from the real annotation objects (typing.Annotated) at class creation.

from typing import TYPE_CHECKING, Annotated

from dbus_fast import PropertyAccess, Variant
from dbus_fast.annotations import DBusBool, DBusDict, DBusDouble, DBusInt64, DBusObjectPath, DBusSignature, DBusStr
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from sadtui.model.playlist import Playlist
from sadtui.services.events import Order, Repeat, State, Status

if TYPE_CHECKING:
    from sadtui.services.mpris import Mpris


BUS_NAME = "org.mpris.MediaPlayer2.sadtui"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
TRACK_PREFIX = "/org/sadtui/track/"
DBusStrList = Annotated[list[str], DBusSignature("as")]

_LOOP = {Repeat.OFF: "None", Repeat.ONE: "Track", Repeat.ALL: "Playlist"}
_REPEAT = {value: key for key, value in _LOOP.items()}

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
