"""SVG snapshots of the main scenes at 60x20, 80x24, 120x40 and 200x50.

Deterministic: a fixed theme, a FakeEngine (no clocks, no sound), no saved state,
and every wait is on a condition.  Update with:
    .venv/bin/python -m pytest tests/test_snapshots.py --snapshot-update
"""

from __future__ import annotations

import pytest

from fake_engine import FactoryRecorder
from sadtui.model.playlist import load_playlist
from sadtui.tui.app import SadtuiApp
from tui_helpers import SadtuiTestApp, settle, wait_for

pytestmark = pytest.mark.tui

PLAYLIST = load_playlist()
SIZES = [pytest.param(size, id=f"{size[0]}x{size[1]}") for size in ((60, 20), (80, 24), (120, 40), (200, 50))]


@pytest.fixture(autouse=True)
def colour(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)  # snapshots in colour


def snapshot_app(**engine_options) -> SadtuiApp:
    app = SadtuiTestApp(PLAYLIST, engine_factory=FactoryRecorder(**engine_options), remember=False)
    app.theme = "sadtui"
    return app


async def ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.engine is not None, what="engine")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_browse(snap_compare, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("j", "j")
        await settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_filter(snap_compare, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("slash")
        pilot.app.main.filter_bar.input.cursor_blink = False
        await pilot.press(*"naru")
        await settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_faq(snap_compare, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("f")
        await wait_for(pilot, lambda: len(pilot.app.query("#faq Markdown")) == len(PLAYLIST.faq))
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_about(snap_compare, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: len(pilot.app.query("#about Markdown")) == 2)
        await pilot.pause()

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, size):
    async def run_before(pilot):
        await ready(pilot)
        await pilot.press("question_mark")

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_playing(snap_compare, size):
    async def run_before(pilot):
        app = pilot.app
        await ready(pilot)
        await pilot.press("j", "j", "enter", "minus", "o", "r")
        engine = app.engine
        await wait_for(pilot, lambda: app.main.status.repeat.value == "one", what="status")
        engine.progress(75.0)
        engine.drain()
        await wait_for(pilot, lambda: "1:15 / 3:20" in app.main.now_playing.line_text)
        await settle(pilot)

    assert snap_compare(snapshot_app(), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_failed(snap_compare, size):
    async def run_before(pilot):
        app = pilot.app
        await ready(pilot)
        await pilot.press("j", "enter")
        await wait_for(pilot, lambda: "Can't play" in app.main.now_playing.line_text, what="failure")
        if size[0] >= 80:
            assert not app.notices  # the bar shows the whole line: no notice on top of it
        await settle(pilot)

    app = snapshot_app(fail={2: "HTTP 404 from 127.0.0.1"})
    assert snap_compare(app, terminal_size=size, run_before=run_before)
