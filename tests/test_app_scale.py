"""A 10,000-song playlist stays usable: start-up, moving, jumping and filtering."""

from __future__ import annotations

import time

import pytest

from sadtui.model.playlist import load_playlist
from tui_helpers import big_playlist, make_app, screen_text, wait_for, wait_for_text

pytestmark = pytest.mark.tui

COUNT = 10_000


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    return load_playlist(big_playlist(tmp_path_factory.mktemp("big") / "big.toml", COUNT))


def rank_of(app) -> int:
    return app.songs.highlighted_song.rank


async def test_ten_thousand_songs_start_move_jump_and_filter(big):
    app, _ = make_app(big)
    started = time.monotonic()
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, app.painted.is_set, what="first paint")
        first_paint = time.monotonic() - started
        assert first_paint < 5, first_paint
        assert app.songs.option_count == COUNT
        assert "Song number 1 " in screen_text(app)

        # Moving
        await pilot.press("G")
        assert rank_of(app) == COUNT
        await wait_for_text(pilot, f"Song number {COUNT}")
        await pilot.press("g", "j", "j", "pagedown")
        assert rank_of(app) > 3
        await pilot.press("k")

        # Jumping: 9999 is unambiguous after four digits (no 99990+), 5 needs the pause.
        app.main.rank_entry.timeout = 60
        await pilot.press("9", "9", "9", "9")
        assert rank_of(app) == 9999
        await wait_for_text(pilot, "#9999  Song number 9999")
        await pilot.press("1", "0", "0", "0", "0")
        assert rank_of(app) == 10_000
        await pilot.press("5")
        assert rank_of(app) == 10_000
        app.main.rank_entry.finish()
        await pilot.pause()
        assert rank_of(app) == 5

        # Filtering: 'needle' is in every 250th description and nowhere else.
        t = time.monotonic()
        await pilot.press("slash", *"needle")
        took = time.monotonic() - t
        expected = list(range(250, COUNT + 1, 250))
        assert [s.rank for s in app.songs.visible_songs] == expected
        assert app.songs.option_count == len(expected) == 40
        await wait_for_text(pilot, f"{len(expected)} of {COUNT}")
        assert took < 10, took
        await pilot.press("enter", "G")
        assert rank_of(app) == COUNT
        await pilot.press("g", "j")
        assert rank_of(app) == 500
        # Jumping to a rank the filter hides clears the filter.
        await pilot.press("7", "7", "7", "7")
        assert rank_of(app) == 7777 and app.songs.option_count == COUNT

        # Several words, any field.
        await pilot.press("slash")
        app.main.filter_bar.input.value = "number 123 anohana"
        want = [r for r in range(1, COUNT + 1) if "123" in str(r) and r % 5 == 3]
        await wait_for(pilot, lambda: [s.rank for s in app.songs.visible_songs] == want)
        assert rank_of(app) == want[0]  # 7777 is not among them: the first match
        await pilot.press("escape")
        assert app.songs.option_count == COUNT
        assert rank_of(app) == want[0]  # clearing keeps the highlighted song


async def test_marking_the_playing_song_in_a_big_filtered_list(big):
    app, recorder = make_app(big)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None)
        app.main.go_to_rank(4000)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.songs.playing == 4000)
        await pilot.press("slash", *"needle", "enter")  # 4000 is among them
        await wait_for_text(pilot, "▶  4000. Song number 4000")
        await pilot.press("n")
        await wait_for(pilot, lambda: app.songs.playing == 4001)  # hidden by the filter: fine
        await pilot.press("escape")
        await wait_for_text(pilot, "▶  4001. Song number 4001")
        assert "▶  4000." not in screen_text(app)
