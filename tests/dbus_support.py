"""A private session bus for tests: a real `dbus-daemon --session` on a unix socket in tmp,
and the real `playerctl` client talking to it."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


class SessionBus:
    def __init__(self, tmp: Path) -> None:
        if shutil.which("dbus-daemon") is None:
            pytest.skip("dbus-daemon is not installed (make test installs it)")
        config = tmp / "session.conf"
        config.write_text(
            "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN\" "
            "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">"
            f"<busconfig><type>session</type><listen>unix:path={tmp / 'bus'}</listen>"
            "<auth>EXTERNAL</auth><policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
            "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>"
        )
        self.process = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )
        self.address = self.process.stdout.readline().strip()  # printed once it listens
        if not self.address:
            self.close()
            pytest.fail("dbus-daemon did not start")

    def env(self) -> dict[str, str]:
        return {**os.environ, "DBUS_SESSION_BUS_ADDRESS": self.address}

    def playerctl(self, *args: str, timeout: float = 10) -> subprocess.CompletedProcess:
        if shutil.which("playerctl") is None:
            pytest.skip("playerctl is not installed (make test installs it)")
        return subprocess.run(["playerctl", "-p", "sadtui", *args], capture_output=True, text=True,
                              env=self.env(), timeout=timeout)

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture
def session_bus(tmp_path, monkeypatch):
    bus = SessionBus(tmp_path)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
    yield bus
    bus.close()
