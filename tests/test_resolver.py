"""The resolver: cache, expiry, errors, prefetch; a fake YoutubeDL for the logic, the
real yt-dlp against the loopback server for what yt-dlp itself does."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from audio_support import refused_port, wait_until
from sadtui.model import paths
from sadtui.model.playlist import Song
from sadtui.services.resolver import (
    EXPIRY_MARGIN,
    JS_RUNTIME_HINT,
    SEARCH_TTL,
    STREAM_TTL,
    ResolveError,
    Resolver,
    describe_error,
    js_runtimes,
)

ROOT = Path(__file__).resolve().parents[1]


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeYDL:
    """Answers extract_info from a table; records every call."""

    def __init__(self, answers: dict, calls: list, delay: float = 0.0, gate: threading.Event | None = None):
        self.answers = answers
        self.calls = calls
        self.delay = delay
        self.gate = gate

    def extract_info(self, target: str, download: bool = True):
        self.calls.append(target)
        if self.gate is not None:
            self.gate.wait(10)
        if self.delay:
            time.sleep(self.delay)
        answer = self.answers[target]
        if isinstance(answer, BaseException):
            raise answer
        return answer() if callable(answer) else answer


def make_resolver(answers, *, clock=None, delay=0.0, gate=None, **kwargs):
    calls: list[str] = []
    made: list[dict] = []

    def factory(options):
        made.append(options)
        return FakeYDL(answers, calls, delay, gate)

    resolver = Resolver(ydl_factory=factory, clock=clock or Clock(), **kwargs)
    return resolver, calls, made


def stream_info(url: str, title: str = "T", duration: float | None = 200.0, headers=None):
    return {"url": url, "title": title, "duration": duration, "http_headers": headers or {"User-Agent": "UA"}}


WATCH = "https://www.youtube.com/watch?v=abcdefghijk"
SONG = Song(rank=1, title="Sadness and Sorrow", anime="Naruto")


def search_answers(stream_url: str) -> dict:
    return {
        f"ytsearch8:{SONG.search_terms}": {
            "_type": "playlist",
            "entries": [{"_type": "url", "url": WATCH, "ie_key": "Youtube", "id": "abcdefghijk", "title": "X"}],
        },
        WATCH: stream_info(stream_url, "Sadness and Sorrow (OST)"),
    }


# ---------------------------------------------------------------- options


def test_options_are_bounded_quiet_and_find_the_venv_deno():
    resolver, _, made = make_resolver({WATCH: stream_info("https://x/y")})
    resolver.resolve(Song(1, "t", url=WATCH))
    (options,) = made
    assert options["quiet"] and options["noprogress"] and options["noplaylist"]
    assert options["format"] == "bestaudio/best"
    assert 5 <= options["socket_timeout"] <= 10
    assert options["extractor_retries"] == 1 and options["retries"] <= 2
    assert hasattr(options["logger"], "warning") and hasattr(options["logger"], "debug")
    assert "cookiefile" not in options and "cookiesfrombrowser" not in options
    deno = Path(sys.executable).parent / "deno"
    if deno.exists():
        assert options["js_runtimes"] == {"deno": {"path": str(deno)}}
    assert js_runtimes() == options["js_runtimes"]


@pytest.mark.e2e  # a fresh interpreter: a subprocess
def test_importing_the_playback_modules_loads_neither_ytdlp_nor_mpv():
    code = (
        "import sys, sadtui.cli.main, sadtui.cli.play, sadtui.services.engine, "
        "sadtui.services.resolver, sadtui.services.player; "
        "print(sorted(m for m in ('yt_dlp', 'mpv') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------- resolving and the cache


def test_url_wins_over_the_query():
    song = Song(1, "t", query="never searched", url="https://example.org/song")
    resolver, calls, _ = make_resolver({song.url: stream_info("https://cdn.example.org/a.m4a")})
    got = resolver.resolve(song)
    assert calls == [song.url]
    assert got.url == "https://cdn.example.org/a.m4a" and got.headers == {"User-Agent": "UA"}
    assert got.from_cache is False and got.source == song.url


def test_search_takes_the_first_entry_and_both_are_cached(tmp_path):
    clock = Clock()
    stream = f"https://rr1.googlevideo.com/videoplayback?expire={int(clock.now) + 6 * 3600}&id=1"
    resolver, calls, _ = make_resolver(search_answers(stream), clock=clock)
    first = resolver.resolve(SONG)
    assert calls == [f"ytsearch8:{SONG.search_terms}", WATCH]
    assert first.url == stream and first.title == "Sadness and Sorrow (OST)" and first.duration == 200.0
    assert first.expires_at == clock.now + 6 * 3600 - EXPIRY_MARGIN

    again = Resolver(ydl_factory=lambda o: FakeYDL({}, calls), clock=clock)  # a new process: disk cache
    second = again.resolve(SONG)
    assert second.from_cache and second.url == stream
    assert len(calls) == 2

    data = json.loads(paths.resolve_cache_file().read_text())
    assert data["searches"][SONG.search_terms]["url"] == WATCH
    assert data["searches"][SONG.search_terms]["expires_at"] == clock.now + SEARCH_TTL


def test_the_recording_channel_and_web_thumbnail_are_kept_and_cached():
    song = Song(1, "t", url="https://example.org/song")
    info = stream_info("https://cdn.example.org/a.m4a", "Official audio") | {
        "uploader": "Some Uploader", "channel": "The Channel", "thumbnail": "https://i.example.org/a.jpg"}
    resolver, _, _ = make_resolver({song.url: info})
    got = resolver.resolve(song)
    assert (got.title, got.channel, got.thumbnail) == ("Official audio", "The Channel", "https://i.example.org/a.jpg")
    again = Resolver(ydl_factory=lambda o: FakeYDL({}, []), clock=Clock())  # from the disk cache
    cached = again.resolve(song)
    assert cached.from_cache and cached.channel == "The Channel" and cached.thumbnail == "https://i.example.org/a.jpg"

    other = Song(2, "u", url="https://example.org/other")
    info = stream_info("https://cdn.example.org/b.m4a") | {"uploader": "Uploader", "thumbnail": "file:///etc/passwd"}
    resolver, _, _ = make_resolver({other.url: info})
    got = resolver.resolve(other)
    assert got.channel == "Uploader" and got.thumbnail is None  # artwork only from the web


def test_an_expired_stream_is_resolved_again_but_the_search_is_kept():
    clock = Clock()
    stream = f"https://rr1.googlevideo.com/videoplayback?expire={int(clock.now) + 3600}"
    resolver, calls, _ = make_resolver(search_answers(stream), clock=clock)
    resolver.resolve(SONG)
    clock.now += 3600 - EXPIRY_MARGIN + 1  # inside the margin: stale
    got = resolver.resolve(SONG)
    assert got.from_cache is False
    assert calls == [f"ytsearch8:{SONG.search_terms}", WATCH, WATCH]  # no second search
    clock.now += SEARCH_TTL  # a month later the search itself is stale
    resolver.resolve(SONG)
    assert calls[-2:] == [f"ytsearch8:{SONG.search_terms}", WATCH]


def test_a_url_without_expiry_is_kept_for_an_hour():
    clock = Clock()
    song = Song(1, "t", url="http://127.0.0.1:9/a")
    resolver, calls, _ = make_resolver({song.url: stream_info(song.url)}, clock=clock)
    assert resolver.resolve(song).expires_at == clock.now + STREAM_TTL
    clock.now += STREAM_TTL - 1
    assert resolver.resolve(song).from_cache
    clock.now += 2
    assert not resolver.resolve(song).from_cache
    assert len(calls) == 2


def test_invalidate_forgets_the_stream():
    song = Song(1, "t", url="http://127.0.0.1:9/a")
    resolver, calls, _ = make_resolver({song.url: stream_info(song.url)})
    resolver.resolve(song)
    assert resolver.cached(song) is not None
    resolver.invalidate(song)
    assert resolver.cached(song) is None
    assert not resolver.resolve(song).from_cache
    assert len(calls) == 2


@pytest.mark.parametrize("content", [b"{not json", b"\xff\xfe\x00", b"[]", b'{"version": 1}', b"", b"[" * 5000 + b"]" * 5000])
def test_a_corrupt_cache_file_is_ignored_and_rewritten(content):
    path = paths.resolve_cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    song = Song(1, "t", url="http://127.0.0.1:9/a")
    resolver, _, _ = make_resolver({song.url: stream_info(song.url)})
    assert resolver.resolve(song).url == song.url
    data = json.loads(path.read_text())
    assert data["version"] == 1 and song.url in data["streams"]


def test_cache_writes_are_atomic(monkeypatch):
    song = Song(1, "t", url="http://127.0.0.1:9/a")
    other = Song(2, "u", url="http://127.0.0.1:9/b")
    third = Song(3, "v", url="http://127.0.0.1:9/c")
    resolver, _, _ = make_resolver({s.url: stream_info(s.url) for s in (song, other, third)})
    resolver.resolve(song)
    path = paths.resolve_cache_file()
    before = path.read_text()

    def broken_replace(src, dst):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", broken_replace)
        resolver.resolve(other)  # the write fails: the old file stays whole, no temp file is left
    assert path.read_text() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name, path.name + ".lock"]
    resolver.resolve(third)
    assert json.loads(path.read_text())["streams"].keys() == {song.url, other.url, third.url}


# ---------------------------------------------------------------- bounded, errors


def test_a_hanging_extraction_fails_within_the_deadline_and_the_next_call_starts_fresh():
    gate = threading.Event()
    song = Song(1, "t", url="http://127.0.0.1:9/a")
    resolver, calls, made = make_resolver({song.url: stream_info(song.url)}, gate=gate, deadline=0.5)
    started = time.monotonic()
    with pytest.raises(ResolveError, match="timed out talking to 127.0.0.1"):
        resolver.resolve(song)
    assert time.monotonic() - started < 2
    gate.set()
    assert resolver.resolve(song).url == song.url
    assert len(made) == 2  # the stuck YoutubeDL was dropped


def test_error_messages_for_things_only_the_internet_does():
    from yt_dlp.networking.exceptions import TransportError
    from yt_dlp.utils import DownloadError, ExtractorError

    dns = TransportError("Failed to resolve 'www.youtube.com' ([Errno -3] Temporary failure in name resolution)")
    wrapped = DownloadError("ERROR: [youtube:search] Unable to download", exc_info=(type(dns), dns, None))
    assert describe_error(wrapped, "ytsearch1:x") == "cannot reach www.youtube.com (no network or DNS failure)"

    js = ExtractorError("[youtube] abc: n challenge solving failed: Some formats may be missing")
    warnings = ["WARNING: [youtube] No supported JavaScript runtime could be found."]
    assert describe_error(js, WATCH, warnings) == JS_RUNTIME_HINT
    no_formats = ExtractorError("Requested format is not available. Use --list-formats")
    assert describe_error(no_formats, WATCH, warnings) == JS_RUNTIME_HINT
    assert describe_error(no_formats, "https://example.org/x") == "no audio found on that page"

    slow = TransportError("HTTPSConnectionPool(host='www.youtube.com', port=443): Read timed out.")
    assert describe_error(slow, WATCH) == "timed out talking to www.youtube.com"
    private = ExtractorError("[youtube] abc: Private video. Sign in if you've been granted access")
    assert describe_error(private, WATCH) == "Private video. Sign in if you've been granted access"


def test_warm_up_makes_no_connection(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("warm_up must not connect anywhere")

    import yt_dlp

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(yt_dlp.YoutubeDL, "extract_info", no_network)  # nothing is extracted either
    resolver = Resolver()
    started = time.monotonic()
    resolver.warm_up()
    assert time.monotonic() - started < 10


# ---------------------------------------------------------------- prefetch


def test_prefetch_makes_the_later_resolve_instant():
    song = Song(1, "t", url="http://127.0.0.1:9/a")
    resolver, calls, _ = make_resolver({song.url: stream_info(song.url)}, delay=0.2)
    resolver.prefetch(song)
    wait_until(lambda: resolver.cached(song) is not None, 5, "the prefetch")
    started = time.monotonic()
    got = resolver.resolve(song)
    assert got.from_cache and time.monotonic() - started < 0.1
    assert calls == [song.url]


def test_a_resolve_during_its_prefetch_shares_the_answer():
    gate = threading.Event()
    song = Song(1, "t", url="http://127.0.0.1:9/a")
    resolver, calls, _ = make_resolver({song.url: stream_info(song.url)}, gate=gate)
    resolver.prefetch(song)
    deadline = time.monotonic() + 5
    while not calls and time.monotonic() < deadline:
        time.sleep(0.01)
    threading.Timer(0.2, gate.set).start()
    assert resolver.resolve(song).url == song.url
    assert calls == [song.url]


# ---------------------------------------------------------------- the real yt-dlp, loopback only


@pytest.fixture(scope="module")
def real_resolver():
    return Resolver()


def test_real_direct_media_url_skips_ytdlp(audio_server, real_resolver, monkeypatch):
    # An audio file's own URL is the stream: nothing to extract, no request made.
    import yt_dlp

    def extract_info(*args, **kwargs):
        raise AssertionError("yt-dlp must not be asked")

    monkeypatch.setattr(yt_dlp.YoutubeDL, "extract_info", extract_info)
    requested = audio_server.requested("/a.wav")
    got = real_resolver.resolve(Song(1, "a", url=audio_server.url("/a.wav")))
    assert got.url == audio_server.url("/a.wav") and got.headers == {}
    assert audio_server.requested("/a.wav") == requested


def test_real_page_with_an_audio_tag(audio_server, real_resolver):
    got = real_resolver.resolve(Song(1, "page", url=audio_server.url("/page.html")))
    assert got.url == audio_server.url("/b.wav")
    assert got.headers.get("Referer") == audio_server.url("/page.html")


@pytest.mark.parametrize(
    "path, message",
    [
        ("/404", "HTTP 404 from 127.0.0.1"),
        ("/nomedia.html", "no audio found on that page"),
        ("refused", "connection refused by 127.0.0.1:{port}"),
    ],
)
def test_real_failures_have_clear_messages(audio_server, real_resolver, path, message):
    if path == "refused":
        port = refused_port()
        url = f"http://127.0.0.1:{port}/song"
        message = message.format(port=port)
    else:
        url = audio_server.url(path)
    started = time.monotonic()
    with pytest.raises(ResolveError) as info:
        real_resolver.resolve(Song(1, "x", url=url))
    assert info.value.message == message
    assert time.monotonic() - started < 15


def test_real_stall_times_out_quickly(audio_server):
    resolver = Resolver(socket_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(ResolveError, match=r"^timed out talking to 127\.0\.0\.1$"):
        resolver.resolve(Song(1, "x", url=audio_server.url("/stall")))
    assert time.monotonic() - started < 5


def test_a_slow_prefetch_does_not_hold_up_another_song():
    gate = threading.Event()
    slow_started = threading.Event()
    slow = Song(1, "slow", url="http://127.0.0.1:9/slow")
    quick = Song(2, "quick", url="http://127.0.0.1:9/quick")
    calls: list[str] = []

    class Gated(FakeYDL):
        def extract_info(self, target, download=True):
            if target == slow.url:
                slow_started.set()
                gate.wait(10)
            return super().extract_info(target, download)

    answers = {slow.url: stream_info(slow.url), quick.url: stream_info(quick.url)}
    resolver = Resolver(ydl_factory=lambda o: Gated(answers, calls), clock=Clock())
    try:
        resolver.prefetch(slow)
        assert slow_started.wait(5)
        started = time.monotonic()
        assert resolver.resolve(quick).url == quick.url
        assert time.monotonic() - started < 2
    finally:
        gate.set()
    wait_until(lambda: resolver.cached(slow) is not None, 5, "the slow prefetch")


# ---------------------------------------------------------------- 9.6: a corrupt cache entry is dropped

GOOD = Song(1, "good", url="http://127.0.0.1:9/good")
BAD = Song(2, "bad", url="http://127.0.0.1:9/bad")


def good_entry(url: str = "http://127.0.0.1:9/good.wav") -> dict:
    return {"url": url, "headers": {"User-Agent": "UA"}, "title": "T", "duration": 3.0, "expires_at": 1_900_000_000}


@pytest.mark.parametrize(
    "bad_json",
    [
        '{"url": "http://127.0.0.1:9/bad.wav", "expires_at": 1' + "0" * 400 + "}",  # 401 digits
        '{"url": "http://127.0.0.1:9/bad.wav", "expires_at": NaN}',
        '{"url": "http://127.0.0.1:9/bad.wav", "expires_at": Infinity}',
        '{"url": "http://127.0.0.1:9/bad.wav", "expires_at": true}',
        '{"url": ["http://127.0.0.1:9/bad.wav"], "expires_at": 1900000000}',  # unhashable where a str goes
        '{"url": "http://127.0.0.1:9/bad.wav", "headers": [["a", "b"]], "expires_at": 1900000000}',
        '{"url": "http://127.0.0.1:9/bad.wav", "headers": {"a": {"b": 1}}, "expires_at": 1900000000}',
        '{"url": "http://127.0.0.1:9/bad.wav", "headers": {"X": "a\\r\\nEvil: 1"}, "expires_at": 1900000000}',
        '{"url": "http://127.0.0.1:9/bad.wav", "title": {"t": 1}, "expires_at": 1900000000}',
        '{"url": "http://127.0.0.1:9/bad.wav", "duration": "long", "expires_at": 1900000000}',
        '{"url": "file:///etc/passwd", "expires_at": 1900000000}',  # 9.1: a cached non-web entry
        '{"url": "av://lavfi:sine=frequency=999", "expires_at": 1900000000}',
        '{"url": "http://127.0.0.1:9/bad.wav", "expires_at": ' + "[" * 50 + "]" * 50 + "}",
        '"just a string"',
        "[1, 2, 3]",
    ],
)
def test_a_bad_cache_entry_is_dropped_and_the_good_ones_kept(bad_json):
    path = paths.resolve_cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    good = json.dumps(good_entry())
    path.write_text(
        f'{{"version": 1, "searches": {{}}, "streams": {{"{GOOD.url}": {good}, "{BAD.url}": {bad_json}}}}}'
    )
    resolver, calls, _ = make_resolver({BAD.url: stream_info("http://127.0.0.1:9/fresh.wav")})
    assert resolver.cached(BAD) is None  # no OverflowError, no TypeError
    hit = resolver.cached(GOOD)
    assert hit is not None and hit.url == "http://127.0.0.1:9/good.wav" and hit.duration == 3.0
    assert resolver.resolve(BAD).url == "http://127.0.0.1:9/fresh.wav" and calls == [BAD.url]
    streams = json.loads(path.read_text())["streams"]
    assert streams[BAD.url]["url"] == "http://127.0.0.1:9/fresh.wav" and GOOD.url in streams


def test_a_non_web_stream_from_ytdlp_is_refused_and_never_cached():
    song = Song(1, "t", url="https://example.org/page")
    for stream in ("file:///etc/passwd", "av://lavfi:sine=frequency=999", "edl://x", "fd://3"):
        answers = {song.url: {"title": "x", "formats": [], "requested_formats": [{"url": stream, "acodec": "mp3"}]}}
        resolver, _, _ = make_resolver(answers)
        with pytest.raises(ResolveError, match="^the page points at a non-web address$"):
            resolver.resolve(song)
        assert resolver.cached(song) is None
    manifest = {song.url: {"url": "https://cdn.example.org/a.m4a", "manifest_url": "file:///x.m3u8"}}
    with pytest.raises(ResolveError, match="non-web"):
        make_resolver(manifest)[0].resolve(song)
    assert not paths.resolve_cache_file().exists() or "file:" not in paths.resolve_cache_file().read_text()


# ---------------------------------------------------------------- 9.11: writers merge, never lose entries

WRITER = """
import sys, time
from pathlib import Path
from sadtui.model.playlist import Song
from sadtui.services.resolver import Resolver

cache, name, go = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])

class Fake:
    def extract_info(self, target, download=False):
        return {"url": target + ".wav", "title": name}

resolver = Resolver(cache_path=cache, ydl_factory=lambda options: Fake())
resolver.cached(Song(1, "warm", url="http://127.0.0.1:9/warm"))  # load the (empty) cache first
deadline = time.monotonic() + 30
while not go.exists() and time.monotonic() < deadline:  # all start together
    time.sleep(0.005)
for i in range(20):
    resolver.resolve(Song(i + 1, "s", url=f"http://127.0.0.1:9/{name}/{i}"))
print("done")
"""


@pytest.mark.e2e
def test_four_processes_at_once_keep_each_others_entries(tmp_path):
    cache, go = tmp_path / "resolved.json", tmp_path / "go"
    names = ["p0", "p1", "p2", "p3"]
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(cache), name, str(go)], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for name in names
    ]
    go.touch()
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0 and out.strip() == "done", err
    streams = json.loads(cache.read_text())["streams"]
    wanted = {f"http://127.0.0.1:9/{name}/{i}" for name in names for i in range(20)}
    assert wanted <= streams.keys(), f"lost {len(wanted - streams.keys())} of {len(wanted)}"


def test_threads_and_two_resolvers_in_one_process_keep_every_entry():
    songs = [Song(i + 1, "s", url=f"http://127.0.0.1:9/t/{i}") for i in range(24)]
    answers = {s.url: stream_info(s.url + ".wav") for s in songs}
    first, _, _ = make_resolver(answers)
    second, _, _ = make_resolver(answers)  # another sadtui, as far as the file is concerned
    first.cached(songs[0]), second.cached(songs[0])  # both loaded the empty cache
    threads = [threading.Thread(target=(first, second)[i % 2].resolve, args=(s,)) for i, s in enumerate(songs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    streams = json.loads(paths.resolve_cache_file().read_text())["streams"]
    assert {s.url for s in songs} <= streams.keys()


# ---------------------------------------------------------------- 9.12: every YoutubeDL closed, bounded


class Closable(FakeYDL):
    closed: list = []

    def close(self):
        self.closed.append(self)


def test_every_youtubedl_is_closed_and_their_number_is_bounded():
    gate = threading.Event()
    made: list[Closable] = []
    songs = [Song(i + 1, "s", url=f"http://127.0.0.1:9/stuck/{i}") for i in range(6)]
    answers = {s.url: stream_info(s.url + ".wav") for s in songs}

    def factory(options):
        made.append(Closable(answers, [], gate=gate))
        return made[-1]

    resolver = Resolver(ydl_factory=factory, clock=Clock(), deadline=0.5)
    errors: list[str] = []

    def play(song):
        try:
            resolver.resolve(song)
        except ResolveError as exc:
            errors.append(exc.message)

    threads = [threading.Thread(target=play, args=(s,)) for s in songs]  # holding `n` on a dead network
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert len(errors) == 6 and all(e == "timed out talking to 127.0.0.1" for e in errors)
    assert 1 <= len(made) <= 3  # the pool's bound, not one YoutubeDL per request
    gate.set()  # the stuck calls return: their YoutubeDLs are closed, never reused
    wait_until(lambda: all(y in Closable.closed for y in made), 10, "the abandoned YoutubeDLs to close")
    assert resolver.resolve(songs[0]).url == songs[0].url + ".wav"
    resolver.close()
    assert all(y in Closable.closed for y in made)


@pytest.mark.e2e
def test_the_real_youtubedl_is_closed_by_close(audio_server):
    import yt_dlp

    made: list = []

    class Counting(yt_dlp.YoutubeDL):
        def close(self):
            made.append("closed")
            super().close()

    def factory(options):
        made.append("made")
        return Counting(options)

    resolver = Resolver(ydl_factory=factory)
    assert resolver.resolve(Song(1, "page", url=audio_server.url("/page.html"))).url == audio_server.url("/b.wav")
    resolver.close()
    assert made.count("made") == 1 and made.count("closed") == 1


def test_an_answer_cached_while_a_caller_was_on_its_way_is_not_asked_again(monkeypatch):
    # A caller finds nothing cached, then (before it joins a call in flight) that call ends and
    # caches its answer: the caller starts the only call for its song, and must take that answer.
    song = Song(1, "t", url="http://127.0.0.1:9/same")
    resolver, calls, _ = make_resolver({song.url: stream_info(song.url + ".wav")})
    assert resolver.resolve(song).url == song.url + ".wav"
    real_cached = resolver.cached
    stale = [None]  # what the caller saw first: nothing cached yet

    def cached(which):
        return stale.pop() if stale else real_cached(which)

    monkeypatch.setattr(resolver, "cached", cached)
    resolved = resolver.resolve(song)
    assert resolved.url == song.url + ".wav" and resolved.from_cache
    assert calls == [song.url]  # yt-dlp was asked once


def test_the_same_song_from_many_threads_is_resolved_once_and_errors_are_shared(monkeypatch):
    from sadtui.services import shared_calls

    joined: list[str] = []  # the threads waiting for a call already in flight

    class CountedEvent(threading.Event):
        def wait(self, timeout=None):
            joined.append(threading.current_thread().name)
            return super().wait(timeout)

    class CountedFlight(shared_calls._Flight):
        def __init__(self) -> None:
            super().__init__()
            self.done = CountedEvent()

    monkeypatch.setattr(shared_calls, "_Flight", CountedFlight)
    gate = threading.Event()
    song = Song(1, "t", url="http://127.0.0.1:9/same")
    broken = Song(2, "b", url="http://127.0.0.1:9/broken")
    answers = {song.url: stream_info(song.url + ".wav"), broken.url: ResolveError("no audio found on that page")}
    resolver, calls, _ = make_resolver(answers, gate=gate)
    results: list = []

    def ask(which):
        try:
            results.append(resolver.resolve(which).url)
        except ResolveError as exc:
            results.append(exc.message)

    threads = [threading.Thread(target=ask, args=(s,)) for s in [song] * 5 + [broken] * 3]
    for thread in threads:
        thread.start()
    # Both calls are held at yt-dlp until the six other threads wait for them (an error is not
    # cached: a thread still on its way once the call has failed would rightly ask again).
    wait_until(lambda: len(calls) == 2 and len(joined) == 6, 5, "both songs to reach yt-dlp, six waiters")
    gate.set()
    for thread in threads:
        thread.join(10)
    assert sorted(calls) == sorted([song.url, broken.url])
    assert results.count(song.url + ".wav") == 5 and results.count("no audio found on that page") == 3
    resolver.close()
    with pytest.raises(ResolveError, match="closed"):
        resolver.resolve(Song(3, "c", url="http://127.0.0.1:9/after"))
