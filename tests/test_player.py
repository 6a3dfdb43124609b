"""The player against real libmpv and loopback servers: redirects followed (9.7), complete
Icecast-style streams vs cut ones (9.8), a too-short Content-Length (9.9), explain_later
(9.14), the numeric locale (9.13), mpv's named end reasons."""

from __future__ import annotations

import locale
import threading
import time

import pytest

from audio_support import (
    AudioServer,
    encoded_sine,
    pcm_frequency,
    pcm_options,
    pcm_player,
    read_pcm,
    send_body,
    sine_wav,
)
from sadtui.services.player import (
    FileEnded,
    FileLoaded,
    FileStarted,
    Player,
    ensure_numeric_locale,
    explain_failure,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def player(tmp_path):
    with pcm_player(tmp_path) as player:
        yield player


def _ended(player, entry: int, timeout: float = 15.0) -> FileEnded:
    return player.events.wait_for(
        lambda e: isinstance(e, FileEnded) and e.entry == entry, timeout=timeout, what=f"entry {entry} to end"
    )


def _play(player, url: str, **explain_args):
    entry = player.load(url)
    ended = _ended(player, entry)
    return entry, ended, player.explain(entry, url=url, reason=ended.reason, error=ended.error, **explain_args)


# ---------------------------------------------------------------- 9.7 redirects


@pytest.mark.parametrize("kind", ["pls", "m3u"])
def test_a_radio_playlist_is_followed_under_the_original_entry(player, routes, kind):
    first, second = routes.url("/r-a.wav"), routes.url("/r-b.wav")
    routes.routes["/r-a.wav"] = send_body(sine_wav(2.0, 440.0), "audio/wav")
    routes.routes["/r-b.wav"] = send_body(sine_wav(2.0, 660.0), "audio/wav")
    if kind == "pls":
        body = f"[playlist]\nFile1={first}\nFile2={second}\nNumberOfEntries=2\nVersion=2\n"
        ctype = "audio/x-scpls"
    else:
        body = f"#EXTM3U\n#EXTINF:-1,Radio\n{first}\n{second}\n"
        ctype = "audio/x-mpegurl"
    routes.routes[f"/radio.{kind}"] = send_body(body.encode(), ctype)
    entry = player.load(routes.url(f"/radio.{kind}"))
    player.events.wait_for(lambda e: isinstance(e, FileLoaded) and e.entry == entry, what="the stream to load")
    ended = _ended(player, entry)
    assert ended.reason == "eof"  # the engine's entry ends when the station's stream does
    assert player.explain(entry, url=routes.url(f"/radio.{kind}"), reason="eof", error=0) is None
    seconds, _rms = read_pcm(player.out)
    assert seconds == pytest.approx(2.0, abs=0.2)  # the first stream, not the mirror after it
    assert pcm_frequency(player.out) == pytest.approx(440, rel=0.05)
    redirects = [e for e in player.events.of(FileEnded) if e.reason == "redirect"]
    assert not redirects  # the engine never sees the replaced entry end
    assert all(e.entry == entry for e in player.events.of(FileStarted))


def test_a_redirect_to_a_local_file_is_refused(player, routes, tmp_path):
    song = tmp_path / "local.wav"
    song.write_bytes(sine_wav(1.0))
    routes.routes["/local-radio.pls"] = send_body(
        f"[playlist]\nFile1=file://{song}\nNumberOfEntries=1\n".encode(), "audio/x-scpls"
    )
    entry = player.load(routes.url("/local-radio.pls"))
    ended = _ended(player, entry)
    assert ended.reason == "error"
    assert read_pcm(player.out)[0] == 0.0


# ---------------------------------------------------------------- 9.8 / 9.9 how a stream ended


@pytest.mark.parametrize("kind", ["mp3", "flac", "opus"])
def test_icecast_style_stream_that_ends_is_complete(player, routes, tmp_path, kind):
    body = encoded_sine(kind, 4.0, tmp_path)
    routes.routes[f"/ice.{kind}"] = send_body(body, "audio/mpeg", length=None)  # no Content-Length, then close
    _entry, ended, message = _play(player, routes.url(f"/ice.{kind}"), position=0.0, duration=4.0)
    assert ended.reason == "eof"
    assert message is None  # was "the stream ended early (connection cut)"
    assert read_pcm(player.out)[0] == pytest.approx(4.0, abs=0.3)


def test_a_stream_cut_before_its_content_length_is_still_a_cut(player):
    server = AudioServer()
    try:
        _entry, ended, message = _play(player, server.url("/cut.wav"), position=0.6, duration=2.0)
    finally:
        server.close()
    assert message == "the stream ended early (connection cut)", ended


def test_a_content_length_shorter_than_the_song_is_said(player, routes):
    wav = sine_wav(6.0)
    routes.routes["/short.wav"] = send_body(wav, "audio/wav", length=len(wav) // 4)
    _entry, ended, message = _play(player, routes.url("/short.wav"), position=1.5, duration=2.2)
    assert ended.reason == "eof"
    assert message is not None and "sent less than the whole song" in message  # was None: "success"
    assert "127.0.0.1" in message


@pytest.mark.parametrize("path", ["/full.wav", "/full.mp3", "/full.flac", "/full.opus"])
def test_whole_songs_with_a_true_length_are_clean(player, routes, tmp_path, path):
    kind = path.rsplit(".", 1)[1]
    body = sine_wav(2.0) if kind == "wav" else encoded_sine(kind, 4.0, tmp_path)
    routes.routes[path] = send_body(body, "audio/wav" if kind == "wav" else "audio/mpeg")
    _entry, ended, message = _play(player, routes.url(path))
    assert ended.reason == "eof" and message is None


@pytest.mark.unit
def test_unknown_length_premature_end_is_not_a_cut():
    lines = ["[ffmpeg] error: http: Stream ends prematurely at 32493, should be 18446744073709551615"]
    assert explain_failure(lines, url="http://h/x", reason="eof", error=0, elapsed=1, position=0, duration=4) is None
    lines = ["[ffmpeg] error: http: Stream ends prematurely at 32493, should be 88244"]
    assert explain_failure(lines, url="http://h/x", reason="eof", error=0, elapsed=1, position=0, duration=4) == (
        "the stream ended early (connection cut)"
    )


# ---------------------------------------------------------------- 9.14 explain_later


def test_explain_later_returns_at_once_and_calls_done_once(player, audio_server):
    url = audio_server.url("/404")
    entry = player.load(url)
    ended = _ended(player, entry)
    results: list[tuple[str | None, str]] = []
    called = threading.Event()

    def done(message):
        results.append((message, threading.current_thread().name))
        called.set()

    started = time.monotonic()
    player.explain_later(entry, url=url, reason=ended.reason, error=ended.error, done=done)
    assert time.monotonic() - started < 0.05  # the control thread is not held up
    assert called.wait(1.5)
    time.sleep(0.2)  # a second call would come within this
    assert len(results) == 1
    message, thread = results[0]
    assert message == "HTTP 404 from 127.0.0.1"
    assert message == player.explain(entry, url=url, reason=ended.reason, error=ended.error)
    assert thread == "sadtui-explain"


def test_explain_later_survives_a_failing_callback(player, audio_server):
    url = audio_server.url("/404")
    entry = player.load(url)
    ended = _ended(player, entry)
    got = threading.Event()

    def bad(message):
        raise RuntimeError("consumer bug")

    player.explain_later(entry, url=url, reason=ended.reason, error=ended.error, done=bad)
    player.explain_later(entry, url=url, reason=ended.reason, error=ended.error, done=lambda m: got.set())
    assert got.wait(3.0)


# ---------------------------------------------------------------- 9.13 the numeric locale


def test_open_off_the_main_thread_does_not_touch_the_locale(monkeypatch, tmp_path):
    ensure_numeric_locale()  # the main thread, early (as the CLI and the TUI do)
    assert locale.setlocale(locale.LC_NUMERIC) == "C"
    calls: list[tuple[str, tuple]] = []
    real = locale.setlocale

    def spy(category, value=None):
        if value is not None:
            calls.append((threading.current_thread().name, (category, value)))
        return real(category, value)

    monkeypatch.setattr(locale, "setlocale", spy)
    player = Player(options=pcm_options(tmp_path / "o.raw"), use_log=False)
    errors: list[BaseException] = []

    def worker():
        try:
            player.open()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=worker, name="control")
    thread.start()
    thread.join(10)
    try:
        assert not errors and player.is_open
        assert calls == []  # was setlocale(LC_NUMERIC, "C") on the control thread
    finally:
        player.terminate()


@pytest.mark.unit
def test_ensure_numeric_locale_is_idempotent_and_never_lc_all():
    before = locale.setlocale(locale.LC_CTYPE)
    ensure_numeric_locale()
    ensure_numeric_locale()
    assert locale.setlocale(locale.LC_NUMERIC) == "C"
    assert locale.setlocale(locale.LC_CTYPE) == before


# ---------------------------------------------------------------- mpv's named constants


@pytest.mark.unit
def test_end_reasons_come_from_python_mpv():
    import mpv

    from sadtui.services.player import _end_reasons

    reasons = _end_reasons()
    assert reasons[mpv.MpvEventEndFile.REDIRECT] == "redirect"
    assert reasons[mpv.MpvEventEndFile.EOF] == "eof"
    assert reasons[mpv.MpvEventEndFile.ERROR] == "error"


def test_the_next_song_after_a_followed_radio_playlist_plays(player, routes):
    routes.routes["/n-a.wav"] = send_body(sine_wav(1.0, 440.0), "audio/wav")
    routes.routes["/n-b.wav"] = send_body(sine_wav(1.0, 660.0), "audio/wav")
    routes.routes["/n.pls"] = send_body(
        f"[playlist]\nFile1={routes.url('/n-a.wav')}\nFile2={routes.url('/n-a.wav')}\nNumberOfEntries=2\n".encode(),
        "audio/x-scpls",
    )
    first = player.load(routes.url("/n.pls"))
    assert _ended(player, first).reason == "eof"
    second = player.load(routes.url("/n-b.wav"))
    player.events.wait_for(lambda e: isinstance(e, FileLoaded) and e.entry == second, what="the next song")
    assert _ended(player, second).reason == "eof"
    assert read_pcm(player.out)[0] == pytest.approx(2.0, abs=0.2)


def test_an_empty_radio_playlist_ends_its_entry_with_an_error(player, routes):
    routes.routes["/empty.pls"] = send_body(b"[playlist]\nNumberOfEntries=0\n", "audio/x-scpls")
    entry = player.load(routes.url("/empty.pls"))
    ended = _ended(player, entry, timeout=5.0)
    assert ended.reason == "error"


def test_sadtui_play_follows_a_radio_playlist(tmp_path, routes):
    import subprocess
    import sys
    from pathlib import Path

    routes.routes["/cli-a.wav"] = send_body(sine_wav(2.0, 440.0), "audio/wav")
    routes.routes["/cli.pls"] = send_body(
        f"[playlist]\nFile1={routes.url('/cli-a.wav')}\nNumberOfEntries=1\n".encode(), "audio/x-scpls"
    )
    playlist = tmp_path / "pl.toml"
    playlist.write_text(f'title = "t"\n\n[[songs]]\nrank = 1\ntitle = "Radio"\nurl = "{routes.url("/cli.pls")}"\n')
    out = tmp_path / "cli.raw"
    args = [str(Path(sys.executable).with_name("sadtui")), "play", "1", "--playlist", str(playlist)]
    for option in pcm_options(out):
        args += ["--mpv-option", option]
    started = time.monotonic()
    result = subprocess.run(args, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr  # was 1 after 14.5 s: "timed out talking to 127.0.0.1"
    assert time.monotonic() - started < 10
    assert read_pcm(out)[0] == pytest.approx(2.0, abs=0.2)


def test_two_explain_later_calls_do_not_queue(player, audio_server, monkeypatch):
    url = audio_server.url("/404")
    entry = player.load(url)
    ended = _ended(player, entry)
    real_lines_for = player.lines_for

    def slow_lines_for(entry, timeout=1.0):  # as when mpv's log lines are slow to come
        time.sleep(0.8)
        return real_lines_for(entry, timeout)

    monkeypatch.setattr(player, "lines_for", slow_lines_for)
    times: list[float] = []
    both = threading.Barrier(3, timeout=5)

    def done(message):
        times.append(time.monotonic())
        both.wait()

    started = time.monotonic()
    for _ in range(2):
        player.explain_later(entry, url=url, reason=ended.reason, error=ended.error, done=done)
    both.wait()
    assert max(times) - started < 1.3  # each within ~1.2 s, not one after the other
