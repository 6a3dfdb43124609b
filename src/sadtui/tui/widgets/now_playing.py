"""The now-playing bar: two lines docked above the footer.

    ▶ playing  #17  Title of the song                                1:23 / 4:56
    ━━━━━━━━━━━━━━━━━━━━━━━╸───────────────────────   vol 100  order rank  repeat off
"""

from __future__ import annotations

from dataclasses import replace

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

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


def progress_bar(width: int, position: float | None, duration: float | None) -> Content:
    if width <= 0:
        return Content("")
    if not duration or position is None or duration <= 0:
        return Content.styled("─" * width, "$foreground 25%")
    fraction = min(max(position / duration, 0.0), 1.0)
    halves = round(fraction * width * 2)
    full, half = divmod(halves, 2)
    filled = "━" * full + ("╸" if half else "")
    rest = width - len(filled)
    return Content.assemble((filled, "$accent"), ("─" * rest, "$foreground 25%"))


def sleep_text(mode: str, left: float | None) -> str:
    """The sleep timer as the bar shows it: "" (off), "end of song", "14:32"."""
    if mode == "off":
        return ""
    if mode == "song":
        return "end of song"
    if left is None:
        return f"{mode} min"
    return clock(left)


def _settings(status: Status) -> tuple:
    return status.volume, status.muted, status.order, status.repeat


def _without_position(status: Status) -> Status:
    return replace(status, position=None, duration=None)


class NowPlaying(Widget):
    """Shows the engine's Status; never focusable, never parses markup.

    `status` and `unavailable` are bound to the main screen's reactives; `failure`
    (the error line) follows the status and the screen's failure reports.  Every
    text from outside (titles, error messages) is escaped before it is shown."""

    can_focus = False

    status: reactive[Status] = reactive(Status, layout=False)
    unavailable: reactive[str | None] = reactive(None)  # why playback cannot work at all
    failure: reactive[str | None] = reactive(None)  # the last failure, one line

    def watch_status(self, old: Status, status: Status) -> None:
        if _without_position(old) == _without_position(status):
            return  # only the position moved
        if status.state in (State.PLAYING, State.PAUSED, State.STOPPED) or _settings(old) != _settings(status):
            # Something plays again, the person stopped, or a setting changed (its new
            # value must show): the last failure is old news.
            self.failure = None
        elif status.state is State.ERROR and status.error:
            self.failure = self.failure_line(status.rank, status.title, status.error)

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
        if status.rank is None or state is State.IDLE:
            hint = Content.styled("  Nothing playing: Enter plays the highlighted song", "dim")
            return Content.assemble(label, hint).truncate(width, ellipsis=True)
        times = "" if state is State.ERROR else f"{clock(status.position)} / {clock(status.duration)}"
        left = Content.assemble(label, "  ", (f"#{status.rank} ", "bold"), safe_line(status.title or ""))
        room = width - len(times) - 2
        left = left.truncate(max(room, 1), ellipsis=True, pad=True)
        return Content.assemble(left, "  ", times)

    def _bottom(self, width: int, status: Status) -> Content:
        if self.unavailable:
            return Content.styled("You can still browse and read everything.", "dim")
        volume = "muted" if status.muted else f"vol {status.volume}"
        settings = f"  {volume}  order {status.order.value}  repeat {status.repeat.value}"
        if status.sleep != "off":
            settings += f"  sleep {sleep_text(status.sleep, status.sleep_left)}"
        if self.failure:
            # One line naming the song and the cause (the whole width: the cause
            # matters more than the settings), until something plays again.
            return Content.styled("✗ " + self.failure, "$error").truncate(width, ellipsis=True)
        position = status.position if status.state in ACTIVE_STATES else None
        bar = progress_bar(max(width - len(settings), 0), position, status.duration)
        return Content.assemble(bar, (settings, "dim")).truncate(width)
