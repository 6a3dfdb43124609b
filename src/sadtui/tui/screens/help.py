"""`?`: every key, grouped, built from the same table as the bindings."""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from sadtui.tui.keymap import BUILTIN_KEYS, GROUPS, KEYS, display_of
from sadtui.tui.widgets.panes import ScrollPane

SCOPE_NOTE = {
    "Moving": "in the song list",
    "Reading": "in the details, FAQ and About panes",
}


def help_text(remaps: dict[str, tuple[str, ...]] | None = None) -> Content:
    rows: dict[str, list[tuple[str, str]]] = {group: [] for group in GROUPS}
    for key in KEYS:
        rows[key.group].append((display_of(key, remaps), key.help))
    for display, text, group in BUILTIN_KEYS:
        rows[group].append((display, text))
    width = max(len(display) for group in rows.values() for display, _ in group) + 2
    lines: list[Content] = []
    for group in GROUPS:
        if not rows[group]:
            continue
        if lines:
            lines.append(Content(""))
        note = SCOPE_NOTE.get(group)
        heading = Content.assemble((group, "bold $accent"), (f"  ({note})" if note else "", "dim"))
        lines.append(heading)
        for display, text in rows[group]:
            lines.append(Content.assemble((f"  {display:<{width}}", "bold"), text))
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,question_mark,q", "dismiss", "Close help", show=True,
                tooltip="Close the help screen"),
    ]

    def compose(self):
        with Vertical(id="help-dialog"):
            yield Static(Content.styled("Keys", "bold"), id="help-title", markup=False)
            with ScrollPane(id="help-body"):
                yield Static(help_text(getattr(self.app, "key_remaps", None)), markup=False)
            yield Static(Content.styled("Esc, ? or q closes this help", "dim"),
                         id="help-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()
