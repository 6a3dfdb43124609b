"""MPRIS in the TUI: sadtui on the session bus while the app runs.

:class:`MprisBridge` starts :class:`sadtui.services.mpris.Mpris` on Textual's
own event loop after the first paint (dbus-fast costs ~85 ms to import: it is
imported on a worker thread, and only when a session bus exists), feeds it the
main screen's status (a watcher of its ``status`` reactive) and turns D-Bus
calls into the app's guarded engine calls (``app.control``).  "Play" with
nothing played plays the highlighted song; Quit quits the app.
"""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING, Any

from sadtui.services.events import Repeat, State, Status
from sadtui.services.logs import log

if TYPE_CHECKING:
    from sadtui.tui.app import SadtuiApp


class AppControls:
    """MPRIS's Controls on the app: every command goes through ``app.control``."""

    def __init__(self, app: SadtuiApp) -> None:
        self.app = app

    def _highlighted(self) -> int | None:
        return self.app.main.highlighted_rank

    def _run(self, name: str, *args: Any) -> None:
        from sadtui.services.mpris import EngineControls

        self.app.control(lambda engine: getattr(EngineControls(engine, current=self._highlighted), name)(*args))

    def play(self) -> None:
        if self.app.engine is None and self.app.engine_error is None:
            rank = self._highlighted()
            if rank is not None:
                self.app.play(rank)  # played as soon as the engine is ready
            return
        self._run("play")

    def pause(self) -> None:
        self._run("pause")

    def play_pause(self) -> None:
        if self.app.engine is None or self.app.main.status.state is State.IDLE:
            self.play()
        else:
            self._run("play_pause")

    def stop(self) -> None:
        self._run("stop")

    def next(self) -> None:
        self._run("next")

    def previous(self) -> None:
        self._run("previous")

    def seek(self, seconds: float, relative: bool) -> None:
        self._run("seek", seconds, relative)

    def set_volume(self, volume: int) -> None:
        self._run("set_volume", volume)

    def set_repeat(self, repeat: Repeat) -> None:
        self._run("set_repeat", repeat)

    def set_shuffle(self, shuffle: bool) -> None:
        self._run("set_shuffle", shuffle)

    def raise_window(self) -> None:
        return None  # a terminal app cannot raise its window (CanRaise is false)

    def quit(self) -> None:
        self.app.exit()


class MprisBridge:
    """Owns the app's Mpris; everything here runs on Textual's loop."""

    def __init__(self, app: SadtuiApp) -> None:
        self.app = app
        self.mpris: Any = None
        self.off_reason: str | None = None
        self._closed = False

    @staticmethod
    def wanted() -> bool:
        return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS"))

    def launch(self) -> None:
        """After the first paint: MPRIS on the app's loop, fed the main screen's status."""
        if not self.wanted():
            return  # no session bus: quietly off, dbus-fast never imported
        self.app.watch(self.app.main, "status", self.publish, init=False)
        self.app.run_worker(self.start(), name="mpris", group="mpris", exit_on_error=False)

    async def start(self) -> None:
        """Import dbus-fast off the UI thread, then publish on this loop."""
        if not self.wanted():
            self.off_reason = "no session D-Bus (DBUS_SESSION_BUS_ADDRESS is not set)"
            return
        try:
            module = await asyncio.to_thread(_import_mpris)
            mpris = module.Mpris(self.app.playlist, AppControls(self.app))
            reason = await mpris.start()
        except Exception as exc:  # noqa: BLE001 - MPRIS is a nicety: never break the app for it
            log.info("MPRIS off in the TUI", exc_info=True)
            self.off_reason = f"MPRIS did not start ({type(exc).__name__})"
            return
        if reason is not None:
            self.off_reason = reason
            log.info("MPRIS off: %s", reason)
            return
        if self._closed:
            mpris.stop()
            return
        self.mpris = mpris
        mpris.update(self.app.main.status)

    def publish(self, status: Status) -> None:
        if self.mpris is not None:
            try:
                self.mpris.update(status)
            except Exception:  # noqa: BLE001 - a bus hiccup must not break the UI
                log.warning("MPRIS: publishing the status failed", exc_info=True)

    def set_playlist(self, playlist: Any) -> None:
        if self.mpris is not None:
            self.mpris.playlist = playlist

    def close(self) -> None:
        self._closed = True
        mpris, self.mpris = self.mpris, None
        if mpris is not None:
            mpris.stop()


def _import_mpris() -> Any:
    from sadtui.services import mpris

    return mpris
