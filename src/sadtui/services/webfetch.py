"""Small bounded HTTP GETs for lyrics and artwork (plain urllib, no Textual).

Every request has a timeout (5 s by default), a size cap (a longer answer is refused
without reading it all), a bounded number of retries for network errors and 5xx
answers, and follows redirects to http(s) addresses only.  Nothing here logs
secrets or shows outside text; errors are :class:`FetchError` with one line.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from sadtui import __version__
from sadtui.model.urls import is_web_url

TIMEOUT = 5.0
RETRIES = 2  # after the first try
USER_AGENT = f"sadtui/{__version__} (https://github.com/sadtui/sadtui)"


class FetchError(Exception):
    """A request that gave nothing usable; `status` is the HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise FetchError("redirected to a non-web address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = urllib.request.build_opener(_HttpOnlyRedirects)


def get(
    url: str,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int,
    retries: int = RETRIES,
    accept: str = "*/*",
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """The body of `url`; raises FetchError (404 and other 4xx are not retried)."""
    if not is_web_url(url):
        raise FetchError("not an http(s) address")
    last: FetchError | None = None
    for attempt in range(retries + 1):
        if attempt:
            sleep(min(2.0, 0.25 * 2**attempt))
        request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": accept})
        try:
            with _opener.open(request, timeout=timeout) as response:
                length = response.headers.get("Content-Length")
                if length and length.isdigit() and int(length) > max_bytes:
                    raise FetchError(f"the answer is too large ({int(length)} bytes)")
                body = response.read(max_bytes + 1)
                if len(body) > max_bytes:
                    raise FetchError(f"the answer is too large (over {max_bytes} bytes)")
                return body
        except FetchError:
            raise
        except urllib.error.HTTPError as exc:
            last = FetchError(f"HTTP {exc.code}", exc.code)
            if exc.code < 500:
                raise last from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError, http.client.HTTPException) as exc:
            reason = getattr(exc, "reason", exc)
            last = FetchError("timed out" if isinstance(reason, TimeoutError) else f"cannot reach the server ({type(reason).__name__})")
    assert last is not None
    raise last
