"""MPRIS2 over a real session bus (dbus-daemon started by the test) with the real playerctl.

The engine here is a small stand-in with the engine's public methods (the whole app
on the bus is tested in the app's own MPRIS tests): what is checked is the D-Bus side,
names, types and signals, as a desktop sees them."""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from dataclasses import replace

import pytest

from dbus_support import session_bus  # noqa: F401 - fixture
from sadtui.model.playlist import default_playlist_path, load_playlist
from sadtui.services.events import Order, Repeat, State, Status

pytestmark = pytest.mark.e2e

mpris_module = pytest.importorskip("sadtui.services.mpris")


class StandInEngine:
    """The engine's public methods over a Status; every change is published to MPRIS."""

    def __init__(self, playlist, publish) -> None:
        self.playlist = playlist
        self.status = Status()
        self.calls: list[tuple] = []
        self._publish = publish

    def _set(self, **changes) -> None:
        self.status = replace(self.status, **changes)
        self._publish(self.status)

    def play(self, rank):
        self.calls.append(("play", rank))
        self._set(state=State.PLAYING, rank=rank, position=0.0, duration=200.0)

    def toggle_pause(self):
        self.calls.append(("toggle_pause",))
        self._set(state=State.PAUSED if self.status.state == State.PLAYING else State.PLAYING)

    def stop(self):
        self.calls.append(("stop",))
        self._set(state=State.STOPPED, position=None)

    def next(self):
        self.calls.append(("next",))
        self._set(rank=(self.status.rank or 0) + 1, position=0.0)

    def previous(self):
        self.calls.append(("previous",))
        self._set(rank=max((self.status.rank or 2) - 1, 1), position=0.0)

    def seek(self, seconds, relative=True):
        self.calls.append(("seek", seconds, relative))
        base = (self.status.position or 0.0) if relative else 0.0
        self._set(position=base + seconds)

    def change_volume(self, delta):
        self.calls.append(("change_volume", delta))
        self._set(volume=self.status.volume + delta)

    def toggle_mute(self):
        self._set(muted=not self.status.muted)

    def cycle_order(self):
        self._set(order=self.status.order.next())
        return self.status.order

    def cycle_repeat(self):
        self._set(repeat=self.status.repeat.next())
        return self.status.repeat


@pytest.fixture
def published(session_bus):  # noqa: F811
    playlist = load_playlist(default_playlist_path())
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    holder = {}

    def publish(status):
        loop.call_soon_threadsafe(holder["mpris"].update, status)

    engine = StandInEngine(playlist, publish)
    quit_called = threading.Event()
    controls = mpris_module.EngineControls(engine, current=lambda: 3, on_quit=quit_called.set)
    mpris = mpris_module.Mpris(playlist, controls)
    holder["mpris"] = mpris
    reason = asyncio.run_coroutine_threadsafe(mpris.start(), loop).result(10)
    assert reason is None
    yield session_bus, engine, mpris, quit_called
    loop.call_soon_threadsafe(mpris.stop)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)


def wait_for(predicate, timeout=10.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_playerctl_sees_sadtui_and_its_metadata(published):
    bus, engine, _mpris, _quit = published
    assert bus.playerctl("status").stdout.strip() == "Stopped"
    assert bus.playerctl("play").returncode == 0  # nothing played yet: the highlighted song (3)
    wait_for(lambda: engine.calls == [("play", 3)], what="play 3")
    song = engine.playlist.song(3)
    assert bus.playerctl("metadata", "xesam:title").stdout.strip() == song.title
    assert bus.playerctl("metadata", "xesam:album").stdout.strip() == song.anime
    assert bus.playerctl("metadata", "xesam:artist").stdout.strip() == song.artist
    assert bus.playerctl("metadata", "xesam:trackNumber").stdout.strip() == "3"
    assert bus.playerctl("metadata", "mpris:trackid").stdout.strip().strip("'") == "/org/sadtui/track/3"
    assert bus.playerctl("metadata", "mpris:length").stdout.strip() == "200000000"
    assert bus.playerctl("status").stdout.strip() == "Playing"


def test_every_playerctl_command_changes_sadtui(published):
    bus, engine, _mpris, quit_called = published
    engine.play(1)
    wait_for(lambda: bus.playerctl("status").stdout.strip() == "Playing", what="Playing")
    bus.playerctl("play-pause")
    wait_for(lambda: engine.status.state == State.PAUSED, what="paused")
    bus.playerctl("next")
    wait_for(lambda: engine.status.rank == 2, what="next")
    bus.playerctl("previous")
    wait_for(lambda: engine.status.rank == 1, what="previous")
    bus.playerctl("position", "30")
    wait_for(lambda: ("seek", 30.0, False) in engine.calls, what="position 30")
    bus.playerctl("volume", "0.5")
    wait_for(lambda: engine.status.volume == 50, what="volume 0.5")
    assert float(bus.playerctl("volume").stdout) == pytest.approx(0.5)
    bus.playerctl("loop", "Track")
    wait_for(lambda: engine.status.repeat == Repeat.ONE, what="loop Track")
    assert bus.playerctl("loop").stdout.strip() == "Track"
    bus.playerctl("loop", "Playlist")
    wait_for(lambda: engine.status.repeat == Repeat.ALL, what="loop Playlist")
    bus.playerctl("shuffle", "On")
    wait_for(lambda: engine.status.order == Order.SHUFFLE, what="shuffle On")
    bus.playerctl("shuffle", "Off")
    wait_for(lambda: engine.status.order == Order.RANK, what="shuffle Off")
    bus.playerctl("stop")
    wait_for(lambda: engine.status.state == State.STOPPED, what="stop")
    bus.playerctl("-a", "--version")  # harmless
    subprocess.run(["dbus-send", "--session", "--dest=org.mpris.MediaPlayer2.sadtui", "--type=method_call",
                    "/org/mpris/MediaPlayer2", "org.mpris.MediaPlayer2.Quit"], env=bus.env(), timeout=10)
    wait_for(quit_called.is_set, what="Quit")


def test_sadtuis_own_changes_show_in_playerctl_follow(published):
    bus, engine, _mpris, _quit = published
    follow = subprocess.Popen(["playerctl", "-p", "sadtui", "--follow", "status"], stdout=subprocess.PIPE,
                              text=True, env=bus.env())
    try:
        assert follow.stdout.readline().strip() == "Stopped"
        engine.play(5)
        assert follow.stdout.readline().strip() == "Playing"
        engine.toggle_pause()
        assert follow.stdout.readline().strip() == "Paused"
    finally:
        follow.terminate()
        follow.wait(5)


def test_a_jump_in_position_is_a_seeked_signal(published):
    bus, engine, mpris, _quit = published
    monitor = subprocess.Popen(["dbus-monitor", "--session", "interface='org.mpris.MediaPlayer2.Player',member='Seeked'"],
                               stdout=subprocess.PIPE, text=True, env=bus.env())
    try:
        wait_for(lambda: monitor.stdout.readline(), what="monitor ready")  # its own NameAcquired lines
        engine.play(2)
        engine.seek(100.0, relative=False)
        lines = []
        wait_for(lambda: lines.append(monitor.stdout.readline()) or any("int64 100000000" in x for x in lines),
                 what="Seeked(100 s)")
    finally:
        monitor.terminate()
        monitor.wait(5)


def test_no_session_bus_means_mpris_is_quietly_off(monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    playlist = load_playlist(default_playlist_path())
    mpris = mpris_module.Mpris(playlist, mpris_module.EngineControls(object()))
    assert "no session D-Bus" in asyncio.run(mpris.start())
    assert not mpris.running
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
    reason = asyncio.run(mpris.start())
    assert reason.startswith("cannot connect to the session D-Bus")
    mpris.update(Status(state=State.PLAYING, rank=1))  # publishing with no bus does nothing, fails nothing


# ---------------------------------------------------------------- `sadtui play` on the bus


def test_sadtui_play_answers_playerctl(session_bus, audio_server, tmp_path):  # noqa: F811
    """The real command, real libmpv (ao=null plays in real time), a real bus and playerctl:
    `playerctl next` skips the long song at once, and `playerctl metadata` names it."""
    import os
    import sys
    from pathlib import Path

    from audio_support import write_playlist

    playlist = write_playlist(tmp_path / "p.toml", [("Long one", audio_server.url("/long.wav")),
                                                     ("Short one", audio_server.url("/a.wav"))])
    exe = Path(sys.executable).with_name("sadtui")
    args = [str(exe), "play", "1", "2", "--playlist", str(playlist)]
    args += ["--mpv-option", "ao=null"]  # real time: the long song is still playing when we look
    proc = subprocess.Popen(args, env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": session_bus.address},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: session_bus.playerctl("metadata", "xesam:title").stdout.strip() == "Long one",
                 timeout=20, what="the first song on the bus")
        assert session_bus.playerctl("status").stdout.strip() == "Playing"
        session_bus.playerctl("next")
        wait_for(lambda: session_bus.playerctl("metadata", "xesam:title").stdout.strip() == "Short one",
                 timeout=20, what="next")
        assert proc.wait(timeout=30) == 0  # the short song plays to its end, and play exits
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_sadtui_play_without_a_bus_plays_as_before(audio_server, tmp_path, monkeypatch):
    import os
    import sys
    from pathlib import Path

    from audio_support import pcm_options, write_playlist

    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    playlist = write_playlist(tmp_path / "p.toml", [("Short one", audio_server.url("/a.wav"))])
    exe = Path(sys.executable).with_name("sadtui")
    args = [str(exe), "play", "1", "--playlist", str(playlist)]
    for option in pcm_options(tmp_path / "out.raw"):
        args += ["--mpv-option", option]
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, env={**os.environ})
    assert result.returncode == 0 and result.stderr == ""


def test_doctor_says_whether_media_keys_can_work(session_bus, monkeypatch):  # noqa: F811
    import json
    import os
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("sadtui")
    env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": session_bus.address}
    on = subprocess.run([str(exe), "doctor", "--json", "--mpv-option", "ao=null"], capture_output=True, text=True,
                        env=env, timeout=60)
    check = next(c for c in json.loads(on.stdout)["checks"] if c["name"] == "media keys (MPRIS)")
    assert check["ok"] is True and check["detail"].startswith("on:")
    env.pop("DBUS_SESSION_BUS_ADDRESS")
    off = subprocess.run([str(exe), "doctor", "--mpv-option", "ao=null"], capture_output=True, text=True,
                         env=env, timeout=60)
    assert off.returncode == 0  # quietly off: doctor still passes
    assert "off   media keys (MPRIS)  off: no session D-Bus" in off.stdout
