"""Fetching an audio file's own URL into the library, with urllib3.

A song whose ``url`` names the media itself (``.wav``, ``.opus``, ``.m4a``...: see
:func:`sadtui.services.ytdl_info.is_direct_media`) has nothing for yt-dlp to extract,
as for playback (it goes straight to mpv).  Keeping it needs no more than one bounded
HTTP GET, and urllib3 (the HTTP library yt-dlp and requests are built on) does that
without yt-dlp's ~0.2 s import and set-up, which would be most of a whole ``sadtui
download --all`` from a fast server.  Pages and searches are downloaded by yt-dlp
(:mod:`sadtui.services.library_download`).

* http and https only, at most 5 redirects (urllib3 speaks no other scheme);
  connect and read timeouts of ``socket_timeout`` each, so a stalled server fails
  in bounded time.
* A connection cut mid-way is resumed once from where it stopped (``Range``);
  a server that ignores the range starts the file again.
* Nothing larger than the library's cap is written: refused on its
  ``Content-Length``, or stopped when the bytes pass the cap.
* The length is checked against what the server announced; the caller renames the
  file and enters it only then.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sadtui.model.text import safe_line
from sadtui.model.urls import host_of, is_web_url
from sadtui.services.library_index import TOO_LARGE, LibraryError

CHUNK = 256 * 1024
RESUMES = 1  # like yt-dlp's `retries` in the library's options
MAX_REDIRECTS = 5
USER_AGENT = "sadtui"

_pool_lock = threading.Lock()
_pool: Any = None


def _manager() -> Any:
    """One urllib3 PoolManager for the process (thread-safe; connections are reused)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            import urllib3

            _pool = urllib3.PoolManager(num_pools=8, maxsize=4, retries=False)
        return _pool


def fetch(
    url: str,
    dest: Path,
    *,
    socket_timeout: float,
    cap: int,
    hook: Callable[[dict[str, Any]], None],
) -> None:
    """GET `url` into `dest` (created, or truncated), calling `hook` with yt-dlp-style
    progress dicts (``downloaded_bytes``, ``total_bytes``, ``speed``, ``eta``) after each
    chunk; `hook` may raise to stop.  Raises LibraryError, or urllib3's and OSError's
    exceptions for the network (the caller describes them)."""
    import urllib3

    if not is_web_url(url):
        raise LibraryError("the address is not a web address (http or https)")
    timeout = urllib3.Timeout(connect=socket_timeout, read=socket_timeout)
    retries = urllib3.Retry(total=None, connect=0, read=0, status=0, other=0,
                            redirect=MAX_REDIRECTS, raise_on_redirect=True)
    done = 0
    total: int | None = None
    started = time.monotonic()
    with open(dest, "wb") as out:
        for attempt in range(RESUMES + 1):
            headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
            if done:
                headers["Range"] = f"bytes={done}-"
            response = _request(url, headers, timeout, retries)
            whole = False
            try:
                if done and response.status == 206 and _range_start(response) == done:
                    pass  # the rest of the file
                elif response.status == 200:
                    if done:  # the server ignored the range: start again
                        out.seek(0)
                        out.truncate()
                        done = 0
                    total = _length(response)
                else:
                    raise LibraryError(f"HTTP {response.status} from {safe_line(host_of(url))}")
                if total is not None and total > cap:
                    raise LibraryError(TOO_LARGE)
                try:
                    # read1: what has arrived (up to CHUNK), so progress moves on a slow link too
                    while chunk := response.read1(CHUNK, decode_content=False):
                        out.write(chunk)
                        done += len(chunk)
                        if done > cap:
                            raise LibraryError(TOO_LARGE)
                        elapsed = max(time.monotonic() - started, 1e-6)
                        speed = done / elapsed
                        hook({"status": "downloading", "downloaded_bytes": done, "total_bytes": total,
                              "speed": speed, "eta": (total - done) / speed if total else None})
                except (urllib3.exceptions.ProtocolError, urllib3.exceptions.ReadTimeoutError):
                    if total is None or done >= total or attempt == RESUMES:
                        raise
                    continue  # cut mid-way: resume from `done`
                whole = True
            finally:
                if whole:
                    response.release_conn()  # read to its end: the connection can be reused
                else:
                    response.close()  # stopped part-way: never reuse it
            break
    if total is not None and done != total:
        raise LibraryError(f"the download is incomplete ({done} of {total} bytes)")
    hook({"status": "finished", "downloaded_bytes": done, "total_bytes": done, "speed": None, "eta": 0})


def _request(url: str, headers: dict[str, str], timeout: Any, retries: Any) -> Any:
    """The GET, redirects followed (http and https only); a redirect loop or a redirect
    elsewhere than the web is one line."""
    import urllib3

    try:
        return _manager().request("GET", url, headers=headers, preload_content=False,
                                  timeout=timeout, retries=retries, redirect=True)
    except urllib3.exceptions.MaxRetryError as exc:
        if isinstance(exc.reason, urllib3.exceptions.ResponseError):
            raise LibraryError(f"too many redirects at {safe_line(host_of(url))}") from None
        raise
    except urllib3.exceptions.LocationValueError:  # also URLSchemeUnknown: file://, data:...
        raise LibraryError("the server redirected to an address that is not a web address") from None


def _length(response: Any) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


def _range_start(response: Any) -> int | None:
    value = response.headers.get("Content-Range") or ""
    unit, _, rest = value.strip().partition(" ")
    start = rest.partition("-")[0]
    return int(start) if unit == "bytes" and start.isdigit() else None
