"""The engine with the library of kept audio: real libmpv, yt-dlp and loopback servers."""

from __future__ import annotations

import time

import pytest

from audio_support import AudioServer, EventLog, read_pcm, wait_until, write_playlist
from audio_support import pcm_options as _pcm_options
from sadtui.model.playlist import load_playlist
from sadtui.services.control import OFFLINE
from sadtui.services.engine import PlaybackEngine
from sadtui.services.events import PlaybackEnded, SongFailed, SongFinished, State, StatusChanged
from sadtui.services.library import Library

pytestmark = pytest.mark.e2e


@pytest.fixture
def server():
    s = AudioServer()
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def make_engine(tmp_path):
    engines: list[PlaybackEngine] = []

    def make(server, paths, *, options=("ao=null",), **kwargs):
        entries = [(f"Song {i}", server.url(p)) for i, p in enumerate(paths, 1)]
        playlist = load_playlist(write_playlist(tmp_path / f"list{len(engines)}.toml", entries))
        log = EventLog()
        library = kwargs.pop("library", None) or Library()
        engine = PlaybackEngine(playlist, log, mpv_options=tuple(options), library=library, **kwargs)
        engine.start()
        engines.append(engine)
        return engine, log, playlist, library

    yield make
    for engine in engines:
        engine.shutdown()


def status_where(log, what, predicate, timeout=10.0):
    event = log.wait_for(lambda e: isinstance(e, StatusChanged) and predicate(e.status), timeout=timeout, what=what)
    return event.status


def test_a_song_played_to_the_end_is_kept_and_then_plays_from_disk_offline(server, make_engine, tmp_path):
    out = tmp_path / "out.raw"
    engine, log, playlist, library = make_engine(server, ["/a.wav"], options=[*_pcm_options(out), "ao-pcm-append=yes"])
    engine.play(1)
    log.wait_for(lambda e: isinstance(e, SongFinished) and e.rank == 1, timeout=15, what="the end of #1")
    assert library.wait_idle(30)
    kept = library.path_for(playlist.song(1))
    assert kept is not None and kept.read_bytes() == server.files["/a.wav"][0]
    server.close()  # no network from here on
    before = read_pcm(out)[0]
    started = time.monotonic()
    engine.play(1)
    status = status_where(log, "#1 playing from disk", lambda s: s.state is State.PLAYING and s.rank == 1, timeout=5)
    assert status.from_disk
    assert time.monotonic() - started < 2
    log.wait_for(lambda e: isinstance(e, SongFinished), timeout=15, what="the end of #1 from disk")
    assert not log.of(SongFailed)
    assert read_pcm(out)[0] - before > 1.5  # the whole song came out of mpv


def test_a_corrupt_kept_file_is_dropped_and_the_song_streams_silently(server, make_engine):
    library = Library()
    engine, log, playlist, _ = make_engine(server, ["/b.wav"], library=library)
    song = playlist.song(1)
    kept = library.download(song)
    kept.path.write_bytes(b"\x00not audio" * (kept.bytes // 10) + b"\x00" * (kept.bytes % 10))  # same size
    assert library.path_for(song) is not None
    engine.play(1)
    status = status_where(log, "#1 playing", lambda s: s.state is State.PLAYING and s.rank == 1, timeout=15)
    assert not status.from_disk
    assert not log.of(SongFailed)
    log.wait_for(lambda e: isinstance(e, SongFinished), timeout=15, what="the end of #1")
    assert library.wait_idle(30)
    again = library.path_for(song)  # kept again, whole this time
    assert again is not None and again.read_bytes() == server.files["/b.wav"][0]


def test_offline_a_song_not_kept_fails_fast_and_auto_advance_skips_to_the_next_kept(server, make_engine):
    library = Library()
    engine, log, playlist, _ = make_engine(server, ["/a.wav", "/b.wav", "/c.wav", "/long.wav"],
                                           library=library, advance_delay=0.2)
    library.download(playlist.song(1))
    library.download(playlist.song(4))
    server.close()
    started = time.monotonic()
    engine.play(2)
    failed = log.wait_for(lambda e: isinstance(e, SongFailed), timeout=5, what="#2 fails")
    assert failed.rank == 2 and failed.message.startswith(OFFLINE + " (connection refused by 127.0.0.1:")
    assert time.monotonic() - started < 2
    # #1 plays from disk, then auto-advance: #2 and #3 are not kept, #4 is
    engine.play(1)
    log.wait_for(lambda e: isinstance(e, SongFinished) and e.rank == 1, timeout=15, what="the end of #1")
    status = status_where(log, "#4 from disk", lambda s: s.rank == 4 and s.state is State.PLAYING, timeout=15)
    assert status.from_disk
    log.drain()
    assert not any(isinstance(e, StatusChanged) and e.status.rank == 3 for e in log.seen)  # skipped, not tried
    assert [e.rank for e in log.of(SongFailed)] == [2, 2]  # asked for, then reached by auto-advance
    assert not [e for e in log.of(PlaybackEnded)]


def test_without_a_library_nothing_is_kept(server, tmp_path):
    playlist = load_playlist(write_playlist(tmp_path / "l.toml", [("A", server.url("/a.wav"))]))
    log = EventLog()
    engine = PlaybackEngine(playlist, log, mpv_options=("ao=null",))
    engine.start()
    try:
        engine.play(1)
        log.wait_for(lambda e: isinstance(e, SongFinished), timeout=15, what="the end")
        wait_until(lambda: engine.status.state is State.STOPPED, what="stopped")
        assert Library().all() == []
    finally:
        engine.shutdown()
