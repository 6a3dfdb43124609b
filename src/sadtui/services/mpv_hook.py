"""What mpv may open: the ``on_load`` hook that locks libmpv down to http(s), and the only
three ways to load something (:meth:`OnLoadGuard.load`, ``load_kept``, ``load_local``).

Security: mpv opens only http(s).  :meth:`OnLoadGuard.load` refuses anything else
(:data:`NON_WEB_ADDRESS`); behind it, the ``on_load`` hook checks every URL mpv is
about to open (also the entries a .pls/.m3u redirect creates) and sends anything else
to :data:`REFUSED_URL`.  The one exception is a single local path, once, that
``load_kept`` (a kept file inside the library directory) or ``load_local`` (a
playlist's own file) checked just before their loadfile.

:class:`_HookApi` makes the libmpv calls the hook needs on the EVENT handle (python-mpv
wraps none of them).  :class:`OnLoadGuard` is a part of
:class:`sadtui.services.player.Player`, kept apart to keep each module short.
"""

from __future__ import annotations

import ctypes
import os
import re
from pathlib import Path
from typing import Any

from sadtui.model.text import safe_line
from sadtui.services.logs import log
from sadtui.services.player_events import PlayerError

__all__ = ["NON_WEB_ADDRESS", "REFUSED_URL", "OnLoadGuard", "is_local_file", "is_web_url"]

NON_WEB_ADDRESS = "the page points at a non-web address"
# What mpv's stream-open-filename may be: http(s) only (checked in the on_load hook).
_WEB_URL = re.compile(r"https?://[^\s]+", re.I)
# Where a refused entry is sent instead: a scheme no stream handler knows, so mpv opens
# nothing (no file, no device) and ends the entry with an error.
REFUSED_URL = "sadtui-refused://non-web-address"


def is_web_url(url: object) -> bool:
    """Is `url` an http:// or https:// address (the only kind mpv may open)?"""
    return isinstance(url, str) and _WEB_URL.fullmatch(url) is not None


def is_local_file(path: str) -> bool:
    """An absolute, canonical path (no symbolic link on the way, no `..`) to a regular file."""
    import stat

    try:
        if not os.path.isabs(path) or os.path.realpath(path) != path:
            return False
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


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



class OnLoadGuard:
    """The on_load hook and the loads it lets through, for
    :class:`~sadtui.services.player.Player` (which provides the attributes declared here,
    and ``_loadfile`` and ``_line``)."""

    _hooks: _HookApi | None
    _last_started: int | None
    _alias: dict[int, int]
    _redirect_ended: set[int]
    _leftovers: set[int]
    _refused: set[int]
    _entry_tokens: dict[int, str]
    _kept_allowed: str | None
    _allowed_is_local: bool
    _kept_entries: set[int]
    _local_entries: set[int]
    _kept_dir: Path | None

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

