"""libmpv through python-mpv: one audio-only player, created on first use.

Threads: every method of :class:`Player` is meant to be called from ONE thread
(the engine's control thread).  libmpv calls back on python-mpv's event thread;
those callbacks only copy plain values into :class:`PlayerEvent` objects and
hand them to ``notify`` (and keep log lines); they never block, and call mpv
only in the ``on_load`` hook (through the event handle, see
:class:`sadtui.services.mpv_hook._HookApi`).
``mpv`` is imported lazily in :meth:`Player.open`, so importing this module is cheap
and works without libmpv.  Call :func:`ensure_numeric_locale` early on the main
thread: python-mpv's import and libmpv need LC_NUMERIC=C, and setlocale is not
thread-safe.

The player is in parts, each in its own module:

* :mod:`sadtui.services.mpv_hook`: security.  mpv opens only http(s): ``load`` refuses
  anything else (:data:`NON_WEB_ADDRESS`); behind it, the ``on_load`` hook checks every
  URL mpv is about to open (also the entries a .pls/.m3u redirect creates), and mpv's
  options (:mod:`sadtui.services.mpv_options`) restrict what ffmpeg's nested opens may
  use.  ``load_kept`` and ``load_local`` let one checked local file through, once.
* :mod:`sadtui.services.player_events`: the events, and mpv's event thread (redirects:
  the first new entry's events carry the original entry's id).
* :mod:`sadtui.services.player_explain`: why a song failed, from mpv's log.
* :mod:`sadtui.services.player_log`: mpv's log lines, kept and written to the player log.
"""

from __future__ import annotations

import locale
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sadtui.model.text import safe_line, safe_text
from sadtui.services.logs import log

# Every name the player's parts define is importable from here too (`X as X`: a re-export).
from sadtui.services.mpv_hook import NON_WEB_ADDRESS as NON_WEB_ADDRESS
from sadtui.services.mpv_hook import REFUSED_URL as REFUSED_URL
from sadtui.services.mpv_hook import OnLoadGuard, _HookApi
from sadtui.services.mpv_hook import is_local_file as is_local_file
from sadtui.services.mpv_hook import is_web_url as is_web_url
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
from sadtui.services.player_events import FileEnded as FileEnded
from sadtui.services.player_events import FileLoaded as FileLoaded
from sadtui.services.player_events import FileStarted as FileStarted
from sadtui.services.player_events import PlayerError, PlayerEvent, PlayerEvents, _end_reasons
from sadtui.services.player_events import PlayerShutdown as PlayerShutdown
from sadtui.services.player_events import PropertyChanged as PropertyChanged
from sadtui.services.player_explain import AO_INIT_FAILED as AO_INIT_FAILED
from sadtui.services.player_explain import EXPLAIN_WAIT as EXPLAIN_WAIT
from sadtui.services.player_explain import LOADING_FAILED as LOADING_FAILED
from sadtui.services.player_explain import NETWORK_TIMEOUT, Explainer
from sadtui.services.player_explain import NOTHING_TO_PLAY as NOTHING_TO_PLAY
from sadtui.services.player_explain import UNKNOWN_FORMAT as UNKNOWN_FORMAT
from sadtui.services.player_explain import explain_failure as explain_failure
from sadtui.services.player_log import LOG_ROTATE_BYTES as LOG_ROTATE_BYTES
from sadtui.services.player_log import MARK as MARK
from sadtui.services.player_log import PlayerLog

__all__ = [
    "FileEnded", "FileLoaded", "FileStarted", "LOG_ROTATE_BYTES", "NON_WEB_ADDRESS", "Player", "PlayerError",
    "PlayerEvent", "PlayerShutdown", "PropertyChanged", "ensure_numeric_locale", "explain_failure",
    "is_web_url", "parse_mpv_options", "validate_mpv_options",
]

LIBMPV_HINT = "libmpv is not installed: run `sudo apt-get install libmpv2`"
PYTHON_MPV_HINT = "python-mpv is missing: run `pip install mpv`"


OBSERVED = ("time-pos", "duration", "pause", "volume", "mute", "paused-for-cache")


# ---------------------------------------------------------------- locale


_locale_lock = threading.Lock()
_locale_done = False


def ensure_numeric_locale(*, import_mpv: bool = True) -> None:
    """Make LC_NUMERIC "C", as libmpv requires (never LC_ALL).  Call it early, ON THE MAIN
    THREAD (setlocale is process-wide and not thread-safe); idempotent.

    python-mpv calls ``setlocale(LC_NUMERIC, "C")`` itself when it is imported, so this
    also imports it (loading libmpv) here, on the calling thread, when it is installed.
    ``import_mpv=False`` leaves that to a later call on the main thread (``Player.open``
    there): the locale is "C" already, so python-mpv's own call then changes nothing."""
    global _locale_done
    with _locale_lock:
        if not _locale_done:
            os.environ["LC_NUMERIC"] = "C"  # for anything that reads the environment later
            try:
                if locale.setlocale(locale.LC_NUMERIC) != "C":
                    locale.setlocale(locale.LC_NUMERIC, "C")
            except locale.Error:
                log.warning("cannot set LC_NUMERIC to C", exc_info=True)
            _locale_done = True
        if import_mpv:
            try:
                import mpv  # noqa: F401 - its import sets LC_NUMERIC: do it here, not on a worker
            except (OSError, ImportError):
                pass  # no libmpv: Player.open() says how to install it


def _numeric_locale_ok() -> bool:
    try:
        return locale.setlocale(locale.LC_NUMERIC) == "C"
    except locale.Error:
        return False


# ---------------------------------------------------------------- the player

class Player(OnLoadGuard, PlayerEvents, Explainer, PlayerLog):
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

    # ------------------------------------------------------------ control (one thread)

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
