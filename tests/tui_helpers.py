"""Helpers shared by the TUI tests: build apps with a FakeEngine, read the screen,
wait on conditions (never sleep-and-hope), write playlists."""

from __future__ import annotations

import html
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from fake_engine import FactoryRecorder, FakeEngine
from sadtui.model.playlist import Playlist, load_playlist
from sadtui.tui.app import SadtuiApp

_TEXT_TAG = re.compile(
    r'<text [^>]*?x="([\d.]+)"[^>]*?textLength="([\d.]+)"[^>]*?-line-(\d+)\)">(.*?)</text>'
)


def screen_text(app) -> str:
    """The active screen as plain text, one line a row (read from Textual's public
    SVG screenshot: each run of text has its column and row)."""
    rows: dict[int, list[str]] = {}
    for x, length, row, escaped in _TEXT_TAG.findall(app.export_screenshot()):
        text = html.unescape(escaped).replace("\xa0", " ")
        column = round(float(x) / (float(length) / len(text))) if text else 0
        line = rows.setdefault(int(row), [])
        line.extend(" " * (column - len(line)))
        line[column : column + len(text)] = text
    return "\n".join("".join(rows.get(y, [])) for y in range(app.size.height))


class SadtuiTestApp(SadtuiApp):
    """SadtuiApp with what tests look at: the notices it showed, and its first paint."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("intro", False)  # the first-launch intro only where a test asks for it
        super().__init__(*args, **kwargs)
        self.notices: list[str] = []
        self.painted = threading.Event()

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
        self.notices.append(str(message))
        super().notify(message, *args, **kwargs)

    def first_paint_done(self) -> None:
        super().first_paint_done()
        self.painted.set()


async def wait_for(pilot, predicate: Callable[[], Any], *, timeout: float = 5.0, what: str = "") -> Any:
    """Let messages flow until `predicate()` is truthy; fail with the screen after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout}s waiting for {what or predicate}\n"
                f"--- screen ---\n{screen_text(pilot.app)}"
            )
        await pilot.pause(0.01)


async def wait_for_text(pilot, text: str, *, timeout: float = 5.0) -> str:
    return await wait_for(
        pilot, lambda: text in screen_text(pilot.app), timeout=timeout, what=repr(text)
    ) and screen_text(pilot.app)


async def palette_highlights(pilot, text: str) -> None:
    """Wait until the command palette's highlighted entry is the one with `text` (its list
    fills in batches, each highlighting its best hit; enter runs the highlighted entry)."""
    from textual.command import CommandList, CommandPalette

    def highlighted() -> bool:
        palette = pilot.app.screen
        if not isinstance(palette, CommandPalette):
            return False
        options = palette.query_one(CommandList)
        index = options.highlighted
        return index is not None and text in str(options.get_option_at_index(index).prompt)

    await wait_for(pilot, highlighted, what=f"{text!r} highlighted in the palette")


async def settle(pilot) -> None:
    """Wait until the details pane shows the highlighted song's description."""
    app = pilot.app
    await wait_for(pilot, lambda: app.main.details.settled, what="details settled")
    await pilot.pause()


def make_app(playlist: Playlist | None = None, **engine_options: Any) -> tuple[SadtuiTestApp, FactoryRecorder]:
    recorder = FactoryRecorder(**engine_options)
    app = SadtuiTestApp(playlist or load_playlist(), engine_factory=recorder)
    return app, recorder


async def engine_ready(pilot, recorder: FactoryRecorder) -> FakeEngine:
    app = pilot.app
    await wait_for(pilot, lambda: app.engine is not None, what="engine ready")
    assert recorder.engine is not None
    return recorder.engine


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_playlist(
    path: Path,
    songs: Iterable[dict[str, Any]],
    *,
    title: str = "Test list",
    intro: str | None = None,
    outro: str | None = None,
    source: str | None = None,
    faq: Iterable[tuple[str, str]] = (),
) -> Path:
    lines = [f"title = {toml_string(title)}"]
    for key, value in (("intro", intro), ("outro", outro), ("source", source)):
        if value is not None:
            lines.append(f"{key} = {toml_string(value)}")
    for song in songs:
        lines.append("[[songs]]")
        for key, value in song.items():
            lines.append(f"{key} = {value if isinstance(value, int) else toml_string(value)}")
    for question, answer in faq:
        lines += ["[[faq]]", f"question = {toml_string(question)}", f"answer = {toml_string(answer)}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


ANIMES = ("Naruto", "AIR", "Clannad", "Anohana", "Orange")


def big_playlist(path: Path, count: int = 10_000) -> Path:
    """`count` songs; every 250th has the word 'needle' in its description only."""
    parts = ['title = "Ten thousand songs"']
    for rank in range(1, count + 1):
        word = "needle" if rank % 250 == 0 else "hay"
        parts.append(
            f'[[songs]]\nrank = {rank}\ntitle = "Song number {rank}"\n'
            f'anime = "{ANIMES[rank % len(ANIMES)]}"\nartist = "Artist {rank % 97}"\n'
            f'description = "Description of song {rank}, with {word} in it."'
        )
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")
    return path
