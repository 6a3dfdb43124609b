"""The sleep timer in the TUI (`z`, the palette, the bar) and `sadtui play --sleep`."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui_helpers import engine_ready, make_app, screen_text, wait_for, wait_for_text


@pytest.mark.tui
async def test_z_cycles_the_sleep_timer_and_the_bar_shows_it():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("enter")
        await pilot.press("z")
        await wait_for(pilot, lambda: app.main.status.sleep == "song", what="end of song")
        await wait_for_text(pilot, "sleep end of song")
        await pilot.press("z")
        await wait_for_text(pilot, "sleep 15:00")
        assert any("Sleep timer: 15 min" in notice for notice in app.notices)
        for _ in range(4):
            await pilot.press("z")
        await wait_for(pilot, lambda: app.main.status.sleep == "off", what="off again")
        # The settings keep their width: the timer shows as off, the progress bar does not move.
        await wait_for(pilot, lambda: "sleep off" in app.main.now_playing.line_text, what="the bar says off")
        assert engine.called("cycle_sleep") == [()] * 6


@pytest.mark.tui
async def test_the_palette_has_the_sleep_timer():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await engine_ready(pilot, recorder)
        await pilot.press("ctrl+p", *"Sleep timer")
        await wait_for_text(pilot, "Sleep timer  (z)")
        assert "fades out" in screen_text(app)


@pytest.mark.e2e
def test_sadtui_play_sleep_stops_after_the_time(audio_server, tmp_path):
    from audio_support import write_playlist

    playlist = write_playlist(tmp_path / "p.toml", [("Long one", audio_server.url("/long.wav"))])
    exe = Path(sys.executable).with_name("sadtui")
    args = [str(exe), "play", "1", "--playlist", str(playlist), "--sleep", "0.05", "--mpv-option", "ao=null"]
    started = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    took = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert took < 20  # the song lasts 30 s: the timer (3 s) stopped it


@pytest.mark.e2e
def test_sadtui_play_sleep_refuses_a_bad_time(tmp_path):
    exe = Path(sys.executable).with_name("sadtui")
    result = subprocess.run([str(exe), "play", "1", "--sleep", "0"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "--sleep" in result.stderr
