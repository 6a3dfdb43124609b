"""Baseline for the first-paint benchmark: a bare Textual app that shows the same
ranked list and description pane as sadtui, with nothing else (no state, no
playback, no themes).  Usage: python bench/bare_app.py PLAYLIST.toml"""

from __future__ import annotations

import sys
import tomllib

from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Markdown, OptionList


class BareApp(App):
    CSS = """
    #list { width: 45%; }
    #details { width: 55%; }
    """

    def __init__(self, path: str) -> None:
        super().__init__()
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        self.songs = sorted(data["songs"], key=lambda s: s["rank"])
        self.title = data["title"]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(
                *(f"{s['rank']:>3}. {s['title']}  {s.get('anime') or s.get('artist') or ''}" for s in self.songs),
                id="list",
            )
            first = self.songs[0]
            yield Markdown(f"# {first['rank']}. {first['title']}\n\n{first.get('description', '')}", id="details")
        yield Footer()


if __name__ == "__main__":
    BareApp(sys.argv[1]).run()
