"""A small modal picker: a title, a list of choices, Enter picks, Esc closes.
Used by "Audio device…" and "Switch list…" in the palette."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sadtui.model.text import safe_line


class PickScreen(ModalScreen[str | None]):
    """Dismissed with the picked choice's value, or None."""

    BINDINGS = [Binding("escape", "dismiss_none", "Close", show=True, tooltip="Close without choosing")]
    DEFAULT_CSS = """
    PickScreen { align: center middle; }
    PickScreen > Vertical {
        width: 80%; max-width: 100; height: auto; max-height: 80%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    PickScreen OptionList { height: auto; max-height: 20; border: none; }
    PickScreen .pick-hint { color: $text-muted; }
    """

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], *, current: str | None = None,
                 hint: str = "Enter picks, Esc closes") -> None:
        super().__init__()
        self._title = title
        self._choices = list(choices)  # (value, label); labels from outside are escaped here
        self._current = current
        self._hint = hint

    def compose(self):
        options = []
        for value, label in self._choices:
            mark = "● " if value == self._current else "  "
            options.append(Option(Content(mark + safe_line(label)), id=value))
        with Vertical():
            yield Static(Content.styled(self._title, "bold"), markup=False)
            yield OptionList(*options, id="pick-list")
            yield Static(Content(self._hint), classes="pick-hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for value, _ in self._choices]
        if self._current in values:
            options.highlighted = values.index(self._current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
