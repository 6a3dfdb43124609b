"""Keeping songs: an audio file's own URL fetched with urllib3, a page downloaded by
yt-dlp (one YoutubeDL per thread), both from real loopback servers."""

from __future__ import annotations

import threading

import pytest

from audio_support import redirect_to, send_body, sine_wav
from sadtui.model.playlist import Song
from sadtui.services import library_download
from sadtui.services.library import Library, LibraryError

pytestmark = pytest.mark.e2e


def song(url: str, rank: int = 1) -> Song:
    return Song(rank=rank, title=f"Song {rank}", url=url)


def leftovers(lib: Library) -> list[str]:
    return sorted(p.name for p in lib.directory.iterdir() if p.name not in ("index.json", "index.json.lock"))


def _cut_once(body: bytes):
    """The first GET is cut after a third; a GET with Range gets the rest (206)."""
    seen: list[str | None] = []

    def route(handler, server) -> None:
        wanted = handler.headers.get("Range")
        seen.append(wanted)
        size = len(body)
        if wanted is None:
            handler.send_response(200)
            handler.send_header("Content-Length", str(size))
            handler.end_headers()
            handler.wfile.write(body[: size // 3])
            handler.wfile.flush()
            handler.close_connection = True
            return
        start = int(wanted.removeprefix("bytes=").split("-")[0])
        handler.send_response(206)
        handler.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        handler.send_header("Content-Length", str(size - start))
        handler.end_headers()
        handler.wfile.write(body[start:])

    return route, seen


def test_a_cut_download_resumes_with_range_and_is_kept_whole(routes):
    body = sine_wav(3.0, 440.0)
    route, seen = _cut_once(body)
    routes.routes["/resume.wav"] = route
    lib = Library(socket_timeout=3)
    kept = lib.download(song(routes.url("/resume.wav")))
    assert kept.path.read_bytes() == body
    assert seen == [None, f"bytes={len(body) // 3}-"]
    assert leftovers(lib) == [kept.file]


def test_a_server_that_ignores_the_range_starts_the_file_again(routes):
    body = sine_wav(2.0, 550.0)
    calls: list[str | None] = []

    def route(handler, server) -> None:
        calls.append(handler.headers.get("Range"))
        handler.send_response(200)  # never 206
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if len(calls) == 1:
            handler.wfile.write(body[:1000])
            handler.wfile.flush()
            handler.close_connection = True
        else:
            handler.wfile.write(body)

    routes.routes["/norange.wav"] = route
    kept = Library(socket_timeout=3).download(song(routes.url("/norange.wav")))
    assert kept.path.read_bytes() == body and len(calls) == 2


def test_a_redirect_is_followed_to_the_audio(routes):
    body = sine_wav(1.0, 660.0)
    routes.routes["/real.wav"] = send_body(body, "audio/wav")
    routes.routes["/moved.wav"] = redirect_to("/real.wav")
    kept = Library().download(song(routes.url("/moved.wav")))
    assert kept.path.read_bytes() == body


def test_a_redirect_to_a_local_file_is_refused_in_one_line(routes, tmp_path):
    secret = tmp_path / "secret.wav"
    secret.write_bytes(b"RIFF secret")
    routes.routes["/evil.wav"] = redirect_to(f"file://{secret}")
    lib = Library()
    with pytest.raises(LibraryError) as err:
        lib.download(song(routes.url("/evil.wav")))
    assert err.value.message == "the server redirected to an address that is not a web address"
    assert lib.all() == []
    assert all(b"secret" not in p.read_bytes() for p in lib.directory.iterdir() if p.is_file())


def test_a_redirect_loop_is_one_line(routes):
    routes.routes["/loop.wav"] = redirect_to("/loop.wav")
    with pytest.raises(LibraryError) as err:
        Library().download(song(routes.url("/loop.wav")))
    assert err.value.message == "too many redirects at 127.0.0.1"
    assert 2 <= routes.requested("/loop.wav") <= 6


def test_an_http_error_is_one_line_naming_the_status(audio_server):
    lib = Library()
    with pytest.raises(LibraryError) as err:
        lib.download(song(audio_server.url("/missing.wav")))
    assert err.value.message == "HTTP 404 from 127.0.0.1"
    assert lib.all() == [] and leftovers(lib) == []


def test_a_file_over_the_cap_is_refused_before_it_is_written(audio_server):
    lib = Library(cap=1000)
    with pytest.raises(LibraryError, match="larger than the library's size cap"):
        lib.download(song(audio_server.url("/long.wav")))
    assert lib.all() == [] and leftovers(lib) == []
    assert audio_server.requested("/long.wav") == 1


def test_a_page_is_downloaded_by_yt_dlp_and_kept(audio_server):
    lib = Library()
    kept = lib.download(song(audio_server.url("/page.html")))
    assert kept.path.read_bytes() == audio_server.files["/b.wav"][0]
    assert kept.path.suffix == ".wav"
    assert leftovers(lib) == [kept.file]


def test_a_page_whose_audio_is_cut_is_not_kept(audio_server):
    audio_server.files["/cutpage.html"] = (
        b'<!DOCTYPE html><html><head><title>Cut</title></head><body><audio src="/cut.wav"></audio></body></html>',
        "text/html; charset=utf-8",
    )
    lib = Library(socket_timeout=2)
    with pytest.raises(LibraryError):
        lib.download(song(audio_server.url("/cutpage.html")))
    assert lib.all() == [] and leftovers(lib) == []


def test_one_youtubedl_per_thread_for_every_page_it_downloads(audio_server, monkeypatch):
    made: list[int] = []
    real = library_download.YtdlSession

    def counting(*args, **kwargs):
        made.append(threading.get_ident())
        return real(*args, **kwargs)

    monkeypatch.setattr(library_download, "YtdlSession", counting)
    for name in ("/p1.html", "/p2.html", "/p3.html"):
        audio_server.files[name] = audio_server.files["/page.html"]
    lib = Library()
    lib.download(song(audio_server.url("/p1.html"), rank=1))
    lib.download(song(audio_server.url("/p2.html"), rank=2))
    assert len(made) == 1  # the second page used the same YoutubeDL
    other = threading.Thread(target=lambda: lib.download(song(audio_server.url("/p3.html"), rank=3)))
    other.start()
    other.join(60)
    assert len(made) == 2 and made[0] != made[1]  # another thread, its own
    lib.close_sessions()
    assert len(lib.all()) == 3


def test_an_audio_url_never_loads_yt_dlp(audio_server, monkeypatch):
    monkeypatch.setattr(library_download, "YtdlSession", lambda *a, **k: pytest.fail("yt-dlp was used"))
    kept = Library().download(song(audio_server.url("/a.wav")))
    assert kept.path.read_bytes() == audio_server.files["/a.wav"][0]
