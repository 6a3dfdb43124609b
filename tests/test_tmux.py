"""The installed `sadtui` in a real terminal (tmux): it draws, moves, opens the
FAQ and quits.  No playback: Enter is never pressed."""

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

from sadtui.playlist import load_playlist

SADTUI = Path(sys.executable).with_name("sadtui")
PLAYLIST = load_playlist()

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")


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


def test_installed_sadtui_moves_opens_the_faq_and_quits(tmp_path):
    assert SADTUI.exists(), SADTUI
    env = {
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "TERM": "xterm-256color",
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
    }
    tmux = Tmux(100, 30)
    try:
        tmux.start(shlex.quote(str(SADTUI)), env)
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
