"""Shared test set-up: every test gets its own XDG directories under tmp."""

from __future__ import annotations

import os

import pytest
import textual.screen

os.environ.setdefault("LC_NUMERIC", "C")

# Pilot waits after every key until the app is idle (Textual's wait_for_idle: 20 ms slices), and a
# screen repaints at most TEXTUAL_FPS (60) times a second, so one key's work -- move, repaint,
# rebuild the details -- is spread over several 16 ms frames and Pilot sleeps through each of them.
# Under test the screen repaints 1 ms after it is marked dirty instead: what is drawn is the same,
# only sooner, and Pilot waits less (measured: a third less idle time in test_app.py).
# TEXTUAL_FPS itself cannot be used: Textual reads it on import, and pytest-textual-snapshot's
# plugin imports Textual before this file.  The real app (and every tmux test) keeps 60 fps.
assert isinstance(textual.screen.UPDATE_PERIOD, float), "Textual renamed the screen's update period"
textual.screen.UPDATE_PERIOD = 1 / 1000

# The loopback audio server fixture (`audio_server`) and friends, for every test module.
pytest_plugins = ("audio_support",)


@pytest.fixture(autouse=True)
def isolated_xdg(tmp_path_factory, monkeypatch):
    base = tmp_path_factory.mktemp("xdg")
    for var in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        path = base / var.lower()
        path.mkdir()
        monkeypatch.setenv(var, str(path))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)  # no desktop bus unless a test starts one
    # No test ever asks the real lyrics service: a closed loopback port unless a test says otherwise.
    monkeypatch.setenv("SADTUI_LYRICS_URL", "http://127.0.0.1:9")
    return base


# Markers: a module says what it is with `pytestmark = pytest.mark.<kind>`; modules that
# don't are filed here by name, and a test using a real-parts fixture is e2e whatever its
# module says.  `make test-fast` runs the tests that are not e2e.
_KIND_BY_MODULE = {
    "test_app_e2e": "e2e",
    "test_playback_e2e": "e2e",
    "test_tmux": "e2e",
    "test_cli_playback": "e2e",
    "test_no_libmpv": "e2e",
    "test_packaging": "e2e",
    "test_app_startup": "e2e",
    "test_cli": "e2e",  # the entry point as a subprocess (its in-process tests are marked unit)
    "test_app": "tui",
    "test_app_markup": "tui",
    "test_app_playback": "tui",
    "test_app_scale": "tui",
    "test_app_state": "tui",
    "test_snapshots": "tui",
}


# A test that uses one of these fixtures talks to real servers, libmpv, yt-dlp or a bus: e2e.
_REAL_FIXTURES = {"audio_server", "session_bus", "real_resolver", "routes", "hostile_server"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _REAL_FIXTURES & set(getattr(item, "fixturenames", ())) and not item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.e2e)
            continue
        if any(item.get_closest_marker(kind) for kind in ("unit", "tui", "e2e")):
            continue
        module = item.module.__name__.rpartition(".")[2] if item.module else ""
        item.add_marker(getattr(pytest.mark, _KIND_BY_MODULE.get(module, "unit")))
