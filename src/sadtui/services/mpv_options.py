"""mpv's options: the ones sadtui sets (its lock-down among them), and checking the
ones a person gives with ``--mpv-option KEY=VALUE``.

The lock-down is the second wall behind the resolver's "http(s) only" rule: even if
a non-web address reached mpv, mpv runs no scripts, reads no config, loads no unsafe
playlist entries, and ffmpeg's nested opens (HLS/DASH segments, playlists it follows)
may only use web protocols.  The first-line check of every URL mpv opens (also the
entries a .pls/.m3u redirect creates) is the player's ``on_load`` hook.

A person cannot undo any of it: options sadtui sets itself, and options that would
run code or load files behind its back, are refused with one line (exit status 2).
"""

from __future__ import annotations

from collections.abc import Sequence

from sadtui.model.text import safe_line

# ffmpeg protocols allowed for streams and for what a demuxer opens (HLS/DASH segments):
# the web, with TLS, and AES-128 decryption of HLS segments.  No file, pipe, fd, data,
# concat, subfile, lavfi...
WEB_PROTOCOLS = "http,https,tls,tcp,crypto,httpproxy"

# Options whose value sadtui sets and relies on (or that keep mpv locked down).
LOCKDOWN_OPTIONS: dict[str, str] = {
    "load-unsafe-playlists": "no",
    "access-references": "yes",  # HLS/DASH need nested opens; the whitelist below restricts them
    "demuxer-lavf-o": f"protocol_whitelist=[{WEB_PROTOCOLS}]",
    "stream-lavf-o": f"protocol_whitelist=[{WEB_PROTOCOLS}],reconnect_delay_max=2",
    "audio-file-auto": "no",
    "cover-art-auto": "no",
    "sub-auto": "no",
    "autoload-files": "no",
    "use-filedir-conf": "no",
    "prefetch-playlist": "no",
}


def base_options(network_timeout: float) -> dict[str, str]:
    """Every option sadtui gives mpv."""
    return {
        "video": "no",
        "ytdl": "no",
        "terminal": "no",
        "config": "no",
        "load-scripts": "no",
        # mpv's built-in Lua scripts each cost a Lua state and a thread: none is needed.
        "osc": "no",
        "load-stats-overlay": "no",
        "load-osd-console": "no",
        "load-auto-profiles": "no",
        "input-default-bindings": "no",
        "input-vo-keyboard": "no",
        "idle": "yes",
        "keep-open": "no",
        "network-timeout": f"{network_timeout:g}",
        "cache": "yes",
        "cache-secs": "60",
        "demuxer-max-bytes": "32MiB",
        "demuxer-max-back-bytes": "8MiB",
        "demuxer-readahead-secs": "30",
        **LOCKDOWN_OPTIONS,
        "audio-client-name": "sadtui",
        "volume-max": "130",
    }


# Options sadtui sets itself (or relies on mpv's default of), by exact name (aliases too).
_SET_BY_SADTUI = {
    "idle", "video", "vid", "ytdl", "ytdl-format", "ytdl-raw-options", "config", "config-dir",
    "terminal", "keep-open", "keep-open-pause", "msg-level", "msglevel", "lavfdopts",
    "load-unsafe-playlists", "access-references", "demuxer-lavf-o", "stream-lavf-o",
    "audio-file-auto", "cover-art-auto", "sub-auto", "autoload-files", "use-filedir-conf",
    "prefetch-playlist", "loop-playlist", "loop-file", "loop", "playlist-start",
    "reset-on-next-file", "demuxer-lavf-format", "demuxer-lavf-propagate-opts", "osc",
}
# ... and by prefix: input-*, load-*, ytdl-*, and the list forms of the above (-append, -add...).
_SET_BY_SADTUI_PREFIXES = ("input-", "load-", "ytdl-", "demuxer-lavf-o-", "stream-lavf-o-", "msg-level-")

# Options that would run code or read files behind sadtui's back: not allowed at all.
_NOT_ALLOWED: dict[str, str] = {
    "script": "sadtui runs mpv without scripts",
    "scripts": "sadtui runs mpv without scripts",
    "script-opts": "sadtui runs mpv without scripts",
    "include": "sadtui runs mpv without config files",
    "profile": "sadtui runs mpv without config profiles",
    "playlist": "sadtui decides what mpv plays",
    "lavfi-complex": "sadtui decides what mpv plays",
    "input-ipc-server": "it would let other programs control mpv",
    "input-ipc-client": "it would let other programs control mpv",
    "input-unix-socket": "it would let other programs control mpv",
}
_NOT_ALLOWED_PREFIXES = {"script-": "sadtui runs mpv without scripts", "scripts-": "sadtui runs mpv without scripts"}


def reserved_reason(key: str) -> str | None:
    """Why `--mpv-option key=...` is refused, or None when it is the person's to set."""
    name = key.strip().lower()
    candidates = [name]
    if name.startswith("no-"):
        candidates.append(name[3:])
    for cand in candidates:
        shown = safe_line(cand, limit=80)
        if cand in _NOT_ALLOWED:
            return f"'{shown}' is not allowed ({_NOT_ALLOWED[cand]})"
        for prefix, why in _NOT_ALLOWED_PREFIXES.items():
            if cand.startswith(prefix):
                return f"'{shown}' is not allowed ({why})"
        if cand in _SET_BY_SADTUI or cand.startswith(_SET_BY_SADTUI_PREFIXES):
            return f"sadtui sets '{shown}' itself; it can't be changed"
    return None


def shown_option(key: str, value: str) -> str:
    """`--mpv-option KEY=VALUE` as shown in a message: escaped, one line, not too long."""
    return f"--mpv-option {safe_line(key, limit=80)}={safe_line(value, limit=120)}"


def parse_mpv_options(options: Sequence[str] | None) -> list[tuple[str, str]]:
    """`KEY=VALUE` strings to pairs; raises PlayerError(usage=True) for a malformed or refused one."""
    from sadtui.services.player import PlayerError  # the one error type callers catch

    pairs: list[tuple[str, str]] = []
    for option in options or ():
        text = str(option)
        key, sep, value = text.partition("=")
        key = key.strip().lstrip("-")
        if not sep or not key or any(c.isspace() or not c.isprintable() for c in key):
            raise PlayerError(
                f"--mpv-option {safe_line(text, limit=120)}: expected KEY=VALUE, e.g. ao=pcm", usage=True
            )
        why = reserved_reason(key)
        if why is not None:
            raise PlayerError(f"{shown_option(key, value)}: {why}", usage=True)
        pairs.append((key, value))
    return pairs


def failed_option(exc: BaseException) -> tuple[str, str] | None:
    """The (name, value) python-mpv was setting when `exc` was raised, if it says."""
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, tuple) and len(arg) >= 3 and isinstance(arg[1], bytes):
            value = arg[2] if isinstance(arg[2], bytes) else b""
            return arg[1].decode("utf-8", "replace"), value.decode("utf-8", "replace")
    return None


def error_code(exc: BaseException) -> int | None:
    for arg in getattr(exc, "args", ()):
        if isinstance(arg, int) and arg < 0:
            return arg
    return None
