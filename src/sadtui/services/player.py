"""libmpv through python-mpv: one audio-only player, created on first use.

Threads: every method of :class:`Player` is meant to be called from ONE thread
(the engine's control thread).  libmpv calls back on python-mpv's event thread;
those callbacks only copy plain values into :class:`PlayerEvent` objects and
hand them to ``notify`` (and keep log lines); they never block, and call mpv
only in the ``on_load`` hook (through the event handle, see :class:`_HookApi`).
``mpv`` is imported lazily in :meth:`Player.open`, so importing this module is cheap
and works without libmpv.  Call :func:`ensure_numeric_locale` early on the main
thread: python-mpv's import and libmpv need LC_NUMERIC=C, and setlocale is not
thread-safe.

Security: mpv opens only http(s).  :meth:`Player.load` refuses anything else
(:data:`NON_WEB_ADDRESS`); behind it, the ``on_load`` hook checks every URL mpv is
about to open (also the entries a .pls/.m3u redirect creates), and mpv's options
(:mod:`sadtui.services.mpv_options`) restrict what ffmpeg's nested opens may use.

Redirects: when mpv replaces an entry by what a .pls/.m3u lists (end reason
"redirect"), the first new entry's events carry the original entry's id, so the
caller follows "its" entry unchanged; the playlist's later entries never play.

Errors are explained from mpv's log: libmpv hands log lines out after events,
so :meth:`Player.explain` first prints a marker through mpv and waits for it to
come back, which means every earlier line has arrived too.
"""

from __future__ import annotations

import ctypes
import locale
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sadtui.model import paths
from sadtui.model.text import safe_line, safe_text
from sadtui.services.logs import log
from sadtui.services.mpv_options import (
    base_options as _base_options,
)
from sadtui.services.mpv_options import (
    error_code as _error_code,
)
from sadtui.services.mpv_options import (
    failed_option as _failed_option,
)
from sadtui.services.mpv_options import (
    parse_mpv_options,
    shown_option,
)
from sadtui.services.player_log import LOG_ROTATE_BYTES, log_line, open_log
from sadtui.services.resolver import host_of, host_port_of

__all__ = [
    "FileEnded", "FileLoaded", "FileStarted", "LOG_ROTATE_BYTES", "NON_WEB_ADDRESS", "Player", "PlayerError",
    "PlayerEvent", "PlayerShutdown", "PropertyChanged", "ensure_numeric_locale", "explain_failure",
    "is_web_url", "parse_mpv_options", "validate_mpv_options",
]

LIBMPV_HINT = "libmpv is not installed: run `sudo apt-get install libmpv2`"
PYTHON_MPV_HINT = "python-mpv is missing: run `pip install mpv`"
NETWORK_TIMEOUT = 6.0  # seconds without data before mpv gives up on a stream
MARK = "@@sadtui "
NON_WEB_ADDRESS = "the page points at a non-web address"
EXPLAIN_WAIT = 1.0  # seconds explain waits for mpv's log lines to arrive

OBSERVED = ("time-pos", "duration", "pause", "volume", "mute", "paused-for-cache")
# What mpv's stream-open-filename may be: http(s) only (checked in the on_load hook).
_WEB_URL = re.compile(r"https?://[^\s]+", re.I)
# Where a refused entry is sent instead: a scheme no stream handler knows, so mpv opens
# nothing (no file, no device) and ends the entry with an error.
REFUSED_URL = "sadtui-refused://non-web-address"


def is_web_url(url: object) -> bool:
    """Is `url` an http:// or https:// address (the only kind mpv may open)?"""
    return isinstance(url, str) and _WEB_URL.fullmatch(url) is not None


def _end_reasons() -> dict[int, str]:
    import mpv

    e = mpv.MpvEventEndFile
    return {e.EOF: "eof", e.RESTARTED: "stop", e.ABORTED: "stop", e.QUIT: "quit", e.ERROR: "error", e.REDIRECT: "redirect"}

# mpv error codes (client.h)
LOADING_FAILED = -13
AO_INIT_FAILED = -14
NOTHING_TO_PLAY = -16
UNKNOWN_FORMAT = -17


class PlayerError(Exception):
    """Playback cannot start; ``usage`` means a bad --mpv-option (exit status 2)."""

    def __init__(self, message: str, *, usage: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage


# ---------------------------------------------------------------- events (plain values)


@dataclass(frozen=True, slots=True)
class FileStarted:
    entry: int


@dataclass(frozen=True, slots=True)
class FileLoaded:
    entry: int


@dataclass(frozen=True, slots=True)
class FileEnded:
    entry: int
    reason: str  # eof, stop, quit, error, redirect
    error: int  # mpv error code (0 when none)


@dataclass(frozen=True, slots=True)
class PropertyChanged:
    name: str
    value: Any


@dataclass(frozen=True, slots=True)
class PlayerShutdown:
    pass


PlayerEvent = FileStarted | FileLoaded | FileEnded | PropertyChanged | PlayerShutdown


def is_local_file(path: str) -> bool:
    """An absolute, canonical path (no symbolic link on the way, no `..`) to a regular file."""
    import stat

    try:
        if not os.path.isabs(path) or os.path.realpath(path) != path:
            return False
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


# ---------------------------------------------------------------- locale


_locale_lock = threading.Lock()
_locale_done = False


def ensure_numeric_locale() -> None:
    """Make LC_NUMERIC "C", as libmpv requires (never LC_ALL).  Call it early, ON THE MAIN
    THREAD (setlocale is process-wide and not thread-safe); idempotent.

    python-mpv calls ``setlocale(LC_NUMERIC, "C")`` itself when it is imported, so this
    also imports it (loading libmpv) here, on the calling thread, when it is installed."""
    global _locale_done
    with _locale_lock:
        if _locale_done:
            return
        os.environ["LC_NUMERIC"] = "C"  # for anything that reads the environment later
        try:
            if locale.setlocale(locale.LC_NUMERIC) != "C":
                locale.setlocale(locale.LC_NUMERIC, "C")
        except locale.Error:
            log.warning("cannot set LC_NUMERIC to C", exc_info=True)
        try:
            import mpv  # noqa: F401 - its import sets LC_NUMERIC: do it here, not on a worker
        except (OSError, ImportError):
            pass  # no libmpv: Player.open() says how to install it
        _locale_done = True


def _numeric_locale_ok() -> bool:
    try:
        return locale.setlocale(locale.LC_NUMERIC) == "C"
    except locale.Error:
        return False


# ---------------------------------------------------------------- explaining failures

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


# ---------------------------------------------------------------- the player


class _HookApi:
    """The libmpv calls the on_load hook needs, on the EVENT handle (python-mpv wraps none
    of them).  That handle belongs to python-mpv's event thread, where the hook runs, and
    is only destroyed there: using it stays safe while another thread terminates mpv."""

    def __init__(self, handle: Any) -> None:
        import mpv

        lib = mpv.backend
        self.handle = handle
        # lib["name"] makes a fresh function object: python-mpv's own stay as they are.
        self._add = lib["mpv_hook_add"]
        self._add.argtypes = [ctypes.c_void_p, ctypes.c_uint64, ctypes.c_char_p, ctypes.c_int]
        self._add.restype = ctypes.c_int
        self._continue = lib["mpv_hook_continue"]
        self._continue.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
        self._continue.restype = ctypes.c_int
        self._get = lib["mpv_get_property_string"]
        self._get.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        self._get.restype = ctypes.c_void_p
        self._set = lib["mpv_set_property_string"]
        self._set.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
        self._set.restype = ctypes.c_int
        self._free = lib["mpv_free"]
        self._free.argtypes = [ctypes.c_void_p]
        self._free.restype = None

    def add(self, name: str) -> None:
        if self._add(self.handle, 0, name.encode(), 0) < 0:
            raise RuntimeError(f"mpv_hook_add({name}) failed")

    def proceed(self, hook_id: int) -> None:
        self._continue(self.handle, hook_id)

    def get(self, name: str) -> str | None:
        pointer = self._get(self.handle, name.encode())
        if not pointer:
            return None
        try:
            return ctypes.string_at(pointer).decode("utf-8", "surrogateescape")
        finally:
            self._free(pointer)

    def set(self, name: str, value: str) -> None:
        code = self._set(self.handle, name.encode(), value.encode())
        if code < 0:
            raise RuntimeError(f"mpv refused {name}={value} (error {code})")


class Player:
    """One `mpv.MPV(video=False, ytdl=False, ...)`, created by :meth:`open`.

    Every URL mpv is about to open, also each entry a .pls/.m3u redirect creates, passes
    the ``on_load`` hook, which lets only http(s) through.  Events of the entry mpv creates
    for a redirect carry the id of the entry :meth:`load` returned."""

    def __init__(
        self,
        notify: Callable[[PlayerEvent], None] | None = None,
        *,
        options: Sequence[str] = (),
        network_timeout: float = NETWORK_TIMEOUT,
        log_path: Path | None = None,
        use_log: bool = True,
        kept_dir: Path | None = None,
    ) -> None:
        self._notify = notify
        self.user_options = parse_mpv_options(options)
        self.network_timeout = network_timeout
        self._log_path = log_path
        self._use_log = use_log
        self._mpv: Any = None
        self._default_user_agent = "libmpv"
        self._lock = threading.Condition()  # guards the log lines and marks below
        self._lines: deque[str] = deque(maxlen=600)
        self._marks: set[str] = set()
        self._token = 0
        self._entry_tokens: dict[int, str] = {}
        self._last_started: int | None = None  # event thread only
        self._log_file: Any = None
        self._loaded_at: dict[int, float] = {}
        # Redirects (event thread): the entry mpv created for a redirect -> the entry load() returned.
        self._alias: dict[int, int] = {}
        self._redirect_ended: set[int] = set()  # original entries whose redirected entry has ended
        self._leftovers: set[int] = set()  # later entries of a followed .pls/.m3u: refused, no events
        self._refused: set[int] = set()  # entries (original ids) the on_load hook refused
        self._end_reasons: dict[int, str] = {}
        self._hooks: _HookApi | None = None
        # The one kept file (of the library of kept audio) the on_load hook lets through,
        # once: set by load_kept() just before its loadfile, cleared by any other load.
        self._kept_allowed: str | None = None
        self._allowed_is_local = False  # the pass is for a playlist's own local file (load_local)
        self._kept_entries: set[int] = set()  # entries that are kept files (original ids)
        self._local_entries: set[int] = set()  # entries that are a playlist's own local files
        self._kept_dir = kept_dir

    def set_notify(self, notify: Callable[[PlayerEvent], None]) -> None:
        self._notify = notify

    @property
    def is_open(self) -> bool:
        return self._mpv is not None

    # ------------------------------------------------------------ creation

    @staticmethod
    def check_available() -> str | None:
        """None when python-mpv and libmpv load; otherwise the fix, one line."""
        try:
            import mpv  # noqa: F401
        except OSError:
            return LIBMPV_HINT
        except ImportError:
            return PYTHON_MPV_HINT
        return None

    def base_options(self) -> dict[str, str]:
        return _base_options(self.network_timeout)

    def open(self) -> None:
        """Create the mpv instance (once); raises PlayerError."""
        if self._mpv is not None:
            return
        if threading.current_thread() is threading.main_thread():
            ensure_numeric_locale()
        elif not _numeric_locale_ok():
            # Nobody called ensure_numeric_locale() on the main thread: libmpv would refuse
            # to start, so set it here anyway (and say so in sadtui.log).
            log.warning("LC_NUMERIC is not C: ensure_numeric_locale() should run on the main thread first")
            ensure_numeric_locale()
        try:
            import mpv
        except OSError:
            raise PlayerError(LIBMPV_HINT) from None
        except ImportError:
            raise PlayerError(PYTHON_MPV_HINT) from None
        self._end_reason_names = _end_reasons()
        base = self.base_options()
        user = dict(self.user_options)
        self._open_log()
        while True:
            try:
                instance = mpv.MPV(log_handler=self._on_log, loglevel="v", **{**base, **user})
                break
            except Exception as exc:  # noqa: BLE001 - a bad option or a broken libmpv
                failed = _failed_option(exc)
                if failed is not None and failed[0] in base and failed[0] not in user:
                    # An mpv without one of our niceties (another version): do without it.
                    self._log_line(f"[sadtui] warn: mpv refused {failed[0]}={failed[1]}; going on without it")
                    log.warning("mpv refused its option %s=%s", safe_text(failed[0]), safe_text(failed[1]))
                    del base[failed[0]]
                    continue
                self._close_log()
                raise self._option_error(exc, user) from None
        try:
            self._default_user_agent = str(instance.user_agent or "libmpv")
        except Exception:  # noqa: BLE001
            log.warning("cannot read mpv's user agent", exc_info=True)
        instance.register_event_callback(self._on_event)
        for name in OBSERVED:
            instance.observe_property(name, self._on_property)
        try:
            self._hooks = _HookApi(instance._event_handle)
            self._hooks.add("on_load")
        except Exception as exc:  # noqa: BLE001 - no hook: no mpv (it would be unguarded)
            log.exception("cannot add mpv's on_load hook")
            try:
                instance.terminate()
            except Exception:  # noqa: BLE001
                log.warning("terminating mpv", exc_info=True)
            self._close_log()
            raise PlayerError(f"could not start mpv safely: {safe_line(exc)}") from None
        self._mpv = instance

    def _option_error(self, exc: BaseException, user: dict[str, str]) -> PlayerError:
        failed = _failed_option(exc)
        code = _error_code(exc)
        if failed is not None and failed[0] in user:
            name, value = failed
            given = shown_option(name, value)
            shown_name, shown_value = safe_line(name, limit=80), safe_line(value, limit=120)
            if code == -5:
                return PlayerError(f"{given}: mpv does not know option '{shown_name}'", usage=True)
            return PlayerError(f"{given}: mpv refused the value '{shown_value}' for '{shown_name}'", usage=True)
        text = safe_line(exc.args[0]) if getattr(exc, "args", None) else safe_line(exc)
        if failed is not None:
            return PlayerError(f"mpv refused its option {safe_line(failed[0])}={safe_line(failed[1])}: {text}")
        return PlayerError(f"could not start mpv: {text}")

    def _open_log(self) -> None:
        if not self._use_log:
            return
        path = self._log_path or paths.mpv_log_file()
        self._log_file = open_log(path)
        self._log_line(f"--- sadtui player {time.strftime('%Y-%m-%d %H:%M:%S')}")

    def _close_log(self) -> None:
        handle, self._log_file = self._log_file, None
        if handle is not None:
            try:
                handle.close()
            except OSError:
                log.warning("closing the player log", exc_info=True)

    # ------------------------------------------------------------ mpv's event thread

    def _send(self, event: PlayerEvent) -> None:
        notify = self._notify
        if notify is not None:
            try:
                notify(event)
            except Exception:  # noqa: BLE001 - never break mpv's event thread
                log.exception("player event handler failed")

    def _on_event(self, event: Any) -> None:
        import mpv

        try:
            eid = int(event.event_id.value)
            ids = mpv.MpvEventID
            if eid == ids.START_FILE:
                self._on_start_file(int(event.data.playlist_entry_id))
            elif eid == ids.FILE_LOADED:  # belongs to the latest start-file
                if self._last_started is not None and self._last_started not in self._leftovers:
                    self._send(FileLoaded(self._alias.get(self._last_started, self._last_started)))
            elif eid == ids.END_FILE:
                self._on_end_file(event.data)
            elif eid == ids.HOOK:
                self._on_hook(event.data)
            elif eid == ids.SHUTDOWN:
                self._send(PlayerShutdown())
        except Exception:  # noqa: BLE001 - never break mpv's event thread
            log.exception("handling an mpv event")

    def _on_start_file(self, entry: int) -> None:
        self._last_started = entry
        if entry not in self._alias and self._is_redirect_leftover(entry):
            self._leftovers.add(entry)  # the hook refuses it; nobody asked for it: no events
            return
        self._send(FileStarted(self._alias.get(entry, entry)))

    def _on_end_file(self, data: Any) -> None:
        entry = int(data.playlist_entry_id)
        reason = self._end_reason_names.get(int(data.reason), "error")
        if entry in self._leftovers:
            self._leftovers.discard(entry)
            return
        original = self._alias.get(entry, entry)
        if reason == "redirect":
            # mpv replaced the entry by what the .pls/.m3u lists: follow the first new entry
            # as the same song (later ones never play: the hook refuses them).
            first, count = int(data.playlist_insert_id), int(data.playlist_insert_num_entries)
            if first > 0 and count > 0:
                self._alias[first] = original
                self._line(f"[sadtui] v: entry {entry} redirected: following entry {first} as entry {original}")
                if len(self._alias) > 200:
                    for old in sorted(self._alias)[:-50]:
                        self._alias.pop(old, None)
                return  # the song goes on: the engine sees no end
            reason = "error"  # a playlist with nothing (allowed) in it: nothing will play
        elif entry != original:
            self._redirect_ended.add(original)
            if len(self._redirect_ended) > 200:
                self._redirect_ended.clear()
        self._end_reasons[original] = reason
        self._send(FileEnded(original, reason, int(data.error)))

    def _on_hook(self, data: Any) -> None:
        """on_load: mpv is about to open stream-open-filename; only http(s) may pass."""
        hook_id = int(data.id)
        try:
            entry = self._last_started
            original = self._alias.get(entry, entry) if entry is not None else None
            url = self._hooks.get("stream-open-filename") if self._hooks is not None else None
            extra = entry in self._leftovers
            allowed, self._kept_allowed = self._kept_allowed, None  # once, whatever this entry is
            local, self._allowed_is_local = self._allowed_is_local, False
            if (
                allowed is not None and url == allowed and not extra and entry == original
                and entry is not None and local and is_local_file(allowed)
            ):
                if len(self._local_entries) > 200:
                    self._local_entries.clear()
                self._local_entries.add(entry)
                return  # the playlist's own file load_local() asked for, and nothing else
            if (
                allowed is not None and url == allowed and not extra and entry == original
                and entry is not None and not local and self._is_kept_file(allowed)
            ):
                self._kept_entries.add(entry)
                if len(self._kept_entries) > 200:
                    self._kept_entries = {entry}
                return  # the kept file load_kept() asked for, and nothing else
            if not is_web_url(url) or extra:
                if original is not None and not extra:
                    if len(self._refused) > 200:
                        self._refused.clear()
                    self._refused.add(original)
                why = "leftover entry of a followed redirect" if extra else "not http(s)"
                self._line(f"[sadtui] warn: refusing to open {safe_line(url, limit=300)} ({why}): {REFUSED_URL}")
                self._refuse()
        except Exception:  # noqa: BLE001
            log.exception("mpv's on_load hook failed; refusing the entry")
            self._refuse()
        finally:
            if self._hooks is not None:
                self._hooks.proceed(hook_id)

    def _refuse(self) -> None:
        try:
            if self._hooks is not None:
                self._hooks.set("stream-open-filename", REFUSED_URL)
        except Exception:  # noqa: BLE001
            log.exception("cannot refuse an entry: stopping mpv's playback")
            if self._hooks is not None:
                self._hooks.set("playlist-pos", "-1")

    def _is_redirect_leftover(self, entry: int) -> bool:
        """An entry mpv starts after a followed redirect's entry ended (the next line of the .pls).
        load() clears ``_redirect_ended`` before its loadfile, so a new song is never one."""
        return bool(self._redirect_ended) and entry > max(self._alias, default=0) and any(
            self._alias.get(e) in self._redirect_ended for e in self._alias
        ) and entry not in self._entry_tokens

    def _on_property(self, name: str, value: Any) -> None:
        if isinstance(value, str):
            value = safe_text(value)
        elif value is not None and not isinstance(value, (bool, int, float)):
            value = safe_text(str(value))
        self._send(PropertyChanged(name, value))

    def _on_log(self, level: str, prefix: str, text: str) -> None:
        self._line(f"[{prefix}] {level}: {str(text).rstrip()}")

    def _line(self, raw: str) -> None:
        line = log_line(raw)
        with self._lock:
            self._lines.append(line)
            if MARK + "end " in line:  # lines_for() waits for these
                if len(self._marks) > 200:  # marks nobody asked for (songs that played fine)
                    self._marks.clear()
                self._marks.add(line.split(MARK, 1)[1].strip())
                self._lock.notify_all()
        self._log_line(line)

    def _log_line(self, line: str) -> None:
        handle = self._log_file
        if handle is not None:
            try:
                handle.write(log_line(line) + "\n")
            except (OSError, ValueError):
                self._log_file = None  # full disk, closed: go on without the log
                log.warning("writing the player log failed; going on without it", exc_info=True)

    # ------------------------------------------------------------ control (one thread)

    def _print_mark(self, kind: str) -> str:
        with self._lock:
            self._token += 1
            token = f"{kind} {self._token}"
        try:
            self._mpv.command("print-text", MARK + token)
        except Exception:  # noqa: BLE001
            log.warning("mpv print-text failed", exc_info=True)
        return token

    def load(self, url: str, headers: dict[str, str] | None = None) -> int:
        """Start playing `url` (replacing anything playing); returns mpv's playlist entry id.

        Raises PlayerError(NON_WEB_ADDRESS) for anything but an http(s) URL."""
        self._kept_allowed = None
        self._allowed_is_local = False
        if not is_web_url(url):
            raise PlayerError(NON_WEB_ADDRESS)
        return self._loadfile(url, headers)

    @property
    def kept_dir(self) -> Path:
        if self._kept_dir is not None:
            return self._kept_dir
        from sadtui.services.library import library_dir

        return library_dir()

    def _is_kept_file(self, path: str) -> bool:
        """Is `path` a kept file: absolute, a regular file (not a link, no link on the way)
        with a kept file's name, directly inside the library directory?"""
        from sadtui.services.library import is_kept_name

        try:
            if not os.path.isabs(path) or os.path.normpath(path) != path:
                return False
            real_dir = os.path.realpath(self.kept_dir)
            if os.path.realpath(path) != path or os.path.dirname(path) != real_dir:
                return False
            import stat

            return is_kept_name(os.path.basename(path)) and stat.S_ISREG(os.lstat(path).st_mode)
        except (OSError, ValueError):
            return False

    def load_kept(self, path: Path | str) -> int:
        """Play a file of the library of kept audio, from disk (replacing anything playing).

        The one way a local file reaches mpv: `path` must be a regular file with a kept
        file's name directly inside the library directory (no link anywhere on the way);
        the on_load hook then lets exactly that path through, once, for this entry.
        Raises PlayerError(NON_WEB_ADDRESS) for anything else."""
        self._kept_allowed = None
        path = os.path.abspath(str(path))
        if not self._is_kept_file(path):
            raise PlayerError(NON_WEB_ADDRESS)
        self._kept_allowed = path
        try:
            return self._loadfile(path, None)
        except BaseException:
            self._kept_allowed = None
            raise

    def load_local(self, path: Path | str) -> int:
        """Play a playlist's own local file (a song's `path`), replacing anything playing.

        Only for a path the playlist file names, never for an address from a page: `path`
        must be absolute, canonical (no link on the way) and a regular file; the on_load
        hook then lets exactly it through, once.  Raises PlayerError otherwise."""
        self._kept_allowed = None
        self._allowed_is_local = False
        path = str(path)
        if not is_local_file(path):
            raise PlayerError(f"{safe_line(path)}: not a playable local file (missing, or not a regular file)")
        self._kept_allowed = path
        self._allowed_is_local = True
        try:
            return self._loadfile(path, None)
        except BaseException:
            self._kept_allowed = None
            self._allowed_is_local = False
            raise

    def is_kept_entry(self, entry: int) -> bool:
        return entry in self._kept_entries

    def _loadfile(self, url: str, headers: dict[str, str] | None = None) -> int:
        """load() without the scheme check: the on_load hook and mpv's options still apply."""
        self.open()
        m = self._mpv
        # Whatever comes next is this new entry, never the rest of an earlier .pls/.m3u
        # (loadfile replace clears mpv's playlist): forget the followed redirects.
        self._redirect_ended.clear()
        headers = dict(headers or {})
        agent = next((v for k, v in headers.items() if k.lower() == "user-agent"), None)
        fields = [f"{k}: {v}" for k, v in headers.items() if k.lower() != "user-agent"]
        m.user_agent = agent or self._default_user_agent
        m.http_header_fields = fields
        m.pause = False
        token = self._print_mark("begin")
        result = m.command("loadfile", url, "replace")
        entry = int(result["playlist_entry_id"]) if isinstance(result, dict) else -1
        self._entry_tokens[entry] = token
        self._loaded_at[entry] = time.monotonic()
        if len(self._entry_tokens) > 50:
            for old in sorted(self._entry_tokens)[:-20]:
                self._entry_tokens.pop(old, None)
                self._loaded_at.pop(old, None)
        return entry

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

    def _safe(self, fn: Callable[[], Any]) -> bool:
        if self._mpv is None:
            return False
        try:
            fn()
            return True
        except Exception:  # noqa: BLE001 - e.g. seeking with nothing loaded (expected)
            log.debug("mpv refused a command", exc_info=True)
            return False

    def stop(self) -> None:
        self._safe(lambda: self._mpv.command("stop"))

    def set_pause(self, paused: bool) -> None:
        self._safe(lambda: setattr(self._mpv, "pause", bool(paused)))

    def seek(self, seconds: float, relative: bool = True) -> bool:
        mode = "relative" if relative else "absolute"
        return self._safe(lambda: self._mpv.command("seek", f"{float(seconds):.3f}", mode))

    def set_volume(self, volume: int) -> None:
        self._safe(lambda: setattr(self._mpv, "volume", int(volume)))

    def set_mute(self, muted: bool) -> None:
        self._safe(lambda: setattr(self._mpv, "mute", bool(muted)))

    def audio_devices(self) -> list[tuple[str, str]]:
        """mpv's ``audio-device-list``: (name, description) pairs (opens mpv if needed)."""
        self.open()
        try:
            entries = self._mpv.audio_device_list or []
        except Exception:  # noqa: BLE001 - no list: nothing to offer
            log.warning("reading mpv's audio-device-list", exc_info=True)
            return []
        return [(str(entry.get("name", "")), str(entry.get("description", ""))) for entry in entries
                if isinstance(entry, dict) and entry.get("name")]

    def set_audio_device(self, name: str) -> bool:
        """Switch the output device now (mpv reopens its audio output)."""
        return self._safe(lambda: setattr(self._mpv, "audio_device", str(name)))

    def volume_and_mute(self) -> tuple[float | None, bool | None]:
        """mpv's volume and mute now (as set by `--mpv-option volume=…`, say)."""
        if self._mpv is None:
            return None, None
        try:
            volume, muted = self._mpv.volume, self._mpv.mute
        except Exception:  # noqa: BLE001
            log.warning("reading mpv's volume", exc_info=True)
            return None, None
        volume = float(volume) if isinstance(volume, (int, float)) and not isinstance(volume, bool) else None
        return volume, muted if isinstance(muted, bool) else None

    def version(self) -> str | None:
        if self._mpv is None:
            return None
        try:
            return str(self._mpv.mpv_version)
        except Exception:  # noqa: BLE001
            log.warning("reading mpv's version", exc_info=True)
            return None

    def terminate(self, timeout: float = 3.0) -> bool:
        """Shut mpv down; never waits longer than `timeout` (also during a stalled stream)."""
        instance, self._mpv = self._mpv, None
        if instance is None:
            self._close_log()
            return True
        done = threading.Event()

        def run() -> None:
            try:
                instance.terminate()
            except Exception:  # noqa: BLE001
                log.warning("terminating mpv", exc_info=True)
            finally:
                done.set()

        threading.Thread(target=run, name="sadtui-mpv-terminate", daemon=True).start()
        finished = done.wait(timeout)
        if finished:
            self._close_log()
        return finished


def validate_mpv_options(options: Sequence[str]) -> None:
    """Check `--mpv-option`s against libmpv without playing anything (~0.1 s).

    Raises PlayerError: ``usage=True`` for a malformed or unknown option or a
    refused value; ``usage=False`` when libmpv itself is missing."""
    player = Player(options=options, use_log=False)
    try:
        player.open()
    finally:
        player.terminate(timeout=2.0)
