"""The TUI's library keys against a real yt-dlp with a loopback search: `v` picks and
pins a version, `d` keeps a song, the list marks it and `:kept` filters it."""

from __future__ import annotations

import pytest

from sadtui.model.playlist import Playlist, Song
from sadtui.services.library import Library
from sadtui.services.pins import PinStore
from sadtui.tui.widgets.song_list import KEPT_MARK
from search_support import use_loopback_search
from tui_helpers import engine_ready, make_app, screen_text, wait_for, wait_for_text

pytestmark = pytest.mark.e2e

SONGS = (
    Song(1, "Sadness and Sorrow", anime="Naruto", query="Sadness and Sorrow Naruto OST"),
    Song(2, "Unravel", anime="Tokyo Ghoul", query="Unravel Tokyo Ghoul"),
)


@pytest.fixture
def playlist(tmp_path):
    return Playlist("Mine", SONGS, path=str(tmp_path / "mine.toml"))


@pytest.fixture
def search(monkeypatch, audio_server):
    return use_loopback_search(monkeypatch, [
        (audio_server.url("/long.wav"), "Sadness and Sorrow 1 hour loop", "Loops", 3600.0),
        (audio_server.url("/a.wav"), "Naruto OST - Sadness and Sorrow", "Toshio Masuda - Topic", 183.0),
        (audio_server.url("/b.wav"), "Sadness and Sorrow \x1b[31m(piano cover)", "Pianist", 190.0),
    ])


async def test_v_lists_versions_and_enter_pins_and_plays_one(playlist, search, audio_server):
    app, recorder = make_app(playlist)
    async with app.run_test(size=(120, 36)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.press("v")
        text = await wait_for_text(pilot, "Toshio Masuda - Topic", timeout=20)
        assert "1 hour loop" in text and "\\x1b[31m(piano cover)" in text  # outside text escaped
        assert "3:03" in text and "versions, best match first" in text
        screen = app.screen
        assert screen.candidates[0].url == audio_server.url("/a.wav")
        await pilot.press("down", "enter")  # the second-best
        chosen = screen.candidates[1]
        await wait_for(pilot, lambda: engine.called("play") == [(1,)], what="#1 played")
        pin = PinStore(playlist).get(SONGS[0])
        assert pin is not None and pin.url == chosen.url and pin.channel == chosen.channel
        await wait_for_text(pilot, "Plays: Sadness and Sorrow \\x1b[31m(piano cover) · Pianist")


async def test_d_keeps_the_song_marks_it_and_kept_filters(playlist, search, audio_server):
    app, recorder = make_app(playlist)
    async with app.run_test(size=(120, 36)) as pilot:
        await engine_ready(pilot, recorder)
        glyph = KEPT_MARK[0]  # the list's kept mark (a glyph and a colour)
        assert glyph not in screen_text(app)
        await pilot.press("d")
        await wait_for(pilot, lambda: 1 in app.main.songs.kept, timeout=30, what="#1 kept")
        pin = PinStore(playlist).get(SONGS[0])
        assert pin is not None and pin.url == audio_server.url("/a.wav")  # the best match, pinned
        kept = Library().entry(PinStore(playlist).apply(SONGS[0]))
        assert kept is not None and kept.path.read_bytes() == audio_server.files["/a.wav"][0]
        text = await wait_for_text(pilot, "· kept")
        rows = {line for line in text.splitlines() if "Sadness and Sorrow" in line or "Unravel" in line}
        assert any(glyph in row and "Sadness and Sorrow" in row for row in rows)
        assert not any(glyph in row and "Unravel" in row for row in rows)
        await pilot.press("slash", *":kept", "enter")
        await wait_for(pilot, lambda: [s.rank for s in app.main.songs.visible_songs] == [1], what=":kept filter")


async def test_download_all_shows_progress_in_the_list_and_the_bar(tmp_path, routes):
    import threading

    from audio_support import sine_wav
    from sadtui.tui.widgets.song_list import KEEPING_MARK

    body = sine_wav(2.0, 440.0)
    gate = threading.Event()

    def half_then_wait(handler, server) -> None:  # half the song, then the rest once the test says so
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        gate.wait(20)
        handler.wfile.write(body[len(body) // 2:])

    routes.routes["/slow.wav"] = half_then_wait
    routes.routes["/quick.wav"] = lambda handler, server: (
        handler.send_response(200), handler.send_header("Content-Length", str(len(body))),
        handler.end_headers(), handler.wfile.write(body))
    songs = (Song(1, "Slow song", url=routes.url("/slow.wav")), Song(2, "Quick song", url=routes.url("/quick.wav")))
    app, recorder = make_app(Playlist("Mine", songs, path=str(tmp_path / "mine.toml")))
    try:
        async with app.run_test(size=(120, 36)) as pilot:
            await engine_ready(pilot, recorder)
            app.main.action_download_all()
            # #1 is half there: both songs carry the "being kept" mark, the bar names #1 and its share
            await wait_for(pilot, lambda: (app.main.now_playing.keeping or "").startswith("#1 50%"),
                           timeout=20, what="#1 at 50% in the bar")
            text = screen_text(app)
            assert "⇣ #1 50% (1/2)" in text
            rows = [line for line in text.splitlines() if "Slow song" in line or "Quick song" in line]
            assert len(rows) == 2 and all(KEEPING_MARK[0] in row for row in rows), rows
            assert "Keeping #1 (1 of 2) 50%" in text  # under the list
            gate.set()
            await wait_for(pilot, lambda: app.main.songs.kept == frozenset({1, 2}), timeout=20, what="both kept")
            await wait_for(pilot, lambda: app.main.now_playing.keeping is None and not app.main.songs.keeping,
                           what="progress gone")
            text = screen_text(app)
            assert KEEPING_MARK[0] not in text and "Keeping #" not in text
            assert sum(1 for line in text.splitlines() if KEPT_MARK[0] in line) >= 2
    finally:
        gate.set()
