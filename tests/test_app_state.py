"""Remembered across runs: the theme, the highlighted song and the open panel;
a corrupt or unreadable state file is ignored with a notice, never a crash."""

from __future__ import annotations

import json
import os
import time

import pytest

from fake_engine import FactoryRecorder
from sadtui.model import paths
from sadtui.model.playlist import load_playlist
from sadtui.model.state import Remembered, StateStore, playlist_key
from sadtui.tui.app import SadtuiApp
from tui_helpers import SadtuiTestApp, screen_text, settle, wait_for, wait_for_text, write_playlist

pytestmark = pytest.mark.tui

PLAYLIST = load_playlist()


def new_app(playlist=PLAYLIST, **kwargs) -> SadtuiApp:
    return SadtuiTestApp(playlist, engine_factory=FactoryRecorder(), **kwargs)


def notices(app) -> list[str]:
    return [n for n in app.notices]


async def test_theme_song_and_panel_are_remembered_across_runs():
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "j", "j")  # rank 4
        app.theme = "nord"
        await pilot.press("f")
        assert app.main.panel == "faq"
    saved = json.loads(paths.state_file().read_text(encoding="utf-8"))
    assert saved["theme"] == "nord"
    assert saved["playlists"][playlist_key(PLAYLIST.path, PLAYLIST.title)] == {"rank": 4, "panel": "faq"}

    again = new_app()
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert again.theme == "nord"
        assert again.main.panel == "faq"
        await wait_for_text(pilot, PLAYLIST.faq[0].question)
        await pilot.press("escape")
        assert again.songs.highlighted_song.rank == 4
        assert again.main.details.song.rank == 4
        assert not notices(again)


async def test_closing_the_panel_and_moving_is_remembered_too():
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a", "escape", "G")
    again = new_app()
    async with again.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert again.main.panel is None and again.songs.highlighted_song.rank == 26


async def test_the_highlight_is_remembered_per_playlist(tmp_path):
    other = load_playlist(write_playlist(
        tmp_path / "mine.toml", [{"rank": r, "title": f"Mine {r}"} for r in range(1, 11)]
    ))
    for playlist, keys in ((PLAYLIST, ("G",)), (other, ("j", "j"))):
        app = new_app(playlist)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press(*keys)
    for playlist, rank in ((PLAYLIST, 26), (other, 3)):
        app = new_app(playlist)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            assert app.songs.highlighted_song.rank == rank


async def test_a_rank_that_no_longer_exists_falls_back_to_the_first_song(tmp_path):
    state = paths.state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    key = playlist_key(PLAYLIST.path, PLAYLIST.title)
    state.write_text(json.dumps({"theme": "no-such-theme", "playlists": {key: {"rank": 999, "panel": "bogus"}}}))
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.songs.highlighted_song.rank == 1
        assert app.main.panel is None
        assert app.theme == "sadtui"  # the default theme


async def test_a_corrupt_state_file_is_ignored_with_a_notice_and_rewritten():
    state = paths.state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_bytes(b"{not json\xff")
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: any("Ignored the saved state" in n for n in notices(app)))
        assert any("not valid JSON" in n for n in notices(app))
        assert "Sadness and Sorrow" in screen_text(app)
        await pilot.press("j")
    doc = json.loads(state.read_text(encoding="utf-8"))  # valid again
    assert doc["playlists"][playlist_key(PLAYLIST.path, PLAYLIST.title)]["rank"] == 2


def test_two_sadtuis_at_once_keep_each_others_state(tmp_path):
    path = tmp_path / "state.json"
    a, b = StateStore(path, "playlist-a"), StateStore(path, "playlist-b")
    a.load()
    b.load()  # both started before either saved
    assert a.save(theme="dracula", rank=3, panel=None)
    assert b.save(theme=None, rank=4, panel="faq")  # b did not choose a theme
    assert a.save(theme=None, rank=5, panel=None)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["theme"] == "dracula"
    assert doc["playlists"]["playlist-a"] == {"rank": 5, "panel": None}
    assert doc["playlists"]["playlist-b"] == {"rank": 4, "panel": "faq"}


async def test_only_a_theme_chosen_in_this_session_is_saved_over_the_file():
    state = paths.state_file()
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j")
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps({"version": 1, "theme": "dracula", "playlists": {}}))  # another sadtui
    doc = json.loads(state.read_text(encoding="utf-8"))
    assert doc["theme"] == "dracula"  # quitting kept it
    assert doc["playlists"][playlist_key(PLAYLIST.path, PLAYLIST.title)]["rank"] == 2


async def test_a_state_that_cannot_be_saved_is_said_once(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")
    app = new_app(state_path=blocker / "state.json")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f", "f", "a")  # each panel change saves
        await wait_for(pilot, lambda: any("cannot save your place in" in n for n in notices(app)))
        assert sum("cannot save your place" in n for n in notices(app)) == 1
        assert app.main.panel == "about"  # the app goes on


def test_a_state_file_nested_too_deeply_is_ignored(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("[" * 5000 + "]" * 5000)
    remembered, notice = StateStore(path, "k").load()
    assert remembered == Remembered() and notice and "not valid JSON" in notice


def test_wrong_shapes_in_the_state_file_are_ignored(tmp_path):
    path = tmp_path / "state.json"
    for content in ("[1, 2]", '"text"', "null"):
        path.write_text(content)
        remembered, notice = StateStore(path, "k").load()
        assert remembered == Remembered() and notice and "not a JSON object" in notice
    path.write_text('{"theme": 5, "playlists": [1]}')
    assert StateStore(path, "k").load() == (Remembered(), None)
    path.write_text('{"theme": "nord", "playlists": {"k": {"rank": true, "panel": 3}}}')
    assert StateStore(path, "k").load() == (Remembered(theme="nord"), None)


async def test_wrong_shapes_in_the_state_file_never_crash_the_app():
    state = paths.state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text('{"theme": ["x"], "playlists": {"k": [4]}}')
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j")
        assert app.songs.highlighted_song.rank == 2


async def test_an_unreadable_state_file_is_ignored_and_never_blocks_start_up():
    state = paths.state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(state)  # opening a FIFO for reading would block for ever
    started = time.monotonic()
    app = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: any("not a regular file" in n for n in notices(app)))
        assert time.monotonic() - started < 10
        await pilot.press("j")


async def test_a_state_directory_that_cannot_be_written_is_not_an_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    app = new_app(state_path=blocker / "state.json")  # parent is a file: cannot write
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("j", "f")
    assert not app.save_state()


def test_store_round_trip_and_atomic_write(tmp_path):
    path = tmp_path / "d" / "state.json"
    store = StateStore(path, "k1")
    assert store.load() == (Remembered(), None)
    assert store.save(theme="dracula", rank=7, panel="about")
    assert not list(path.parent.glob(".state-*"))  # no temp file left behind
    other = StateStore(path, "k2")
    assert other.load() == (Remembered(theme="dracula"), None)
    assert other.save(theme="dracula", rank=1, panel=None)
    first = StateStore(path, "k1")
    assert first.load() == (Remembered(theme="dracula", rank=7, panel="about"), None)
    assert set(json.loads(path.read_text())["playlists"]) == {"k1", "k2"}


def test_store_notice_for_a_directory(tmp_path):
    path = tmp_path / "state.json"
    path.mkdir()
    remembered, notice = StateStore(path, "k").load()
    assert remembered == Remembered()
    assert notice and "not a regular file" in notice


async def test_the_intro_shows_once_on_the_first_launch_then_the_list(tmp_path):
    app = new_app(intro=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for_text(pilot, "Before you press play")
        assert app.screen.id == "words-intro" and PLAYLIST.intro.split()[0] in screen_text(app)
        await pilot.press("z")  # any key: the list
        await wait_for(pilot, lambda: app.screen is app.main, what="the list")
        assert app.main.songs.highlighted_song.rank == 1  # the key did nothing else
    again = new_app(intro=True)
    async with again.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: again.painted.is_set(), what="first paint")
        await settle(pilot)
        assert again.screen is again.main  # remembered in the state file: not shown again


async def test_the_intro_closes_by_itself_a_moment_later(tmp_path, monkeypatch):
    from sadtui.tui.screens.words import WordsScreen

    monkeypatch.setattr(WordsScreen, "TIMEOUT", 0.05)
    app = new_app(intro=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.painted.is_set(), what="first paint")
        await wait_for(pilot, lambda: app.screen.id == "words-intro", what="the intro")
        await wait_for(pilot, lambda: app.screen is app.main, what="back to the list")
    key = playlist_key(PLAYLIST.path, PLAYLIST.title)
    assert json.loads(paths.state_file().read_text())["playlists"][key]["intro_shown"] is True
