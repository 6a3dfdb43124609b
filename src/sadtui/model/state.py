"""What the TUI remembers between runs: the theme, the playback settings (volume,
mute, play order, repeat), and per playlist the last highlighted song (by rank),
the open panel, and the last song played with its position.

One small JSON file (``paths.state_file()``), written atomically.  A missing file
means defaults; a corrupt or unreadable one is ignored (the caller shows the
returned notice) and rewritten on the next save.  Nothing here ever raises.
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sadtui.model.paths import write_atomic

VERSION = 1
PANELS = ("faq", "about")
MAX_PLAYLISTS = 100  # per-playlist entries kept, most recent last
MAX_BYTES = 1_000_000
MAX_OFFSETS = 500  # per-song lyrics offsets kept, most recent last
MAX_OFFSET = 600.0  # seconds


@dataclass(frozen=True, slots=True)
class Remembered:
    theme: str | None = None
    rank: int | None = None
    panel: str | None = None  # "faq", "about" or None (the list)
    intro_shown: bool = False  # the playlist's intro was shown on a first launch
    played: int | None = None  # the last song played in this playlist (rank)
    position: float | None = None  # where it stopped (seconds)
    volume: int | None = None  # the playback settings, shared by every playlist
    muted: bool | None = None
    order: str | None = None  # "rank", "countdown", "shuffle"
    repeat: str | None = None  # "off", "one", "all"
    audio_device: str | None = None  # mpv's audio-device, picked in the app


ORDERS = ("rank", "countdown", "shuffle")
REPEATS = ("off", "one", "all")


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _playback(doc: dict[str, Any]) -> dict[str, Any]:
    """The saved playback settings, each one only when it is valid."""
    raw = doc.get("playback")
    raw = raw if isinstance(raw, dict) else {}
    volume = _int(raw.get("volume"))
    return {
        "volume": volume if volume is not None and 0 <= volume <= 130 else None,
        "muted": raw.get("muted") if isinstance(raw.get("muted"), bool) else None,
        "order": raw.get("order") if raw.get("order") in ORDERS else None,
        "repeat": raw.get("repeat") if raw.get("repeat") in REPEATS else None,
        "audio_device": device if isinstance(device := raw.get("audio_device"), str)
        and 0 < len(device) < 300 and device.isprintable() else None,
    }


def playlist_key(path: str, title: str) -> str:
    """A stable key for a playlist: its absolute path, or its title if it has none."""
    if path:
        try:
            return str(Path(path).expanduser().resolve())
        except (OSError, RuntimeError, ValueError):
            return path
    return f"title:{title}"


class StateStore:
    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        self.key = key
        self._doc: dict[str, Any] = {"version": VERSION, "playlists": {}}
        self.last_error: str | None = None  # why the last save failed, one line

    # ------------------------------------------------------------------ reading

    def load(self) -> tuple[Remembered, str | None]:
        """The remembered state and, when the file had to be ignored, a one-line notice."""
        doc, why = self._read()
        if doc is None:
            return Remembered(), None if why is None else self._notice(why)
        self._doc = doc
        theme = doc.get("theme")
        entry = doc["playlists"].get(self.key)
        entry = entry if isinstance(entry, dict) else {}
        panel = entry.get("panel")
        intro_shown = entry.get("intro_shown") is True
        position = entry.get("position")
        position = float(position) if isinstance(position, (int, float)) and not isinstance(position, bool) else None
        return (
            Remembered(
                theme=theme if isinstance(theme, str) and theme else None,
                rank=_int(entry.get("rank")),
                panel=panel if panel in PANELS else None,
                intro_shown=intro_shown,
                played=_int(entry.get("played")),
                position=position if position is not None and 0 <= position < 1e7 else None,
                **_playback(doc),
            ),
            None,
        )

    def _read(self) -> tuple[dict[str, Any] | None, str | None]:
        """The state file's document (its `playlists` always a table), or None and
        why it cannot be used (None too when there is no file yet)."""
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None, None
        except OSError as exc:
            return None, exc.strerror or str(exc)
        # Never open a FIFO or a device: that could block start-up.
        if not stat.S_ISREG(info.st_mode):
            return None, "not a regular file"
        if info.st_size > MAX_BYTES:
            return None, "too large"
        try:
            doc = json.loads(self.path.read_bytes().decode("utf-8"))
        except OSError as exc:
            return None, exc.strerror or str(exc)
        except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: nested too deeply
            return None, "not valid JSON"
        if not isinstance(doc, dict):
            return None, "not a JSON object"
        if not isinstance(doc.get("playlists"), dict):
            doc["playlists"] = {}
        return doc, None

    def _notice(self, why: str) -> str:
        return f"Ignored the saved state in {self.path} ({why}); starting fresh."

    # ------------------------------------------------------------------ writing

    def save(self, *, theme: str | None, rank: int | None, panel: str | None, intro_shown: bool = False,
             played: tuple[int, float | None] | None = None, playback: dict[str, Any] | None = None) -> bool:
        """Write atomically; False (and nothing raised) when it cannot be written.

        Starts from the file as it is now, not as it was at start-up, so the entries
        another sadtui saved meanwhile (other playlists, its theme) stay.  `theme`
        None keeps the saved theme; `played` (rank, position) and `playback`
        (volume, muted, order, repeat) None keep what was saved."""
        doc = self._read()[0] or dict(self._doc)
        doc["version"] = VERSION
        if theme:
            doc["theme"] = theme
        if playback is not None:
            doc["playback"] = {key: playback.get(key) for key in ("volume", "muted", "order", "repeat", "audio_device")}
        playlists = dict(doc.get("playlists") or {})
        old = playlists.pop(self.key, None)  # re-insert: most recent last
        old = old if isinstance(old, dict) else {}
        entry: dict[str, Any] = {"rank": rank, "panel": panel if panel in PANELS else None}
        if played is not None:
            entry["played"], entry["position"] = played[0], played[1]
        elif _int(old.get("played")) is not None:
            entry["played"], entry["position"] = old.get("played"), old.get("position")
        if intro_shown or old.get("intro_shown") is True:
            entry["intro_shown"] = True
        playlists[self.key] = entry
        while len(playlists) > MAX_PLAYLISTS:
            playlists.pop(next(iter(playlists)))
        doc["playlists"] = playlists
        data = json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")
        try:
            write_atomic(self.path, data, durable=True)
        except OSError as exc:
            self.last_error = f"cannot save your place in {self.path}: {exc.strerror or exc}"
            return False
        self._doc = doc
        self.last_error = None
        return True

    # ------------------------------------------------------------------ lyrics offsets

    def lyrics_offset(self, song_key: str) -> float:
        """The lyrics offset (seconds; + shows lines later) remembered for a song; 0.0 if none."""
        doc = self._read()[0] or self._doc
        offsets = doc.get("lyrics_offsets")
        value = offsets.get(song_key) if isinstance(offsets, dict) else None
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) <= MAX_OFFSET:
            return float(value)
        return 0.0

    def save_lyrics_offset(self, song_key: str, offset: float) -> bool:
        """Remember a song's lyrics offset (0 forgets it); False when it cannot be written."""
        doc = self._read()[0] or dict(self._doc)
        doc["version"] = VERSION
        offsets = doc.get("lyrics_offsets")
        offsets = dict(offsets) if isinstance(offsets, dict) else {}
        offsets.pop(song_key, None)
        if offset:
            offsets[song_key] = round(max(-MAX_OFFSET, min(MAX_OFFSET, offset)), 3)
        while len(offsets) > MAX_OFFSETS:
            offsets.pop(next(iter(offsets)))
        doc["lyrics_offsets"] = offsets
        try:
            write_atomic(self.path, json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8"), durable=True)
        except OSError as exc:
            self.last_error = f"cannot save the lyrics offset in {self.path}: {exc.strerror or exc}"
            return False
        self._doc = doc
        return True
