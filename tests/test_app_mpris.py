"""The TUI on a real session bus (a dbus-daemon of the test's own) driven by the real
playerctl; the engine is the fake one (the real engine on the bus is test_mpris's and
the tmux test below)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dbus_support import session_bus  # noqa: F401 - fixture
from sadtui.services.events import Order, Repeat, State
from tui_helpers import engine_ready, make_app, wait_for

pytest.importorskip("dbus_fast")
pytestmark = pytest.mark.e2e


async def playerctl(bus, *args: str) -> str:
    result = await asyncio.to_thread(bus.playerctl, *args)
    return result.stdout.strip()


async def on_bus(pilot, bus) -> None:
    await wait_for(pilot, lambda: pilot.app.mpris.mpris is not None, timeout=10, what="MPRIS published")
    assert await playerctl(bus, "status") == "Stopped"


async def test_play_with_nothing_played_plays_the_highlighted_song(session_bus, tmp_path):  # noqa: F811
    app, recorder = make_app()
    async with app.run_test() as pilot:
        engine = await engine_ready(pilot, recorder)
        await on_bus(pilot, session_bus)
        await pilot.press("j", "j")  # rank 3
        await wait_for(pilot, lambda: app.main.highlighted_rank == 3, what="rank 3 highlighted")
        await playerctl(session_bus, "play")
        await wait_for(pilot, lambda: engine.called("play") == [(3,)], what="play 3")
        song = app.playlist.song(3)
        await wait_for(pilot, lambda: app.main.status.state is State.PLAYING, what="playing")
        assert await playerctl(session_bus, "metadata", "xesam:title") == song.title
        assert await playerctl(session_bus, "metadata", "xesam:trackNumber") == "3"
        assert await playerctl(session_bus, "status") == "Playing"


async def test_every_playerctl_command_reaches_the_engine_and_the_screen(session_bus):  # noqa: F811
    app, recorder = make_app()
    async with app.run_test() as pilot:
        engine = await engine_ready(pilot, recorder)
        await on_bus(pilot, session_bus)
        await pilot.press("enter")  # rank 1, from the keyboard
        await wait_for(pilot, lambda: app.main.status.state is State.PLAYING, what="playing")
        assert await playerctl(session_bus, "status") == "Playing"
        await playerctl(session_bus, "play-pause")
        await wait_for(pilot, lambda: app.main.status.state is State.PAUSED, what="paused")
        assert await playerctl(session_bus, "status") == "Paused"
        await playerctl(session_bus, "next")
        await wait_for(pilot, lambda: app.main.status.rank == 2, what="next")
        await playerctl(session_bus, "previous")
        await wait_for(pilot, lambda: app.main.status.rank == 1, what="previous")
        await playerctl(session_bus, "position", "30")
        await wait_for(pilot, lambda: (30.0, False) in engine.called("seek"), what="position 30")
        await playerctl(session_bus, "volume", "0.5")
        await wait_for(pilot, lambda: app.main.status.volume == 50, what="volume 0.5")
        await playerctl(session_bus, "loop", "Track")
        await wait_for(pilot, lambda: app.main.status.repeat is Repeat.ONE, what="loop Track")
        await playerctl(session_bus, "shuffle", "On")
        await wait_for(pilot, lambda: app.main.status.order is Order.SHUFFLE, what="shuffle On")
        await pilot.press("o")  # the app's own change shows on the bus
        await wait_for(pilot, lambda: app.main.status.order is Order.RANK, what="o")
        assert await playerctl(session_bus, "shuffle") == "Off"
        await playerctl(session_bus, "stop")
        await wait_for(pilot, lambda: app.main.status.state is State.STOPPED, what="stopped")
        await asyncio.to_thread(
            subprocess.run,
            ["dbus-send", "--session", "--dest=org.mpris.MediaPlayer2.sadtui", "--type=method_call",
             "/org/mpris/MediaPlayer2", "org.mpris.MediaPlayer2.Quit"],
            env=session_bus.env(), timeout=10,
        )
        await wait_for(pilot, lambda: not app.is_running, what="quit")


async def test_no_session_bus_means_no_mpris_and_no_dbus_import(monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    app, recorder = make_app()
    async with app.run_test() as pilot:
        await engine_ready(pilot, recorder)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.status.state is State.PLAYING, what="playing")
        assert app.mpris.mpris is None


# ---------------------------------------------------------------- a real sadtui in tmux


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_playerctl_next_in_a_real_sadtui(session_bus, audio_server, tmp_path):  # noqa: F811
    """The installed sadtui in tmux with the real engine (ao=null plays in real time):
    `playerctl play` plays the highlighted song, `playerctl next` moves on to the next one."""
    from audio_support import write_playlist
    from test_tmux import Tmux, terminal_env

    playlist = write_playlist(tmp_path / "p.toml", [("Long one", audio_server.url("/long.wav")),
                                                     ("Short one", audio_server.url("/a.wav"))])
    exe = Path(sys.executable).with_name("sadtui")
    env = terminal_env(tmp_path) | {"DBUS_SESSION_BUS_ADDRESS": session_bus.address,
                                    "PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    tmux = Tmux(120, 40)
    tmux.start(f"{exe} --playlist {playlist} --mpv-option ao=null", env)
    try:
        tmux.wait_for(lambda screen: "Long one" in screen, "the list")

        def title() -> str:
            return session_bus.playerctl("metadata", "xesam:title").stdout.strip()

        poll(lambda: session_bus.playerctl("status").stdout.strip() == "Stopped", "sadtui on the bus")
        session_bus.playerctl("play")  # nothing played yet: the highlighted song, rank 1
        poll(lambda: title() == "Long one" and session_bus.playerctl("status").stdout.strip() == "Playing",
             "the long song playing")
        session_bus.playerctl("next")
        poll(lambda: title() == "Short one", "next on the bus")
        tmux.send("q")
        tmux.wait_for(lambda screen: "SADTUI-EXIT=0" in screen, "quit")
    finally:
        tmux.kill()


def poll(predicate, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_resume_across_a_real_restart(session_bus, audio_server, tmp_path):  # noqa: F811
    """A real sadtui plays, is quit, and `sadtui --resume` continues the same song from
    where it stopped (read through playerctl), with the volume it had."""
    from audio_support import write_playlist
    from test_tmux import Tmux, terminal_env

    playlist = write_playlist(tmp_path / "p.toml", [("Short one", audio_server.url("/a.wav")),
                                                     ("Long one", audio_server.url("/long.wav"))])
    exe = Path(sys.executable).with_name("sadtui")
    env = terminal_env(tmp_path) | {"DBUS_SESSION_BUS_ADDRESS": session_bus.address,
                                    "PYTHONPATH": os.environ.get("PYTHONPATH", "")}

    def position() -> float:
        out = session_bus.playerctl("position").stdout.strip()
        return float(out) if out else -1.0

    def title() -> str:
        return session_bus.playerctl("metadata", "xesam:title").stdout.strip()

    tmux = Tmux(120, 40)
    tmux.start(f"{exe} --playlist {playlist} --mpv-option ao=null", env)
    try:
        tmux.wait_for(lambda screen: "Long one" in screen, "the list")
        tmux.send("j")
        tmux.send("Enter")
        poll(lambda: title() == "Long one" and position() > 3.0, "3 s into the long song")
        tmux.send("-")
        poll(lambda: session_bus.playerctl("volume").stdout.strip().startswith("0.95"), "volume 95")
        stopped_at = position()
        tmux.send("q")
        tmux.wait_for(lambda screen: "SADTUI-EXIT=0" in screen, "quit")
    finally:
        tmux.kill()
    saved = json.loads((tmp_path / "state" / "sadtui" / "state.json").read_text())
    assert saved["playback"]["volume"] == 95

    tmux = Tmux(120, 40)
    tmux.start(f"{exe} --playlist {playlist} --mpv-option ao=null --resume", env)
    try:
        poll(lambda: title() == "Long one" and session_bus.playerctl("status").stdout.strip() == "Playing",
             "the long song again")
        # The first position once sound flows: a song started from 0 would be well under stopped_at.
        seen: list[float] = []
        poll(lambda: seen.append(position()) or seen[-1] > 0.5, "the song moving")
        first = seen[-1]
        assert stopped_at - 1.0 <= first < stopped_at + 5.0, (first, stopped_at, saved)
        assert session_bus.playerctl("volume").stdout.strip().startswith("0.95")
        tmux.send("q")
        tmux.wait_for(lambda screen: "SADTUI-EXIT=0" in screen, "quit")
    finally:
        tmux.kill()
