"""Test support for playback: generated audio and a loopback HTTP server.

Everything here listens on 127.0.0.1 only; nothing needs a network.

* :func:`sine_wav` makes a WAV file (16-bit mono 44.1 kHz) with the stdlib.
* :class:`AudioServer` is a small threaded HTTP server with Range support
  (mpv seeks with Range requests) and routes that fail in every way a real
  source can: 404, a stall before any byte, a stall after the headers, a body
  cut off mid-way, bytes that are not audio, an HTML page with an ``<audio>``
  tag (yt-dlp's generic extractor resolves it) and a page without media.
* :func:`refused_port` gives a port nobody listens on.
* :func:`read_pcm` reads what ``ao=pcm`` wrote (raw s16 mono samples) and
  returns its length in seconds and its RMS level.

Fixtures: ``audio_server`` (one server per test module) and ``playlist_file``
(a function that writes a playlist TOML whose songs point at the server).
"""

from __future__ import annotations

import array
import contextlib
import io
import math
import os
import queue
import re
import socket
import sys
import threading
import time
import wave
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

RATE = 44100
HOST = "127.0.0.1"
SADTUI = Path(sys.executable).with_name("sadtui")


# ---------------------------------------------------------------- audio


def sine_wav(seconds: float = 3.0, freq: float = 440.0, amplitude: float = 0.5, rate: int = RATE) -> bytes:
    """A mono 16-bit WAV file holding a sine wave."""
    frames = int(seconds * rate)
    peak = int(32767 * amplitude)
    step = 2 * math.pi * freq / rate
    samples = array.array("h", (int(peak * math.sin(step * i)) for i in range(frames)))
    if sys.byteorder != "little":  # pragma: no cover
        samples.byteswap()
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def pcm_stats(raw: bytes, rate: int = RATE) -> tuple[float, float]:
    """(seconds, RMS level 0..1) of raw signed 16-bit mono little-endian samples."""
    samples = array.array("h")
    samples.frombytes(raw[: len(raw) - len(raw) % 2])
    if sys.byteorder != "little":  # pragma: no cover
        samples.byteswap()
    if not samples:
        return 0.0, 0.0
    rms = math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768
    return len(samples) / rate, rms


def read_pcm(path: Path, rate: int = RATE) -> tuple[float, float]:
    return pcm_stats(path.read_bytes(), rate) if path.exists() else (0.0, 0.0)


def pcm_frequency(path: Path, rate: int = RATE, seconds: float = 0.5) -> float:
    """The dominant frequency of raw s16 mono samples (from zero crossings of the first part)."""
    samples = array.array("h")
    raw = path.read_bytes()[: int(rate * seconds) * 2]
    samples.frombytes(raw[: len(raw) - len(raw) % 2])
    if len(samples) < 2:
        return 0.0
    crossings = sum(1 for a, b in zip(samples, samples[1:], strict=False) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / rate)


PCM_OPTIONS = (
    "ao=pcm",
    "ao-pcm-waveheader=no",
    "audio-format=s16",
    "audio-samplerate=44100",
    "audio-channels=mono",
)


def pcm_options(out: Path) -> list[str]:
    """mpv options that write decoded audio as raw s16 mono samples to `out`."""
    return [*PCM_OPTIONS, f"ao-pcm-file={out}"]


def cli_mpv_args(options: Iterable[str]) -> list[str]:
    args: list[str] = []
    for option in options:
        args += ["--mpv-option", option]
    return args


# ---------------------------------------------------------------- server

SONG_SECONDS = {"/a.wav": 2.0, "/b.wav": 2.0, "/c.wav": 2.0, "/long.wav": 30.0}
FREQS = {"/a.wav": 440.0, "/b.wav": 660.0, "/c.wav": 550.0, "/long.wav": 330.0}


def refused_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (bound, then closed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # quiet: clients hang up on purpose
        pass


def serve(handler: type[BaseHTTPRequestHandler], name: str) -> tuple[ThreadingHTTPServer, int, threading.Thread]:
    """A threaded HTTP server on 127.0.0.1 (a free port) running `handler` in a daemon thread."""
    httpd = _QuietServer((HOST, 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, name=name, daemon=True)
    thread.start()
    return httpd, httpd.server_address[1], thread


class AudioServer:
    """A threaded HTTP server on 127.0.0.1 with Range support and failing routes."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[bytes, str]] = {}
        for path, seconds in SONG_SECONDS.items():
            self.files[path] = (sine_wav(seconds, FREQS[path]), "audio/wav")
        self.files["/garbage.wav"] = (os.urandom(4096) * 16, "audio/wav")
        self.files["/page.html"] = (
            b"<!DOCTYPE html><html><head><title>A page with a song</title></head><body>"
            b"<h1>Listen</h1><audio controls src=\"/b.wav\"></audio></body></html>",
            "text/html; charset=utf-8",
        )
        self.files["/nomedia.html"] = (
            b"<!DOCTYPE html><html><head><title>Nothing to hear</title></head>"
            b"<body><p>Just words, no media here.</p></body></html>",
            "text/html; charset=utf-8",
        )
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.broken: set[str] = set()  # paths that answer 404 for now (see `break_path`)
        self._release = threading.Event()  # set on close: stalled handlers give up
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_HEAD(self) -> None:
                self._serve(head=True)

            def do_GET(self) -> None:
                self._serve(head=False)

            def _serve(self, head: bool) -> None:
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append((path, dict(self.headers.items())))
                try:
                    if path in server.broken or path == "/404":
                        return self._plain(404, b"not found")
                    if path.startswith("/stall"):
                        return self._stall(path, head)
                    if path == "/cut.wav":
                        return self._cut(head)
                    if path not in server.files:
                        return self._plain(404, b"not found")
                    body, ctype = server.files[path]
                    self._ranged(body, ctype, head)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _plain(self, code: int, body: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _range(self, size: int) -> tuple[int, int] | None:
                match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", "").strip())
                if not match or (not match.group(1) and not match.group(2)):
                    return None
                if match.group(1):
                    start = int(match.group(1))
                    end = int(match.group(2)) if match.group(2) else size - 1
                else:  # suffix range: the last N bytes
                    start, end = max(size - int(match.group(2)), 0), size - 1
                return start, min(end, size - 1)

            def _ranged(self, body: bytes, ctype: str, head: bool) -> None:
                size = len(body)
                span = self._range(size)
                if span is not None and span[0] >= size:
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{size}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if span is None:
                    self.send_response(200)
                    start, end = 0, size - 1
                else:
                    start, end = span
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
                self.send_header("Content-Type", ctype)
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(end - start + 1))
                self.end_headers()
                if not head:
                    self.wfile.write(body[start : end + 1])

            def _stall(self, path: str, head: bool) -> None:
                if path.startswith("/stall-body"):  # headers, then nothing
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/wav")
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    self.wfile.flush()
                server._release.wait(60)
                self.close_connection = True

            def _cut(self, head: bool) -> None:
                body = server.files["/a.wav"][0]
                size = len(body)
                span = self._range(size)
                start = span[0] if span else 0
                if span is None:
                    self.send_response(200)
                else:
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
                self.send_header("Content-Type", "audio/wav")
                self.send_header("Accept-Ranges", "bytes")
                self.send_header("Content-Length", str(size - start))
                self.end_headers()
                if not head:
                    # A third of the song at most, never more than what is left; then hang up.
                    stop = min(size, max(start, size // 3))
                    self.wfile.write(body[start:stop])
                    self.wfile.flush()
                self.close_connection = True

        self.httpd, self.port, self.thread = serve(Handler, "audio-server")

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def requested(self, path: str) -> int:
        with self._lock:
            return sum(1 for p, _ in self.requests if p == path)

    def headers_for(self, path: str) -> list[dict[str, str]]:
        with self._lock:
            return [h for p, h in self.requests if p == path]

    def close(self) -> None:
        self._release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def audio_server():
    server = AudioServer()
    try:
        yield server
    finally:
        server.close()


# ---------------------------------------------------------------- playlists


def toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_playlist(path: Path, songs: list[tuple[str, str | None]], title: str = "Loopback") -> Path:
    """songs: (title, url or None), ranked 1..N in that order."""
    lines = [f"title = {toml_string(title)}", ""]
    for rank, (song_title, url) in enumerate(songs, start=1):
        lines += ["[[songs]]", f"rank = {rank}", f"title = {toml_string(song_title)}"]
        if url is not None:
            lines.append(f"url = {toml_string(url)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class EventLog:
    """A notify callback that keeps every engine event; wait for one with a timeout."""

    def __init__(self) -> None:
        self.queue: queue.Queue[Any] = queue.Queue()
        self.seen: list[Any] = []

    def __call__(self, event: Any) -> None:
        self.queue.put(event)

    def wait_for(self, predicate: Callable[[Any], Any], timeout: float = 10.0, what: str = "event") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                tail = [e for e in self.seen if type(e).__name__ != "PositionChanged"][-6:]
                raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}; last: {tail}")
            try:
                event = self.queue.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if predicate(event):
                return event

    def of(self, kind: type) -> list[Any]:
        self.drain()
        return [e for e in self.seen if isinstance(e, kind)]

    def drain(self) -> None:
        while True:
            try:
                self.seen.append(self.queue.get_nowait())
            except queue.Empty:
                return


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, what: str = "condition") -> Any:
    """Poll `predicate` until it is truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.1f}s waiting for {what}")
        time.sleep(0.02)


# ---------------------------------------------------------------- player: raw routes and encoded audio


class RouteServer:
    """A loopback HTTP server whose routes are plain functions: ``routes[path](handler, server)``.

    For responses AudioServer cannot make: Icecast style (no Content-Length, connection
    closed at the end), a Content-Length shorter than the body, playlists and manifests
    that point elsewhere, hostile header values.  ``requests`` counts what was asked for.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler, RouteServer], None]] = {}
        self.requests: list[str] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append(path)
                route = server.routes.get(path)
                try:
                    if route is None:
                        self.send_response(404)
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    route(self, server)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd, self.port, self.thread = serve(Handler, "route-server")

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def requested(self, path: str) -> int:
        with self._lock:
            return sum(1 for p in self.requests if p == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def redirect_to(location: str):
    """A route: 302 to `location`."""

    def route(handler: BaseHTTPRequestHandler, server: RouteServer) -> None:
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return route


def send_body(body: bytes, ctype: str, *, length: int | None = -1, headers: dict[str, str] | None = None):
    """A route: `body` with `ctype`; `length` None sends no Content-Length and closes the
    connection at the end (Icecast style); -1 sends the true length; any other number is sent as is."""

    def route(handler: BaseHTTPRequestHandler, server: RouteServer) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", ctype)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        if length is None:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        else:
            handler.send_header("Content-Length", str(len(body) if length == -1 else length))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        if length is None:
            handler.close_connection = True

    return route


_ENCODED: dict[tuple[str, float], bytes] = {}

_ENCODE_SCRIPT = r"""
import sys, threading, mpv
out, oac, fmt, seconds = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ended = threading.Event()
m = mpv.MPV(video=False, config=False, terminal=False, idle=True, o=out, oac=oac, of=fmt)
m.register_event_callback(lambda e: ended.set() if e.event_id.value == mpv.MpvEventID.END_FILE else None)
m.command("loadfile", f"av://lavfi:sine=frequency=440:duration={seconds}:sample_rate=48000")
ok = ended.wait(30)
m.terminate()  # writes the file's trailer
sys.exit(0 if ok else 1)
"""

ENCODINGS = {"mp3": ("libmp3lame", "mp3"), "flac": ("flac", "flac"), "opus": ("libopus", "ogg")}


def encoded_sine(kind: str, seconds: float, tmp: Path) -> bytes:
    """A sine wave encoded as mp3, flac or opus by libmpv's encoder (a separate process;
    its lavfi source is test input, never anything sadtui plays)."""
    import subprocess

    key = (kind, seconds)
    if key not in _ENCODED:
        oac, fmt = ENCODINGS[kind]
        out = tmp / f"sine-{seconds:g}.{kind}"
        env = {**os.environ, "LC_NUMERIC": "C"}
        try:
            subprocess.run(
                [sys.executable, "-c", _ENCODE_SCRIPT, str(out), oac, fmt, f"{seconds:g}"],
                env=env, timeout=60, check=False, capture_output=True,
            )
        except subprocess.TimeoutExpired:
            pytest.fail(f"libmpv took over 60 s to encode {seconds:g} s of {kind}")
        if not out.exists() or out.stat().st_size < 1000:
            pytest.skip(f"libmpv cannot encode {kind} here")
        _ENCODED[key] = out.read_bytes()
    return _ENCODED[key]


# ---------------------------------------------------------------- a Player writing PCM, for the player tests


@pytest.fixture(scope="module")
def routes():
    """A RouteServer for a test module (routes are added by the tests)."""
    server = RouteServer()
    try:
        yield server
    finally:
        server.close()


@contextlib.contextmanager
def pcm_player(tmp_path: Path, *, append: bool = True, **kwargs: Any):
    """A real Player (libmpv) decoding into `tmp_path/out.raw`, its events in `.events`."""
    from sadtui.services.player import Player

    events = EventLog()
    out = tmp_path / "out.raw"
    options = [*pcm_options(out), *(["ao-pcm-append=yes"] if append else [])]
    player = Player(events, options=options, log_path=tmp_path / "player.log", **kwargs)
    player.events = events  # type: ignore[attr-defined]
    player.out = out  # type: ignore[attr-defined]
    try:
        yield player
    finally:
        player.terminate(timeout=3.0)


def entry_ended(player: Any, entry: int, timeout: float = 10.0) -> Any:
    """The end of `entry` (a redirect's end is not one: mpv follows it)."""
    from sadtui.services.player import FileEnded

    return player.events.wait_for(
        lambda e: isinstance(e, FileEnded) and e.entry == entry and e.reason != "redirect",
        timeout=timeout, what=f"the end of entry {entry}",
    )
