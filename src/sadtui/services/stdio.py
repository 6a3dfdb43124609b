"""Terminal plumbing: is a stream a terminal, and keeping what C libraries write
to fd 2 (ALSA, libmpv) off the TUI's screen.

Textual draws on ``sys.__stderr__``.  While the TUI runs we give Textual its own
duplicate of the terminal's fd and point fd 2 itself at a log file, so a stray
``ALSA lib ... cannot find card`` lands in the log instead of on the screen.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from sadtui.services.logs import log
from sadtui.services.player_log import open_log_fd


def is_terminal(stream: object) -> bool:
    """Is `stream` a terminal?  False for None, a closed or a detached stream."""
    try:
        return stream is not None and stream.isatty()  # type: ignore[attr-defined]
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def fd2_to_log(log_path: Path) -> Iterator[Path | None]:
    """Redirect fd 2 to `log_path` (appending) while keeping sys.__stderr__ on the terminal.

    Yields None (and leaves fd 2 alone) when `log_path` is a symlink or not a regular file."""
    # O_NOFOLLOW and a regular-file check: a symlink planted at the log's path is never
    # written through (then fd 2 is left alone).
    log_fd = open_log_fd(log_path)
    if log_fd is None:
        yield None  # no log possible: leave fd 2 alone rather than lose the screen
        return
    saved_fd = os.dup(2)
    original_dunder, original_stderr = sys.__stderr__, sys.stderr
    terminal = os.fdopen(os.dup(saved_fd), "w", buffering=1, encoding="utf-8", errors="replace")
    try:
        sys.stderr.flush()
        os.dup2(log_fd, 2)
        sys.__stderr__ = terminal  # type: ignore[misc]
        sys.stderr = terminal
        yield log_path
    finally:
        try:
            terminal.flush()
        except (OSError, ValueError):
            log.warning("flushing the terminal's stderr", exc_info=True)
        os.dup2(saved_fd, 2)
        os.close(saved_fd)
        os.close(log_fd)
        sys.__stderr__ = original_dunder  # type: ignore[misc]
        sys.stderr = original_stderr
        try:
            terminal.close()
        except (OSError, ValueError):
            log.warning("closing the terminal's stderr copy", exc_info=True)
