"""The ranked list: an OptionList (virtual, fast at 10,000 songs) with a filter
and a marker on the song that is playing."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import events
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.style import Style
from textual.widgets import OptionList
from textual.widgets.option_list import Option, OptionDoesNotExist

from sadtui.model.playlist import Song
from sadtui.tui.keymap import LIST, bindings_for

PLAYING_MARK = "▶ "
NO_MARK = "  "
# Style objects, not "bold"/"dim" strings: nothing to parse when rows are drawn.
BOLD = Style(bold=True)
DIM = Style(dim=True)


def song_haystack(song: Song) -> str:
    return "\n".join(
        part for part in (song.title, song.anime, song.artist, song.description) if part
    ).casefold()


def matches(haystack: str, terms: Sequence[str]) -> bool:
    return all(term in haystack for term in terms)


def filter_terms(query: str) -> list[str]:
    return query.casefold().split()


class _SongOption(Option):
    """An option whose prompt is made on first use (OptionList reads `prompt` only to draw)."""

    def __init__(self, song: Song, make_prompt: Callable[[Song], Content]) -> None:
        super().__init__(None, id=str(song.rank))  # type: ignore[arg-type]
        self._song = song
        self._make_prompt = make_prompt

    @property
    def prompt(self) -> Content:  # type: ignore[override]
        prompt = self._prompt
        if prompt is None:
            prompt = self._prompt = self._make_prompt(self._song)
        return prompt  # type: ignore[return-value]


class SongList(OptionList, inherit_bindings=False):
    """One line per song: marker, rank, title and anime (or artist).

    Prompts are Content objects built from plain strings, so text from the
    playlist is never parsed as markup.
    """

    BINDINGS = bindings_for(LIST)

    class Activated(Message):
        """A song was double-clicked (play it)."""

        def __init__(self, rank: int) -> None:
            super().__init__()
            self.rank = rank

    def __init__(self, songs: Sequence[Song], *, id: str | None = None) -> None:
        self._songs = tuple(songs)
        self._by_rank = {song.rank: song for song in self._songs}
        self._rank_width = max((len(str(s.rank)) for s in self._songs), default=1)
        self._playing: int | None = None
        self._query = ""
        self._haystacks: list[str] | None = None  # built on the first filter
        self._before_filter: Song | None = None  # highlighted when the filter started
        # Prompts are built when a row is first drawn (a 10,000-song list draws
        # a screenful at start-up, not 10,000 Content objects).
        self._song_options: dict[int, Option] = {
            song.rank: _SongOption(song, self._plain_prompt) for song in self._songs
        }
        self._visible: list[Song] = list(self._songs)
        super().__init__(*self._song_options.values(), id=id, markup=False)

    # ------------------------------------------------------------------ rendering

    def _plain_prompt(self, song: Song) -> Content:
        return self._prompt(song, playing=False)

    def _prompt(self, song: Song, *, playing: bool) -> Content:
        other = song.anime or song.artist
        parts: list[str | tuple[str, Style]] = [
            (PLAYING_MARK, BOLD) if playing else NO_MARK,
            (f"{song.rank:>{self._rank_width}}. ", DIM),
            (song.title, BOLD),
        ]
        if other:
            parts.append(("  " + other, DIM))
        return Content.assemble(*parts)

    # The list's own single-line prompts never wrap: skip Textual's per-option
    # height measurement (O(n) Content wrapping on every rebuild) by treating
    # every option as one line.  Falls back to Textual when internals differ.
    def _update_lines(self) -> None:  # noqa: D401 - Textual override
        cache = getattr(self, "_line_cache", None)
        if cache is None or not hasattr(cache, "index_to_line"):
            super()._update_lines()
            return
        if not self.scrollable_content_region:
            return
        lines = cache.lines
        count = len(self._options)
        start = len(lines)
        if start < count:
            for index in range(start, count):
                cache.index_to_line[index] = index
                cache.heights[index] = 1
            lines.extend((index, 0) for index in range(start, count))
        width = self.scrollable_content_region.width
        virtual_size = Size(width, len(lines))
        if virtual_size != self.virtual_size:
            self.virtual_size = virtual_size
            self._scroll_update(virtual_size)

    def on_resize(self, event: events.Resize) -> None:
        """Keep the highlighted song in view when the terminal shrinks."""
        self.call_after_refresh(self.scroll_to_highlight)

    # ------------------------------------------------------------------ moving

    def action_cursor_down(self) -> None:
        """One song down; stops at the last song (no wrapping round)."""
        if self.highlighted is None:
            self.action_first()
        elif self.highlighted < self.option_count - 1:
            self.highlighted += 1

    def action_cursor_up(self) -> None:
        """One song up; stops at the first song."""
        if self.highlighted is None:
            self.action_first()
        elif self.highlighted > 0:
            self.highlighted -= 1

    # ------------------------------------------------------------------ queries

    @property
    def songs(self) -> tuple[Song, ...]:
        return self._songs

    @property
    def visible_songs(self) -> list[Song]:
        return list(self._visible)

    @property
    def query(self) -> str:
        return self._query

    @property
    def highlighted_song(self) -> Song | None:
        index = self.highlighted
        if index is None or not (0 <= index < len(self._visible)):
            return None
        return self._visible[index]

    def index_of_rank(self, rank: int) -> int | None:
        for index, song in enumerate(self._visible):
            if song.rank == rank:
                return index
        return None

    # ------------------------------------------------------------------ changes

    def highlight_rank(self, rank: int) -> bool:
        """Highlight the song with this rank if it is visible."""
        option = self._song_options.get(rank)
        if option is None:
            return False
        try:
            index = self.get_option_index(str(rank))
        except OptionDoesNotExist:
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
        if not terms:
            visible = list(self._songs)
        else:
            if self._haystacks is None:
                self._haystacks = [song_haystack(song) for song in self._songs]
            visible = [
                song for song, hay in zip(self._songs, self._haystacks) if matches(hay, terms)
            ]
        if terms and not was_filtering:
            self._before_filter = self.highlighted_song  # a filter starts
        # The song to keep highlighted: the current one, or (when the filter matched
        # nothing) the one highlighted before the filter started.
        current = self.highlighted_song or self._before_filter
        self._visible = visible
        with self.app.batch_update():
            self.set_options(self._song_options[song.rank] for song in visible)
            if visible:
                target = 0
                if current is not None:
                    index = self.index_of_rank(current.rank)
                    target = 0 if index is None else index
                self.highlighted = target
        return len(visible)

    def set_playing(self, rank: int | None) -> None:
        """Mark the song that is playing (▶); None removes the mark."""
        if rank == self._playing:
            return
        previous, self._playing = self._playing, rank
        for changed, playing in ((previous, False), (rank, True)):
            song = None if changed is None else self._song(changed)
            if song is None:
                continue
            prompt = self._prompt(song, playing=playing)
            try:
                self.replace_option_prompt(str(song.rank), prompt)
            except OptionDoesNotExist:
                # Hidden by the filter: a fresh option is shown when it comes back.
                self._song_options[song.rank] = Option(prompt, id=str(song.rank))

    @property
    def playing(self) -> int | None:
        return self._playing

    def _song(self, rank: int) -> Song | None:
        return self._by_rank.get(rank)

    # ------------------------------------------------------------------ mouse

    async def _on_click(self, event: events.Click) -> None:
        """A click selects (highlights) a song; a double-click plays it."""
        event.prevent_default()  # not OptionList's click (it would also "select")
        index = event.style.meta.get("option")
        if index is None or not (0 <= index < len(self._visible)):
            return
        self.highlighted = index
        if event.chain >= 2:
            self.post_message(self.Activated(self._visible[index].rank))
