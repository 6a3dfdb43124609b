"""The main screen's filter (`/`): the filter bar's messages applied to the song list.

A mixin for :class:`sadtui.tui.screens.main.MainScreen` (the `/` binding's action lives
on the screen): the list shows the matching songs, its title how many, the details the
highlighted one.
"""

from __future__ import annotations

from typing import Any

from textual.actions import SkipAction
from textual.widgets import Input

from sadtui.tui.widgets.filter_bar import FilterBar
from sadtui.tui.widgets.focus import focus_now


class ListFilter:
    """Mixed into the main screen (which has `playlist`, `songs`, `details`, `filter_bar`,
    `focused` and `show_panel`)."""

    playlist: Any
    songs: Any
    details: Any
    filter_bar: FilterBar
    focused: Any
    show_panel: Any

    def action_filter_key(self) -> None:
        """`/`: a priority binding, run when the app reads the key.  The focus moves to the
        filter at once, so what is typed right after `/` (a fast typist, a paste) goes
        into the filter, not to the list's bindings."""
        if isinstance(self.focused, Input):
            raise SkipAction()  # typing `/` in the filter or the palette: just a character
        self.action_filter()

    def action_filter(self) -> None:
        self.show_panel(None)
        self.filter_bar.add_class("-active")
        focus_now(self.filter_bar.input)

    def on_filter_bar_changed(self, event: FilterBar.Changed) -> None:
        if event.query == self.filter_bar.value:  # else stale: a newer one follows
            self._apply_filter(event.query)

    def on_filter_bar_kept(self, event: FilterBar.Kept) -> None:
        if not event.query.strip():
            self.clear_filter()
        else:
            self._apply_filter(event.query)

    def on_filter_bar_cleared(self, event: FilterBar.Cleared) -> None:
        self.clear_filter()

    def _apply_filter(self, query: str) -> None:
        shown = self.songs.apply_filter(query)
        self.filter_bar.set_count(shown, len(self.playlist.songs))
        self.refresh_list_title()
        self.details.show_song(self.songs.highlighted_song)

    def refresh_list_title(self) -> None:
        songs = self.songs
        if songs.filter_text.strip():
            songs.border_title = f"Songs · {songs.option_count} of {len(self.playlist.songs)}"
        else:
            songs.border_title = "Songs"

    def clear_filter(self) -> None:
        bar = self.filter_bar
        if bar.value:
            bar.input.value = ""  # posts Changed(""), but apply now so callers see it
        self._apply_filter("")
        bar.remove_class("-active")

    @property
    def filter_active(self) -> bool:
        return bool(self.songs.filter_text.strip())
