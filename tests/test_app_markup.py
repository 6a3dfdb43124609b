"""Text from a playlist is text, never markup; Unicode and emoji render; a long
description scrolls."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from sadtui.model.playlist import load_playlist
from tui_helpers import make_app, screen_text, settle, wait_for, wait_for_text, write_playlist

pytestmark = pytest.mark.tui

NASTY_TITLE = "[bold]Tears[/] [/]"
NASTY_ANIME = "[link=https://evil.example]click[/link]"
NASTY_ARTIST = "[@click=app.quit]bye[/] $accent"
NASTY_DESCRIPTION = (
    "See [link=https://evil.example]this[/link] and [red on blue]colours[/] "
    "and [b]bold[/b] and [/]."
)
LONG_DESCRIPTION = " ".join(f"line{i:04d}" for i in range(700))  # ~6,300 characters


def nasty_playlist(tmp_path):
    path = write_playlist(
        tmp_path / "nasty.toml",
        [
            {"rank": 1, "title": NASTY_TITLE, "anime": NASTY_ANIME, "artist": NASTY_ARTIST,
             "description": NASTY_DESCRIPTION},
            {"rank": 2, "title": "涙 😢 Ünïcödé ballad", "anime": "アニメ", "description": "悲しい 🎻"},
            {"rank": 3, "title": "Long one", "description": LONG_DESCRIPTION},
        ],
        title="[b]My[/b] list [/]",
        intro="Intro with [i]markup[/i].",
        outro="Outro [/]",
        source="[link=x]source[/link]",
        faq=[("Why [bold]?[/]", "Because [red]reasons[/].")],
    )
    return load_playlist(path)


async def test_titles_and_descriptions_show_exactly_as_written(tmp_path):
    app, _ = make_app(nasty_playlist(tmp_path))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[b]My[/b] list [/]" in text.splitlines()[0]  # the header
        row = next(line for line in text.splitlines() if f"1. {NASTY_TITLE}  " in line)  # the list row
        assert NASTY_ANIME[:20] in row  # as written (cut to its column)
        assert f"#1  {NASTY_TITLE}" in text  # details heading
        assert f"Anime: {NASTY_ANIME}" in text
        assert f"Artist: {NASTY_ARTIST}" in text
        assert "See [link=https://evil.example]this[/link] and [red on blue]colours[/]" in text
        assert "[b]bold[/b] and" in text and "and [/]." in text
        assert app.is_running  # [@click=app.quit] did nothing


async def test_unicode_and_emoji_render(tmp_path):
    app, _ = make_app(nasty_playlist(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("j")
        await settle(pilot)
        text = screen_text(app)
        assert "涙 😢 Ünïcödé ballad" in text
        assert "アニメ" in text
        assert "悲しい 🎻" in text


async def test_a_long_description_scrolls(tmp_path):
    app, _ = make_app(nasty_playlist(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("G")
        await settle(pilot)
        details = app.main.details
        await wait_for(pilot, lambda: details.max_scroll_y > 20, what="long description overflows")
        assert "line0699" not in screen_text(app)
        await pilot.press("tab", "G")
        await wait_for(pilot, lambda: details.scroll_y == details.max_scroll_y)
        await wait_for_text(pilot, "line0699")


async def test_faq_about_filter_and_palette_keep_text_literal(tmp_path):
    app, _ = make_app(nasty_playlist(tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f")
        await wait_for_text(pilot, "1. Why [bold]?[/]")
        await wait_for_text(pilot, "Because [red]reasons[/].")
        await pilot.press("a")
        await wait_for_text(pilot, "Intro with [i]markup[/i].")
        await wait_for_text(pilot, "Outro [/]")
        await wait_for_text(pilot, "[link=x]source[/link]")
        await pilot.press("escape", "slash", *"[bold]")
        assert [s.rank for s in app.songs.visible_songs] == [1]
        await pilot.press("escape", "ctrl+p", *"tears")
        assert isinstance(app.screen, CommandPalette)
        await wait_for_text(pilot, f"#1  {NASTY_TITLE}")
        await wait_for_text(pilot, f"Go to song 1 · {NASTY_ANIME} · {NASTY_ARTIST}")
