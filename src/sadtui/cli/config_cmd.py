"""`sadtui config`: where the config file is, and a commented default to start from.

The file itself is read by :func:`load` for every other command (a bad file is
one line and exit 2, like a bad playlist); command-line options win over it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sadtui.cli.common import EXIT_OK, EXIT_USAGE, PROG, UsageError
from sadtui.model.config import DEFAULT_TEXT, Config, ConfigError, load_config


def config_file() -> Path:
    from sadtui.model import paths

    return paths.config_dir() / "config.toml"


def register(sub: Any) -> None:
    p = sub.add_parser("config", help="the config file: its path, or a commented default")
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument("--path", action="store_true", help="print where sadtui reads config.toml")
    group.add_argument("--default", action="store_true", help="print a commented default config.toml")
    group.add_argument("--actions", action="store_true",
                       help="print every action [keys] can remap, with its keys (remapped ones as in config.toml)")
    p.set_defaults(handler=cmd_config, needs_playlist=False, needs_config=False)


def cmd_config(args: argparse.Namespace, playlist: Any) -> int:
    if args.path:
        print(config_file())
    elif args.actions:
        return _print_actions()
    else:
        sys.stdout.write(DEFAULT_TEXT)
    return EXIT_OK


def actions_table() -> dict[str, tuple[str, tuple[str, ...]]]:
    """The TUI's actions: name -> (scope, default keys)."""
    from sadtui.tui.keymap import actions_table as table

    return table()


def _print_actions() -> int:
    from sadtui.tui.keymap import FIXED, KEYS, action_name, display_of

    config = load(actions_table())  # a bad [keys] is one line, exit 2, here too
    rows = []
    seen: set[str] = set()
    for key in KEYS:
        name = action_name(key)
        if name in seen or name in FIXED:
            continue
        seen.add(name)
        mark = "*" if name in config.keys else " "
        rows.append((name, f"{mark} {display_of(key, dict(config.keys))}", key.help))
    width = max(len(name) for name, _, _ in rows)
    keys_width = max(len(keys) for _, keys, _ in rows)
    for name, keys, text in rows:
        print(f"{name:<{width}}  {keys:<{keys_width}}  {text}")
    return EXIT_OK


def load(actions: Any = None) -> Config:
    """The config file, checked; a problem is a UsageError (one line, exit 2)."""
    try:
        return load_config(config_file(), actions=actions)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None


def playlist_path(name: str) -> str:
    """A playlist named in the config: a file, or a list of the library of lists by its
    name (with or without `.toml`)."""
    candidate = Path(name)
    if candidate.suffix == ".toml" and (candidate.is_file() or candidate.is_absolute() or "/" in name):
        return name
    from sadtui.model.library import lists_dir

    in_library = lists_dir() / (name if name.endswith(".toml") else f"{name}.toml")
    return str(in_library) if in_library.is_file() else name


__all__ = ["EXIT_USAGE", "PROG", "cmd_config", "config_file", "load", "playlist_path", "register"]
