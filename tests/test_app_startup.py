"""Start-up stays light (nothing for playback before the first paint) and
`run_app` keeps fd 2 (ALSA, libmpv) off the screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sadtui.model import paths
from sadtui.model.playlist import load_playlist
from sadtui.tui import app as app_module

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import asyncio, json, sys, time
import sadtui.cli.main  # the real entry point's imports come first
from sadtui.tui.app import SadtuiApp
from sadtui.model.playlist import load_playlist
import html

WATCH = ("yt_dlp", "mpv", "sadtui.services.engine", "sadtui.services.player",
         "sadtui.services.resolver")
seen = {}

class Probe(SadtuiApp):
    def first_paint_done(self):
        seen["at_first_paint"] = sorted(m for m in WATCH if m in sys.modules)
        seen["screen_has_list"] = "Sadness and Sorrow" in html.unescape(
            self.export_screenshot()).replace("\xa0", " ")
        super().first_paint_done()

async def main():
    app = Probe(load_playlist())  # the real engine factory
    async with app.run_test(size=(100, 30)) as pilot:
        deadline = time.monotonic() + 30
        while app.engine is None and app.engine_error is None and time.monotonic() < deadline:
            await pilot.pause(0.05)
        seen["engine"] = app.engine is not None
        seen["engine_error"] = app.engine_error
    seen["after"] = sorted(m for m in WATCH if m in sys.modules)

asyncio.run(main())
print(json.dumps(seen))
"""


def test_nothing_for_playback_is_imported_before_the_first_paint():
    env = {**os.environ}
    env.pop("NO_COLOR", None)
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=90, cwd=ROOT, env=env
    )
    assert out.returncode == 0, out.stderr[-3000:]
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["at_first_paint"] == [], seen
    assert seen["screen_has_list"], seen
    # Afterwards the engine was loaded, or the app said clearly why not.
    assert seen["engine"] or seen["engine_error"].startswith("Playback unavailable: "), seen


def test_run_app_sends_fd2_to_the_log_and_returns_an_int(monkeypatch, capfd):
    ran = {}

    def fake_run(self, *args, **kwargs):
        ran["app"] = self
        os.write(2, b"ALSA lib pcm.c: cannot find card '0'\n")  # what C libraries do
        sys.__stderr__.write("textual draws here\n")
        sys.__stderr__.flush()
        return None

    monkeypatch.setattr(app_module.SadtuiApp, "run", fake_run)
    code = app_module.run_app(load_playlist(), mpv_options=["ao=null"])
    assert code == 0 and isinstance(code, int)
    err = capfd.readouterr().err
    assert "textual draws here" in err
    assert "ALSA" not in err
    assert "cannot find card" in paths.mpv_log_file().read_text()
    assert isinstance(ran["app"], app_module.SadtuiApp)
    os.write(2, b"fd 2 is back\n")
    assert "fd 2 is back" in capfd.readouterr().err


def test_the_default_engine_factory_passes_mpv_options(monkeypatch):
    import types

    made = {}

    class Engine:
        def __init__(self, playlist, notify, *, mpv_options=(), **services):
            made.update(playlist=playlist, notify=notify, mpv_options=mpv_options)
            made["services"] = sorted(services)  # the library of kept audio, the pins

    fake = types.ModuleType("sadtui.services.engine")
    fake.PlaybackEngine = Engine  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "sadtui.services.engine", fake)
    playlist = load_playlist()
    factory = app_module.default_engine_factory(["ao=null", "volume=50"])
    factory(playlist, print)
    services = made.pop("services")
    assert made == {"playlist": playlist, "notify": print, "mpv_options": ("ao=null", "volume=50")}
    assert set(services) <= {"library", "pins"}


def test_the_stylesheet_ships_next_to_the_app():
    assert app_module.SadtuiApp.CSS_PATH.is_file()
    assert app_module.SadtuiApp.CSS_PATH.parent == Path(app_module.__file__).parent
