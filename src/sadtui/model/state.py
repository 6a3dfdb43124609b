"""What the TUI remembers between runs: the theme, and per playlist the last
highlighted song (by rank) and the open panel.

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
        rank = entry.get("rank")
        panel = entry.get("panel")
        intro_shown = entry.get("intro_shown") is True
        return (
            Remembered(
                theme=theme if isinstance(theme, str) and theme else None,
                rank=rank if isinstance(rank, int) and not isinstance(rank, bool) else None,
                panel=panel if panel in PANELS else None,
                intro_shown=intro_shown,
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

    def save(self, *, theme: str | None, rank: int | None, panel: str | None, intro_shown: bool = False) -> bool:
        """Write atomically; False (and nothing raised) when it cannot be written.

        Starts from the file as it is now, not as it was at start-up, so the entries
        another sadtui saved meanwhile (other playlists, its theme) stay.  `theme`
        None keeps the saved theme."""
        doc = self._read()[0] or dict(self._doc)
        doc["version"] = VERSION
        if theme:
            doc["theme"] = theme
        playlists = dict(doc.get("playlists") or {})
        before = playlists.pop(self.key, None)  # re-insert: most recent last
        shown = intro_shown or (isinstance(before, dict) and before.get("intro_shown") is True)
        playlists[self.key] = {"rank": rank, "panel": panel if panel in PANELS else None}
        if shown:
            playlists[self.key]["intro_shown"] = True
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
