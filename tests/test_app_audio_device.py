""""Audio device…" in the palette: mpv's list, the pick switches live and is remembered.
The TUI side with the fake engine; the engine side with real libmpv (ao=null)."""

from __future__ import annotations

import json

import pytest

from fake_engine import FactoryRecorder
from sadtui.model import paths
from sadtui.model.playlist import load_playlist
from tui_helpers import SadtuiTestApp, engine_ready, palette_highlights, wait_for, wait_for_text

PLAYLIST = load_playlist()


def new_app(**kwargs):
    recorder = FactoryRecorder()
    return SadtuiTestApp(PLAYLIST, engine_factory=recorder, **kwargs), recorder


async def pick_hdmi(pilot, app) -> None:
    await pilot.press("ctrl+p", *"Audio device")
    await wait_for_text(pilot, "Pick the audio output")
    await palette_highlights(pilot, "Audio device")
    await pilot.press("enter")
    await wait_for_text(pilot, "HDMI  (alsa/hdmi)")
    await pilot.press("down", "enter")  # from "auto" (current) to the next one


@pytest.mark.tui
async def test_the_picked_device_is_switched_and_remembered():
    app, recorder = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pick_hdmi(pilot, app)
        await wait_for(pilot, lambda: engine.called("set_audio_device") == [("alsa/hdmi",)], what="switched")
    saved = json.loads(paths.state_file().read_text(encoding="utf-8"))
    assert saved["playback"]["audio_device"] == "alsa/hdmi"

    again, recorder = new_app()
    async with again.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await wait_for(pilot, lambda: engine.called("set_audio_device") == [("alsa/hdmi",)], what="restored")

    optioned, recorder = new_app(mpv_options=("audio-device=alsa/other",))  # the option wins
    async with optioned.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        # The remembered settings are restored in the same call as the device would be.
        await wait_for(pilot, lambda: engine.called("restore"), what="the remembered settings restored")
        assert engine.called("set_audio_device") == []


@pytest.mark.tui
async def test_escape_keeps_the_device():
    app, recorder = new_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("ctrl+p", *"Audio device")
        await wait_for_text(pilot, "Pick the audio output")
        await palette_highlights(pilot, "Audio device")
        await pilot.press("enter")
        await wait_for_text(pilot, "HDMI  (alsa/hdmi)")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="back")
        assert engine.called("set_audio_device") == []


@pytest.mark.e2e
def test_the_real_engine_lists_mpvs_devices_and_switches():
    from audio_support import wait_until
    from sadtui.services.engine import PlaybackEngine
    from sadtui.services.player import ensure_numeric_locale

    ensure_numeric_locale()
    engine = PlaybackEngine(PLAYLIST, lambda event: None, mpv_options=("ao=null",), warm_up=False)
    engine.start()
    try:
        devices = engine.audio_devices().result(10)
        names = [name for name, _ in devices]
        assert "auto" in names and all(isinstance(d, str) for _, d in devices)
        engine.set_audio_device(names[-1])
        wait_until(lambda: engine.player._mpv.audio_device == names[-1], 5, "mpv's audio-device")
    finally:
        engine.shutdown()
