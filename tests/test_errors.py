"""services/errors.py and model/urls.py: the one classifier of yt-dlp failures, the
one "is this a web address" check.  yt-dlp's exception classes, built by hand."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from yt_dlp.networking import Response
from yt_dlp.networking.exceptions import HTTPError, IncompleteRead, SSLError, TransportError
from yt_dlp.utils import DownloadError, ExtractorError

from sadtui.model.urls import is_web_url
from sadtui.services import errors, resolver
from sadtui.services.errors import (
    BAD_ADDRESS,
    NON_WEB,
    ResolveError,
    describe_ytdlp_error,
    exception_chain,
    first_line,
    host_of,
    host_port_of,
)

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[1]
EVIL = "\x1b]0;pwned\x07\x1b[2J\u202e"


def http_error(status: int, url: str, reason: str = "Reason", redirect_loop: bool = False) -> HTTPError:
    return HTTPError(Response(io.BytesIO(b""), url, {}, status=status, reason=reason), redirect_loop=redirect_loop)


def wrapped(inner: BaseException, text: str = "ERROR: [generic] x: Unable to download webpage") -> DownloadError:
    return DownloadError(text, exc_info=(type(inner), inner, None))


# ---------------------------------------------------------------- web addresses


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/a.wav", "https://rr1.googlevideo.com/videoplayback?expire=1&x=%20", "HTTPS://Example.org"],
)
def test_web_urls(url):
    assert is_web_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "av://lavfi:sine=frequency=999",
        "av://lavfi:sine=d=1,ametadata=mode=print:file=/tmp/victim",
        "lavfi://sine",
        "edl://file:///etc/hostname",
        "fd://0",
        "memory://abc",
        "/etc/passwd",
        "ytsearch1:sad songs",
        "http://",
        "http:///path",
        "http://[::1/x",
        "http://ex%01ample.org/",
        "http://a b/",
        "http://example.org/\x1b[2J",
        "http://example.org/\u202egnp",
        "http://example.org:99999/",
        None,
        42,
        "",
    ],
)
def test_non_web_urls(url):
    assert not is_web_url(url)


def test_the_helpers_have_one_home_and_the_old_names_still_work():
    assert resolver.host_of is errors.host_of is host_of
    assert resolver.host_port_of is errors.host_port_of is host_port_of
    assert resolver.ResolveError is ResolveError
    assert resolver.describe_error is describe_ytdlp_error
    assert host_of("ytsearch1:x") == "www.youtube.com" and host_of("http://[::1") == "the server"
    assert host_port_of("https://example.org/x") == "example.org:443"


def test_no_private_ytdlp_names_in_the_resolver():
    for name in ("services/resolver", "services/ytdl_session", "services/ytdl_info", "services/resolve_cache",
                 "services/errors", "model/urls"):
        source = (ROOT / "src" / "sadtui" / f"{name}.py").read_text()
        assert "_ies" not in source, name
        assert len(source.splitlines()) <= 420, name


# ---------------------------------------------------------------- the classifier


def test_typed_http_errors_come_first_and_name_the_host_that_answered():
    # The text says "timed out", but the type says HTTP 503 from the CDN: the type wins.
    err = wrapped(http_error(503, "http://cdn.example.org/x", "timed out upstream"))
    assert describe_ytdlp_error(err, "http://page.example.org/") == "HTTP 503 from cdn.example.org"
    loop = wrapped(http_error(302, "http://loop.example.org/a", "Found", redirect_loop=True))
    assert describe_ytdlp_error(loop, "http://page.example.org/") == "too many redirects at loop.example.org"


def test_an_evil_reason_phrase_is_dropped_or_escaped():
    err = wrapped(http_error(300, "http://127.0.0.1:1/x", EVIL), f"ERROR: Unable to download: HTTP Error 300: {EVIL}")
    message = describe_ytdlp_error(err, "http://127.0.0.1:1/x")
    assert message == "HTTP 300 from 127.0.0.1"
    odd = ExtractorError(f"[generic] x: something odd {EVIL} happened")
    text = describe_ytdlp_error(odd, "http://example.org/")
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b" in text and "\\u202e" in text
    host = describe_ytdlp_error(TransportError(f"Failed to resolve 'evil{EVIL}.org' (Errno -2)"), "http://x.org/")
    assert "\x1b" not in host and host.startswith("cannot reach evil\\x1b")


def test_transport_errors_by_type():
    assert describe_ytdlp_error(wrapped(IncompleteRead(10, 100)), "http://h.org/") == "the connection to h.org was cut"
    assert describe_ytdlp_error(wrapped(SSLError("bad")), "https://h.org/") == "secure connection to h.org failed (SSL)"
    timeout = TransportError("read", cause=TimeoutError("read"))
    assert describe_ytdlp_error(wrapped(timeout), "http://h.org/") == "timed out talking to h.org"
    dns = TransportError(
        "Failed to resolve 'other.example' ([Errno -2] Name or service not known)",
        cause=socket.gaierror(-2, "Name or service not known"),
    )
    assert describe_ytdlp_error(wrapped(dns), "http://first.example/") == (
        "cannot reach other.example (no network or DNS failure)"
    )


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Invalid IPv6 URL", BAD_ADDRESS),
        ("encoding with 'idna' codec failed (UnicodeError: label too long)", BAD_ADDRESS),
        ("Failed to parse: Host 'ex%01ample' contains invalid percent-encoded control character '%01'", BAD_ADDRESS),
        ("file:// URLs are disabled by default in yt-dlp for security reasons.", NON_WEB),
        ("No connection adapters were found for 'file:///etc/hostname'", NON_WEB),
        ("Failed to parse JSON (caused by JSONDecodeError)", "Failed to parse JSON"),
    ],
)
def test_raw_internals_become_plain_sentences(text, expected):
    assert describe_ytdlp_error(DownloadError(f"ERROR: [generic] x: {text}"), "http://example.org/") == expected


def test_first_line_and_the_chain():
    inner = ValueError("inner")
    outer = DownloadError("outer\nsecond line", exc_info=(ValueError, inner, None))
    assert exception_chain(outer) == [outer, inner]
    assert first_line(outer) == "outer"
    assert first_line(RuntimeError()) == "RuntimeError"
    assert first_line(f"\n  {EVIL} x\nmore") == "\\x1b]0;pwned\\x07\\x1b[2J\\u202e x"


@pytest.mark.e2e  # a fresh interpreter: a subprocess
def test_importing_errors_does_not_import_ytdlp():
    code = "import sys, sadtui.services.errors, sadtui.services.resolve_cache; print('yt_dlp' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"
