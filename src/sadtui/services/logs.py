"""sadtui's own log: `sadtui.log` in the log directory, rotated.

Every unexpected error is logged here with its traceback (``log.exception`` or
``log.warning(..., exc_info=True)``); the person sees one line and, for an
internal error, this file's path.  Nothing is set up until :func:`setup` runs
(the CLI and the TUI call it), so importing this module costs nothing, and
messages logged before then (or in tests that never call it) go nowhere.
Text from outside is escaped before it is logged (:func:`sadtui.model.text.safe_text`).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sadtui.model import paths

LOGGER_NAME = "sadtui"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 2

log = logging.getLogger(LOGGER_NAME)
log.addHandler(logging.NullHandler())
log.propagate = False

_handler: logging.Handler | None = None


def log_file() -> Path:
    return paths.log_dir() / "sadtui.log"


def setup(level: int = logging.INFO) -> Path | None:
    """Send sadtui's log to `sadtui.log` (idempotent). Returns its path, or None when the
    file cannot be used (then logging stays off: it must never stop the app)."""
    global _handler
    path = log_file()
    if _handler is not None:
        return path
    # The same guard as the player log: no symlink followed, a regular file only.
    from sadtui.services.player_log import open_log_fd

    fd = open_log_fd(path)
    if fd is None:
        return None
    os.close(fd)
    try:
        from logging.handlers import RotatingFileHandler

        handler = RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    _handler = handler
    return path


def teardown() -> None:
    """Close the log file (tests; the end of a run)."""
    global _handler
    if _handler is not None:
        log.removeHandler(_handler)
        _handler.close()
        _handler = None
