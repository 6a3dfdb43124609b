"""Where sadtui keeps its files (platformdirs; honours the XDG_* variables)."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import platformdirs

APP_NAME = "sadtui"
# What platformdirs reads on Linux: the answer is kept per value of these, so XDG_*
# variables set at run time (tests) still count, and a lookup costs a dict access
# instead of a new PlatformDirs (~2 ms: it checks the app name on every construction).
_ENVIRONMENT = ("HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME")


@functools.lru_cache(maxsize=32)
def _directory(kind: str, environment: tuple[str | None, ...]) -> Path:
    return Path(getattr(platformdirs.PlatformDirs(APP_NAME, appauthor=False), kind))


def _dir(kind: str) -> Path:
    return _directory(kind, tuple(os.environ.get(name) for name in _ENVIRONMENT))


def cache_dir() -> Path:
    return _dir("user_cache_dir")


def state_dir() -> Path:
    return _dir("user_state_dir")


def config_dir() -> Path:
    return _dir("user_config_dir")


def data_dir() -> Path:
    """Kept things that are not a cache: the library of lists and the kept audio."""
    return _dir("user_data_dir")


def log_dir() -> Path:
    return _dir("user_log_dir")


def state_file() -> Path:
    return state_dir() / "state.json"


def resolve_cache_file() -> Path:
    return cache_dir() / "resolved.json"


def mpv_log_file() -> Path:
    return log_dir() / "player.log"


def write_atomic(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Write `data` to `path` through a temporary file and os.replace, so a reader
    never sees half a file; `durable` also fsyncs first.  Raises OSError."""
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
