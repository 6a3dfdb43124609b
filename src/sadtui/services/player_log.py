"""The player log, ``player.log``: mpv's messages and whatever C libraries print to fd 2.

It holds text from outside (icy titles, tags, server messages), so every line sadtui
writes goes through :func:`sadtui.model.text.safe_text`; and it is opened with
``O_NOFOLLOW`` and checked to be a regular file, so a symlink (or a FIFO, a device)
planted at its path is refused: the player then runs without a log.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import IO

from sadtui.model.text import safe_text
from sadtui.services.logs import log

LOG_ROTATE_BYTES = 4 * 1024 * 1024


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
