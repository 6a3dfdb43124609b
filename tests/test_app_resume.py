"""Remembered across runs: volume, mute, order and repeat; per playlist the last song
played and its position; `resume` continues it from there (fake engine, real state file)."""

from __future__ import annotations

import json

import pytest

from fake_engine import FactoryRecorder
from sadtui.model import paths
from sadtui.model.playlist import load_playlist
from sadtui.model.state import StateStore, playlist_key
from sadtui.services.events import Order, Repeat, State
from tui_helpers import SadtuiTestApp, engine_ready, wait_for

pytestmark = pytest.mark.tui

PLAYLIST = load_playlist()
KEY = playlist_key(PLAYLIST.path, PLAYLIST.title)


def new_app(**kwargs):
    recorder = FactoryRecorder()
    return SadtuiTestApp(PLAYLIST, engine_factory=recorder, **kwargs), recorder


async def play_and_set_up():
    app, recorder = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("j", "j", "j", "j", "enter")  # rank 5
        await wait_for(pilot, lambda: app.main.status.state is State.PLAYING, what="playing")
        engine.progress(83.4)
        await wait_for(pilot, lambda: app.main.status.position == 83.4, what="position")
        await pilot.press("-", "-", "m", "o", "r", "r")
        await wait_for(pilot, lambda: app.main.status.repeat is Repeat.ALL, what="settings")
        await pilot.press("k", "k")  # the highlight moves on: rank 3
    return app


async def test_settings_and_the_last_song_are_saved_on_quit():
    await play_and_set_up()
    saved = json.loads(paths.state_file().read_text(encoding="utf-8"))
    assert saved["playback"] == {"volume": 90, "muted": True, "order": "countdown", "repeat": "all",
                                 "audio_device": None}
    assert saved["playlists"][KEY] == {"rank": 3, "panel": None, "played": 5, "position": 83.4}


async def test_the_next_run_has_the_settings_but_plays_nothing_without_resume():
    await play_and_set_up()
    app, recorder = new_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await wait_for(pilot, lambda: engine.called("restore"), what="restore")
        assert engine.called("restore") == [(90, True, Order.COUNTDOWN, Repeat.ALL)]
        await wait_for(pilot, lambda: app.main.status.repeat is Repeat.ALL, what="status shows it")
        assert app.main.status.volume == 90 and app.main.status.muted
        assert app.songs.highlighted_song.rank == 3  # the list opens where it was
        await pilot.pause()  # (a resume would have played in the same call as the restore)
        assert not engine.called("play")


async def test_resume_plays_the_last_song_from_where_it_stopped():
    await play_and_set_up()
    app, recorder = new_app(resume=True)
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await wait_for(pilot, lambda: engine.called("play"), what="play")
        assert engine.called("play") == [(5, 83.4)]
        assert app.songs.highlighted_song.rank == 5  # the list opens on the song that plays
        await wait_for(pilot, lambda: app.main.status.position == 83.4, what="at 83.4")


async def test_a_volume_option_wins_over_the_remembered_volume():
    await play_and_set_up()
    app, recorder = new_app(mpv_options=("volume=60",))
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await wait_for(pilot, lambda: engine.called("restore"), what="restore")
        assert engine.called("restore") == [(None, True, Order.COUNTDOWN, Repeat.ALL)]


def test_a_hand_edited_state_file_with_bad_values_is_ignored_value_by_value(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({
        "version": 1,
        "playback": {"volume": 999, "muted": "yes", "order": "countdown", "repeat": "sometimes"},
        "playlists": {"k": {"rank": 2, "panel": None, "played": True, "position": -4}},
    }))
    remembered, notice = StateStore(path, "k").load()
    assert notice is None
    assert (remembered.volume, remembered.muted, remembered.order, remembered.repeat) == (None, None, "countdown", None)
    assert remembered.rank == 2 and remembered.played is None and remembered.position is None


def test_saving_the_place_only_keeps_the_last_song_played(tmp_path):
    store = StateStore(tmp_path / "state.json", "k")
    assert store.save(theme=None, rank=1, panel=None, played=(4, 12.0), playback={"volume": 50})
    assert store.save(theme=None, rank=2, panel="faq")
    remembered, _ = StateStore(tmp_path / "state.json", "k").load()
    assert (remembered.rank, remembered.played, remembered.position, remembered.volume) == (2, 4, 12.0, 50)
