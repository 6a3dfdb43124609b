"""The TUI driven by Pilot with the REAL playback engine: real libmpv, real yt-dlp,
songs on the loopback AudioServer (127.0.0.1 only).

No fake engine here: the app builds its engine itself (``engine_factory=None``) with
``ao=pcm`` (decoded audio checked for length, level and pitch) or ``ao=null``, so no
sound device is needed.  Every wait polls a condition with a timeout.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from audio_support import (
    pcm_frequency,
    pcm_options,
    pcm_stats,
    refused_port,
    wait_until,
    write_playlist,
)
from sadtui.model.playlist import Playlist, load_playlist
from sadtui.services.events import Order, Repeat, State
from sadtui.tui.app import SadtuiApp
from tui_helpers import screen_text, wait_for

pytestmark = pytest.mark.e2e

SIZE = (120, 36)
SINE_RMS = 0.5 / 2**0.5  # the loopback songs are sines of amplitude 0.5
FAQ_QUESTION = "Why loopback?"
QUIT_WITHIN = 4.0  # seconds from `q` until run_test has returned


# ---------------------------------------------------------------- helpers


def loopback_playlist(tmp_path: Path, server, songs: list[tuple[str, str]]) -> Playlist:
    """songs: (title, path on the server or a full URL), ranked 1..N; plus one FAQ entry."""
    entries = [(title, server.url(where) if where.startswith("/") else where) for title, where in songs]
    path = write_playlist(tmp_path / "loopback.toml", entries)
    path.write_text(
        path.read_text(encoding="utf-8")
        + f'\n[[faq]]\nquestion = "{FAQ_QUESTION}"\nanswer = "Because there is no network here."\n',
        encoding="utf-8",
    )
    return load_playlist(path)


class RecordingApp(SadtuiApp):
    """The real app, which also writes down what its bar and list showed for every status.

    ao=pcm decodes faster than real time (a 2 s song is done in milliseconds), so
    the bar's states are checked from this record; with ao=null (real time) the
    tests read the screen itself."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.shown: list[tuple[State, int | None, str, int | None]] = []

    def on_ready(self) -> None:  # the main screen is composed by then
        self.watch(self.main.now_playing, "status", self._record, init=False)  # the bar, once updated

    def _record(self, status) -> None:
        top = self.main.now_playing.line_text.split("\n")[0]
        self.shown.append((status.state, status.rank, top, self.songs.playing))


def make_app(playlist: Playlist, tmp_path: Path, options) -> RecordingApp:
    # engine_factory=None: the app creates the real PlaybackEngine itself.
    return RecordingApp(playlist, mpv_options=tuple(options), state_path=tmp_path / "state.json", remember=False)


def rows(app) -> list[str]:
    return screen_text(app).split("\n")


def bar_rows(app) -> list[str]:
    """The now-playing bar as drawn on the screen (two rows)."""
    region = app.main.now_playing.region
    return [row[region.x : region.right] for row in rows(app)[region.y : region.bottom]]


def bar(app) -> str:
    return "\n".join(bar_rows(app))


def list_rows(app) -> list[str]:
    region = app.songs.content_region  # inside the border
    return [row[region.x : region.right] for row in rows(app)[region.y : region.bottom]]


def mpv(app):
    """The engine's real mpv instance (libmpv's API is thread-safe)."""
    return app.engine.player._mpv


async def engine_ready(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: app.engine is not None or app.engine_error, timeout=10, what="the engine")
    assert app.engine_error is None, app.engine_error


async def state_is(pilot, state: State, rank: int | None = None, timeout: float = 10.0) -> None:
    app = pilot.app
    await wait_for(
        pilot,
        lambda: app.main.status.state is state and (rank is None or app.main.status.rank == rank),
        timeout=timeout,
        what=f"{state.value} #{rank}",
    )


async def bar_shows(pilot, *texts: str, timeout: float = 5.0) -> str:
    app = pilot.app
    await wait_for(pilot, lambda: all(t in bar(app) for t in texts), timeout=timeout, what=f"bar shows {texts}")
    return bar(app)


def shown_clock(app) -> tuple[int, int] | None:
    """(elapsed, total) in seconds from the m:ss / m:ss drawn in the bar."""
    match = re.search(r"(\d+):(\d\d) / (\d+):(\d\d)", bar_rows(app)[0])
    if not match:
        return None
    m1, s1, m2, s2 = (int(g) for g in match.groups())
    return m1 * 60 + s1, m2 * 60 + s2


async def held_for(pilot, value, seconds: float) -> None:
    """Assert `value()` does not change for `seconds` (the assertion is that nothing moves)."""
    first = value()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert value() == pytest.approx(first, abs=0.05), f"moved from {first} to {value()}"
        await pilot.pause(0.05)


def engine_threads_alive(engine) -> list[str]:
    return [t.name for t in getattr(engine, "_threads", []) if t.is_alive()]


def assert_quit_promptly(engine, started: float) -> None:
    """The app quit within QUIT_WITHIN of `started`, and the engine's threads are gone."""
    assert time.monotonic() - started < QUIT_WITHIN
    assert "sadtui-engine" not in engine_threads_alive(engine)  # mpv terminated, control thread done
    wait_until(lambda: not set(engine_threads_alive(engine)) - {"sadtui-warmup"}, 1.0, "the engine's threads")


def tail_pcm(path: Path, seconds: float, tmp_path: Path) -> Path:
    """The last `seconds` of a raw s16 mono file, as a file of its own."""
    raw = path.read_bytes()
    out = tmp_path / f"tail-{path.name}"
    out.write_bytes(raw[-int(44100 * seconds) * 2 :])
    return out


# ---------------------------------------------------------------- it really plays


async def test_enter_plays_and_the_audio_really_decodes_then_a_page_resolved_by_ytdlp(tmp_path, audio_server):
    out = tmp_path / "out.raw"
    playlist = loopback_playlist(tmp_path, audio_server, [("Sine A", "/a.wav"), ("The page", "/page.html")])
    app = make_app(playlist, tmp_path, [*pcm_options(out), "ao-pcm-append=yes"])
    async with app.run_test(size=SIZE) as pilot:
        await engine_ready(pilot)
        await pilot.press("enter")
        await state_is(pilot, State.STOPPED, 2)  # both played, then nothing more (repeat off)
        await bar_shows(pilot, "■ End of list — Enter plays from the top")
        assert app.songs.playing is None
    # What the bar and the list showed on the way (ao=pcm runs faster than real time).
    playing = [(rank, top, marked) for state, rank, top, marked in app.shown if state is State.PLAYING]
    ranks = [rank for rank, _, _ in playing]
    assert ranks == sorted(ranks) and set(ranks) == {1, 2}  # #1, then auto-advance to #2
    # The total may be unknown here: mpv can finish a file before it reports its duration
    # when decoding faster than real time (the real-time test checks m:ss / m:ss on screen).
    assert any(re.fullmatch(r"▶ playing\s+#1 Sine A\s+0:0[0-2] / (0:02|-:--)(\s+-0:0[0-2])?", top) for _, top, _ in playing)
    assert any(re.fullmatch(r"▶ playing\s+#2 The page\s+0:0[0-2] / (0:02|-:--)(\s+-0:0[0-2])?", top) for _, top, _ in playing)
    assert all(marked == rank for rank, _, marked in playing)  # the playing song is marked
    seconds, rms = pcm_stats(out.read_bytes())
    assert seconds == pytest.approx(4.0, abs=0.2)  # two songs of 2 s, both decoded
    assert rms == pytest.approx(SINE_RMS, rel=0.1)
    assert pcm_frequency(out) == pytest.approx(440, rel=0.05)  # a.wav first...
    assert pcm_frequency(tail_pcm(out, 1.0, tmp_path)) == pytest.approx(660, rel=0.05)  # ...then the page's b.wav


def marked(app, text: str) -> bool:
    """The list shows `text` (e.g. "1. Sine A") marked as the current song (▶ playing,
    ‖ paused, … resolving)."""
    return any(re.match(r"[▶‖…]\s+" + re.escape(text), row.lstrip("▊ ")) for row in list_rows(app))


async def test_the_bar_and_list_follow_real_playback_and_every_key_reaches_mpv(tmp_path, audio_server):
    playlist = loopback_playlist(
        tmp_path, audio_server,
        [("Sine A", "/a.wav"), ("Long", "/long.wav"), ("Long again", "/long.wav?again")],
    )
    app = make_app(playlist, tmp_path, ["ao=null"])  # real time
    async with app.run_test(size=SIZE) as pilot:
        await engine_ready(pilot)
        await pilot.press("enter")
        await bar_shows(pilot, "▶ playing  #1 Sine A", "/ 0:02")
        assert "vol 100" in bar(app) and "order rank" in bar(app) and "repeat off" in bar(app)
        await wait_for(pilot, lambda: marked(app, "1. Sine A"), what="#1 marked in the list")
        await wait_for(pilot, lambda: shown_clock(app) == (1, 2), what="0:01 / 0:02 in the bar")

        # At its end, the next song in play order starts by itself.
        await bar_shows(pilot, "▶ playing  #2 Long", "/ 0:30")
        await wait_for(pilot, lambda: marked(app, "2. Long") and not marked(app, "1."), what="#2 marked")
        position = lambda: app.main.now_playing.status.position or 0.0  # noqa: E731
        await wait_for(pilot, lambda: position() > 0.3, what="time passing")

        # space: paused, in mpv too, and the position stops.
        await pilot.press("space")
        await bar_shows(pilot, "‖ paused  #2 Long")
        await wait_for(pilot, lambda: mpv(app).pause is True, what="mpv paused")
        await pilot.pause(0.1)  # let a position update already on its way arrive
        await held_for(pilot, position, 0.5)
        assert marked(app, "2. Long")  # still the current song
        held = position()
        await pilot.press("space")
        await bar_shows(pilot, "▶ playing  #2 Long")
        await wait_for(pilot, lambda: position() > held + 0.2, what="playing again")

        # →: the position jumps 5 s, in mpv and in the bar's m:ss.
        before = position()
        await pilot.press("right")
        await wait_for(pilot, lambda: (mpv(app).time_pos or 0) >= before + 4.5, what="mpv seeked")
        await wait_for(pilot, lambda: (shown_clock(app) or (0, 0))[0] >= int(before + 4.5),
                       what="the bar's m:ss after the seek")

        # + and -, m: the volume, shown and applied.
        await pilot.press("plus")
        await bar_shows(pilot, "vol 105")
        await pilot.press("minus", "minus")
        await bar_shows(pilot, "vol 95")
        await wait_for(pilot, lambda: mpv(app).volume == 95, what="mpv volume 95")
        await pilot.press("m")
        await bar_shows(pilot, "muted")
        await wait_for(pilot, lambda: mpv(app).mute is True, what="mpv muted")
        await pilot.press("m")
        await bar_shows(pilot, "vol 95")
        await wait_for(pilot, lambda: mpv(app).mute is False, what="mpv unmuted")

        # o and r: play order and repeat, in the bar.
        for order in (Order.COUNTDOWN, Order.SHUFFLE, Order.RANK):
            await pilot.press("o")
            await bar_shows(pilot, f"order {order.value}")
            assert app.engine.status.order is order
        for repeat in (Repeat.ONE, Repeat.ALL, Repeat.OFF):
            await pilot.press("r")
            await bar_shows(pilot, f"repeat {repeat.value}")
            assert app.engine.status.repeat is repeat

        # n: the next song in play order.
        await pilot.press("n")
        await bar_shows(pilot, "▶ playing  #3 Long again", "/ 0:30")
        await wait_for(pilot, lambda: marked(app, "3. Long again") and not marked(app, "2."), what="#3 marked")
        await wait_for(pilot, lambda: position() > 0.2, what="#3 playing")

        # q while playing: the app and the engine are gone within seconds.
        engine = app.engine
        started = time.monotonic()
        await pilot.press("q")
    assert_quit_promptly(engine, started)


# ---------------------------------------------------------------- failures

FAILURES = [
    ("/404", "HTTP 404 from 127.0.0.1"),
    # not kept, and the source cannot be reached: the library's offline message, with the cause
    ("refused", "not downloaded, and the network is unreachable (connection refused by 127.0.0.1:{port})"),
    ("/garbage.wav", "not audio: mpv could not decode it"),
    ("/nomedia.html", "no audio found on that page"),
    ("/cut.wav", "the stream ended early (connection cut)"),
    ("/stall-body.wav", "timed out talking to 127.0.0.1"),  # mpv gets the headers, then nothing
    ("/stall", "timed out talking to 127.0.0.1"),  # yt-dlp gets no answer at all
]


@pytest.mark.parametrize("where, message", FAILURES, ids=[w.strip("/") for w, _ in FAILURES])
async def test_a_failure_is_one_line_in_the_bar_and_the_app_stays_usable(tmp_path, audio_server, where, message):
    if where == "refused":
        port = refused_port()
        where, message = f"http://127.0.0.1:{port}/song.wav", message.format(port=port)
    playlist = loopback_playlist(tmp_path, audio_server, [("Broken", where), ("Fine", "/a.wav")])
    app = make_app(playlist, tmp_path, ["ao=null"])
    async with app.run_test(size=SIZE) as pilot:
        await engine_ready(pilot)
        started = time.monotonic()
        await pilot.press("enter")
        await state_is(pilot, State.ERROR, 1, timeout=16)
        assert time.monotonic() - started < 15
        line = f"Can't play #1 Broken: {message}"
        await bar_shows(pilot, line)
        # ONE line in the bar naming the song and the cause, and the reason in the failed song's
        # details; nowhere else on screen (no toast, nothing in the list).
        bar_lines = [r for r in bar_rows(app) if "Can't play" in r]
        assert len(bar_lines) == 1
        # The details pane draws its reason in a frame of its own, maybe just after the bar's.
        await wait_for(pilot, lambda: any(f"✗ Can't play: {message[:30]}" in r for r in rows(app)),
                       what="the reason in the details")
        others = [r for r in rows(app) if "Can't play" in r and r not in bar_lines]
        assert len(others) == 1 and f"✗ Can't play: {message[:30]}" in others[0]
        assert "✗ error" in bar_rows(app)[0] and "#1 Broken" in bar_rows(app)[0]
        assert app.songs.playing is None

        # Fully usable afterwards: move, read the FAQ, come back, play a good song.
        await pilot.press("j")
        await wait_for(pilot, lambda: "#2  Fine" in screen_text(app), what="the details of #2")
        await pilot.press("f")
        await wait_for(pilot, lambda: FAQ_QUESTION in screen_text(app), what="the FAQ")
        await pilot.press("escape")
        await wait_for(pilot, lambda: FAQ_QUESTION not in screen_text(app) and app.focused is app.songs,
                       what="back to the list")
        await pilot.press("enter")
        await bar_shows(pilot, "▶ playing  #2 Fine")
        await wait_for(pilot, lambda: (app.main.now_playing.status.position or 0) > 0.2, what="#2 playing on")
        assert "Can't play" not in bar(app)  # the old failure is gone once something plays
        assert marked(app, "2. Fine")
    assert app.return_code in (None, 0)


# ---------------------------------------------------------------- quitting never hangs


async def test_quitting_while_a_stream_stalls_is_prompt(tmp_path, audio_server):
    playlist = loopback_playlist(tmp_path, audio_server, [("Stalled", "/stall-body.wav")])
    app = make_app(playlist, tmp_path, ["ao=null"])
    async with app.run_test(size=SIZE) as pilot:
        await engine_ready(pilot)
        await pilot.press("enter")
        await state_is(pilot, State.BUFFERING, 1)
        await bar_shows(pilot, "buffering", "#1 Stalled")
        # mpv is now inside its read of a body that never comes.
        await wait_for(pilot, lambda: audio_server.requested("/stall-body.wav") >= 1, what="the request")
        await pilot.pause(0.3)
        assert app.main.status.state is State.BUFFERING
        engine = app.engine
        started = time.monotonic()
        await pilot.press("q")
    assert_quit_promptly(engine, started)
