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
"""

from __future__ import annotations

from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.screen import Screen

from sadtui.services.logs import log


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
