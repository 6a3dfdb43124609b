"""The `/` filter: an input over title, anime, artist and description, with "N of M"."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from sadtui.tui.widgets.focus import focus_now


class FilterInput(Input):
    """Enter keeps the filter, Escape clears it; both hand the focus back at once.

    They are priority bindings: Textual runs them when the app reads the key, before
    the keys typed after it (a burst such as `sorrow⏎j`) are handed to a widget, so
    those keys already go to the list.  The characters typed before them may still be
    queued here: the bar is told only once they are in (``call_later``)."""

    BINDINGS = [
        Binding("enter", "hand_back(True)", "Keep the filter", show=False, priority=True),
        Binding("escape", "hand_back(False)", "Clear the filter", show=False, priority=True),
    ]

    def action_hand_back(self, keep: bool) -> None:
        bar = self.parent
        if isinstance(bar, FilterBar):
            bar.hand_back(keep=keep)


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

    def __init__(self, *, id: str | None = None, return_focus: Widget | None = None) -> None:
        super().__init__(id=id)
        self.return_focus = return_focus  # where Enter and Escape send the focus
        self._input: FilterInput | None = None
        self._count: Static | None = None
        self._early: list[Static | FilterInput] = []  # built before the bar was attached

    def build(self) -> None:
        """Mount the prompt, input and count.  The bar is hidden until `/`, so the app
        calls this after the first paint (or when the bar is first needed)."""
        if self._input is not None:
            return
        self._input = FilterInput(
            placeholder="title, anime, artist, description",
            id="filter-input",
            compact=True,
            select_on_focus=False,
        )
        self._count = Static("", id="filter-count", markup=False)
        widgets = [Static("/", id="filter-prompt", markup=False), self._input, self._count]
        if self.is_attached:
            self.mount_all(widgets)
        else:
            self._early = widgets

    def compose(self):
        yield from self._early

    @property
    def input(self) -> FilterInput:
        self.build()
        assert self._input is not None
        return self._input

    @property
    def value(self) -> str:
        return self._input.value if self._input is not None else ""

    def set_count(self, shown: int, total: int) -> None:
        self.build()
        assert self._count is not None
        self._count.update(Content(f"{shown} of {total}"))

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(event.value))

    def hand_back(self, *, keep: bool) -> None:
        """Enter (`keep`) or Escape in the input: focus `return_focus` now, then tell the app."""
        if self.return_focus is not None:
            focus_now(self.return_focus)
        # After the keys already queued for the input: its value is then complete.
        self.input.call_later(lambda: self.post_message(self.Kept(self.value) if keep else self.Cleared()))
