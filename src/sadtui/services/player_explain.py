"""Why mpv stopped playing a song, in one line a person can act on.

:func:`explain_failure` reads mpv's log lines (HTTP errors, refused connections, DNS,
timeouts, cut streams, the audio device...) and its error code.  :class:`Explainer`, a
part of :class:`sadtui.services.player.Player`, collects those lines: libmpv hands log
lines out after events, so :meth:`Explainer.explain` first prints a marker through mpv
and waits for it to come back, which means every earlier line has arrived too.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from sadtui.model.text import safe_line
from sadtui.services.logs import log
from sadtui.services.mpv_hook import NON_WEB_ADDRESS, REFUSED_URL, is_web_url
from sadtui.services.player_log import MARK
from sadtui.services.resolver import host_of, host_port_of

__all__ = ["EXPLAIN_WAIT", "Explainer", "NETWORK_TIMEOUT", "explain_failure"]

NETWORK_TIMEOUT = 6.0  # seconds without data before mpv gives up on a stream
EXPLAIN_WAIT = 1.0  # seconds explain waits for mpv's log lines to arrive

# mpv error codes (client.h)
LOADING_FAILED = -13
AO_INIT_FAILED = -14
NOTHING_TO_PLAY = -16
UNKNOWN_FORMAT = -17

_HTTP = re.compile(r"HTTP error (\d{3})", re.I)
_REFUSED = re.compile(r"Connection to tcp://([^ ]+?) failed: Connection refused|Connection refused", re.I)
_DNS = re.compile(
    r"Failed to resolve hostname|Name or service not known|Temporary failure in name resolution|"
    r"Network is unreachable|No route to host",
    re.I,
)
_TIMEOUT = re.compile(r"timed out|Connection timed out", re.I)
# "Stream ends prematurely at N, should be M": a cut only when the server said how long the
# stream is; with no Content-Length (Icecast style) ffmpeg says "should be 18446744073709551615"
# (unknown) and the server closing the connection is how such a stream ends.
_CUT = re.compile(
    r"Stream ends prematurely at \d+, should be (?!18446744073709551615\b|-1\b)\d+|"
    r"Connection reset by peer|Broken pipe",
    re.I,
)
# The demuxer hit the end of the bytes before the end the file itself announces (a
# Content-Length shorter than the song): ffmpeg's wav/aiff/mp4... say one of these.
_TRUNCATED = re.compile(r"Packet corrupt|truncat|Invalid data found when processing input|partial file", re.I)
_AO = re.compile(r"Could not open/initialize audio device|audio output initialization failed", re.I)
_UNKNOWN_FORMAT = re.compile(r"Failed to recognize file format|No format found", re.I)


def explain_failure(
    lines: Sequence[str],
    *,
    url: str,
    reason: str,
    error: int,
    elapsed: float,
    network_timeout: float = NETWORK_TIMEOUT,
    position: float | None = None,
    duration: float | None = None,
    seeked_to_end: bool = False,
) -> str | None:
    """One line for a person about why mpv stopped playing `url`; None for a clean end."""
    text = "\n".join(lines)
    host = safe_line(host_of(url), limit=200)
    timed_out = elapsed >= network_timeout - 0.5
    if reason == "eof":
        if seeked_to_end:
            return None
        if _CUT.search(text):  # the server said how long it is and sent less
            return "the stream ended early (connection cut)"
        short = duration is None or position is None or position < duration - 1.5
        if short and _TIMEOUT.search(text):
            return f"timed out talking to {host}"
        if _TRUNCATED.search(text):
            return f"the stream ended early: {host} sent less than the whole song (its length is wrong)"
        return None
    if reason != "error":
        return None
    if any(REFUSED_URL in line for line in lines):
        return NON_WEB_ADDRESS
    if match := _HTTP.search(text):
        return f"HTTP {match.group(1)} from {host}"
    if match := _REFUSED.search(text):
        where = match.group(1) if match.groups() and match.group(1) else host_port_of(url)
        return f"connection refused by {safe_line(where, limit=200)}"
    if _DNS.search(text):
        return f"cannot reach {host} (no network or DNS failure)"
    if _TIMEOUT.search(text):
        return f"timed out talking to {host}"
    if _AO.search(text) or error == AO_INIT_FAILED:
        return "could not open the audio device (see `sadtui doctor`; try --mpv-option audio-device=...)"
    if error == UNKNOWN_FORMAT or _UNKNOWN_FORMAT.search(text):
        if timed_out:  # mpv saw no bytes at all before giving up
            return f"timed out talking to {host}"
        return "not audio: mpv could not decode it"
    if error == NOTHING_TO_PLAY:
        return "not audio: mpv found no audio in it"
    if _CUT.search(text):
        return "the stream ended early (connection cut)"
    if error == LOADING_FAILED:
        if timed_out:
            return f"timed out talking to {host}"
        return f"could not open the stream from {host}"
    return f"mpv could not play it (error {error})"




class Explainer:
    """mpv's log lines of an entry, and why it ended, for
    :class:`~sadtui.services.player.Player` (which provides the attributes declared here)."""

    _mpv: Any
    _lock: threading.Condition
    _lines: deque[str]
    _marks: set[str]
    _token: int
    _entry_tokens: dict[int, str]
    _loaded_at: dict[int, float]
    _refused: set[int]
    _kept_entries: set[int]
    _local_entries: set[int]
    network_timeout: float

    def _print_mark(self, kind: str) -> str:
        with self._lock:
            self._token += 1
            token = f"{kind} {self._token}"
        try:
            self._mpv.command("print-text", MARK + token)
        except Exception:  # noqa: BLE001
            log.warning("mpv print-text failed", exc_info=True)
        return token

    def lines_for(self, entry: int, timeout: float = EXPLAIN_WAIT) -> list[str]:
        """mpv's log lines since `entry` was loaded (waits until they have all arrived)."""
        if self._mpv is None:
            return []
        token = self._print_mark("end")
        with self._lock:
            self._lock.wait_for(lambda: token in self._marks, timeout=timeout)
            self._marks.discard(token)
            lines = list(self._lines)
        begin = self._entry_tokens.get(entry)
        start = 0
        if begin is not None:
            for index, line in enumerate(lines):
                if line.endswith(MARK + begin):
                    start = index + 1
        out = []
        for line in lines[start:]:
            if line.endswith(MARK + token):
                break
            out.append(line)
        return out

    def explain(
        self,
        entry: int,
        *,
        url: str,
        reason: str,
        error: int,
        position: float | None = None,
        duration: float | None = None,
        seeked_to_end: bool = False,
    ) -> str | None:
        """Why `entry` ended: one line, or None when it simply played to its end.
        Blocks up to EXPLAIN_WAIT (1 s): see :meth:`explain_later`."""
        started = self._loaded_at.get(entry, time.monotonic())
        elapsed = time.monotonic() - started
        if entry in self._refused and reason in ("eof", "error"):
            return NON_WEB_ADDRESS
        if reason not in ("eof", "error"):
            return None
        if not is_web_url(url) and url and entry not in self._kept_entries and entry not in self._local_entries:
            return NON_WEB_ADDRESS
        lines = self.lines_for(entry)
        return explain_failure(
            lines,
            url=url,
            reason=reason,
            error=error,
            elapsed=elapsed,
            network_timeout=self.network_timeout,
            position=position,
            duration=duration,
            seeked_to_end=seeked_to_end,
        )

    def explain_later(
        self,
        entry: int,
        *,
        url: str,
        reason: str,
        error: int,
        position: float | None = None,
        duration: float | None = None,
        seeked_to_end: bool = False,
        done: Callable[[str | None], None],
    ) -> None:
        """:meth:`explain` without blocking: returns at once, and calls ``done(message)``
        exactly once, from a short-lived "sadtui-explain" thread (never mpv's event thread,
        no lock held), within about EXPLAIN_WAIT + 0.2 s.  ``message`` is what explain()
        returns.  One thread per call, so a second failure never waits behind the first."""
        kwargs = {"url": url, "reason": reason, "error": error, "position": position,
                  "duration": duration, "seeked_to_end": seeked_to_end}
        threading.Thread(
            target=self._explain_job, args=(entry, kwargs, done), name="sadtui-explain", daemon=True
        ).start()

    def _explain_job(self, entry: int, kwargs: dict[str, Any], done: Callable[[str | None], None]) -> None:
        try:
            message = self.explain(entry, **kwargs)
        except Exception:  # noqa: BLE001
            log.exception("explaining why entry %s ended", entry)
            message = "mpv could not play it" if kwargs.get("reason") == "error" else None
        try:
            done(message)
        except Exception:  # noqa: BLE001
            log.exception("explain_later's done callback failed")

