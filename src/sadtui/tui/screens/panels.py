"""The FAQ and About panels: scrollable, built the first time they are shown."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Markdown, Static

from sadtui.model.playlist import Playlist
from sadtui.model.text import safe_text
from sadtui.tui.widgets.panes import ScrollPane


class Panel(ScrollPane):
    """A reading panel; its content is mounted on first show (keeps start-up light)."""

    TITLE = ""

    def __init__(self, playlist: Playlist, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.playlist = playlist
        self.built = False
        self.border_title = self.TITLE

    def build(self) -> None:
        if self.built:
            return
        self.built = True
        self.mount_all(list(self.blocks()))

    def blocks(self):  # pragma: no cover - overridden
        return []


class FaqPanel(Panel):
    TITLE = "FAQ  (Esc: back to the list)"

    def blocks(self):
        if not self.playlist.faq:
            yield Static("This playlist has no FAQ.", classes="panel-empty", markup=False)
            return
        for number, entry in enumerate(self.playlist.faq, start=1):
            yield Static(
                Content.assemble((f"{number}. ", "dim"), safe_text(entry.question.strip())),
                classes="faq-question",
                markup=False,
            )
            yield Markdown(safe_text(entry.answer, keep_newlines=True), classes="faq-answer")


class AboutPanel(Panel):
    TITLE = "About  (Esc: back to the list)"

    def blocks(self):
        playlist = self.playlist
        yield Static(Content(safe_text(playlist.title)), classes="about-title", markup=False)
        yield Static(
            Content.styled(playlist.count_text, "dim"), classes="about-count", markup=False
        )
        if playlist.intro:
            yield Static("Intro", classes="about-heading", markup=False)
            yield Markdown(safe_text(playlist.intro, keep_newlines=True), classes="about-text")
        if playlist.outro:
            yield Static("Closing word", classes="about-heading", markup=False)
            yield Markdown(safe_text(playlist.outro, keep_newlines=True), classes="about-text")
        if playlist.source:
            yield Static("Source", classes="about-heading", markup=False)
            yield Static(Content(safe_text(playlist.source)), classes="about-source", markup=False)
        if not (playlist.intro or playlist.outro or playlist.source):
            yield Static("This playlist has no intro, closing word or source.",
                         classes="panel-empty", markup=False)
