"""The now-playing card: at the top of the details pane while a song plays.

    ♪ Now playing  #17 Title
      Anime · Artist
      Recording: Its title — Channel  (3:20)
      1:15 elapsed · 2:05 left
      Up next: #18 Title

`#artwork` (left of the text) is empty and hidden until something is mounted there.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from sadtui.model.playlist import Playlist
from sadtui.model.text import safe_line
from sadtui.services.events import State, Status
from sadtui.tui.widgets.now_playing import ACTIVE_STATES, ICONS, STATE_STYLES, clock


def card_text(playlist: Playlist, status: Status) -> Content:
    """The card's lines for `status` (escaped: titles and channels come from outside)."""
    song = playlist.song(status.rank) if status.rank is not None else None
    state = status.state
    head = "Now playing" if state is State.PLAYING else state.value.capitalize()
    lines = [
        Content.assemble(
            (f"{ICONS.get(state, '♪')} {head}  ", STATE_STYLES.get(state, "bold")),
            (f"#{status.rank} ", "bold"),
            (safe_line(status.title or (song.title if song else "")), "bold"),
        )
    ]
    if song is not None and (song.anime or song.artist):
        lines.append(Content(" · ".join(safe_line(part) for part in (song.anime, song.artist) if part)))
    if status.recording_title or status.recording_channel:
        recording = safe_line(status.recording_title or "")
        if status.recording_channel:
            recording += f" — {safe_line(status.recording_channel)}" if recording else safe_line(status.recording_channel)
        if status.duration:
            recording += f"  ({clock(status.duration)})"
        lines.append(Content.assemble(("Recording: ", "dim"), recording))
    elif state in (State.RESOLVING, State.BUFFERING):
        lines.append(Content.styled("Finding the recording…", "dim"))
    # The time line is there from the start (-:-- until it plays), so the card keeps
    # its height as the song starts: no new layout of the screen at that moment.
    left = f" · {clock(max(status.duration - status.position, 0.0))} left" if status.duration and status.position is not None else ""
    lines.append(Content.assemble((f"{clock(status.position)} elapsed{left}", "dim")))
    after = playlist.song(status.up_next) if status.up_next is not None else None
    if after is not None:
        lines.append(Content.assemble(("Up next: ", "dim"), (f"#{after.rank} ", "bold"), safe_line(after.title)))
    else:
        lines.append(Content.styled("Up next: nothing (the end of the list)", "dim"))
    return Content("\n").join(lines)


class NowPlayingCard(Horizontal):
    """Shown while a song is current (resolving, playing, paused); bound to the screen's status."""

    status: reactive[Status] = reactive(Status, layout=False, init=False)

    def __init__(self, playlist: Playlist, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.playlist = playlist
        self._text_extent = (0, 0)  # the text's width and height when it was last set

    def compose(self) -> ComposeResult:
        yield Horizontal(id="artwork")
        yield Static("", id="card-text", markup=False)

    def watch_status(self, status: Status) -> None:
        active = status.state in ACTIVE_STATES and status.rank is not None
        self.display = active
        if active:
            view = self.query_one("#card-text", Static)
            text = card_text(self.playlist, status)
            # A new layout of the screen only when the card's height changes: the text
            # changes with every position report, and a layout (the whole screen) takes
            # the UI thread for milliseconds, while a song starts too.
            width, height = view.content_size
            new = text.get_height(view.styles, width) if width else 0
            last_width, last_height = self._text_extent
            shown = last_height if last_width == width else height  # asked for, or laid out
            view.update(text, layout=not width or new != shown)
            self._text_extent = (width, new)

    @property
    def text(self) -> str:
        """The card as plain text (tests)."""
        return card_text(self.playlist, self.status).plain if self.display else ""
