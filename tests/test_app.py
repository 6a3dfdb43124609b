"""The TUI with Pilot: layout, every browsing key, panels, help, palette, mouse."""

from __future__ import annotations

import pytest
from textual import events
from textual.command import CommandPalette
from textual.widgets import Input, Markdown, OptionList

from sadtui.model.playlist import load_playlist
from sadtui.tui.keymap import BUILTIN_KEYS, KEYS, palette_entries
from tui_helpers import engine_ready, make_app, screen_text, settle, wait_for, wait_for_text

pytestmark = pytest.mark.tui

PLAYLIST = load_playlist()
TITLES = {song.rank: song.title for song in PLAYLIST.songs}


def expected_ranks(query: str) -> list[int]:
    """The filter's answer, worked out independently of the app."""
    terms = query.lower().split()
    out = []
    for song in PLAYLIST.songs:
        fields = [song.title, song.anime or "", song.artist or "", song.description or ""]
        if all(any(term in field.lower() for field in fields) for term in terms):
            out.append(song.rank)
    return out


def rank_of(app) -> int:
    song = app.songs.highlighted_song
    assert song is not None
    return song.rank


# ---------------------------------------------------------------- layout


async def test_header_list_details_footer_bar():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert PLAYLIST.title in text.splitlines()[0]
        assert "1. Sadness and Sorrow" in text
        assert "Naruto" in text
        assert "#1  Sadness and Sorrow" in text  # details heading
        assert "Artist: Toshio Masuda" in text
        assert "Spoiler for Naruto: x to show" in text  # the description tells of a death: hidden
        assert "Toshio Masuda wrote this quiet instrumental" not in text
        assert "Filter" in text and "Help" in text and "Quit" in text  # footer hints
        assert app.focused is app.songs


async def test_side_by_side_from_100_columns_and_stacked_below():
    app, _ = make_app()
    async with app.run_test(size=(200, 60)) as pilot:
        await settle(pilot)
        songs, details = app.songs.region, app.main.details.region
        assert details.x > songs.x and details.y == songs.y - 0 or details.x > songs.right - 1
        assert songs.width > 40 and details.width > 60
        await pilot.resize_terminal(80, 24)
        await wait_for(pilot, lambda: app.main.details.region.y > app.songs.region.y, what="stacked")
        songs, details = app.songs.region, app.main.details.region
        assert details.x == songs.x
        assert songs.width >= 76 and details.width >= 76
        assert songs.height >= 5 and details.height >= 5
        text = screen_text(app)
        assert "1. Sadness and Sorrow" in text and "#1  Sadness and Sorrow" in text
        await pilot.resize_terminal(100, 30)
        await wait_for(pilot, lambda: app.main.details.region.x > app.songs.region.x, what="side by side")


async def test_details_follow_the_highlight_immediately():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")
        assert rank_of(app) == 2
        assert app.main.details.song.rank == 2  # same tick: no wait needed
        await settle(pilot)
        assert "The title means “My Most Precious Treasure”" in screen_text(app)


async def test_the_heading_changes_in_the_same_call_as_the_highlight():
    # No message round trip: the heading is drawn in the same frame as the list.
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.songs.action_last()
        assert app.main.details.song.rank == 26  # before any await: nothing was queued
        head = app.main.details.query_one("#details-head")
        assert "#26" in str(head.render())
        app.songs.highlighted = 4
        assert app.main.details.song.rank == 5
        await settle(pilot)
        assert TITLES[5] in screen_text(app)


async def test_the_heading_is_drawn_before_the_description_is_rebuilt(monkeypatch):
    # Markdown.update() mounts inside a batch that holds back screen updates:
    # it must start only after a frame has shown the new highlight and heading.
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        frames: list[int] = []
        markdown = app.main.details.query_one("#details-body", Markdown)
        updates: list[int] = []
        real_update = markdown.update
        monkeypatch.setattr(markdown, "update", lambda text: (updates.append(len(frames)), real_update(text))[1])
        app.songs.action_last()
        app.call_after_refresh(frames.append, 1)  # the screen has been refreshed since the move
        await settle(pilot)
        assert updates, "the description was never rebuilt"
        assert updates[0] > 0
        assert TITLES[26] in screen_text(app)


async def test_notices_stack_above_the_now_playing_bar():
    app, _ = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.notify("A notice", markup=False, timeout=30)
        toast = await wait_for(pilot, lambda: next(iter(app.screen.query("Toast")), None), what="toast")
        await pilot.pause()
        assert toast.region.bottom <= app.main.now_playing.region.y


# ---------------------------------------------------------------- moving


async def test_down_up_j_k():
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("down", "down", "j")
        assert rank_of(app) == 4
        await pilot.press("up", "k")
        assert rank_of(app) == 2
        await pilot.press("k", "k", "up")
        assert rank_of(app) == 1  # stops at the top


async def test_first_last_g_G_home_end():
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("G")
        assert rank_of(app) == 26
        await pilot.press("g")
        assert rank_of(app) == 1
        await pilot.press("end")
        assert rank_of(app) == 26
        await pilot.press("home")
        assert rank_of(app) == 1


async def test_page_down_and_up():
    app, _ = make_app()
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.press("pagedown")
        first = rank_of(app)
        assert 5 <= first < 26
        await pilot.press("pagedown", "pagedown", "pagedown")
        assert rank_of(app) == 26
        await pilot.press("pageup")
        assert rank_of(app) < 26
        await pilot.press("pageup", "pageup", "pageup")
        assert rank_of(app) == 1


async def test_typing_a_rank_jumps_to_it():
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.main.rank_entry.timeout = 60  # the test drives the pause itself
        await pilot.press("1")
        assert rank_of(app) == 1 and "Go to rank 1…" in screen_text(app)
        await pilot.press("7")  # no rank 170-179: unambiguous, jumps at once
        assert rank_of(app) == 17
        assert app.songs.border_title == "Songs"
        await pilot.press("9")  # no rank 90-99: at once
        assert rank_of(app) == 9
        await pilot.press("2")  # 20-26 exist: waits
        assert rank_of(app) == 9
        app.main.rank_entry.finish()  # what the timer does after the pause
        await pilot.pause()
        assert rank_of(app) == 2
        await pilot.press("2", "6")
        assert rank_of(app) == 26


async def test_rank_jump_after_the_timeout():
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.main.rank_entry.timeout = 0.2
        await pilot.press("G", "2")  # 20-26 exist: "2" is taken after the pause
        await wait_for(pilot, lambda: rank_of(app) == 2, timeout=3, what="jump after pause")
        assert app.songs.border_title == "Songs"


async def test_a_non_digit_key_takes_the_typed_rank_first_and_escape_cancels_it():
    app, recorder = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        app.main.rank_entry.timeout = 60
        await pilot.press("G", "1", "j")  # 10-19 exist: '1' waits; 'j' takes rank 1, then moves down
        assert rank_of(app) == 2 and app.songs.border_title == "Songs"
        await pilot.press("G", "2", "enter")  # plays rank 2, not the song highlighted before
        await wait_for(pilot, lambda: engine.called("play") == [(2,)], what="rank 2 played")
        await pilot.press("G", "1", "escape")  # Escape only cancels the rank
        assert rank_of(app) == 26 and app.songs.border_title == "Songs"
        app.main.rank_entry.finish()
        assert rank_of(app) == 26
        await pilot.press("2", "9")  # there is no rank 29
        assert rank_of(app) == 26
        await wait_for(
            pilot,
            lambda: any("No song with rank 29" in n for n in app.notices),
            what="notice",
        )


# ---------------------------------------------------------------- filter


async def test_filter_is_incremental_shows_n_of_m_enter_keeps_escape_clears():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*"naru")
        assert [s.rank for s in app.songs.visible_songs] == [1, 11, 13]
        text = await wait_for_text(pilot, "3 of 26")
        assert "Sadness and Sorrow" in text and "Utakata Hanabi" in text
        assert "Silver Sky" not in text
        await pilot.press("enter")  # keep the filter, back to the list
        assert app.focused is app.songs
        assert app.songs.filter_text == "naru" and app.songs.option_count == 3
        await pilot.press("j")
        assert rank_of(app) == 11
        assert app.songs.border_title == "Songs · 3 of 26"
        app.main.rank_entry.timeout = 60
        await pilot.press("1")
        assert "Go to rank 1…" in screen_text(app)
        await pilot.press("right")  # any other key takes the rank first (1 is in the filter)
        assert app.songs.border_title == "Songs · 3 of 26" and rank_of(app) == 1
        await pilot.press("j", "escape")  # Escape clears the filter from the list too
        assert app.songs.option_count == 26 and app.songs.filter_text == ""
        assert rank_of(app) == 11  # the highlight stays on the same song
        assert not app.main.filter_bar.has_class("-active")

        await pilot.press("slash", *"takaramono")
        assert [s.rank for s in app.songs.visible_songs] == [2, 5]
        await pilot.press("escape")  # Escape in the input clears it
        assert app.songs.option_count == 26
        assert app.focused is app.songs


def type_in_one_burst(app, text: str) -> None:
    """Queue every key at once, as a terminal delivers a paste or a fast typist
    (Pilot's press() waits for the app between keys)."""
    names = {"/": "slash", " ": "space"}
    for char in text:
        app.post_message(events.Key(names.get(char, char), char))


async def test_keys_typed_right_after_slash_go_into_the_filter():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await settle(pilot)
        type_in_one_burst(app, "/sorrow")
        await wait_for(pilot, lambda: app.main.filter_bar.value == "sorrow", what="the typed filter")
        await wait_for(pilot, lambda: [s.rank for s in app.songs.visible_songs] == expected_ranks("sorrow"))
        assert engine.calls == [("start", ())]  # s, o, r did not stop, reorder or repeat


async def test_keys_after_enter_or_escape_in_the_same_burst_go_to_the_list():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        engine = await engine_ready(pilot, recorder)
        await settle(pilot)
        matches = expected_ranks("sorrow")
        type_in_one_burst(app, "/sorrow")
        app.post_message(events.Key("enter", "\r"))
        type_in_one_burst(app, "j")
        await wait_for(pilot, lambda: app.focused is app.songs and rank_of(app) == matches[1], what="kept, then j")
        await pilot.pause()  # every message of the burst handled
        assert app.main.filter_bar.value == "sorrow"
        assert [s.rank for s in app.songs.visible_songs] == matches and rank_of(app) == matches[1]

        app.songs.highlight_rank(matches[0])
        type_in_one_burst(app, "/x")
        app.post_message(events.Key("escape", None))
        type_in_one_burst(app, "j")
        await wait_for(pilot, lambda: app.songs.option_count == 26 and rank_of(app) == matches[0] + 1,
                       what="cleared, then j")
        await pilot.pause()
        assert app.main.filter_bar.value == "" and app.songs.option_count == 26
        assert app.focused is app.songs and rank_of(app) == matches[0] + 1
        assert engine.calls == [("start", ())]


async def test_slash_is_an_ordinary_character_in_the_filter_and_the_palette():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", "a", "slash", "b")
        assert app.main.filter_bar.value == "a/b"
        await pilot.press("escape", "ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press("x", "slash")
        assert app.screen.query_one(Input).value == "x/"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))
        await pilot.press("ctrl+p", *"Filter (/")  # the palette's Filter still opens it

        def filter_listed() -> bool:  # the palette searches in the background: wait for its list
            options = app.screen.query_one(OptionList)
            return (options.option_count >= 1 and options.has_class("--visible")
                    and "Filter the list by title" in str(options.get_option_at_index(0).prompt))

        def filter_highlighted() -> bool:
            options = app.screen.query_one(OptionList)
            return options.highlighted == 0

        await wait_for(pilot, filter_listed, what="the Filter command listed")
        await pilot.press("down")  # highlight it: Enter then runs it, however many matched
        await wait_for(pilot, filter_highlighted, what="the Filter command highlighted")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.focused is app.main.filter_bar.input, what="filter focused")


async def test_a_filter_that_matched_nothing_gives_the_highlight_back():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.go_to_rank(6)
        await pilot.press("slash", *"zzz")
        await wait_for(pilot, lambda: app.songs.option_count == 0)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.songs.option_count == 26)
        assert rank_of(app) == 6


async def test_filter_searches_descriptions_and_all_words():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("slash", *"jiraiya")  # only in a description
        assert [s.rank for s in app.songs.visible_songs] == [1]
        app.main.filter_bar.input.value = "Angel  BEATS yui"  # every word, any case, any field
        expected = expected_ranks("angel beats yui")
        assert 2 in expected and len(expected) < 26
        await wait_for(pilot, lambda: [s.rank for s in app.songs.visible_songs] == expected)
        app.main.filter_bar.input.value = "zzzz-no-such-thing"
        await wait_for(pilot, lambda: app.songs.option_count == 0)
        await wait_for_text(pilot, "0 of 26")
        assert "No song matches the filter." in await wait_for_text(pilot, "No song matches")
        await pilot.press("enter")
        await pilot.press("j", "enter")  # nothing highlighted: nothing breaks
        await pilot.press("escape")
        assert app.songs.option_count == 26


# ---------------------------------------------------------------- panels


async def test_faq_panel_opens_scrolls_and_escape_returns():
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f")
        assert app.main.panel == "faq"
        text = await wait_for_text(pilot, PLAYLIST.faq[0].question)
        assert "Sadness and Sorrow" not in text  # the list is hidden
        faq = app.query_one("#faq")
        assert app.focused is faq
        await wait_for(pilot, lambda: faq.max_scroll_y > 0, what="FAQ is scrollable")
        await pilot.press("j", "j", "pagedown")
        assert faq.scroll_y > 0
        await pilot.press("G")
        await wait_for(pilot, lambda: faq.scroll_y == faq.max_scroll_y)
        await wait_for_text(pilot, PLAYLIST.faq[-1].question.strip()[:40])
        await pilot.press("escape")
        assert app.main.panel is None and app.focused is app.songs
        assert "Sadness and Sorrow" in screen_text(app)
        await pilot.press("f", "f")  # f toggles
        assert app.main.panel is None


async def test_about_panel_shows_intro_outro_and_source():
    app, _ = make_app()
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("a")
        assert app.main.panel == "about"
        text = await wait_for_text(pilot, "Twenty-six pieces of anime music")
        assert "Closing word" in text and "That is the whole list." in text
        assert "Source" in text and "Ranking and facts from the article" in text
        await pilot.press("f")  # straight to the FAQ
        assert app.main.panel == "faq"
        await pilot.press("a", "escape")
        assert app.main.panel is None and app.focused is app.songs


async def test_help_screen_lists_every_key():
    from sadtui.tui.screens.help import HelpScreen, help_text

    app, _ = make_app()
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = help_text().plain
        for key in KEYS:
            assert key.display in text and key.help in text, key
        for display, help_line, _group in BUILTIN_KEYS:
            assert display in text and help_line in text
        assert "Keys" in screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark", "question_mark")
        assert not isinstance(app.screen, HelpScreen)
        assert app.focused is app.songs


def test_every_binding_has_a_description_and_is_shown_somewhere():
    from sadtui.tui.screens.main import MainScreen
    from sadtui.tui.widgets.panes import ScrollPane
    from sadtui.tui.widgets.song_list import SongList

    help_lines = {k.help for k in KEYS}
    for owner in (MainScreen, SongList, ScrollPane):
        for binding in owner.BINDINGS:
            assert binding.description, (owner, binding)
            assert binding.show or binding.tooltip in help_lines, (owner, binding)


async def test_tab_moves_focus_between_panes():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.focused is app.songs
        await pilot.press("tab")
        assert app.focused is app.main.details
        await pilot.press("tab")
        assert app.focused is app.songs
        await pilot.press("shift+tab")
        assert app.focused is app.main.details


async def test_reading_keys_scroll_the_focused_details_pane(tmp_path):
    from sadtui.model.playlist import load_playlist as load
    from tui_helpers import write_playlist

    long = " ".join(f"word{i}" for i in range(1200))
    path = write_playlist(tmp_path / "p.toml", [{"rank": 1, "title": "Long", "description": long}])
    app, _ = make_app(load(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        details = app.main.details
        await wait_for(pilot, lambda: details.max_scroll_y > 5)
        await pilot.press("j", "j")
        assert details.scroll_y == 2
        await pilot.press("k")
        assert details.scroll_y == 1
        await pilot.press("G")
        await wait_for(pilot, lambda: details.scroll_y == details.max_scroll_y)
        await pilot.press("g")
        await wait_for(pilot, lambda: details.scroll_y == 0)
        await pilot.press("pagedown")
        assert details.scroll_y > 5
        await pilot.press("g")
        await wait_for(pilot, lambda: details.scroll_y == 0)
        type_in_one_burst(app, "jjj")  # each key from where the last one left off
        await wait_for(pilot, lambda: details.scroll_y == 3, what="three lines down")
        page = details.scrollable_content_region.height
        for _ in range(2):
            app.post_message(events.Key("pagedown", None))
        await wait_for(pilot, lambda: details.scroll_y == min(3 + 2 * page, details.max_scroll_y),
                       what="two pages down")


async def test_the_highlighted_song_stays_in_view_when_the_terminal_shrinks():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.main.go_to_rank(20)
        await pilot.pause()
        await pilot.resize_terminal(60, 15)

        def in_view() -> bool:
            songs = app.songs
            top = songs.scroll_offset.y
            return songs.size.height > 0 and top <= 19 < top + songs.scrollable_content_region.height

        await wait_for(pilot, in_view, what="#20 in view")
        await wait_for_text(pilot, "20. Orange")  # and drawn (the repaint follows the scroll)


# ---------------------------------------------------------------- palette


async def test_command_palette_reaches_every_action():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        for key in palette_entries():
            assert any(title.startswith(key.description) for title in titles), key
        assert "Theme" in titles and "Quit" in titles

        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"FAQ")
        await wait_for_text(pilot, "Show or hide the questions and answers")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.panel == "faq", what="FAQ from the palette")

        await pilot.press("ctrl+p", *"last song")
        await wait_for_text(pilot, "Jump to the last song")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.main.panel is None and rank_of(app) == 26)


async def test_palette_finds_songs_by_rank_and_title():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p", *"utakata")
        await wait_for_text(pilot, "#11  Utakata Hanabi")
        await pilot.press("enter")
        await wait_for(pilot, lambda: rank_of(app) == 11)
        app.main.action_jump_prompt()
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press("1", "7")
        await wait_for_text(pilot, "#17  Fukai Mori")
        await pilot.press("enter")
        await wait_for(pilot, lambda: rank_of(app) == 17)


async def test_palette_theme_changes_the_theme():
    app, _ = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p", *"theme")
        await wait_for_text(pilot, "Change the current theme")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"nord")
        await wait_for_text(pilot, "nord")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "nord")


# ---------------------------------------------------------------- mouse and quit


async def test_click_selects_a_song():
    app, recorder = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        songs = app.songs
        # Row 0 of the list content is rank 1; click the fourth row.
        await pilot.click(songs, offset=(5, 1 + 3))
        assert rank_of(app) == 4
        assert app.main.details.song.rank == 4
        assert not (recorder.engine and recorder.engine.called("play"))


async def test_q_quits():
    app, _ = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, what="app exit")
    assert app.return_code in (0, None)


def test_rank_jumper_waits_only_while_a_longer_rank_is_possible():
    from sadtui.tui.rankjump import Outcome, RankJumper

    jumper = RankJumper([1, 2, 5, 10, 12, 100])
    assert jumper.push(1) == Outcome("1", waiting=True)  # 10, 12, 100 could follow
    assert jumper.push(0) == Outcome("10", waiting=True)  # 100 could follow
    assert jumper.push(0) == Outcome("", jump_to=100)
    assert jumper.push(5) == Outcome("", jump_to=5)  # nothing starts with 5 but 5
    assert jumper.push(3) == Outcome("", missing=3)
    assert jumper.push(0) == Outcome("")  # no rank starts with 0
    assert jumper.push(1).waiting and jumper.expire() == Outcome("", jump_to=1)
    assert jumper.push(1).waiting and jumper.push(1) == Outcome("", missing=11)
    assert jumper.push(1).waiting and jumper.reset() == Outcome("") and jumper.buffer == ""
    assert jumper.expire() == Outcome("")
    assert RankJumper([]).push(1) == Outcome("", missing=1)
