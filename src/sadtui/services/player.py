"""libmpv through python-mpv: one audio-only player, created on first use.

Threads: every method of :class:`Player` is meant to be called from ONE thread
(the engine's control thread).  libmpv calls back on python-mpv's event thread;
those callbacks only copy plain values into :class:`PlayerEvent` objects and
hand them to ``notify`` (and keep log lines); they never block and never call
mpv.  ``mpv`` is imported lazily in :meth:`Player.open`, so importing this module
is cheap and works without libmpv.

Errors are explained from mpv's log: libmpv hands log lines out after events,
so :meth:`Player.explain` first prints a marker through mpv and waits for it to
come back, which means every earlier line has arrived too.
"""

from __future__ import annotations

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
from sadtui.services.resolver import host_of, host_port_of

LIBMPV_HINT = "libmpv is not installed: run `sudo apt-get install libmpv2`"
PYTHON_MPV_HINT = "python-mpv is missing: run `pip install mpv`"
NETWORK_TIMEOUT = 6.0  # seconds without data before mpv gives up on a stream
MARK = "@@sadtui "
LOG_ROTATE_BYTES = 4 * 1024 * 1024

OBSERVED = ("time-pos", "duration", "pause", "volume", "mute", "paused-for-cache")
END_REASONS = {0: "eof", 1: "stop", 2: "stop", 3: "quit", 4: "error", 5: "redirect"}

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


# ---------------------------------------------------------------- options


def parse_mpv_options(options: Sequence[str] | None) -> list[tuple[str, str]]:
    """`KEY=VALUE` strings to pairs; raises PlayerError(usage=True) for a malformed one."""
    pairs: list[tuple[str, str]] = []
    for option in options or ():
        text = str(option)
        key, sep, value = text.partition("=")
        key = key.strip().lstrip("-")
        if not sep or not key or any(c.isspace() for c in key):
            raise PlayerError(f"--mpv-option {text}: expected KEY=VALUE, e.g. ao=pcm", usage=True)
        pairs.append((key, value))
    return pairs


def _failed_option(exc: BaseException) -> tuple[str, str] | None:
    """The (name, value) python-mpv was setting when `exc` was raised, if it says."""
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, tuple) and len(arg) >= 3 and isinstance(arg[1], bytes):
            value = arg[2] if isinstance(arg[2], bytes) else b""
            return arg[1].decode("utf-8", "replace"), value.decode("utf-8", "replace")
    return None


def _error_code(exc: BaseException) -> int | None:
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, int) and arg < 0:
            return arg
    return None


# ---------------------------------------------------------------- explaining failures

_HTTP = re.compile(r"HTTP error (\d{3})", re.I)
_REFUSED = re.compile(r"Connection to tcp://([^ ]+?) failed: Connection refused|Connection refused", re.I)
_DNS = re.compile(
    r"Failed to resolve hostname|Name or service not known|Temporary failure in name resolution|"
    r"Network is unreachable|No route to host",
    re.I,
)
_TIMEOUT = re.compile(r"timed out|Connection timed out", re.I)
_CUT = re.compile(r"Stream ends prematurely|Connection reset by peer|Broken pipe", re.I)
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
    host = host_of(url)
    timed_out = elapsed >= network_timeout - 0.5
    if reason == "eof":
        short = duration is None or position is None or position < duration - 1.5
        if seeked_to_end or not short:
            return None
        if _CUT.search(text):
            return "the stream ended early (connection cut)"
        if _TIMEOUT.search(text):
            return f"timed out talking to {host}"
        return None
    if reason != "error":
        return None
    if match := _HTTP.search(text):
        return f"HTTP {match.group(1)} from {host}"
    if match := _REFUSED.search(text):
        where = match.group(1) if match.groups() and match.group(1) else host_port_of(url)
        return f"connection refused by {where}"
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


class Player:
    """One `mpv.MPV(video=False, ytdl=False, ...)`, created by :meth:`open`."""

    def __init__(
        self,
        notify: Callable[[PlayerEvent], None] | None = None,
        *,
        options: Sequence[str] = (),
        network_timeout: float = NETWORK_TIMEOUT,
        log_path: Path | None = None,
    ) -> None:
        self._notify = notify
        self.user_options = parse_mpv_options(options)
        self.network_timeout = network_timeout
        self._log_path = log_path
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
        return {
            "video": "no",
            "ytdl": "no",
            "terminal": "no",
            "config": "no",
            "load-scripts": "no",
            # mpv's built-in Lua scripts each cost a Lua state and a thread: none is needed.
            "osc": "no",
            "load-stats-overlay": "no",
            "load-osd-console": "no",
            "load-auto-profiles": "no",
            "input-default-bindings": "no",
            "input-vo-keyboard": "no",
            "idle": "yes",
            "keep-open": "no",
            "network-timeout": f"{self.network_timeout:g}",
            "cache": "yes",
            "cache-secs": "60",
            "demuxer-max-bytes": "32MiB",
            "demuxer-max-back-bytes": "8MiB",
            "demuxer-readahead-secs": "30",
            # mpv asks ffmpeg to reconnect for up to ~15 s; a cut stream should fail faster.
            "stream-lavf-o": "reconnect_delay_max=2",
            "audio-client-name": "sadtui",
            "volume-max": "130",
        }

    def open(self) -> None:
        """Create the mpv instance (once); raises PlayerError."""
        if self._mpv is not None:
            return
        try:
            import mpv
        except OSError:
            raise PlayerError(LIBMPV_HINT) from None
        except ImportError:
            raise PlayerError(PYTHON_MPV_HINT) from None
        # libmpv refuses to start (or crashes) unless numbers are formatted the C way.
        os.environ["LC_NUMERIC"] = "C"
        try:
            locale.setlocale(locale.LC_NUMERIC, "C")
        except locale.Error:  # pragma: no cover
            pass
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
                    del base[failed[0]]
                    continue
                self._close_log()
                raise self._option_error(exc, user) from None
        try:
            self._default_user_agent = str(instance.user_agent or "libmpv")
        except Exception:  # noqa: BLE001
            pass
        instance.register_event_callback(self._on_event)
        for name in OBSERVED:
            instance.observe_property(name, self._on_property)
        self._mpv = instance

    def _option_error(self, exc: BaseException, user: dict[str, str]) -> PlayerError:
        failed = _failed_option(exc)
        code = _error_code(exc)
        if failed is not None and failed[0] in user:
            name, value = failed
            given = f"--mpv-option {name}={value}"
            if code == -5:
                return PlayerError(f"{given}: mpv does not know option '{name}'", usage=True)
            return PlayerError(f"{given}: mpv refused the value '{value}' for '{name}'", usage=True)
        text = str(exc.args[0]) if getattr(exc, "args", None) else str(exc)
        if failed is not None:
            return PlayerError(f"mpv refused its option {failed[0]}={failed[1]}: {text}")
        return PlayerError(f"could not start mpv: {text}")

    def _open_log(self) -> None:
        path = self._log_path or paths.mpv_log_file()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.exists() and path.stat().st_size > LOG_ROTATE_BYTES:
                os.replace(path, path.with_name(path.name + ".1"))  # keep one old log
            self._log_file = open(path, "a", encoding="utf-8", errors="replace", buffering=1)  # noqa: SIM115
            self._log_file.write(f"--- sadtui player {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
        except OSError:
            self._log_file = None

    def _close_log(self) -> None:
        handle, self._log_file = self._log_file, None
        if handle is not None:
            try:
                handle.close()
            except OSError:
                pass

    # ------------------------------------------------------------ mpv's event thread

    def _send(self, event: PlayerEvent) -> None:
        notify = self._notify
        if notify is not None:
            try:
                notify(event)
            except Exception:  # noqa: BLE001 - never break mpv's event thread
                pass

    def _on_event(self, event: Any) -> None:
        try:
            eid = int(event.event_id.value)
        except Exception:  # noqa: BLE001
            return
        if eid == 6:  # start-file
            entry = int(event.data.playlist_entry_id)
            self._last_started = entry
            self._send(FileStarted(entry))
        elif eid == 8:  # file-loaded (belongs to the latest start-file)
            if self._last_started is not None:
                self._send(FileLoaded(self._last_started))
        elif eid == 7:  # end-file
            data = event.data
            self._send(FileEnded(int(data.playlist_entry_id), END_REASONS.get(int(data.reason), "error"), int(data.error)))
        elif eid == 1:  # shutdown
            self._send(PlayerShutdown())

    def _on_property(self, name: str, value: Any) -> None:
        if value is not None and not isinstance(value, (bool, int, float, str)):
            value = str(value)
        self._send(PropertyChanged(name, value))

    def _on_log(self, level: str, prefix: str, text: str) -> None:
        line = f"[{prefix}] {level}: {str(text).rstrip()}"
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
                handle.write(line + "\n")
            except (OSError, ValueError):
                pass

    # ------------------------------------------------------------ control (one thread)

    def _print_mark(self, kind: str) -> str:
        self._token += 1
        token = f"{kind} {self._token}"
        try:
            self._mpv.command("print-text", MARK + token)
        except Exception:  # noqa: BLE001
            pass
        return token

    def load(self, url: str, headers: dict[str, str] | None = None) -> int:
        """Start playing `url` (replacing anything playing); returns mpv's playlist entry id."""
        self.open()
        m = self._mpv
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

    def lines_for(self, entry: int, timeout: float = 1.0) -> list[str]:
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
        """Why `entry` ended: one line, or None when it simply played to its end."""
        started = self._loaded_at.get(entry, time.monotonic())
        elapsed = time.monotonic() - started
        if reason not in ("eof", "error"):
            return None
        if reason == "eof" and (
            seeked_to_end or (duration is not None and position is not None and position >= duration - 1.5)
        ):
            return None  # played to its end
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

    def _safe(self, fn: Callable[[], Any]) -> bool:
        if self._mpv is None:
            return False
        try:
            fn()
            return True
        except Exception:  # noqa: BLE001 - e.g. seeking with nothing loaded
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

    def volume_and_mute(self) -> tuple[float | None, bool | None]:
        """mpv's volume and mute now (as set by `--mpv-option volume=…`, say)."""
        if self._mpv is None:
            return None, None
        try:
            volume, muted = self._mpv.volume, self._mpv.mute
        except Exception:  # noqa: BLE001
            return None, None
        volume = float(volume) if isinstance(volume, (int, float)) and not isinstance(volume, bool) else None
        return volume, muted if isinstance(muted, bool) else None

    def version(self) -> str | None:
        if self._mpv is None:
            return None
        try:
            return str(self._mpv.mpv_version)
        except Exception:  # noqa: BLE001
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
                pass
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
    player = Player(options=options, log_path=None)
    try:
        player.open()
    finally:
        player.terminate(timeout=2.0)
