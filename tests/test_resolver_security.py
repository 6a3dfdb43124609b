"""A page must not decide what mpv opens; yt-dlp's failures say one plain, escaped sentence.

The real yt-dlp against the hostile loopback server (tests/hostile_server.py), and
`sadtui play` in a subprocess for the file-write attack.  Loopback only."""

from __future__ import annotations

import json
import subprocess

import pytest

from audio_support import SADTUI, write_playlist
from hostile_server import EVIL_REASON, UNRESOLVABLE, HostileServer, audio_page
from sadtui.model import paths
from sadtui.model.playlist import Song
from sadtui.services.errors import BAD_ADDRESS, NON_WEB
from sadtui.services.resolver import ResolveError, Resolver

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def hostile_server():
    with HostileServer() as server:
        yield server


@pytest.fixture(scope="module")
def resolver():
    resolver = Resolver(socket_timeout=3.0, deadline=10.0)
    yield resolver
    resolver.close()


def fail(resolver: Resolver, url: str) -> str:
    with pytest.raises(ResolveError) as info:
        resolver.resolve(Song(1, "hostile", url=url))
    return info.value.message


def cached_urls() -> list[str]:
    path = paths.resolve_cache_file()
    if not path.exists():
        return []
    data = json.loads(path.read_text())
    return [entry["url"] for table in ("searches", "streams") for entry in data[table].values()]


# ---------------------------------------------------------------- 9.1: only web addresses leave


@pytest.mark.parametrize(
    "path",
    ["/file.html", "/edl.html", "/amovie.html", "/endless.html", "/hls.html", "/to-file"],
)
def test_a_page_pointing_at_a_non_web_address_is_refused_and_not_cached(hostile_server, resolver, path):
    assert fail(resolver, hostile_server.url(path)) == NON_WEB
    assert all(url.startswith("http://127.0.0.1:") for url in cached_urls())


def test_the_lavfi_file_write_page_never_reaches_mpv(hostile_server, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    ghost = tmp_path / "never-created.txt"
    hostile_server.page("/victim.html", audio_page(f"av://lavfi:sine=d=1,ametadata=mode=print:file={victim}"))
    hostile_server.page("/ghost.html", audio_page(f"av://lavfi:sine=d=1,ametadata=mode=print:file={ghost}"))
    songs = write_playlist(
        tmp_path / "hostile.toml",
        [("Victim", hostile_server.url("/victim.html")), ("Ghost", hostile_server.url("/ghost.html"))],
    )
    result = subprocess.run(
        [str(SADTUI), "play", "1", "2", "--playlist", str(songs), "--mpv-option", "ao=null"],
        capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(NON_WEB in line for line in lines), result.stderr
    assert "Traceback" not in result.stderr
    assert victim.read_text() == "precious\n"
    assert not ghost.exists()
    assert "lavfi" not in paths.resolve_cache_file().read_text() if paths.resolve_cache_file().exists() else True


def test_a_good_page_still_resolves_to_its_http_stream(hostile_server, resolver):
    hostile_server.page("/good.html", audio_page("/song.wav"))
    got = resolver.resolve(Song(1, "good", url=hostile_server.url("/good.html")))
    assert got.url == hostile_server.url("/song.wav")
    assert cached_urls() == [got.url]


# ---------------------------------------------------------------- 9.17 / 9.2: messages


def test_an_evil_reason_phrase_never_reaches_the_message(hostile_server, resolver):
    for path, status in (("/evil-reason", 300), ("/evil-404", 404)):
        message = fail(resolver, hostile_server.url(path))
        assert message == f"HTTP {status} from 127.0.0.1"
        assert not any(ch in message for ch in "\x1b\x07\x9b")
    assert EVIL_REASON not in repr(cached_urls())


def test_a_redirect_loop_says_too_many_redirects(hostile_server, resolver):
    assert fail(resolver, hostile_server.url("/loop")) == "too many redirects at 127.0.0.1"


def test_a_redirect_to_an_unresolvable_host_names_that_host(hostile_server, resolver):
    message = fail(resolver, hostile_server.url("/away"))
    assert message == f"cannot reach {UNRESOLVABLE} (no network or DNS failure)"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/song",  # was: Invalid IPv6 URL
        "http://" + "a" * 70 + ".example/song",  # was: encoding with 'idna' codec failed (...)
        "http://ex%01ample.org/song",  # was: Failed to parse: Host ... percent-encoded control character
        "http://127.0.0.1:99999/song",  # was: Port out of range 0-65535
    ],
)
def test_an_invalid_address_says_so_plainly(resolver, url):
    assert fail(resolver, url) == BAD_ADDRESS
