"""Hostile text and tiny terminals: escaped outside text, PageDown with no visible row."""

from __future__ import annotations

import pytest
from textual.command import CommandPalette

from sadtui.model.playlist import Playlist, Song, load_playlist
from sadtui.services.events import SongFailed, State, Status, StatusChanged
from tui_helpers import engine_ready, make_app, screen_text, wait_for, write_playlist

pytestmark = pytest.mark.tui

HOSTILE = "HTTP/1.1 300 \x1b]0;pwned\x07\x1b[2J\x1b[31mred"
RAW = ("\x1b", "\x07", "\u202e")


async def test_an_error_line_from_outside_is_shown_escaped_in_the_bar_and_notices():
    app, recorder = make_app()
    async with app.run_test(size=(60, 30)) as pilot:
        engine = await engine_ready(pilot, recorder)
        engine.emit(StatusChanged(Status(state=State.ERROR, rank=3, title="T\u202eitle", error=HOSTILE)))
        engine.emit(SongFailed(3, "T\u202eitle", HOSTILE))
        bar = app.main.now_playing
        await wait_for(pilot, lambda: bar.failure and "pwned" in bar.line_text, what="the failure in the bar")
        shown = bar.line_text + "\n" + screen_text(app)
        assert "\\x1b]0;pwned\\x07" in bar.line_text  # visible escapes...
        assert not any(char in shown for char in RAW)  # ...and nothing raw on screen
        # 60 columns cut the line short: the whole line is a notice too, escaped as well.
        await wait_for(pilot, lambda: any("pwned" in n for n in app.notices), what="the notice")
        notice = next(n for n in app.notices if "pwned" in n)
        assert "\\x1b[2J" in notice and "T\\u202eitle" in notice
        assert not any(char in notice for char in RAW)


async def test_playlist_fields_with_bidi_overrides_are_shown_escaped(tmp_path):
    path = write_playlist(tmp_path / "p.toml", [{"rank": 1, "title": "Plain", "anime": "Anime"}])
    base = load_playlist(path)
    song = Song(**{**{f: getattr(base.songs[0], f) for f in base.songs[0].__dataclass_fields__},
                   "title": "evil\u202eeman", "artist": "a\u2066b"})
    playlist = Playlist(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, "songs": (song,)})
    app, _ = make_app(playlist)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: "evil" in screen_text(app), what="the title")
        text = screen_text(app)
        assert "evil\\u202eeman" in text
        assert not any(char in text for char in RAW + ("\u2066",))


async def test_page_down_in_the_palette_with_no_visible_row_does_not_crash():
    # Textual's OptionList._move_page raises KeyError here (see tui/widgets/palette.py).
    app, _ = make_app()
    async with app.run_test(size=(120, 6)) as pilot:
        await pilot.press("ctrl+p", "pagedown", "pageup", "pagedown")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        await pilot.press("pagedown", "pageup")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, CommandPalette)
        await pilot.press("escape", "pagedown", "pageup")  # the list's own page keys, 6 rows high
        await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))
        assert app.is_running


async def test_the_real_engine_path_sets_lc_numeric_on_the_main_thread_before_the_engine(monkeypatch):
    """libmpv needs LC_NUMERIC=C and python-mpv's import calls setlocale: both on the main
    thread (the UI's), after the first paint, before the engine is made on a worker (9.13)."""
    import threading

    from sadtui.services import player as player_module
    from sadtui.tui import app as app_module
    from tui_helpers import FactoryRecorder, SadtuiTestApp, wait_for

    seen: list[tuple[str, bool]] = []
    recorder = FactoryRecorder()

    def factory(mpv_options=()):
        def create(playlist, notify):
            seen.append(("engine", threading.current_thread() is threading.main_thread()))
            return recorder(playlist, notify)

        return create

    monkeypatch.setattr(app_module, "default_engine_factory", factory)
    monkeypatch.setattr(player_module, "ensure_numeric_locale",
                        lambda: seen.append(("locale", threading.current_thread() is threading.main_thread())))
    app = SadtuiTestApp(load_playlist())  # no engine_factory: the real path
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None, what="engine ready")
    assert seen == [("locale", True), ("engine", False)]
