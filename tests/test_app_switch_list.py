"""Switching lists in the TUI (ctrl+o, the palette): the library of lists, a switch
without a restart, each list's own place; `sadtui import --open`."""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest

from fake_engine import FactoryRecorder
from sadtui.model.library import lists_dir
from sadtui.model.playlist import load_playlist
from sadtui.services.events import State
from tui_helpers import SadtuiTestApp, engine_ready, palette_highlights, wait_for, wait_for_text, write_playlist

PLAYLIST = load_playlist()


def library_list() -> Path:
    directory = lists_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return write_playlist(directory / "rain.toml", [
        {"rank": 1, "title": "Rain one"}, {"rank": 2, "title": "Rain two"}, {"rank": 3, "title": "Rain three"},
    ], title="Rainy Day Songs", source="https://example.com/rain")


async def switch_to(pilot, title: str) -> None:
    await pilot.press("ctrl+o")
    await wait_for_text(pilot, "Switch list")
    await wait_for_text(pilot, title)
    options = pilot.app.screen.query_one("#pick-list")
    labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    target = next(i for i, label in enumerate(labels) if title in label)
    options.highlighted = target
    await pilot.press("enter")


@pytest.mark.tui
async def test_ctrl_o_switches_lists_and_each_keeps_its_place():
    library_list()
    recorder = FactoryRecorder()
    app = SadtuiTestApp(PLAYLIST, engine_factory=recorder)
    async with app.run_test(size=(120, 40)) as pilot:
        first_engine = await engine_ready(pilot, recorder)
        await pilot.press("j", "j", "enter")  # rank 3 of the default list plays
        await wait_for(pilot, lambda: app.main.status.state is State.PLAYING, what="playing")
        await switch_to(pilot, "Rainy Day Songs")
        await wait_for(pilot, lambda: app.playlist.title == "Rainy Day Songs", what="switched")
        await wait_for_text(pilot, "Rain two")
        assert first_engine.shut_down or await wait_for(pilot, lambda: first_engine.shut_down, what="old engine")
        new_engine = await wait_for(pilot, lambda: app.engine is not None and app.engine is not first_engine
                                    and app.engine, what="a new engine")
        assert new_engine.playlist is app.playlist
        assert app.main.status.state is State.IDLE
        await pilot.press("j", "enter")  # rank 2 of the new list
        await wait_for(pilot, lambda: new_engine.called("play") == [(2,)], what="play 2")
        await switch_to(pilot, PLAYLIST.title)
        await wait_for(pilot, lambda: app.playlist.title == PLAYLIST.title, what="back")
        await wait_for(pilot, lambda: app.songs.highlighted_song.rank == 3, what="its place")
        await switch_to(pilot, "Rainy Day Songs")
        await wait_for(pilot, lambda: app.playlist.title == "Rainy Day Songs", what="again")
        await wait_for(pilot, lambda: app.songs.highlighted_song.rank == 2, what="its own place")


@pytest.mark.tui
async def test_the_palette_has_switch_list_and_escape_keeps_the_list():
    library_list()
    recorder = FactoryRecorder()
    app = SadtuiTestApp(PLAYLIST, engine_factory=recorder)
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("ctrl+p", *"Switch list")
        await wait_for_text(pilot, "Switch list…  (Ctrl+O)")
        await palette_highlights(pilot, "Switch list")
        await pilot.press("enter")
        await wait_for_text(pilot, "Rainy Day Songs  ·  3 songs  ·  https://example.com/rain")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="back")
        assert app.playlist is PLAYLIST and app.engine is engine and not engine.shut_down


@pytest.mark.e2e
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_import_open_starts_the_tui_on_the_imported_list(tmp_path):
    import sys

    from test_tmux import Tmux, terminal_env

    source = tmp_path / "mine.m3u"
    source.write_text("#EXTM3U\n#EXTINF:200,Artist A - Imported song\nhttps://example.com/a.mp3\n"
                      "#EXTINF:100,Artist B - Second song\nhttps://example.com/b.mp3\n")
    exe = Path(sys.executable).with_name("sadtui")
    env = terminal_env(tmp_path) | {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}
    tmux = Tmux(120, 40)
    tmux.start(f"{exe} import {shlex.quote(str(source))} --open", env)
    try:
        screen = tmux.wait_for(lambda s: "Imported song" in s and "Second song" in s, "the TUI on the list")
        assert "→" in screen or "songs" in screen
        tmux.send("q")
        tmux.wait_for(lambda s: "SADTUI-EXIT=0" in s, "quit")
    finally:
        tmux.kill()
    assert list((tmp_path / "data" / "sadtui" / "playlists").glob("*.toml"))
