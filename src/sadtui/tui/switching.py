"""`ctrl+o` and the palette's "Switch list…": the library of lists in a picker; the pick
opens in place, without a restart (``SadtuiApp.switch_playlist``: each list keeps its
own place)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sadtui.model.text import safe_line

if TYPE_CHECKING:
    from sadtui.tui.app import SadtuiApp


def list_choices(rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(resolved file, "title · n songs · source") for each list of the library."""
    choices = []
    for row in rows:
        count = f"{row['songs']} song" + ("" if row["songs"] == 1 else "s")
        source = f"  ·  {row['source']}" if row["source"] else ""
        choices.append((str(Path(row["file"]).resolve()), f"{row['title']}  ·  {count}{source}"))
    return choices


async def pick_list(app: SadtuiApp) -> None:
    """The picker (a worker of the app's "switch-list" group); the pick is loaded and opened."""
    from sadtui.model.library import library_of_lists
    from sadtui.model.playlist import PlaylistError, load_playlist
    from sadtui.tui.screens.pick import PickScreen

    rows, problems = await asyncio.to_thread(library_of_lists)
    for problem in problems[:3]:
        app.notify(safe_line(problem), severity="warning", markup=False, timeout=6)
    current = str(Path(app.playlist.path).resolve()) if app.playlist.path else None
    picked = await app.push_screen_wait(PickScreen("Switch list", list_choices(rows), current=current))
    if picked is None or picked == current:
        return
    try:
        playlist = await asyncio.to_thread(load_playlist, picked)
    except PlaylistError as exc:
        app.notify(safe_line(exc), severity="error", markup=False)
        return
    app.switch_playlist(playlist)
