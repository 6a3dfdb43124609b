"""Scrollable reading panes: the selected song's details."""

from __future__ import annotations

from collections.abc import Callable

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static

from sadtui.model.playlist import Playlist, Song
from sadtui.model.text import safe_line, safe_text
from sadtui.tui.keymap import PANE, bindings_for
from sadtui.tui.widgets.card import NowPlayingCard


class ScrollPane(VerticalScroll, inherit_bindings=False):
    """A focusable, scrollable pane with the reading keys (no ←/→: those seek)."""

    BINDINGS = bindings_for(PANE)

    # Keyboard scrolling is instant and immediate: no animation to wait for, and a
    # burst of keys (j j j) moves three lines, each from where the last one left off.
    def action_scroll_down(self) -> None:
        self.scroll_down(animate=False, immediate=True)

    def action_scroll_up(self) -> None:
        self.scroll_up(animate=False, immediate=True)

    def action_page_down(self) -> None:
        self._page(+1)

    def action_page_up(self) -> None:
        self._page(-1)

    def _page(self, direction: int) -> None:
        # scroll_page_down() starts from scroll_y and has no `immediate`: a burst
        # of PgDn would move one page.
        step = self.scrollable_content_region.height * direction
        self.scroll_to(y=self.scroll_target_y + step, animate=False, immediate=True)

    def action_scroll_home(self) -> None:
        self.scroll_home(animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        self.scroll_end(animate=False, immediate=True)


def labelled(label: str, value: str) -> Content:
    return Content.assemble((f"{label}: ", "dim"), safe_text(value))


NO_DESCRIPTION = "*No description.*"


def spoiler_line(song: Song) -> str:
    about = f"for {song.anime}" if song.anime else "ahead"
    return f"Spoiler {about}: x to show"


def description_text(song: Song | None, *, hidden: bool = False) -> str:
    if song is None or not song.description:
        return NO_DESCRIPTION
    if hidden:
        return "*" + safe_line(spoiler_line(song)).replace("*", "\\*") + "*"
    return safe_text(song.description, keep_newlines=True)


class SongDetails(ScrollPane):
    """Rank, title, anime and artist, then the description rendered as Markdown.

    Follows the highlight immediately: the heading changes at once and is drawn
    before the description's Markdown is rebuilt; Markdown updates are coalesced
    so holding a key down never queues a backlog.
    """

    def __init__(self, song: Song | None, playlist: Playlist | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._song = song
        self.plays: Callable[[Song], str] | None = None  # "Plays: …" for a song (set by the screen)
        self._pending: str | None = None
        self._rendering = False
        self.playlist = playlist or Playlist(title="", songs=(song,) if song else ())
        self.revealed: set[int] = set()  # spoilers shown (`x`), for this run
        self.failures: dict[int, str] = {}  # rank -> why it could not play (set by the screen)
        self.card = NowPlayingCard(self.playlist, id="card")

    def compose(self):
        yield self.card
        yield Static(self._heading(self._song), id="details-head", markup=False)
        text = self._description(self._song)
        yield Markdown(text, id="details-body")

    def hides(self, song: Song | None) -> bool:
        """Is this song's description behind its spoiler line?"""
        return bool(song is not None and song.spoiler and song.description and song.rank not in self.revealed)

    def _description(self, song: Song | None) -> str:
        return description_text(song, hidden=self.hides(song))

    def reveal(self) -> bool:
        """`x`: show the spoiler of the song shown; False when there is none."""
        song = self._song
        if not self.hides(song):
            return False
        assert song is not None
        self.revealed.add(song.rank)
        self._redraw()
        return True

    def refresh_heading(self) -> None:
        self.query_one("#details-head", Static).update(self._heading(self._song))

    def _redraw(self) -> None:
        song = self._song
        self.refresh_heading()
        self._pending = "" if song is None else self._description(song)
        if not self._rendering:
            self._rendering = True
            self.call_after_refresh(self._start_drain)

    @property
    def song(self) -> Song | None:
        return self._song

    @property
    def settled(self) -> bool:
        """True when the Markdown shows the current song's description."""
        return not self._rendering and self._pending is None

    def _heading(self, song: Song | None) -> Content:
        if song is None:
            return Content("No song matches the filter.")
        lines = [Content.assemble((f"#{song.rank}  ", "bold"), (safe_text(song.title), "bold"))]
        if song.anime:
            lines.append(labelled("Anime", song.anime))
        if song.artist:
            lines.append(labelled("Artist", song.artist))
        failure = self.failures.get(song.rank)
        if failure:
            lines.append(Content.assemble(("✗ Can't play: ", "bold $error"), (safe_line(failure), "$error")))
        if self.plays is not None:
            try:
                line = self.plays(song)  # already safe text
            except Exception:  # noqa: BLE001 - the line is a bonus: logged
                from sadtui.services.logs import log

                log.exception("details: what plays #%s", song.rank)
            else:
                label, _, rest = line.partition(": ")
                lines.append(Content.assemble((f"{label}: ", "dim"), rest))
        return Content("\n").join(lines)

    def refresh_plays(self) -> None:
        """Draw the heading again (what plays changed: a pin, a kept file)."""
        self.query_one("#details-head", Static).update(self._heading(self._song))

    def show_song(self, song: Song | None) -> None:
        if song is self._song:
            return
        self._song = song
        self.query_one("#details-head", Static).update(self._heading(song))
        self.scroll_home(animate=False, immediate=True)
        self._pending = "" if song is None else self._description(song)
        if not self._rendering:
            self._rendering = True
            # The heading first: it is drawn in the same frame as the list's new
            # highlight.  Markdown.update() mounts its blocks inside a batch that
            # holds back screen updates, so it starts only after that frame.
            self.call_after_refresh(self._start_drain)

    def _start_drain(self) -> None:
        self.run_worker(self._drain(), group="details-markdown", exit_on_error=False)

    async def _drain(self) -> None:
        markdown = self.query_one("#details-body", Markdown)
        try:
            while self._pending is not None:
                text, self._pending = self._pending, None
                await markdown.update(text)
        finally:
            self._rendering = False
            self._pending = None
