"""The `/` filter: an input over title, anime, artist and description, with "N of M"."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static


class FilterInput(Input):
    BINDINGS = [
        Binding("escape", "clear_filter", "Clear filter", show=False,
                tooltip="Clear the filter and return to the list"),
    ]

    def action_clear_filter(self) -> None:
        self.post_message(FilterBar.Cleared())


class FilterBar(Horizontal):
    """Hidden until `/`; stays visible (unfocused) while a kept filter is active."""

    class Changed(Message):
        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Kept(Message):
        """Enter: keep the filter, go back to the list."""

        def __init__(self, query: str) -> None:
            super().__init__()
            self.query = query

    class Cleared(Message):
        """Escape: clear the filter, go back to the list."""

    def compose(self):
        yield Static("/", id="filter-prompt", markup=False)
        yield FilterInput(
            placeholder="title, anime, artist, description",
            id="filter-input",
            compact=True,
            select_on_focus=False,
        )
        yield Static("", id="filter-count", markup=False)

    @property
    def input(self) -> FilterInput:
        return self.query_one(FilterInput)

    @property
    def value(self) -> str:
        return self.input.value

    def set_count(self, shown: int, total: int) -> None:
        self.query_one("#filter-count", Static).update(Content(f"{shown} of {total}"))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Kept(event.value))
