"""The lyrics pane with the REAL engine: libmpv, a song on the loopback AudioServer.

ao=null, not ao=pcm: ao=pcm decodes the whole song at once (a single position report),
and following the song needs it to play in real time."""

from __future__ import annotations

import time

import pytest

from sadtui.model.playlist import load_playlist
from sadtui.services.events import State
from sadtui.tui.app import SadtuiApp
from tui_helpers import wait_for, write_playlist

pytestmark = pytest.mark.e2e


async def test_the_pane_follows_real_playback(tmp_path, audio_server):
    # /long.wav is 30 s of sine: a line every half second.
    (tmp_path / "long.lrc").write_text(
        "".join(f"[00:{half // 2:02d}.{50 * (half % 2):02d}]line {half}\n" for half in range(60)), encoding="utf-8"
    )
    path = write_playlist(tmp_path / "list.toml", [
        {"rank": 1, "title": "Long", "url": audio_server.url("/long.wav"), "lyrics": "long.lrc"},
    ])
    app = SadtuiApp(load_playlist(path), mpv_options=("ao=null",),
                    state_path=tmp_path / "state.json", remember=False)
    seen: list[tuple[float, int | None]] = []
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.engine is not None or app.engine_error, timeout=10, what="engine")
        assert app.engine_error is None
        await pilot.press("l")
        pane = await wait_for(pilot, lambda: app.main.lyrics_pane)
        await wait_for(pilot, lambda: pane.lyrics is not None, what="lyrics from the file")
        # Recorded on every status the screen gets, after the pane has followed it; with the time
        # then, and the engine's stamp of when mpv reported the position.
        app.main.watch(app.main, "status", lambda s: seen.append(
            (s.state, s.position, pane.current, s.position_at, time.monotonic())), init=False)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any(state is State.PLAYING for state, *_ in seen), timeout=15, what="playing")
        await wait_for(pilot, lambda: max((index or 0 for _, _, index, *_ in seen), default=0) >= 4,
                       timeout=20, what="two seconds of the song followed")
        await pilot.press("s")
        lyrics = pane.lyrics
    playing = [rest for state, *rest in seen if state is State.PLAYING and rest[0]]
    assert playing, seen
    assert len({index for _, index, _, _ in playing}) >= 4  # it moved from line to line with the song
    for position, index, at, now in playing:
        # The line sung when mpv reported the position, or one the song reached since (the
        # pane counts from the engine's stamp, not from when the report got here).
        assert at is not None and at <= now, (position, at, now)
        assert lyrics.index_at(position) <= index <= lyrics.index_at(position + (now - at)), (position, index)
