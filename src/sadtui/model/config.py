"""`config.toml`: the settings a person keeps (theme, default playlist, mpv options,
key remaps, resume...), in the platformdirs config directory.

The same discipline as playlists: an unknown key, a value of the wrong type, a key
bound to two actions is one line naming the file, the key and the problem
(:class:`ConfigError`), and the command exits 2.  A missing file is no error: the
defaults apply.  Options given on the command line win over the file.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sadtui.model.text import safe_text

MAX_CONFIG_BYTES = 1024 * 1024
KEY_NAME = re.compile(r"^(?:(?:ctrl|shift|alt|meta|super|hyper)\+)*(?:[a-z0-9_]{2,}|[!-~])$")
# Keys as people write them -> the names Textual (and the default bindings) use.
KEY_ALIASES = {"?": "question_mark", "/": "slash", "+": "plus", "=": "equals_sign", "-": "minus"}
TOP_KEYS = ("theme", "playlist", "resume", "mpv_options", "keys", "lyrics_online", "lyrics_url", "artwork",
            "library_cap")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "kib": 2**10, "mb": 10**6, "mib": 2**20, "gb": 10**9, "gib": 2**30,
          "tb": 10**12, "tib": 2**40}


def parse_size(value: object) -> int | None:
    """"2 GiB", "500MB", 1048576 -> bytes; None when it is not a size."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and (match := _SIZE.match(value)):
        size = int(float(match.group(1)) * _UNITS[(match.group(2) or "B").lower()])
        return size if size > 0 else None
    return None


class ConfigError(Exception):
    """A config file that cannot be used; the message is one line for the person."""


@dataclass(frozen=True)
class Config:
    theme: str | None = None
    playlist: str | None = None  # a file, or the name of a list in the library of lists
    resume: bool = False
    mpv_options: tuple[str, ...] = ()
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # action -> keys
    path: Path | None = None
    lyrics_online: bool = True  # ask the lyrics service (LRCLIB) for lyrics not found on disk
    lyrics_url: str | None = None  # the lyrics service's base URL (default: LRCLIB's)
    artwork: bool | str = True  # the recording's artwork: True (half-blocks), "graphics" (Sixel/Kitty), False
    library_cap: int | None = None  # bytes of kept audio at most (None: the library's default, 2 GiB)


DEFAULT_TEXT = """\
# sadtui's settings. Every line is optional: delete what you don't need.
# Options given on the command line win over this file.

# A theme: "sadtui" (the default), "sadtui-light", or any Textual theme (ctrl+p lists them).
# theme = "sadtui"

# The playlist sadtui opens: a TOML file, or the name of a list in the library of lists
# (`sadtui lists` shows them).
# playlist = "~/music/rainy-day.toml"

# Start playing where the last session stopped (the same as `sadtui --resume`).
# resume = false

# Options handed to mpv, checked like --mpv-option.
# mpv_options = ["ao=pulse", "volume=70"]

# Lyrics (`l` in the TUI): ask LRCLIB for lyrics that are not on disk, and where it is.
# lyrics_online = true
# lyrics_url = "https://lrclib.net"

# The recording's artwork: true (drawn with half-blocks), "graphics" (Sixel or Kitty's
# protocol where the terminal has them: asks the terminal at start, about 0.1 s), or false.
# artwork = true

# The most kept audio (the offline library) may hold; past it the least recently played go.
# library_cap = "2 GiB"

# Keys: an action and the keys that run it (they replace its default keys).
# `sadtui config --actions` lists the actions and their keys.
# [keys]
# next = ["n", "ctrl+right"]
# toggle_pause = ["space", "c"]
"""


def _fail(path: Path, key: str, problem: str) -> ConfigError:
    where = f"{safe_text(str(path))}: {key}: " if key else f"{safe_text(str(path))}: "
    return ConfigError(where + problem)


def _type_name(value: object) -> str:
    return {"str": "a string", "int": "an integer", "bool": "true or false", "list": "an array",
            "dict": "a table", "float": "a number"}.get(type(value).__name__, type(value).__name__)


def load_config(path: Path, *, actions: Mapping[str, tuple[str, tuple[str, ...]]] | None = None) -> Config:
    """Read and check `path`. `actions` (action -> (scope, default keys)) lets key remaps
    be checked: unknown actions, bad key names, one key for two actions in one scope."""
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return Config(path=path)
    except IsADirectoryError:
        raise _fail(path, "", "is a directory, not a config file") from None
    except OSError as exc:
        raise _fail(path, "", f"cannot read it ({exc.strerror or exc})") from None
    if len(data) > MAX_CONFIG_BYTES:
        raise _fail(path, "", "too large for a config file")
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise _fail(path, "", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, "", f"not valid TOML ({exc})") from None
    except RecursionError:
        raise _fail(path, "", "not valid TOML (nested too deeply)") from None
    for key in raw:
        if key not in TOP_KEYS:
            import difflib

            close = difflib.get_close_matches(key, TOP_KEYS, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise _fail(path, safe_text(key), f"unknown setting{hint}")

    def text(key: str) -> str | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise _fail(path, key, f"must be a non-empty string, not {_type_name(value)}")
        return value.strip()

    resume = raw.get("resume", False)
    if not isinstance(resume, bool):
        raise _fail(path, "resume", f"must be true or false, not {_type_name(resume)}")
    options = raw.get("mpv_options", [])
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        raise _fail(path, "mpv_options", 'must be an array of "KEY=VALUE" strings')
    for option in options:
        if "=" not in option or not option.split("=", 1)[0].strip():
            raise _fail(path, "mpv_options", f"'{safe_text(option)}' is not KEY=VALUE")
    playlist = text("playlist")
    if playlist is not None:
        playlist = str(Path(playlist).expanduser()) if playlist.startswith("~") else playlist
    keys = _check_keys(path, raw.get("keys", {}), actions)
    flags = {}
    for flag in ("lyrics_online", "artwork"):
        value = raw.get(flag, True)
        if not isinstance(value, bool) and not (flag == "artwork" and value == "graphics"):
            allowed = 'true, false or "graphics"' if flag == "artwork" else "true or false"
            raise _fail(path, flag, f"must be {allowed}, not {_type_name(value)}")
        flags[flag] = value
    library_cap = None
    if "library_cap" in raw:
        library_cap = parse_size(raw["library_cap"])
        if library_cap is None:
            raise _fail(path, "library_cap", 'must be a size such as "2 GiB" or "500 MB" (or a number of bytes)')
    lyrics_url = text("lyrics_url")
    if lyrics_url is not None and not re.match(r"^https?://[^\s/]+[^\s]*$", lyrics_url, re.IGNORECASE):
        raise _fail(path, "lyrics_url", "must be an http(s) URL")
    return Config(theme=text("theme"), playlist=playlist, resume=resume, mpv_options=tuple(options),
                  keys=keys, path=path, lyrics_url=lyrics_url, library_cap=library_cap, **flags)


def _check_keys(path: Path, raw: Any, actions: Mapping[str, tuple[str, tuple[str, ...]]] | None
                ) -> dict[str, tuple[str, ...]]:
    if not isinstance(raw, dict):
        raise _fail(path, "keys", f"must be a table ([keys]), not {_type_name(raw)}")
    remaps: dict[str, tuple[str, ...]] = {}
    for action, keys in raw.items():
        where = f"keys.{safe_text(action)}"
        if actions is not None and action not in actions:
            import difflib

            close = difflib.get_close_matches(action, list(actions), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise _fail(path, where, f"no such action{hint}")
        if isinstance(keys, str):
            keys = [keys]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            raise _fail(path, where, "must be a key or an array of keys")
        for key in keys:
            if not KEY_NAME.match(key):
                raise _fail(path, where, f"'{safe_text(key)}' is not a key name (e.g. \"n\", \"space\", \"ctrl+right\")")
        remaps[action] = tuple(KEY_ALIASES.get(key, key) for key in keys)
    if actions is not None:
        bound: dict[tuple[str, str], str] = {}
        for action, (scope, default) in actions.items():
            for key in remaps.get(action, default):
                other = bound.get((scope, key))
                if other is not None and other != action:
                    blame = action if action in remaps else other
                    raise _fail(path, f"keys.{safe_text(blame)}", f"'{safe_text(key)}' is already the key of '{other if blame == action else action}'")
                bound[(scope, key)] = action
    return remaps
