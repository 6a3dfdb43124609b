"""The ranked list: one line per song, drawn on demand (fast at 10,000 songs), with a
filter and a marker on the song that is playing.

Built on Textual's public ``ScrollView`` + ``render_line`` (as Textualize's toolong
draws a million lines): the virtual height is the number of visible songs, and only
the rows on screen are ever turned into text, so start-up, End, a jump and a filter
cost the same for 26 songs or 10,000.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual import events
from textual.content import Content
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.style import Style
from textual.visual import Visual

from sadtui.model.playlist import Song
from sadtui.model.text import safe_text
from sadtui.tui.keymap import LIST, bindings_for

# A song's state in the list: a glyph and a colour each (never the colour alone).
MARKS: dict[str, tuple[str, str]] = {
    "playing": ("▶", "bold $success"),
    "paused": ("‖", "bold $warning"),
    "resolving": ("…", "bold $accent"),
    "failed": ("✗", "bold $error"),
}
KEPT_MARK = ("↓", "bold $secondary")  # kept offline (the library sets `kept`)
KEEPING_MARK = ("⇣", "bold $accent")  # being downloaded, or waiting to be (`keeping`)
KEPT_FILTER = ":kept"  # a filter word: kept songs only
# Style objects, not "bold"/"dim" strings: nothing to parse when rows are drawn.
BOLD = Style(bold=True)
DIM = Style(dim=True)
GAP = 2  # cells between columns
DURATION_WIDTH = 7  # "  12:34"


def column_widths(width: int, rank_width: int, durations: bool) -> tuple[int, int, int, int]:
    """(title, anime, artist, duration) widths for a list `width` cells wide: the
    narrowest show the title only, then the anime, then the artist and duration."""
    rest = width - 2 - (rank_width + 2)  # the marks, the rank and its ". "
    duration = DURATION_WIDTH if durations and width >= 72 else 0
    rest -= duration
    if width < 48:
        return max(rest, 1), 0, 0, duration
    if width < 80:
        title = rest * 3 // 5
        return title, rest - title - GAP, 0, duration
    title = rest * 9 // 20
    anime = rest * 3 // 10
    return title, anime - GAP, rest - title - anime - GAP, duration


def _clock(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def song_haystack(song: Song) -> str:
    return "\n".join(
        part for part in (song.title, song.anime, song.artist, song.description) if part
    ).casefold()


def matches(haystack: str, terms: Sequence[str]) -> bool:
    return all(term in haystack for term in terms)


def filter_terms(query: str) -> list[str]:
    return query.casefold().split()


class SongList(ScrollView, can_focus=True, inherit_bindings=False):
    """Marks (state, kept), rank, title, anime, artist and duration in aligned columns
    that adapt to the width.  Rows are Content objects built from escaped plain
    strings: playlist text is never parsed as markup, and control or bidi characters
    in it are shown as visible escapes."""

    BINDINGS = bindings_for(LIST)
    COMPONENT_CLASSES = {"song-list--row", "song-list--cursor"}
    DEFAULT_CSS = """
    SongList {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        & > .song-list--cursor {
            color: $foreground;
            background: $block-cursor-blurred-background;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .song-list--cursor {
                color: $block-cursor-foreground;
                background: $block-cursor-background;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """

    highlighted: reactive[int | None] = reactive(None, always_update=False, repaint=False)
    kept: reactive[frozenset[int]] = reactive(frozenset, init=False)  # ranks kept offline
    failed: reactive[frozenset[int]] = reactive(frozenset, init=False)  # ranks that failed to play
    keeping: reactive[frozenset[int]] = reactive(frozenset, init=False)  # ranks being downloaded

    class Activated(Message):
        """A song was double-clicked (play it)."""

        def __init__(self, rank: int) -> None:
            super().__init__()
            self.rank = rank

    def __init__(self, songs: Sequence[Song], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._songs = tuple(songs)
        self._by_rank = {song.rank: song for song in self._songs}
        self._rank_width = max((len(str(s.rank)) for s in self._songs), default=1)
        self._playing: int | None = None
        self._playing_state = "playing"  # or "paused", "resolving"
        self._durations: dict[int, float] = {}
        self._query = ""
        self._haystacks: list[str] | None = None  # built on the first filter
        self._before_filter: Song | None = None  # highlighted when the filter started
        self._visible: list[Song] = list(self._songs)
        self._index: dict[int, int] | None = None  # rank -> row, built when first needed
        self._rows: dict[tuple[int, str, str, int], Content] = {}  # (rank, mark, kept mark, width) -> row
        self.virtual_size = Size(0, len(self._visible))
        self.set_reactive(SongList.highlighted, 0 if self._visible else None)

    # ------------------------------------------------------------------ drawing

    def mark_of(self, rank: int) -> str | None:
        """The song's state in the list: playing, paused, resolving, failed or None."""
        if rank == self._playing:
            return self._playing_state
        return "failed" if rank in self.failed else None

    def _row(self, song: Song, width: int) -> Content:
        rank = song.rank
        mark = self.mark_of(rank) or ""
        kept = KEPT_MARK if rank in self.kept else KEEPING_MARK if rank in self.keeping else (" ", "")
        key = (rank, mark, kept[0], width)
        row = self._rows.get(key)
        if row is None:
            if len(self._rows) > 4096:
                self._rows.clear()
            title_w, anime_w, artist_w, duration_w = column_widths(width, self._rank_width, bool(self._durations))
            glyph, style = MARKS.get(mark, (" ", ""))
            parts: list[Content | str | tuple[str, Style | str]] = [
                (glyph, style),
                kept,
                (f"{rank:>{self._rank_width}}. ", DIM),
                Content.styled(safe_text(song.title), BOLD).truncate(title_w, ellipsis=True, pad=bool(anime_w or duration_w)),
            ]
            for text, room in ((song.anime, anime_w), (song.artist, artist_w)):
                if room > 0:
                    cell = Content.styled(safe_text(text or ""), DIM).truncate(room, ellipsis=True, pad=True)
                    parts += [" " * GAP, cell]
            if duration_w:
                seconds = self._durations.get(rank)
                parts.append((f"{_clock(seconds) if seconds else '':>{duration_w}}", DIM))
            row = self._rows[key] = Content.assemble(*parts)
        return row

    def render_line(self, y: int) -> Strip:
        index = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        if not (0 <= index < len(self._visible)):
            return Strip.blank(width, self.get_visual_style("song-list--row").rich_style)
        if index == self.highlighted:
            style = self.get_visual_style("song-list--row", "song-list--cursor")
        else:
            style = self.get_visual_style("song-list--row")
        row = self._row(self._visible[index], width).truncate(width, ellipsis=True)
        strips = Visual.to_strips(self, row, width, 1, style)
        return strips[0].extend_cell_length(width, style.rich_style)

    def _refresh_row(self, index: int | None) -> None:
        if index is not None:
            self.refresh(Region(0, index - self.scroll_offset.y, self.size.width, 1))

    def watch_highlighted(self, old: int | None, new: int | None) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self.scroll_to_highlight()

    def validate_highlighted(self, value: int | None) -> int | None:
        if value is None or not self._visible:
            return None
        return min(max(value, 0), len(self._visible) - 1)

    def scroll_to_highlight(self, center: bool = False) -> None:
        if self.highlighted is None or not self.is_mounted:
            return
        self.scroll_to_region(
            Region(0, self.highlighted, 1, 1), animate=False, force=True, immediate=True, center=center
        )

    def on_resize(self, event: events.Resize) -> None:
        """Keep the highlighted song in view when the terminal shrinks."""
        self.call_after_refresh(self.scroll_to_highlight)

    # ------------------------------------------------------------------ moving

    def action_cursor_down(self) -> None:
        """One song down; stops at the last song (no wrapping round)."""
        self.highlighted = 0 if self.highlighted is None else self.highlighted + 1

    def action_cursor_up(self) -> None:
        """One song up; stops at the first song."""
        self.highlighted = 0 if self.highlighted is None else self.highlighted - 1

    def action_first(self) -> None:
        self.highlighted = 0

    def action_last(self) -> None:
        self.highlighted = len(self._visible) - 1

    def _page(self, direction: int) -> None:
        # A list with no visible rows (a tiny terminal) moves by one song.
        step = max(self.scrollable_content_region.height, 1) * direction
        self.highlighted = (self.highlighted or 0) + step

    def action_page_down(self) -> None:
        self._page(+1)

    def action_page_up(self) -> None:
        self._page(-1)

    # ------------------------------------------------------------------ queries

    @property
    def option_count(self) -> int:
        return len(self._visible)

    @property
    def songs(self) -> tuple[Song, ...]:
        return self._songs

    @property
    def visible_songs(self) -> list[Song]:
        return list(self._visible)

    @property
    def filter_text(self) -> str:
        return self._query

    @property
    def highlighted_song(self) -> Song | None:
        index = self.highlighted
        if index is None or not (0 <= index < len(self._visible)):
            return None
        return self._visible[index]

    def index_of_rank(self, rank: int) -> int | None:
        if self._index is None:
            self._index = {song.rank: i for i, song in enumerate(self._visible)}
        return self._index.get(rank)

    # ------------------------------------------------------------------ changes

    def highlight_rank(self, rank: int) -> bool:
        """Highlight the song with this rank if it is visible."""
        index = self.index_of_rank(rank)
        if index is None:
            return False
        self.highlighted = index
        return True

    def apply_filter(self, query: str) -> int:
        """Show only the songs matching every word of `query`; returns the count."""
        if query == self._query:
            return len(self._visible)
        was_filtering = bool(filter_terms(self._query))
        self._query = query
        terms = filter_terms(query)
        kept_only = KEPT_FILTER in terms
        words = [t for t in terms if t != KEPT_FILTER]
        if not terms:
            visible = list(self._songs)
        else:
            if self._haystacks is None:
                self._haystacks = [song_haystack(song) for song in self._songs]
            visible = [song for song, hay in zip(self._songs, self._haystacks, strict=True)
                       if matches(hay, words) and (not kept_only or song.rank in self.kept)]
        if terms and not was_filtering:
            self._before_filter = self.highlighted_song  # a filter starts
        # The song to keep highlighted: the current one, or (when the filter matched
        # nothing) the one highlighted before the filter started.
        current = self.highlighted_song or self._before_filter
        self._visible = visible
        self._index = None
        self.virtual_size = Size(self.virtual_size.width, len(visible))
        target = None
        if visible:
            index = self.index_of_rank(current.rank) if current is not None else None
            target = 0 if index is None else index
        # Set without the watcher's row refreshes: every row may have changed.
        self.set_reactive(SongList.highlighted, target)
        self.refresh()
        self.call_after_refresh(self.scroll_to_highlight, center=True)  # its neighbours in view
        return len(visible)

    def set_playing(self, rank: int | None, state: str = "playing") -> None:
        """Mark the current song (playing ▶, paused ‖ or resolving …); None removes the mark."""
        if rank == self._playing and state == self._playing_state:
            return
        previous, self._playing, self._playing_state = self._playing, rank, state
        for changed in (previous, rank):
            if changed is not None:
                self._refresh_row(self.index_of_rank(changed))

    def set_duration(self, rank: int, seconds: float) -> None:
        """A song's duration, once known: shown in its own column."""
        if seconds > 0 and self._durations.get(rank) != seconds:
            self._durations[rank] = seconds
            self.refresh()

    def watch_kept(self, kept: frozenset[int]) -> None:
        if KEPT_FILTER in filter_terms(self._query):
            query, self._query = self._query, "\0"
            self.apply_filter(query)  # the kept songs changed: show them again
        self.refresh()

    def watch_failed(self) -> None:
        self.refresh()

    def watch_keeping(self) -> None:
        self.refresh()

    @property
    def playing(self) -> int | None:
        return self._playing

    # ------------------------------------------------------------------ mouse

    def on_click(self, event: events.Click) -> None:
        """A click selects (highlights) a song; a double-click plays it."""
        event.prevent_default()  # not Widget's click (a double click there selects text)
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = offset.y + self.scroll_offset.y
        if not (0 <= index < len(self._visible)):
            return
        self.highlighted = index
        if event.chain >= 2:
            self.post_message(self.Activated(self._visible[index].rank))
