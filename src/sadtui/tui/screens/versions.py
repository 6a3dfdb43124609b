"""The versions picker (`v`): the candidates of a song's search, the pinned one marked.

The search runs in a thread worker (bounded by the resolver: 15 s); the list is an
OptionList, best match first.  Enter dismisses the screen with the chosen
candidate (the main screen pins it and plays it); Esc with None.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sadtui.model.playlist import Song
from sadtui.model.text import safe_line
from sadtui.services.versions import Candidate, duration_text


def candidate_prompt(candidate: Candidate, pinned: bool) -> Content:
    return Content.assemble(
        ("● " if pinned else "  ", "bold"),
        (f"{duration_text(candidate.duration):>7}  ", "dim"),
        safe_line(candidate.title, limit=90),
        (f"  · {safe_line(candidate.channel or '?', limit=40)}", "dim"),
        (f"  {candidate.score:.0f}", "dim"),
    )


class VersionsScreen(ModalScreen[Candidate | None]):
    """Pick the recording a song plays."""

    BINDINGS = [Binding("escape", "close", "Close")]
    DEFAULT_CSS = """
    VersionsScreen { align: center middle; }
    VersionsScreen > Vertical { width: 90%; max-width: 130; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1; }
    VersionsScreen #versions-status { height: auto; color: $text-muted; }
    VersionsScreen OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, song: Song, search: Callable[[Song], list[Candidate]], pinned: str | None) -> None:
        super().__init__()
        self.song = song
        self._search = search
        self.pinned = pinned
        self.candidates: list[Candidate] = []
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"Searching for “{safe_line(self.song.search_terms, limit=100)}”…",
                         id="versions-status", markup=False)
            yield OptionList(id="versions")

    def on_mount(self) -> None:
        self.query_one(Vertical).border_title = f"Versions of #{self.song.rank} {safe_line(self.song.title, limit=60)}"
        self.run_worker(self._find, thread=True, exit_on_error=False, group="versions")

    def _find(self) -> None:
        try:
            found = self._search(self.song)
        except Exception as exc:  # noqa: BLE001 - a ResolveError's line, or a bug: logged, said in one line
            from sadtui.services.logs import log

            if not getattr(exc, "message", None):
                log.exception("versions: searching for #%s failed", self.song.rank)
            message = safe_line(getattr(exc, "message", None) or exc)
            self.app.call_from_thread(self._show_error, message)
            return
        self.app.call_from_thread(self._show, found)

    def _show_error(self, message: str) -> None:
        self.error = message
        self.query_one("#versions-status", Static).update(f"Can't list the versions: {message}")

    def _show(self, found: list[Any]) -> None:
        self.candidates = list(found)
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(Option(candidate_prompt(c, c.url == self.pinned), id=str(n))
                            for n, c in enumerate(self.candidates))
        status = f"{len(self.candidates)} versions, best match first" + (" · ● pinned" if self.pinned else "")
        self.query_one("#versions-status", Static).update(status + " · Enter pins and plays · Esc closes")
        if self.candidates:
            pinned_at = next((n for n, c in enumerate(self.candidates) if c.url == self.pinned), 0)
            options.highlighted = pinned_at
            options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        index = int(event.option.id or 0)
        if 0 <= index < len(self.candidates):
            self.dismiss(self.candidates[index])

    def action_close(self) -> None:
        self.dismiss(None)
