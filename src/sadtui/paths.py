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


def log_dir() -> Path:
    return Path(_dirs().user_log_dir)


def state_file() -> Path:
    return state_dir() / "state.json"


def resolve_cache_file() -> Path:
    return cache_dir() / "resolved.json"


def mpv_log_file() -> Path:
    return log_dir() / "player.log"
