"""Where sadtui keeps its files (platformdirs; honours the XDG_* variables)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP_NAME = "sadtui"


def _dirs() -> platformdirs.PlatformDirs:
    # A new object each call so that XDG_* variables set at run time (tests) count.
    return platformdirs.PlatformDirs(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    return Path(_dirs().user_cache_dir)


def state_dir() -> Path:
    return Path(_dirs().user_state_dir)


def config_dir() -> Path:
    return Path(_dirs().user_config_dir)


def data_dir() -> Path:
    """Kept things that are not a cache: the library of lists (and, later, kept audio)."""
    return Path(_dirs().user_data_dir)


def log_dir() -> Path:
    return Path(_dirs().user_log_dir)


def state_file() -> Path:
    return state_dir() / "state.json"


def resolve_cache_file() -> Path:
    return cache_dir() / "resolved.json"


def mpv_log_file() -> Path:
    return log_dir() / "player.log"


def write_atomic(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write `data` to `path` through a temporary file and os.replace, so a reader
    never sees half a file; `durable` also fsyncs first.  Raises OSError."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
