"""Typing a rank: a small mode with its own widget ("Go to rank 1…").

The first digit (an app-wide binding) starts the mode: this widget shows and takes
the focus, so the keys that follow come here.  More digits extend the rank; after a
pause (``timeout``) the rank is taken.  Escape cancels.  Any other key takes the
rank first and then does its own job: `2` `Enter` plays rank 2.  That works without
touching the key: the jump is posted straight to the screen, whose queue is ahead of
the key (it bubbles up here, through the containers, to the screen and the app), so
the list has the focus and the new highlight when the app runs the key's binding.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from sadtui.tui.rankjump import Outcome, RankJumper
from sadtui.tui.widgets.focus import focus_now


class RankEntry(Widget, can_focus=True):
    DEFAULT_CSS = """
    RankEntry {
        /* Floats over the top of the list: showing and hiding it moves nothing, so a
           jump repaints one row and the new highlight, not the whole screen. */
        overlay: screen;
        position: absolute;
        offset: 1 0;
        display: none;
        height: 1;
        width: auto;
        min-width: 16;
        padding: 0 1;
        background: $boost;
        color: $accent;
        text-style: bold;
    }
    """

    buffer: reactive[str] = reactive("", layout=False)

    class Done(Message):
        """The mode ended: `rank` to go to, `missing` (a number that is no rank), or
        neither (cancelled, or nothing typed). The screen hands the focus back."""

        def __init__(self, rank: int | None = None, missing: int | None = None) -> None:
            super().__init__()
            self.rank = rank
            self.missing = missing

    def __init__(self, ranks: Iterable[int], *, timeout: float = 1.0, id: str | None = None) -> None:
        super().__init__(id=id)
        self._jumper = RankJumper(ranks)
        self.timeout = timeout  # seconds after the last digit before the rank is taken
        self._timer: Timer | None = None

    def render(self) -> Content:
        return Content(f"Go to rank {self.buffer}…")

    def watch_buffer(self, buffer: str) -> None:
        self.display = bool(buffer)

    # ------------------------------------------------------------------ input

    def push(self, digit: int) -> None:
        """A digit typed (the first one through the screen's binding)."""
        self._finish(self._jumper.push(digit))

    def finish(self) -> None:
        """Take the digits typed so far now (what the timer does after a pause)."""
        self._finish(self._jumper.expire())

    def cancel(self) -> None:
        self._finish(self._jumper.reset())

    def on_key(self, event: events.Key) -> None:
        if event.character is not None and event.character.isdigit():
            event.stop()
            self.push(int(event.character))
        elif event.key == "escape":
            event.stop()  # Escape only cancels the rank
            self.cancel()
        else:
            self.finish()  # ...and the key goes on to do its own job

    # ------------------------------------------------------------------ state

    def _finish(self, outcome: Outcome) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.buffer = outcome.buffer
        if outcome.waiting:
            if self.screen.focused is not self:
                focus_now(self)
            self._timer = self.set_timer(self.timeout, self.finish)
            return
        if self.screen.focused is self or outcome.jump_to is not None or outcome.missing is not None:
            # To the screen's queue directly: ahead of the key being handled now.
            self.screen.post_message(self.Done(outcome.jump_to, outcome.missing))
