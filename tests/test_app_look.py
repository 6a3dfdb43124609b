"""The look (issue 14) under Pilot with a fake engine: song states in the list, the bar,
the now-playing card, the mouse, the end of the list, spoilers, themes, the palette."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual import events
from textual.widgets import Static

from fake_engine import FakeEngine
from sadtui.model.playlist import load_playlist
from sadtui.services.events import PlaybackEnded, State, Status
from sadtui.tui.messages import EngineNotice
from sadtui.tui.widgets.card import card_text
from sadtui.tui.widgets.now_playing import END_OF_LIST
from sadtui.tui.widgets.song_list import column_widths
from tui_helpers import engine_ready, make_app, screen_text, settle, wait_for, wait_for_text

pytestmark = pytest.mark.tui

PLAYLIST = load_playlist()


async def wheel(pilot, widget, down: bool) -> None:
    """One turn of the mouse wheel over `widget` (Pilot has clicks, not the wheel)."""
    kind = events.MouseScrollDown if down else events.MouseScrollUp
    widget.post_message(kind(widget, 2, 2, 0, 1 if down else -1, 0, False, False, False))
    await pilot.pause()


async def playing(pilot, recorder, rank: int = 1) -> FakeEngine:
    app = pilot.app
    engine = await engine_ready(pilot, recorder)
    app.main.go_to_rank(rank)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.main.status.state is State.PLAYING and app.main.status.rank == rank,
                   what=f"playing #{rank}")
    return engine


def row_of(app, rank: int) -> str:
    lines = screen_text(app).splitlines()
    title = PLAYLIST.song(rank).title
    return next(line for line in lines if f"{rank:>2}. {title}" in line)


def test_columns_adapt_to_the_width():
    assert column_widths(40, 2, False)[1:] == (0, 0, 0)  # rank and title only
    title, anime, artist, _ = column_widths(60, 2, True)
    assert title > 0 and anime > 0 and artist == 0
    title, anime, artist, duration = column_widths(120, 2, True)
    assert min(title, anime, artist, duration) > 0 and title + anime + artist + duration + 2 + 4 + 4 == 120


async def test_the_list_shows_title_anime_and_artist_in_aligned_columns():
    app, _ = make_app()
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        rows = [row_of(app, rank) for rank in (1, 23, 25)]
        for rank, row in zip((1, 23, 25), rows, strict=True):
            song = PLAYLIST.song(rank)
            assert song.anime[:10] in row and song.artist[:6] in row
        columns = {row.index(PLAYLIST.song(rank).anime[:10]) for rank, row in zip((1, 23, 25), rows, strict=True)}
        assert len(columns) == 1  # the anime column starts at the same cell in every row


async def test_song_states_have_a_glyph_each_and_the_failure_reason_shows_in_the_details():
    app, recorder = make_app(fail={3: "HTTP 404 from 127.0.0.1"})
    async with app.run_test(size=(120, 40)) as pilot:
        await playing(pilot, recorder, rank=1)
        assert row_of(app, 1).lstrip("▊ ").startswith("▶")
        await pilot.press("space")
        await wait_for(pilot, lambda: app.main.status.state is State.PAUSED)
        await wait_for(pilot, lambda: row_of(app, 1).lstrip("▊ ").startswith("‖"), what="paused mark")
        app.main.go_to_rank(3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.songs.mark_of(3) == "failed", what="failed mark")
        await wait_for(pilot, lambda: row_of(app, 3).lstrip("▊ ").startswith("✗"), what="✗ in the list")
        await wait_for_text(pilot, "Can't play: HTTP 404 from 127.0.0.1")
        app.songs.kept = frozenset({2})
        await wait_for(pilot, lambda: "↓" in row_of(app, 2), what="kept mark")


async def test_the_bar_and_the_card_show_the_song_the_recording_and_what_comes_next():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await playing(pilot, recorder, rank=5)
        engine.progress(75.0)
        await wait_for(pilot, lambda: "1:15 / 3:20  -2:05" in app.main.now_playing.line_text, what="times")
        song = PLAYLIST.song(5)
        assert f"#5 {song.title} · {song.anime}" in app.main.now_playing.line_text
        card = app.main.details.card.text
        assert "Recording: " + song.title in card and "A Channel" in card
        assert "1:15 elapsed · 2:05 left" in card and f"Up next: #6 {PLAYLIST.song(6).title}" in card
        widths = set()
        for key in ("minus", "m", "o", "r"):
            await pilot.press(key)
            await settle(pilot)
            widths.add(app.main.now_playing.bar_width())
            line = screen_text(app).splitlines()[-2]
            widths.add(line.index("vol"))
        assert len(widths) == 2  # the progress bar never changes width (bar_width, and where "vol" starts)
        app.main.now_playing.keeping = "#9 45% (2/26)"  # a download in progress: at the right end
        await settle(pilot)
        top = app.main.now_playing.line_text.splitlines()[0]
        assert top.endswith("⇣ #9 45% (2/26)") and "1:15 / 3:20" in top and f"#5 {song.title}" in top
        app.main.now_playing.keeping = None
        await settle(pilot)
        assert "⇣" not in app.main.now_playing.line_text


def test_the_card_keeps_its_height_as_a_song_starts():
    song = PLAYLIST.song(5)
    base = Status(rank=5, title=song.title, up_next=6)
    resolving = card_text(PLAYLIST, replace(base, state=State.RESOLVING))
    playing_ = card_text(PLAYLIST, replace(base, state=State.PLAYING, position=0.0, duration=200.0,
                                           recording_title=song.title, recording_channel="A Channel"))
    assert "-:-- elapsed" in resolving.plain and "0:00 elapsed · 3:20 left" in playing_.plain
    assert resolving.plain.count("\n") == playing_.plain.count("\n")


async def test_position_reports_redraw_the_card_without_a_new_layout(monkeypatch):
    """A layout is of the whole screen: the card asks for one only when its height changes,
    not for every position report (several a second, and while a song starts)."""
    asked: list[bool] = []
    real = Static.update

    def update(self, content="", *, layout=True):
        if self.id == "card-text":
            asked.append(layout)
        return real(self, content, layout=layout)

    monkeypatch.setattr(Static, "update", update)
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await playing(pilot, recorder, rank=5)
        await settle(pilot)
        card = app.main.details.card
        height = card.size.height
        asked.clear()
        for seconds in (1.0, 2.0, 3.0):
            engine.progress(seconds)
            await wait_for(pilot, lambda seconds=seconds: f"0:0{int(seconds)} elapsed" in card.text, what="position")
        await pilot.pause()
        assert asked and not any(asked)
        assert card.size.height == height


async def test_n_on_the_last_song_ends_the_list_and_enter_plays_from_the_top():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder, rank=26)
        await pilot.press("n")
        await wait_for_text(pilot, END_OF_LIST)
        assert app.songs.highlighted_song.rank == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.status.rank == 1 and app.main.status.state is State.PLAYING)
        assert END_OF_LIST not in screen_text(app) and engine.called("play")[-1] == (1,)


async def test_p_after_3_s_restarts_and_p_on_the_first_song_restarts_it():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await playing(pilot, recorder, rank=1)
        await pilot.press("p")
        await wait_for(pilot, lambda: engine.called("previous") == [()])
        assert app.main.status.rank == 1
        app.main.go_to_rank(4)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.status.rank == 4)
        engine.progress(3.5)
        await wait_for(pilot, lambda: app.main.status.position == 3.5)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.main.status.position == 0.0, what="restarted")
        assert app.main.status.rank == 4


async def test_the_mouse_clicks_double_clicks_scrolls_and_seeks():
    app, recorder = make_app()
    async with app.run_test(size=(100, 24)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await pilot.click(app.songs, offset=(5, 3))
        await wait_for(pilot, lambda: app.songs.highlighted_song.rank == 3, what="click highlights")
        assert engine.called("play") == []
        await pilot.double_click(app.songs, offset=(5, 2))
        await wait_for(pilot, lambda: engine.called("play") == [(2,)], what="double-click plays")
        await wait_for(pilot, lambda: app.main.status.state is State.PLAYING)
        bar = app.main.now_playing
        width = bar.bar_width()
        await pilot.click(bar, offset=(1 + width // 2, 1))  # padding 1, then the progress bar
        await wait_for(pilot, lambda: engine.called("seek"), what="a click on the bar seeks")
        (seconds, relative), = engine.called("seek")
        assert relative is False and abs(seconds - 100.0) < 200.0 / width * 2
        app.main.go_to_rank(26)
        await settle(pilot)
        top = app.songs.scroll_offset.y
        assert top > 0
        await wheel(pilot, app.songs, down=False)
        await wait_for(pilot, lambda: app.songs.scroll_offset.y < top, what="the wheel scrolls the list")


async def test_the_wheel_scrolls_the_details_pane():
    app, _ = make_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        app.main.go_to_rank(3)
        details = app.main.details
        await wait_for(pilot, lambda: details.settled and details.max_scroll_y > 0, what="a long description")
        await wheel(pilot, details, down=True)
        await wait_for(pilot, lambda: details.scroll_y > 0, what="the wheel scrolls the details")


async def test_a_spoiler_hides_the_description_until_x():
    song = PLAYLIST.song(26)
    assert song.spoiler
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main.go_to_rank(26)
        await wait_for_text(pilot, f"Spoiler for {song.anime}: x to show")
        assert "Maes Hughes" not in screen_text(app)
        await pilot.press("x")
        await wait_for_text(pilot, "Maes Hughes")
        assert "x to show" not in screen_text(app)
        app.main.go_to_rank(2)  # no spoiler: x says so
        await settle(pilot)
        await pilot.press("x")
        await wait_for(pilot, lambda: "No spoiler to show here." in app.notices)


async def test_the_closing_word_follows_a_full_run_in_rank_order():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        from sadtui.services.events import SongFinished

        for song in PLAYLIST.songs:
            app.main.post_message(EngineNotice(SongFinished(song.rank)))
        app.main.post_message(EngineNotice(PlaybackEnded("done")))
        await wait_for(pilot, lambda: app.screen.id == "words-outro", what="the closing word")
        await pilot.press("space")
        await wait_for(pilot, lambda: app.screen is app.main)
        assert engine.called("toggle_pause") == [] and engine.called("play") == []  # the key only closed it


async def test_sadtui_themes_are_the_default_and_the_palette_has_one_help():
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "sadtui" and "sadtui-light" in app.available_themes
        assert "textual-dark" in app.available_themes  # beside Textual's
        titles = [command.title for command in app.get_system_commands(app.main)]
        assert "Keys" not in titles
        assert sum(title.startswith("Help") for title in titles) == 1
        assert sum(title.startswith("Show spoiler") for title in titles) == 1


async def test_at_60_columns_the_footer_keeps_every_key_whole():
    from tui_helpers import make_app, screen_text

    for width in (60, 80, 120):
        app, _ = make_app()
        async with app.run_test(size=(width, 20)) as pilot:
            await pilot.pause()
            footer = screen_text(app).splitlines()[-1]
            assert "q Quit" in footer, (width, footer)  # the last key fits: none cut mid-word
            assert ("^p palette" in footer) is (width >= 80)


async def test_the_bar_draws_a_new_frame_only_when_what_it_shows_changes():
    from dataclasses import replace

    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await playing(pilot, recorder, rank=5)
        bar = app.main.now_playing
        base = replace(bar.status, state=State.PLAYING, position=10.5, duration=200.0)
        bar.status = base
        await settle(pilot)
        refreshed: list[int] = []
        original = bar.refresh
        bar.refresh = lambda *a, **k: (refreshed.append(1), original(*a, **k))[1]
        bar.status = replace(base, position=10.55)  # same seconds shown, same half cell
        assert refreshed == []
        bar.status = replace(base, position=11.0)  # the time shown changes
        assert refreshed == [1]
        bar.status = replace(base, position=11.0, volume=50)  # a setting changes
        assert refreshed == [1, 1]
        await settle(pilot)
        assert "0:11 / 3:20" in bar.line_text and "vol 50" in bar.line_text
