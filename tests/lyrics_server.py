"""A loopback server (127.0.0.1 only) that speaks LRCLIB's documented API and serves thumbnails.

``/api/get?track_name=&artist_name=&album_name=&duration=`` answers one record or 404;
``/api/search?track_name=&artist_name=`` (or ``q=``) answers an array.  What a track answers
depends on its title:

* ``Exact``: /api/get has synced and plain lyrics;
* ``SyncedOnly``: /api/get is 404, the search has a record with synced lyrics only;
* ``PlainOnly``: /api/get has plain lyrics only (``syncedLyrics: null``);
* ``Nothing``: 404 and an empty search;
* ``Slow``: every answer comes after ``slow_seconds``;
* ``Garbage``: not JSON;
* ``Huge``: a 50 MB answer, without Content-Length.

``/art/<name>`` serves the images in ``images`` (name -> (content type, bytes)).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SYNCED = "[ar:Test]\n[00:01.00]君の名前を\n[00:02.00]second line\n[00:03.00]third line\n"
PLAIN = "君の名前を\nsecond line\nthird line"


def record(title: str, synced: str | None, plain: str | None, duration: float = 200.0) -> dict[str, Any]:
    return {"id": 1, "trackName": title, "artistName": "Test", "albumName": "Album", "duration": duration,
            "instrumental": False, "plainLyrics": plain, "syncedLyrics": synced}


class LyricsServer:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.images: dict[str, tuple[str, bytes]] = {}
        self.slow_seconds = 2.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.requests.append(self.path)
                try:
                    server._serve(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LyricsServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str = "application/json") -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", ctype)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path.startswith("/art/"):
            image = self.images.get(parts.path[5:])
            if image is None:
                self._send(handler, 404, b"no")
            else:
                self._send(handler, 200, image[1], image[0])
            return
        title = query.get("track_name") or query.get("q") or ""
        kind = title.split()[0] if title else ""
        if kind == "Slow":
            time.sleep(self.slow_seconds)
        if kind == "Garbage":
            self._send(handler, 200, b"{this is not json")
            return
        if kind == "Huge":
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Connection", "close")
            handler.end_headers()
            chunk = b"[" + b" " * (1024 * 1024 - 1)
            for _ in range(50):
                handler.wfile.write(chunk)
                chunk = b" " * (1024 * 1024)
            handler.close_connection = True
            return
        found = {
            "Exact": record(title, SYNCED, PLAIN),
            "PlainOnly": record(title, None, PLAIN),
            "Slow": record(title, SYNCED, PLAIN),
        }.get(kind)
        if parts.path == "/api/get":
            if found is None:
                self._send(handler, 404, json.dumps({"code": 404, "name": "TrackNotFound",
                                                      "message": "Failed to find specified track"}).encode())
            else:
                self._send(handler, 200, json.dumps(found).encode())
        elif parts.path == "/api/search":
            results = []
            if kind == "SyncedOnly":
                results = [record(title, None, None, 100.0), record(title, SYNCED, None, 200.0)]
            elif found is not None:
                results = [found]
            self._send(handler, 200, json.dumps(results).encode())
        else:
            self._send(handler, 404, b"{}")
