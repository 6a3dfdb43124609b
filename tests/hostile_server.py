"""A loopback HTTP server that serves hostile pages, headers and redirects.

Everything listens on 127.0.0.1 only.  Routes are plain data, added by a test or
taken from the defaults below:

* :meth:`HostileServer.page` serves a body as it is (an HTML page, an ``.m3u``...);
  :func:`audio_page` builds a page whose ``<audio src>`` is whatever a test wants
  (``av://lavfi:...``, ``file:///...``, ``edl://...``).
* :meth:`HostileServer.status` answers with any status and any raw reason phrase
  (escape sequences included: ``HTTP/1.1 300 \\x1b]0;pwned\\x07``).
* :meth:`HostileServer.redirect` answers 302 to any location (itself: a loop; a
  host that does not resolve; a non-web scheme).

Use it as a context manager (``with HostileServer() as server:``), e.g. in a
module-scoped fixture.
"""

from __future__ import annotations

import html
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from audio_support import HOST, serve

EVIL_REASON = "\x1b]0;pwned\x07\x1b[2J\x9b31m"
UNRESOLVABLE = "nowhere-at-all.invalid"


def audio_page(src: str, title: str = "A hostile page") -> bytes:
    """An HTML page with one ``<audio>`` tag whose src is `src` (attribute-escaped)."""
    return (
        f"<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>"
        f'<audio controls src="{html.escape(src, quote=True)}"></audio></body></html>'
    ).encode()


class HostileServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 whose routes a test can add."""

    def __init__(self) -> None:
        # path -> (status, reason or None, headers, body)
        self.routes: dict[str, tuple[int, str | None, dict[str, str], bytes]] = {}
        self.requests: list[str] = []
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
                    server.requests.append(path)
                    route = server.routes.get(path)
                if route is None:
                    route = (404, None, {"Content-Type": "text/plain"}, b"not found")
                status, reason, headers, body = route
                try:
                    self.send_response_only(status, reason)  # the reason phrase goes out raw
                    for key, value in headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if not head:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd, self.port, self.thread = serve(Handler, "hostile-server")
        self.defaults()

    # ------------------------------------------------------------ routes

    def page(self, path: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> str:
        with self._lock:
            self.routes[path] = (200, None, {"Content-Type": content_type}, body)
        return self.url(path)

    def status(self, path: str, status: int, reason: str | None = None, headers: dict[str, str] | None = None) -> str:
        with self._lock:
            self.routes[path] = (status, reason, {"Content-Type": "text/plain", **(headers or {})}, b"no")
        return self.url(path)

    def redirect(self, path: str, location: str, status: int = 302) -> str:
        return self.status(path, status, None, {"Location": location})

    def defaults(self) -> None:
        """The hostile routes every test can count on."""
        self.page("/file.html", audio_page("file:///etc/hostname"))
        self.page("/edl.html", audio_page("edl://file:///etc/hostname"))
        self.page("/amovie.html", audio_page("av://lavfi:amovie=/etc/hostname"))
        self.page("/endless.html", audio_page("av://lavfi:sine=frequency=999"))
        self.page("/list.m3u", b"#EXTM3U\n#EXTINF:1,local\nfile:///etc/hostname\n", "audio/x-mpegurl")
        self.page("/list-page.html", audio_page("/list.m3u"))
        self.page(
            "/master.m3u8",
            b'#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000,CODECS="mp4a.40.2"\nfile:///etc/hostname\n',
            "application/vnd.apple.mpegurl",
        )
        self.page("/hls.html", audio_page("/master.m3u8"))  # yt-dlp makes file:/// a format URL
        self.status("/evil-reason", 300, EVIL_REASON)
        self.status("/evil-404", 404, EVIL_REASON)
        self.redirect("/loop", "/loop")
        self.redirect("/away", f"http://{UNRESOLVABLE}/song")
        self.redirect("/to-file", "file:///etc/hostname")

    # ------------------------------------------------------------ helpers

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def requested(self, path: str) -> int:
        with self._lock:
            return sum(1 for p in self.requests if p == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
