"""The palette's "Audio device…": mpv's outputs and devices in a picker; the pick switches
at once and is remembered (``state.json``), then restored when the engine starts."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from sadtui.model.text import safe_line
from sadtui.services.logs import log
from sadtui.tui.playback import first_line

if TYPE_CHECKING:
    from sadtui.tui.app import SadtuiApp
    from sadtui.tui.playback import Engine

LIST_TIMEOUT = 10.0  # seconds mpv has to list its devices


class AudioDevices:
    """The app's audio device: the one picked (or restored), None for mpv's default."""

    def __init__(self, app: SadtuiApp) -> None:
        self.app = app
        self.current: str | None = None

    def restore(self, name: str) -> None:
        """The remembered device, set on a newly ready engine."""
        self.current = name
        self.app.control(lambda engine: engine.set_audio_device(name))

    def open_picker(self) -> None:
        engine = self.app.engine
        if engine is None:
            self.app.control(lambda engine: None)  # says why (starting, or unavailable)
            return
        self.app.run_worker(self.pick(engine), group="audio-device", exclusive=True, exit_on_error=False)

    async def pick(self, engine: Engine) -> None:
        from sadtui.tui.screens.pick import PickScreen

        app = self.app
        try:
            devices = await asyncio.wait_for(asyncio.wrap_future(engine.audio_devices()), LIST_TIMEOUT)
        except Exception as exc:  # noqa: BLE001 - shown, logged
            log.warning("listing the audio devices failed", exc_info=True)
            app.notify(f"Can't list the audio devices: {first_line(exc)}", severity="error", markup=False)
            return
        if not devices:
            app.notify("mpv lists no audio devices.", severity="warning", markup=False)
            return
        choices = [(name, f"{description}  ({name})" if description else name) for name, description in devices]
        name = await app.push_screen_wait(PickScreen("Audio device", choices, current=self.current or "auto"))
        if name is None:
            return
        self.current = name
        app.control(lambda engine: engine.set_audio_device(name))
        app.notify(f"Audio device: {safe_line(name)}", markup=False, timeout=3)
        app.save_state()
