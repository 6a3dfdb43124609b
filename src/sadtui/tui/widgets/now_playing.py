"""The now-playing bar: two lines docked above the footer.

    ▶ #17 Title of the song · Anime · Artist                 1:23 / 4:56  -3:33
    ━━━━━━━━━━━━━━━━━━━━━━━╸──────────────────   vol 100  order rank       repeat off

The settings have a fixed width whatever their values, so the progress bar never
changes width; a click on the progress bar seeks there.
"""

from __future__ import annotations

from dataclasses import replace

from textual import events
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from sadtui.model.playlist import Playlist
from sadtui.model.text import safe_line
from sadtui.services.events import State, Status

ICONS = {
    State.IDLE: "■",
    State.RESOLVING: "…",
    State.BUFFERING: "…",
    State.PLAYING: "▶",
    State.PAUSED: "‖",
    State.STOPPED: "■",
    State.ERROR: "✗",
}

STATE_STYLES = {
    State.PLAYING: "bold $success",
    State.PAUSED: "bold $warning",
    State.RESOLVING: "bold $accent",
    State.BUFFERING: "bold $accent",
    State.ERROR: "bold $error",
}

# States in which a song is "current" and is marked in the list.
ACTIVE_STATES = frozenset({State.RESOLVING, State.BUFFERING, State.PLAYING, State.PAUSED})


def clock(seconds: float | None) -> str:
    """m:ss (h:mm:ss from an hour); -:-- when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "-:--"
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def bar_halves(width: int, position: float | None, duration: float | None) -> int | None:
    """How many half cells of a `width`-cell progress bar are filled; None: no position to show."""
    if width <= 0 or not duration or position is None or duration <= 0:
        return None
    return round(min(max(position / duration, 0.0), 1.0) * width * 2)


def progress_bar(width: int, position: float | None, duration: float | None) -> Content:
    if width <= 0:
        return Content("")
    halves = bar_halves(width, position, duration)
    if halves is None:
        return Content.styled("─" * width, "$foreground 25%")
    full, half = divmod(halves, 2)
    filled = "━" * full + ("╸" if half else "")
    rest = width - len(filled)
    return Content.assemble((filled, "$accent"), ("─" * rest, "$foreground 25%"))


END_OF_LIST = "End of list — Enter plays from the top"


def _settings(status: Status) -> tuple:
    return status.volume, status.muted, status.order, status.repeat, status.sleep


def sleep_text(status: Status) -> str:
    """The sleep timer as the bar shows it: "off", "end of song", the time left "14:32"."""
    if status.sleep == "off":
        return "off"
    if status.sleep == "song":
        return "end of song"
    if status.sleep_left is not None:
        return clock(status.sleep_left)
    return f"{status.sleep}m"


def settings_text(status: Status, width: int) -> str:
    """The labelled settings, always the same width for a given bar width."""
    volume = "muted" if status.muted else f"{status.volume}"
    if width >= 100:
        return (f"  vol {volume:<5}  order {status.order.value:<9}  repeat {status.repeat.value:<3}"
                f"  sleep {sleep_text(status):<11}")
    if width >= 80:
        sleep = "song" if status.sleep == "song" else sleep_text(status)
        return (f"  vol {volume:<5}  order {status.order.value:<9}  repeat {status.repeat.value:<3}"
                f"  sleep {sleep:<5}")
    if width >= 56:
        return f"  vol {volume:<5}  {status.order.value:<9}  rep {status.repeat.value:<3}"
    return f"  vol {volume:<5}"


def times_text(status: Status, width: int) -> str:
    """The bar's times: "1:15 / 3:20", with the time left ("  -2:05") from 50 cells."""
    if status.state is State.ERROR:
        return ""
    times = f"{clock(status.position)} / {clock(status.duration)}"
    if status.duration and status.position is not None and width >= 50:
        times += f"  -{clock(max(status.duration - status.position, 0.0))}"
    return times


def _without_position(status: Status) -> Status:
    return replace(status, position=None, duration=None)


class NowPlaying(Widget):
    """Shows the engine's Status; never focusable, never parses markup.

    `status` and `unavailable` are bound to the main screen's reactives; `failure`
    (the error line) follows the status and the screen's failure reports.  Every
    text from outside (titles, error messages) is escaped before it is shown."""

    can_focus = False

    class Seek(Message):
        """A click on the progress bar: seek to this fraction of the song."""

        def __init__(self, fraction: float) -> None:
            super().__init__()
            self.fraction = fraction

    # Repainted by `watch_status` only when what the bar shows changes: the position is
    # reported five times a second, the bar moves by a half cell and the times by a second.
    status: reactive[Status] = reactive(Status, layout=False, repaint=False)
    ended: reactive[bool] = reactive(False)  # the play order ran out: the end-of-list line
    unavailable: reactive[str | None] = reactive(None)  # why playback cannot work at all
    failure: reactive[str | None] = reactive(None)  # the last failure, one line
    keeping: reactive[str | None] = reactive(None)  # a download in progress: "#3 45% (3/26)"

    def __init__(self, playlist: Playlist | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.playlist = playlist

    def watch_status(self, old: Status, status: Status) -> None:
        if _without_position(old) == _without_position(status):
            # Only the position moved: a new frame only when the times or the bar change.
            if self._position_view(old) != self._position_view(status):
                self.refresh()
            return
        self.refresh()
        if status.state in ACTIVE_STATES or status.state is State.ERROR:
            self.ended = False
        if status.state in (State.PLAYING, State.PAUSED, State.STOPPED) or _settings(old) != _settings(status):
            # Something plays again, the person stopped, or a setting changed (its new
            # value must show): the last failure is old news.
            self.failure = None
        elif status.state is State.ERROR and status.error:
            self.failure = self.failure_line(status.rank, status.title, status.error)

    def _position_view(self, status: Status) -> tuple[str, int | None]:
        """What the bar draws of the position: the times (to the second) and the bar's cells."""
        width = max(self.content_region.width or self.size.width, 20)
        return times_text(status, width), bar_halves(self.bar_width(width), status.position, status.duration)

    def report_failure(self, rank: int, title: str, message: str) -> None:
        self.failure = self.failure_line(rank, title, message)

    def report_gave_up(self, text: str) -> None:
        """Every song failed in a row: the engine stopped trying."""
        self.failure = f"{text} Last: {self.failure}" if self.failure else text

    def failure_fits(self) -> bool:
        """Does the bar show the failure line whole (no notice needed)?"""
        width = self.content_region.width or self.size.width
        return self.failure is None or (width > 0 and len("✗ " + self.failure) <= width)

    @staticmethod
    def failure_line(rank: int | None, title: str | None, message: str) -> str:
        title = safe_line(title) if title else None
        who = f"#{rank} {title}" if rank is not None and title else (title or "This song")
        return f"Can't play {who}: {safe_line(message)}"

    # ------------------------------------------------------------------ text

    @property
    def line_text(self) -> str:
        """The bar as plain text (tests and accessibility)."""
        return self._bar_content(120).plain

    def render(self) -> Content:
        return self._bar_content(self.content_region.width or self.size.width)

    def _bar_content(self, width: int) -> Content:
        width = max(width, 20)
        status = self.status
        return Content("\n").join([self._top(width, status), self._bottom(width, status)])

    def _top(self, width: int, status: Status) -> Content:
        if self.unavailable:
            return Content.styled(safe_line(self.unavailable), "$error").truncate(width, ellipsis=True)
        state = status.state
        label = Content.styled(f"{ICONS.get(state, ' ')} {state.value}", STATE_STYLES.get(state, "bold"))
        if self.ended and state is State.STOPPED:
            return Content.assemble(Content.styled("■ ", "bold"), (END_OF_LIST, "bold")).truncate(width, ellipsis=True)
        # A download in progress: at the right end of the line, before anything else goes.
        keeping = Content.styled(f"  ⇣ {self.keeping}", "$accent") if self.keeping else None
        if status.rank is None or state is State.IDLE:
            hint = Content.styled("  Nothing playing: Enter plays the highlighted song", "dim")
            if keeping is None:
                return Content.assemble(label, hint).truncate(width, ellipsis=True)
            left = Content.assemble(label, hint).truncate(max(width - len(keeping), 1), ellipsis=True, pad=True)
            return Content.assemble(left, keeping).truncate(width, ellipsis=True)
        times = times_text(status, width)
        song = self.playlist.song(status.rank) if self.playlist is not None else None
        parts: list = [label, "  ", (f"#{status.rank} ", "bold"), (safe_line(status.title or ""), "bold")]
        for other in (song.anime, song.artist) if song is not None else ():
            if other:
                parts += [(" · ", "dim"), safe_line(other)]
        room = width - len(times) - 2 - (len(keeping) if keeping is not None else 0)
        left = Content.assemble(*parts).truncate(max(room, 1), ellipsis=True, pad=True)
        if keeping is None:
            return Content.assemble(left, "  ", times)
        return Content.assemble(left, "  ", times, keeping).truncate(width, ellipsis=True)

    def _bottom(self, width: int, status: Status) -> Content:
        if self.unavailable:
            return Content.styled("You can still browse and read everything.", "dim")
        settings = settings_text(status, width)
        if self.failure:
            # One line naming the song and the cause (the whole width: the cause
            # matters more than the settings), until something plays again.
            return Content.styled("✗ " + self.failure, "$error").truncate(width, ellipsis=True)
        position = status.position if status.state in ACTIVE_STATES else None
        bar = progress_bar(self.bar_width(width), position, status.duration)
        return Content.assemble(bar, (settings, "dim")).truncate(width)

    def bar_width(self, width: int | None = None) -> int:
        """The progress bar's width: the same for every value of the settings."""
        width = max(width if width is not None else (self.content_region.width or self.size.width), 20)
        return max(width - len(settings_text(Status(), width)), 0)

    def on_click(self, event: events.Click) -> None:
        """A click on the progress bar seeks there."""
        offset = event.get_content_offset(self)
        if offset is None or offset.y != 1 or self.failure or self.unavailable:
            return
        status = self.status
        width = self.bar_width()
        if status.state in ACTIVE_STATES and status.duration and 0 <= offset.x < width:
            self.post_message(self.Seek(offset.x / max(width - 1, 1)))
