"""The command palette (`ctrl+p`), with PageUp/PageDown that cannot crash.

Upstream bug (Textual 8.2.8, the newest release): PageUp/PageDown on an
``OptionList`` whose lines have not been laid out yet raises ``KeyError`` in
``OptionList._move_page`` (``self._index_to_line[self.highlighted or 0]``): the
lines are computed only when the list has a visible region.  To reproduce: a
120x6 terminal, `ctrl+p`, then PageDown at once (the palette's list has no room
for a single row).  Random keys with resizes hit it about 3 times in 30 s.
The app takes the palette's page keys first (priority bindings) and does nothing
while its list shows no row.  (A subclass of CommandPalette is no way round it:
with Textual 8.2.8, Enter in a subclass did not run the chosen command here.)

:class:`PaletteCommands` is the app's side of the palette (mixed into the App, where
Textual looks for its actions and system commands): the songs finder, the guarded page
keys, and the system commands (every palette key of the keymap, "Audio device…").
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from textual.actions import SkipAction
from textual.app import SystemCommand
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.screen import Screen

from sadtui.services.logs import log
from sadtui.tui.keymap import display_of, palette_entries


def songs_provider():
    """The palette's song finder, imported when the palette first opens."""
    from sadtui.tui.commands import SongsProvider

    return SongsProvider


PALETTE_PAGE_BINDINGS = [
    Binding("pagedown", "palette_page(1)", "Next page", show=False, priority=True),
    Binding("pageup", "palette_page(-1)", "Previous page", show=False, priority=True),
]


def page_palette(screen: Screen, direction: int) -> bool:
    """PageDown/PageUp in an open command palette, guarded; False if `screen` is not one."""
    if not isinstance(screen, CommandPalette):
        return False
    command_list = screen.query_one(CommandList)
    if command_list.scrollable_content_region.height <= 0 or not command_list.option_count:
        return True  # no visible row: Textual's _move_page would raise KeyError
    try:
        if direction > 0:
            command_list.action_page_down()
        else:
            command_list.action_page_up()
    except KeyError:  # the same bug when the lines are not laid out yet
        log.warning("PageUp/PageDown in the command palette hit Textual's KeyError", exc_info=True)
    return True


class PaletteCommands:
    """Mixed into the App (which has `main`, `key_remaps`, `action_audio_device`; its BINDINGS
    has PALETTE_PAGE_BINDINGS and its COMMANDS `songs_provider`)."""

    main: Any
    key_remaps: dict[str, tuple[str, ...]]

    def action_command_palette(self) -> None:
        self.open_palette()

    def open_palette(self, *, songs_only: bool = False) -> None:
        app: Any = self
        if CommandPalette.is_open(app):
            return
        if songs_only:
            palette = CommandPalette(providers=[songs_provider()], placeholder="Type a rank or words of a title…")
        else:
            palette = CommandPalette(id="--command-palette")
        app.push_screen(palette)

    def action_palette_page(self, direction: int) -> None:
        if not page_palette(self.screen, direction):  # type: ignore[attr-defined]
            raise SkipAction()  # not in the palette: the key does its usual job

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        for command in super().get_system_commands(screen):  # type: ignore[misc]
            if command.title != "Keys":  # `?` (Help) lists every key: one entry for it
                yield command
        yield SystemCommand("Audio device…", "Pick the audio output or device mpv plays through (remembered)",
                            self.action_audio_device)  # type: ignore[attr-defined]
        for key in palette_entries():
            yield SystemCommand(
                f"{key.description}  ({display_of(key, self.key_remaps).replace('  ', ' / ')})",
                key.help,
                partial(self.run_action, key.command, self.main),  # type: ignore[attr-defined]
            )
