"""The lyrics pane under Pilot with a fake engine: following time-pos, offsets, romaji, nothing found."""

from __future__ import annotations

import json

import pytest
from textual import events

from fake_engine import FactoryRecorder
from lyrics_server import LyricsServer
from sadtui.model.playlist import load_playlist
from tui_helpers import SadtuiTestApp, engine_ready, screen_text, wait_for, wait_for_text, write_playlist

pytestmark = pytest.mark.tui

LRC = "[ti:Own]\n[00:01.00]君の名前を呼んだ\n[00:02.00]second line\n[00:03.00]third line\n[00:04.00]fourth line\n"


@pytest.fixture(scope="module")
def lrclib():
    with LyricsServer() as server:
        yield server


@pytest.fixture
def playlist(tmp_path):
    (tmp_path / "own.lrc").write_text(LRC, encoding="utf-8")
    (tmp_path / "plain.txt").write_text("just words\nmore words\n", encoding="utf-8")
    path = write_playlist(tmp_path / "list.toml", [
        {"rank": 1, "title": "Own", "lyrics": "own.lrc", "description": "d"},
        {"rank": 2, "title": "Plain", "lyrics": "plain.txt"},
        {"rank": 3, "title": "Exact online", "artist": "Test"},
        {"rank": 4, "title": "Nothing online", "artist": "Test"},
    ])
    return load_playlist(path)


def make(playlist, lrclib, **kwargs):
    recorder = FactoryRecorder()
    app = SadtuiTestApp(playlist, engine_factory=recorder, lyrics_url=lrclib.url, **kwargs)
    return app, recorder


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def open_lyrics(pilot):
    await pilot.press("l")
    pane = await wait_for(pilot, lambda: pilot.app.main.lyrics_pane, what="lyrics pane")
    pane.clock = FakeClock()
    return pane


async def test_the_pane_follows_the_position_of_the_playing_song(playlist, lrclib):
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        pane = await open_lyrics(pilot)
        await wait_for(pilot, lambda: pane.lyrics is not None, what="lyrics of the highlighted song")
        assert pane.current is None  # nothing plays: no line is sung
        await pilot.press("enter")
        engine.progress(2.5)
        await wait_for(pilot, lambda: pane.current == 1, what="second line")
        assert pane._lines[1].has_class("-current") and not pane._lines[0].has_class("-current")
        text = screen_text(app)
        assert "second line" in text and "Lyrics" in text
        engine.progress(3.2)
        await wait_for(pilot, lambda: pane.current == 2, what="third line")
        assert not pane._lines[1].has_class("-current")
        engine.progress(0.2)  # seeking back: before the first line
        await wait_for(pilot, lambda: pane.current is None, what="no line")


async def test_between_reports_the_line_moves_on_the_clock(playlist, lrclib):
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        pane = await open_lyrics(pilot)
        await pilot.press("enter")
        engine.progress(1.9)
        await wait_for(pilot, lambda: pane.current == 0)
        pane.clock.now += 1.5  # 3.4 s into the song, with no report since 1.9 s
        await wait_for(pilot, lambda: pane.current == 2, what="the timer set for the next line")


async def test_offset_keys_shift_and_are_remembered(playlist, lrclib, tmp_path):
    state = tmp_path / "state.json"
    app, recorder = make(playlist, lrclib)
    app.memory.store.path = state
    async with app.run_test(size=(140, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        pane = await open_lyrics(pilot)
        await pilot.press("enter")
        engine.progress(2.2)
        await wait_for(pilot, lambda: pane.current == 1)
        await pilot.press("right_square_bracket")  # lines 0.5 s later: 2.2 s is still line 0
        assert pane.time_offset == 0.5
        await wait_for(pilot, lambda: pane.current == 0)
        assert "offset +0.5 s" in str(pane.border_title)
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert pane.time_offset == -0.5
        await wait_for(pilot, lambda: pane.current == 1)
    offsets = json.loads(state.read_text())["lyrics_offsets"]
    assert list(offsets.values()) == [-0.5]
    again, recorder = make(playlist, lrclib)
    again.memory.store.path = state
    async with again.run_test(size=(140, 40)) as pilot:
        await engine_ready(pilot, recorder)
        pane = await open_lyrics(pilot)
        await wait_for(pilot, lambda: pane.lyrics is not None)
        assert pane.time_offset == -0.5


async def test_plain_lyrics_have_no_highlight_and_scroll(playlist, lrclib):
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("j")
        pane = await open_lyrics(pilot)
        await wait_for_text(pilot, "more words")
        await pilot.press("enter")
        engine.progress(50.0)
        await pilot.pause(0.05)
        assert pane.lyrics is not None and not pane.lyrics.synced and pane.current is None


async def test_online_lyrics_and_no_lyrics_found(playlist, lrclib):
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        pane = await open_lyrics(pilot)
        await pilot.press("3", "enter")
        await wait_for(pilot, lambda: engine.called("play"))
        engine.progress(0.5)  # it sounds: now the lyrics are looked up
        await wait_for(pilot, lambda: pane.song.rank == 3 and pane.lyrics is not None, what="rank 3's lyrics")
        assert [line.text for line in pane.lyrics.lines] == ["君の名前を", "second line", "third line"]
        await pilot.press("4", "enter")
        await wait_for(pilot, lambda: engine.status.rank == 4)
        engine.progress(0.5)
        await wait_for_text(pilot, "No lyrics found.")


async def test_romaji_under_japanese_lines(playlist, lrclib):
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        await engine_ready(pilot, recorder)
        pane = await open_lyrics(pilot)
        await wait_for(pilot, lambda: pane.lyrics is not None)
        await pilot.press("R")
        await wait_for_text(pilot, "namae", timeout=20)  # pykakasi's dictionaries load once
        text = screen_text(app)
        assert text.count("namae") == 1  # only under the Japanese line
        assert "romaji" in str(pane.border_title)
        await pilot.press("R")
        await wait_for(pilot, lambda: "namae" not in screen_text(app))


async def test_l_hides_it_again_and_romaji_without_the_pane_is_a_notice(playlist, lrclib):
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        await engine_ready(pilot, recorder)
        await pilot.press("R")
        assert any("open the lyrics with l" in notice for notice in app.notices)
        pane = await open_lyrics(pilot)
        await pilot.press("l")
        assert not pane.display
        await pilot.press("l")
        assert pane.display


async def test_without_the_pane_nothing_is_asked_or_mounted(playlist, lrclib):
    lrclib.requests.clear()
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("3", "enter")
        engine.progress(2.0)
        await pilot.pause(0.1)
        assert app.main.lyrics_pane is None
        assert not app.main.query("LyricsPane")
    assert lrclib.requests == []


# ====================================================================== artwork


def _png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (300, 300), (10, 200, 90)).save(out, format="PNG")
    return out.getvalue()


async def _thumbnail(pilot, engine, url):
    from dataclasses import replace

    from sadtui.services.events import StatusChanged

    engine.emit(StatusChanged(replace(engine.status, thumbnail=url, position=1.0)))  # sounding


async def test_artwork_is_drawn_and_a_broken_one_is_hidden(playlist, lrclib):
    lrclib.images["good.png"] = ("image/png", _png())
    lrclib.images["bad.png"] = ("image/png", b"\x89PNG\r\n\x1a\nbroken")
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("enter")
        await wait_for(pilot, lambda: engine.called("play"))
        await _thumbnail(pilot, engine, f"{lrclib.url}/art/good.png")
        art = await wait_for(pilot, lambda: app.main.artwork, what="artwork mounted")
        await wait_for(pilot, lambda: art.has_class("-shown"), what="artwork shown", timeout=10)
        assert type(art.children[0]).__module__.startswith("textual_image")
        await wait_for(pilot, lambda: art.region.width > 0 and art.region.height > 0, what="laid out")
        await _thumbnail(pilot, engine, f"{lrclib.url}/art/bad.png")
        await wait_for(pilot, lambda: not art.has_class("-shown") and art.url.endswith("bad.png"))
        await wait_for(pilot, lambda: not art.children, what="the image removed")  # removal is a message
        assert "#1" in app.main.now_playing.line_text  # the app goes on


async def test_artwork_off_mounts_nothing(playlist, lrclib):
    lrclib.images["good.png"] = ("image/png", _png())
    lrclib.requests.clear()
    app, recorder = make(playlist, lrclib, artwork=False)
    async with app.run_test(size=(140, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("enter")
        await _thumbnail(pilot, engine, f"{lrclib.url}/art/good.png")
        await wait_for(pilot, lambda: app.main.status.thumbnail is not None)
        await pilot.pause(0.1)
        assert app.main.artwork is None and not app.main.query("Artwork")
    assert lrclib.requests == []


async def test_when_nothing_plays_the_pane_follows_the_resting_highlight(playlist, lrclib):
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        await engine_ready(pilot, recorder)
        pane = await open_lyrics(pilot)
        await wait_for(pilot, lambda: pane.song is not None and pane.song.rank == 1)
        lrclib.requests.clear()
        # To rank 4 in one burst, through 2 and 3 without resting on them (Pilot's press() waits
        # for the app after each key: on a busy machine that can outlast the 0.3 s of rest).
        for _ in range(3):
            app.post_message(events.Key("j", "j"))
        await wait_for(pilot, lambda: pane.song is not None and pane.song.rank == 4, what="rank 4's lyrics")
        await wait_for_text(pilot, "No lyrics found.")
        assert not any("Exact" in request for request in lrclib.requests)  # rank 3 was never looked up


async def test_nothing_is_looked_up_or_fetched_until_the_song_sounds(playlist, lrclib):
    from dataclasses import replace

    from sadtui.services.events import State, StatusChanged

    lrclib.images["good.png"] = ("image/png", _png())
    app, recorder = make(playlist, lrclib)
    async with app.run_test(size=(140, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        pane = await open_lyrics(pilot)
        await wait_for(pilot, lambda: pane.song is not None and pane.song.rank == 1 and pane.lyrics is not None)
        lrclib.requests.clear()
        starting = replace(engine.status, state=State.RESOLVING, rank=3, title="Exact online",
                           thumbnail=f"{lrclib.url}/art/good.png")
        engine.emit(StatusChanged(starting))
        await wait_for(pilot, lambda: app.main.status.rank == 3)
        await pilot.pause(0.2)
        assert lrclib.requests == []  # neither the lyrics nor the artwork while it starts
        assert pane.song.rank == 1  # the pane waits too
        engine.emit(StatusChanged(replace(starting, state=State.PLAYING, position=0.1)))
        await wait_for_text(pilot, "third line")
        await wait_for(pilot, lambda: any("/art/good.png" in r for r in lrclib.requests), what="artwork fetched")
