"""The player log, ``player.log``: mpv's messages and whatever C libraries print to fd 2.

It holds text from outside (icy titles, tags, server messages), so every line sadtui
writes goes through :func:`sadtui.model.text.safe_text`; and it is opened with
``O_NOFOLLOW`` and checked to be a regular file, so a symlink (or a FIFO, a device)
planted at its path is refused: the player then runs without a log.

:class:`PlayerLog`, a part of :class:`sadtui.services.player.Player`, keeps mpv's recent
lines (for :class:`sadtui.services.player_explain.Explainer`) and writes them to the log.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections import deque
from pathlib import Path
from typing import IO, Any

from sadtui.model import paths
from sadtui.model.text import safe_text
from sadtui.services.logs import log

LOG_ROTATE_BYTES = 4 * 1024 * 1024
MARK = "@@sadtui "  # printed through mpv: the lines before it have all arrived


def open_log_fd(path: Path, *, rotate_bytes: int | None = None) -> int | None:
    """An O_APPEND fd on `path` (created 0600), or None when it is not a regular file
    (a symlink, a FIFO...) or cannot be opened.  Rotates a regular file past `rotate_bytes`
    to ``NAME.1`` first."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if rotate_bytes is not None:
            try:
                info = os.lstat(path)
            except FileNotFoundError:
                info = None
            if info is not None and stat.S_ISREG(info.st_mode) and info.st_size > rotate_bytes:
                os.replace(path, path.with_name(path.name + ".1"))  # keep one old log
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        log.warning("player log %s refused or not writable: %s", safe_text(path), safe_text(exc))
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            log.warning("player log %s is not a regular file: running without it", safe_text(path))
            os.close(fd)
            return None
        os.set_blocking(fd, True)
    except OSError:
        log.warning("player log %s: cannot check it", safe_text(path), exc_info=True)
        os.close(fd)
        return None
    return fd


def open_log(path: Path, *, rotate_bytes: int | None = LOG_ROTATE_BYTES) -> IO[str] | None:
    """A line-buffered text file appending to `path`, or None (see :func:`open_log_fd`)."""
    fd = open_log_fd(path, rotate_bytes=rotate_bytes)
    if fd is None:
        return None
    return os.fdopen(fd, "a", encoding="utf-8", errors="replace", buffering=1)


def log_line(text: object) -> str:
    """One line for the player log: outside text escaped (ESC, BEL, bidi... as visible escapes)."""
    return safe_text(str(text).rstrip("\r\n"))


class PlayerLog:
    """mpv's log lines: kept (the last 600) and written to the player log, for
    :class:`~sadtui.services.player.Player` (which provides the attributes declared here)."""

    _use_log: bool
    _log_path: Path | None
    _log_file: Any
    _lock: threading.Condition
    _lines: deque[str]
    _marks: set[str]

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

