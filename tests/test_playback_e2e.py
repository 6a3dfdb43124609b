"""End to end through the engine with the REAL libmpv and the REAL yt-dlp, against the
loopback server (127.0.0.1 only).  Audio goes to ao=pcm (checked: length, level,
pitch) or ao=null; no sound device is needed."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from audio_support import (
    EventLog,
    pcm_frequency,
    pcm_options,
    read_pcm,
    refused_port,
    wait_until,
    write_playlist,
)
from sadtui.model import paths
from sadtui.model.playlist import load_playlist
from sadtui.services.engine import PlaybackEngine
from sadtui.services.events import (
    Order,
    PlaybackEnded,
    Repeat,
    SongFailed,
    SongFinished,
    State,
    StatusChanged,
)
from sadtui.services.player import FileEnded, FileLoaded, Player

SINE_RMS = 0.5 / 2**0.5  # amplitude 0.5


@pytest.fixture
def make_engine(tmp_path, audio_server):
    engines: list[PlaybackEngine] = []

    def make(songs, options=("ao=null",), **kwargs):
        entries = [(title, audio_server.url(path) if path.startswith("/") else path) for title, path in songs]
        playlist = load_playlist(write_playlist(tmp_path / f"list{len(engines)}.toml", entries))
        log = EventLog()
        engine = PlaybackEngine(playlist, log, mpv_options=tuple(options), **kwargs)
        engine.start()
        engines.append(engine)
        return engine, log

    yield make
    for engine in engines:
        engine.shutdown()


def playing(log: EventLog, rank: int, timeout: float = 10.0):
    return log.wait_for(
        lambda e: isinstance(e, StatusChanged) and e.status.state is State.PLAYING and e.status.rank == rank,
        timeout, f"song {rank} playing",
    ).status


def finished(log: EventLog, rank: int, timeout: float = 10.0):
    return log.wait_for(lambda e: isinstance(e, SongFinished) and e.rank == rank, timeout, f"song {rank} finished")


def ended(log: EventLog, timeout: float = 15.0):
    return log.wait_for(lambda e: isinstance(e, PlaybackEnded), timeout, "the end of playback")


# ---------------------------------------------------------------- it really plays


def test_a_song_really_decodes(make_engine, tmp_path, audio_server):
    out = tmp_path / "out.raw"
    engine, log = make_engine([("Sine A", "/a.wav")], pcm_options(out))
    engine.play(1)
    finished(log, 1)
    ended(log)
    seconds, rms = read_pcm(out)
    assert seconds == pytest.approx(2.0, abs=0.1)
    assert rms == pytest.approx(SINE_RMS, rel=0.1)
    assert pcm_frequency(out) == pytest.approx(440, rel=0.05)
    assert engine.status.state is State.STOPPED


def test_volume_and_mute_reach_the_audio(make_engine, tmp_path):
    out = tmp_path / "quiet.raw"
    engine, log = make_engine([("Sine A", "/a.wav")], pcm_options(out))
    engine.change_volume(-50)
    engine.play(1)
    finished(log, 1)
    seconds, rms = read_pcm(out)
    assert seconds == pytest.approx(2.0, abs=0.1)
    assert rms == pytest.approx(SINE_RMS * 0.5**3, rel=0.25)  # mpv's volume is cubic

    muted = tmp_path / "muted.raw"
    engine, log = make_engine([("Sine A", "/a.wav")], pcm_options(muted))
    engine.toggle_mute()
    engine.play(1)
    finished(log, 1)
    seconds, rms = read_pcm(muted)
    assert seconds == pytest.approx(2.0, abs=0.1) and rms < 0.001


def test_a_page_with_an_audio_tag_is_resolved_by_ytdlp(make_engine, tmp_path, audio_server):
    out = tmp_path / "page.raw"
    engine, log = make_engine([("The page", "/page.html")], pcm_options(out))
    engine.play(1)
    finished(log, 1)
    assert read_pcm(out)[0] == pytest.approx(2.0, abs=0.1)
    assert pcm_frequency(out) == pytest.approx(660, rel=0.05)  # b.wav, the page's <audio>
    # mpv sent the headers yt-dlp gave (its browser User-Agent, the page as Referer).
    sent = audio_server.headers_for("/b.wav")
    assert sent and all("Mozilla/5.0" in h.get("User-Agent", "") for h in sent)
    assert any(h.get("Referer") == audio_server.url("/page.html") for h in sent)


# ---------------------------------------------------------------- orders and repeat

ABC = [("A", "/a.wav"), ("B", "/b.wav"), ("C", "/c.wav")]


def appended_pcm(out: Path) -> list[str]:
    return [*pcm_options(out), "ao-pcm-append=yes"]


def test_auto_advance_in_countdown_order(make_engine, tmp_path):
    out = tmp_path / "all.raw"
    engine, log = make_engine(ABC, appended_pcm(out))
    assert engine.cycle_order() is Order.COUNTDOWN
    engine.play(3)
    ended(log, 20)
    assert [e.rank for e in log.of(SongFinished)] == [3, 2, 1]
    seconds, rms = read_pcm(out)
    assert seconds == pytest.approx(6.0, abs=0.3)
    assert rms == pytest.approx(SINE_RMS, rel=0.1)


def test_shuffle_plays_every_song_once_in_its_order(make_engine, tmp_path):
    engine, log = make_engine(ABC, appended_pcm(tmp_path / "s.raw"))
    engine.cycle_order()
    assert engine.cycle_order() is Order.SHUFFLE
    engine.play(2)  # a song picked by hand comes first, then every other once
    ended(log, 20)
    order = [e.rank for e in log.of(SongFinished)]
    assert sorted(order) == [1, 2, 3] and order[0] == 2


def test_repeat_one_and_repeat_all(make_engine, tmp_path):
    engine, log = make_engine(ABC[:2], appended_pcm(tmp_path / "r.raw"))
    assert engine.cycle_repeat() is Repeat.ONE
    engine.play(2)
    finished(log, 2)
    finished(log, 2)
    assert engine.cycle_repeat() is Repeat.ALL
    finished(log, 2)  # the repeat in progress finishes...
    finished(log, 1)  # ...then it wraps around: 2 -> 1 -> 2
    finished(log, 2)
    engine.stop()
    wait_until(lambda: engine.status.state is State.STOPPED, 5, "stopped")


# ---------------------------------------------------------------- controls while playing


def test_pause_seek_volume_next_previous(make_engine):
    engine, log = make_engine([("Long", "/long.wav"), ("A", "/a.wav")], ("ao=null",))
    engine.play(1)
    playing(log, 1)
    wait_until(lambda: (engine.status.position or 0) > 0.3, 5, "time passing")
    assert engine.status.duration == pytest.approx(30.0, abs=0.1)

    engine.toggle_pause()
    log.wait_for(lambda e: isinstance(e, StatusChanged) and e.status.state is State.PAUSED, 5, "paused")
    wait_until(lambda: engine.player._mpv.pause is True, 5, "mpv paused")
    held = engine.status.position
    time.sleep(0.5)  # the assertion is that nothing moves
    assert engine.status.position == pytest.approx(held, abs=0.05)
    engine.toggle_pause()
    wait_until(lambda: (engine.status.position or 0) > held + 0.2, 5, "playing again")

    engine.seek(10)
    wait_until(lambda: 10 <= (engine.player._mpv.time_pos or 0) < 20, 5, "seek +10 s")
    engine.seek(2, relative=False)
    wait_until(lambda: (engine.player._mpv.time_pos or 99) < 5, 5, "seek to 0:02")
    wait_until(lambda: (engine.status.position or 99) < 5, 5, "the status follows the seek")

    engine.change_volume(-20)
    engine.toggle_mute()
    wait_until(lambda: engine.status.volume == 80 and engine.status.muted, 5, "volume 80, muted")
    wait_until(lambda: engine.player._mpv.volume == 80 and engine.player._mpv.mute is True, 5, "mpv volume")

    engine.next()
    playing(log, 2)
    engine.previous()
    playing(log, 1)
    assert engine.status.state is State.PLAYING


def test_enter_on_several_songs_quickly_plays_only_the_last(make_engine, audio_server):
    engine, log = make_engine(ABC, ("ao=null",))
    before = {p: audio_server.requested(p) for p in ("/a.wav", "/b.wav", "/c.wav")}
    engine.play(1)
    engine.play(2)
    engine.play(3)
    playing(log, 3)
    plays = [e.status.rank for e in log.of(StatusChanged) if e.status.state is State.PLAYING]
    assert set(plays) == {3}
    assert audio_server.requested("/b.wav") == before["/b.wav"]  # 2 was never even resolved


# ---------------------------------------------------------------- failures

FAILURES = [
    ("/404", "HTTP 404 from 127.0.0.1"),
    ("refused", "connection refused by 127.0.0.1:{port}"),
    ("/stall", "timed out talking to 127.0.0.1"),  # yt-dlp gets no answer at all
    ("/stall-body.wav", "timed out talking to 127.0.0.1"),  # mpv gets headers, then nothing
    ("/cut.wav", "the stream ended early (connection cut)"),
    ("/garbage.wav", "not audio: mpv could not decode it"),
    ("/nomedia.html", "no audio found on that page"),
]


@pytest.mark.parametrize("path, message", FAILURES, ids=[p.strip("/") for p, _ in FAILURES])
def test_failures_are_clear_bounded_and_survivable(make_engine, tmp_path, path, message):
    if path == "refused":
        port = refused_port()
        path, message = f"http://127.0.0.1:{port}/song.wav", message.format(port=port)
    out = tmp_path / "after.raw"
    engine, log = make_engine([("Broken", path), ("Fine", "/a.wav")], pcm_options(out))
    started = time.monotonic()
    engine.play(1)
    failed = log.wait_for(lambda e: isinstance(e, SongFailed), 15, "the failure")
    assert time.monotonic() - started < 15
    assert (failed.rank, failed.title, failed.message) == (1, "Broken", message)
    assert engine.status.state is State.ERROR and engine.status.error == message
    engine.play(2)  # still fully usable
    finished(log, 2)
    assert read_pcm(out)[0] == pytest.approx(2.0, abs=0.1)


def test_mpv_explains_http_failures_itself():
    """What mpv reports when a stream URL (e.g. a cached one) fails, without yt-dlp."""
    from audio_support import AudioServer

    server = AudioServer()
    events = EventLog()
    player = Player(events, options=["ao=null"])
    try:
        port = refused_port()
        for url, message in [
            (server.url("/404"), "HTTP 404 from 127.0.0.1"),
            (f"http://127.0.0.1:{port}/x.wav", f"connection refused by 127.0.0.1:{port}"),
            (server.url("/garbage.wav"), "not audio: mpv could not decode it"),
        ]:
            entry = player.load(url)
            end = events.wait_for(lambda e, entry=entry: isinstance(e, FileEnded) and e.entry == entry, 10, url)
            assert end.reason == "error"
            assert player.explain(entry, url=url, reason=end.reason, error=end.error) == message
        entry = player.load(server.url("/a.wav"))
        events.wait_for(lambda e: isinstance(e, FileLoaded) and e.entry == entry, 10, "loaded")
    finally:
        assert player.terminate(timeout=3)
        server.close()


def plant_cache(song_url: str, stream_url: str) -> None:
    path = paths.resolve_cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({
        "version": 1, "searches": {},
        "streams": {song_url: {"url": stream_url, "headers": {}, "title": "old", "duration": None,
                               "expires_at": time.time() + 3600}},
    }))


def test_a_stale_cached_url_is_resolved_again_silently(make_engine, tmp_path, audio_server):
    out = tmp_path / "again.raw"
    plant_cache(audio_server.url("/page.html"), audio_server.url("/404"))
    before = audio_server.requested("/404")
    engine, log = make_engine([("Page", "/page.html")], pcm_options(out))
    engine.play(1)
    finished(log, 1)
    assert audio_server.requested("/404") == before + 1  # mpv tried the cached URL first
    assert not log.of(SongFailed)
    assert pcm_frequency(out) == pytest.approx(660, rel=0.05)


def test_a_stale_cached_url_whose_source_is_gone_is_reported_once(make_engine, audio_server):
    plant_cache(audio_server.url("/c.wav"), audio_server.url("/404"))
    audio_server.broken.add("/c.wav")
    try:
        engine, log = make_engine([("Gone", "/c.wav")], ("ao=null",))
        engine.play(1)
        failed = log.wait_for(lambda e: isinstance(e, SongFailed), 15, "the failure")
        assert failed.message == "HTTP 404 from 127.0.0.1"
        time.sleep(0.2)
        assert len(log.of(SongFailed)) == 1
    finally:
        audio_server.broken.discard("/c.wav")


def test_auto_advance_moves_past_a_failed_song(make_engine, tmp_path):
    out = tmp_path / "skip.raw"
    engine, log = make_engine([("A", "/a.wav"), ("Broken", "/404"), ("C", "/c.wav")], appended_pcm(out),
                              advance_delay=0.2)
    engine.play(1)
    failed = log.wait_for(lambda e: isinstance(e, SongFailed), 15, "the failure")
    assert failed.rank == 2
    ended(log)
    assert [e.rank for e in log.of(SongFinished)] == [1, 3]
    assert read_pcm(out)[0] == pytest.approx(4.0, abs=0.2)


def test_an_unknown_mpv_option_is_a_clear_failure(make_engine):
    engine, log = make_engine([("A", "/a.wav")], ("ao=null", "foo=bar"))
    engine.play(1)
    failed = log.wait_for(lambda e: isinstance(e, SongFailed), 15, "the failure")
    assert failed.message == "--mpv-option foo=bar: mpv does not know option 'foo'"


# ---------------------------------------------------------------- quitting never hangs


@pytest.mark.parametrize("path, state", [("/long.wav", State.PLAYING), ("/stall-body.wav", State.BUFFERING)])
def test_shutdown_is_prompt_while_playing_or_stalled(make_engine, path, state):
    engine, log = make_engine([("Song", path)], ("ao=null",))
    engine.play(1)
    log.wait_for(lambda e: isinstance(e, StatusChanged) and e.status.state is state, 10, str(state))
    if state is State.BUFFERING:
        time.sleep(0.3)  # let mpv sit in the stalled read
    started = time.monotonic()
    engine.shutdown()
    assert time.monotonic() - started < 3
    assert not [t for t in threading.enumerate() if t.name == "sadtui-engine" and t.is_alive()]


def test_an_mpv_without_one_of_our_options_still_plays(tmp_path, audio_server):
    class Odd(Player):
        def base_options(self):
            return {**super().base_options(), "no-such-option-in-any-mpv": "yes"}

    events = EventLog()
    player = Odd(events, options=["ao=null"])
    try:
        entry = player.load(audio_server.url("/a.wav"))
        events.wait_for(lambda e: isinstance(e, FileLoaded) and e.entry == entry, 10, "loaded")
    finally:
        assert player.terminate(timeout=3)
    assert "no-such-option-in-any-mpv" in paths.mpv_log_file().read_text()


def test_validate_mpv_options():
    from sadtui.services.player import PlayerError, validate_mpv_options

    validate_mpv_options(["ao=null", "volume=50"])
    for bad in (["foo=bar"], ["volume=loud"], ["novalue"]):
        with pytest.raises(PlayerError) as info:
            validate_mpv_options(bad)
        assert info.value.usage, bad
