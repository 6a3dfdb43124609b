"""The playlist's intro (shown once, on the first launch) and its closing word (after
a full run in rank or countdown order): a key, a click or a moment later, the list."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, Static

from sadtui.model.text import safe_text

HEADINGS = {"intro": "Before you press play", "outro": "The closing word"}


class WordsScreen(ModalScreen[None]):
    """One text of the playlist over the list; any key closes it."""

    TIMEOUT = 20.0  # seconds before it closes by itself (a moment to read it)

    def __init__(self, which: str, text: str, *, timeout: float | None = None) -> None:
        super().__init__(id=f"words-{which}")
        self.which = which
        self.text = text
        self.timeout = self.TIMEOUT if timeout is None else timeout

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="words-dialog") as dialog:
            dialog.border_title = HEADINGS.get(self.which, "")
            yield Markdown(safe_text(self.text, keep_newlines=True), id="words-text")
            yield Static("Any key: the list  ·  a: read it again in About", id="words-hint", markup=False)

    def on_mount(self) -> None:
        if self.timeout > 0:
            self.set_timer(self.timeout, self.close)

    def close(self) -> None:
        if self.is_current:
            self.dismiss()

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.close()

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.close()
