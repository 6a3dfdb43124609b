"""What the TUI needs to know about the playback engine: its contract, how it is made,
how its failures read, and how it is shut down without hanging the quit."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sadtui.model.playlist import Playlist
from sadtui.model.text import safe_line
from sadtui.services.events import EngineEvent, Status
from sadtui.services.logs import log

Notify = Callable[[EngineEvent], None]

SHUTDOWN_TIMEOUT = 5.0  # seconds; quitting never waits longer for the engine
LIBMPV_HINT = "libmpv is not installed: run `sudo apt-get install libmpv2`"


class Engine(Protocol):  # the contract of sadtui.services.engine.PlaybackEngine
    @property
    def status(self) -> Status: ...

    def start(self) -> None: ...
    def play(self, rank: int, start: float | None = None) -> None: ...
    def restore(self, **settings: Any) -> None: ...
    def audio_devices(self) -> Any: ...  # a Future of (name, description) pairs
    def set_audio_device(self, name: str) -> None: ...
    def set_sleep(self, mode: str) -> str: ...
    def cycle_sleep(self) -> str: ...
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
EngineCall = Callable[[Engine], object]  # e.g. `lambda engine: engine.seek(5.0)`


def default_engine_factory(mpv_options: Sequence[str] = ()) -> EngineFactory:
    def create(playlist: Playlist, notify: Notify) -> Engine:
        from sadtui.services.engine import PlaybackEngine  # after the first paint only
        from sadtui.services.library import Library
        from sadtui.services.pins import PinStore

        return PlaybackEngine(playlist, notify, mpv_options=tuple(mpv_options), library=Library(),
                              pins=PinStore(playlist))

    return create


def first_line(exc: BaseException) -> str:
    return safe_line(exc) or type(exc).__name__


def describe_engine_error(exc: BaseException) -> str:
    """One line saying why playback cannot work and how to fix it."""
    text = first_line(exc)
    if isinstance(exc, ModuleNotFoundError):
        name = exc.name or ""
        if name.startswith("sadtui"):
            return "Playback unavailable: this sadtui has no playback engine yet"
        if name == "mpv":
            return "Playback unavailable: python-mpv is missing: run `pip install mpv`"
        if name.startswith("yt_dlp"):
            return "Playback unavailable: yt-dlp is missing: run `pip install yt-dlp`"
        return f"Playback unavailable: missing Python module {safe_line(name) or text}"
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
            log.exception("the playback engine failed to shut down")
        finally:
            done.set()

    threading.Thread(target=run, name="sadtui-engine-shutdown", daemon=True).start()
    return done.wait(timeout)
