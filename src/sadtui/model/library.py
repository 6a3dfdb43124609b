"""The library of lists: `playlists/` in the data directory, with the default playlist
always first.  Used by `sadtui lists`, `import` and the TUI's "Switch list…"."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def lists_dir() -> Path:
    """The library of lists: `playlists/` in the data directory."""
    from sadtui.model import paths

    return paths.data_dir() / "playlists"


def library_of_lists() -> tuple[list[dict[str, Any]], list[str]]:
    """Every list in the library (the default playlist first) and one line per file that
    does not load."""
    from sadtui.model.playlist import PlaylistError, default_playlist_path, load_playlist

    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    directory = lists_dir()
    files = [default_playlist_path()]
    try:
        files += sorted(p for p in directory.iterdir() if p.suffix == ".toml" and p.is_file())
    except OSError:
        pass  # no library yet: only the default list
    for path in files:
        try:
            playlist = load_playlist(path)
        except PlaylistError as exc:
            problems.append(str(exc))
            continue
        rows.append({"file": str(path), "title": playlist.title, "songs": len(playlist.songs),
                     "source": playlist.source})
    return rows, problems
