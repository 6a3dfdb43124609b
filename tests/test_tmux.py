"""The installed `sadtui` in a real terminal (tmux): it draws, moves, opens the
FAQ and quits; and it plays a loopback song with mpv's own audio output choice
(no ao option) without anything libmpv or ALSA print reaching the screen."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from audio_support import write_playlist
from sadtui.model.playlist import load_playlist

SADTUI = Path(sys.executable).with_name("sadtui")
PLAYLIST = load_playlist()

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


class Tmux:
    def __init__(self, width: int, height: int) -> None:
        self.socket = f"sadtui-test-{uuid.uuid4().hex[:10]}"
        self.width, self.height = width, height
        self.session = "sadtui"

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            capture_output=True, text=True, timeout=15, check=check,
        )

    def start(self, command: str, env: dict[str, str]) -> None:
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        # Print the exit status and keep the pane alive so it can be read.
        shell = f"env {exports} {command}; echo SADTUI-EXIT=$?; sleep 60"
        self.run("new-session", "-d", "-s", self.session, "-x", str(self.width),
                 "-y", str(self.height), "sh", "-c", shell)

    def capture(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session).stdout

    def send(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def wait_for(self, predicate, what: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.capture()
            if "Traceback" in screen:
                pytest.fail(f"the app crashed:\n{screen}")
            if predicate(screen):
                return screen
            time.sleep(0.05)
        pytest.fail(f"timed out waiting for {what}; screen:\n{screen}")

    def kill(self) -> None:
        path = self.run("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self.run("kill-server", check=False)
        if path and Path(path).name == self.socket:
            Path(path).unlink(missing_ok=True)


def terminal_env(tmp_path: Path) -> dict[str, str]:
    return {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
    }


def close_first_launch_intro(tmux) -> None:
    """A first launch shows the playlist's intro over the list: a key closes it."""
    tmux.wait_for(lambda s: "Before you press play" in s, "the first-launch intro")
    tmux.send("Escape")
    tmux.wait_for(lambda s: "Before you press play" not in s, "the intro closed")


def test_installed_sadtui_moves_opens_the_faq_and_quits(tmp_path):
    assert SADTUI.exists(), SADTUI
    env = terminal_env(tmp_path)
    tmux = Tmux(100, 30)
    try:
        tmux.start(shlex.quote(str(SADTUI)), env)
        close_first_launch_intro(tmux)
        screen = tmux.wait_for(
            lambda s: "Sadness and Sorrow" in s and "#1  Sadness" in s and "Quit" in s, "first paint"
        )
        assert PLAYLIST.title in screen
        assert "Filter" in screen and "FAQ" in screen  # the footer

        tmux.send("j")
        tmux.wait_for(lambda s: "#2  Ichiban no Takaramono" in s, "details of rank 2")
        tmux.send("G")
        tmux.wait_for(lambda s: "#26  Requiem for a Brigadier General" in s, "last song")
        tmux.send("1")
        tmux.send("7")
        tmux.wait_for(lambda s: "#17  Fukai Mori" in s, "jump to rank 17")

        tmux.send("f")
        screen = tmux.wait_for(lambda s: PLAYLIST.faq[0].question in s, "the FAQ")
        assert "FAQ" in screen
        tmux.send("Escape")
        tmux.wait_for(lambda s: "#17  Fukai Mori" in s and PLAYLIST.faq[0].question not in s, "back")

        tmux.send("q")
        screen = tmux.wait_for(lambda s: "SADTUI-EXIT=" in s, "exit", timeout=15)
        assert "SADTUI-EXIT=0" in screen
        assert "Traceback" not in screen
        # Nothing that C libraries wrote to fd 2 reached the terminal.
        assert "ALSA" not in screen
    finally:
        tmux.kill()
    state = tmp_path / "state" / "sadtui" / "state.json"
    assert state.is_file() and '"rank": 17' in state.read_text()


# What libmpv, its audio outputs or ALSA print on fd 2 / the terminal when left alone.
NOISE = ("ALSA", "Traceback", "[ao", "[cplayer", "[ffmpeg", "[lavf", "AO: [", "-> no sound", "snd_pcm", "Exiting")


def test_playing_without_an_ao_option_keeps_libmpv_and_alsa_off_the_screen(tmp_path, audio_server):
    """No --mpv-option at all: mpv tries the machine's real audio output.  Without a sound
    device (as here) that fails, and ALSA/libmpv write to fd 2; all of it must land in the
    player log, and the bar must say what happened in one line."""
    assert SADTUI.exists(), SADTUI
    playlist = write_playlist(
        tmp_path / "loopback.toml",
        [("Long", audio_server.url("/long.wav")), ("Sine A", audio_server.url("/a.wav"))],
    )
    env = terminal_env(tmp_path)
    tmux = Tmux(120, 30)
    seen: list[str] = []

    def capture_clean() -> str:
        screen = tmux.capture()
        seen.append(screen)
        noise = [word for word in NOISE if word in screen]
        assert not noise, f"{noise} reached the terminal:\n{screen}"
        return screen

    def wait(predicate, what: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = capture_clean()
            if predicate(screen):
                return screen
            time.sleep(0.05)
        pytest.fail(f"timed out waiting for {what}; screen:\n{screen}")

    try:
        tmux.start(f"{shlex.quote(str(SADTUI))} --playlist {shlex.quote(str(playlist))}", env)
        wait(lambda s: "1. Long" in s and "#1  Long" in s and "Quit" in s, "first paint")
        tmux.send("Enter")
        screen = wait(
            lambda s: "▶ playing  #1 Long" in s or "Can't play #1 Long: " in s,
            "the bar to show playing or a failure",
        )
        top, bottom = screen.rstrip("\n").splitlines()[-3:-1]  # the bar: the two rows above the footer
        if "Can't play" in screen:
            # One line in the bar, naming the song and the cause (here: no sound device).
            assert "✗ error  #1 Long" in top, screen
            assert bottom.strip().startswith("✗ Can't play #1 Long: "), screen
        else:
            assert "▶ playing  #1 Long" in top, screen
        # Whatever mpv does with the audio device a moment later must not show either.
        for _ in range(10):
            capture_clean()
            time.sleep(0.1)
        started = time.monotonic()
        tmux.send("q")
        screen = wait(lambda s: "SADTUI-EXIT=" in s, "the exit", timeout=10)
        assert time.monotonic() - started < 5, "quitting took too long"
        assert "SADTUI-EXIT=0" in screen
    finally:
        tmux.kill()
    # fd 2 went to the player log under XDG_STATE_HOME (platformdirs: .../sadtui/log/).
    log = tmp_path / "state" / "sadtui" / "log" / "player.log"
    assert log.is_file() and log.stat().st_size > 0
    assert "[ao" in log.read_text(errors="replace")  # mpv's own account of the audio output


# ---------------------------------------------------------------- kill (SIGTERM / SIGHUP)


def _child_pid(tmux: Tmux, timeout: float = 10.0) -> int:
    """The sadtui process: the child of the pane's shell."""
    pane = tmux.run("display-message", "-p", "-t", tmux.session, "#{pane_pid}").stdout.strip()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", pane], capture_output=True, text=True).stdout.split()
        if out:
            return int(out[0])
        time.sleep(0.05)
    pytest.fail("no sadtui process under the pane")


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGHUP"])
def test_kill_leaves_the_terminal_clean_and_saves_the_state(tmp_path, signal_name):
    import signal

    import sadtui

    env = terminal_env(tmp_path)
    env["PYTHONPATH"] = str(Path(sadtui.__file__).resolve().parents[1])  # the sources under test
    command = f"{shlex.quote(sys.executable)} -m sadtui"
    tmux = Tmux(100, 30)
    try:
        tmux.start(command, env)
        close_first_launch_intro(tmux)
        tmux.wait_for(lambda s: "#1  Sadness" in s and "Quit" in s, "first paint")
        assert tmux.run("display-message", "-p", "-t", tmux.session, "#{alternate_on}").stdout.strip() == "1"
        tmux.send("j")
        tmux.wait_for(lambda s: "#2  Ichiban no Takaramono" in s, "details of rank 2")
        os.kill(_child_pid(tmux), getattr(signal, signal_name))
        screen = tmux.wait_for(lambda s: "SADTUI-EXIT=" in s, "exit", timeout=15)
        assert "SADTUI-EXIT=0" in screen and "Traceback" not in screen
        flags = tmux.run(
            "display-message", "-p", "-t", tmux.session,
            "#{alternate_on} #{cursor_flag} #{mouse_any_flag} #{mouse_button_flag} #{mouse_standard_flag}",
        ).stdout.split()
        assert flags == ["0", "1", "0", "0", "0"], flags  # normal screen, cursor shown, mouse off
    finally:
        tmux.kill()
    state = tmp_path / "state" / "sadtui" / "state.json"
    assert state.is_file() and '"rank": 2' in state.read_text()
