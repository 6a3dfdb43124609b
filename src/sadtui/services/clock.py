"""The engine's time: one monotonic clock for its event loop and its timers.

The control thread runs an asyncio event loop; its timers (the report deadline,
the advance delay after a failure) are ``loop.call_later`` handles, and asyncio
schedules them on ``loop.time()``.  :func:`new_loop` makes a loop whose
``time()`` is the given :class:`Clock`, so a test can hand the engine a clock
it moves by hand and see a 14.5 s deadline pass (or not) without sleeping.
"""

from __future__ import annotations

import asyncio
import time


class Clock:
    """Monotonic seconds (``time.monotonic``).  Subclasses may move by hand; they
    get each loop that runs on them through :meth:`attach`, to wake it when they jump."""

    def now(self) -> float:
        return time.monotonic()

    def attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """`loop` schedules its timers on this clock (the real clock needs nothing)."""


MONOTONIC = Clock()


class _ClockedLoop(asyncio.SelectorEventLoop):
    """An event loop whose time (and so whose timers) follow a Clock."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self._sadtui_clock = clock

    def time(self) -> float:
        return self._sadtui_clock.now()


def new_loop(clock: Clock = MONOTONIC) -> asyncio.AbstractEventLoop:
    """A new event loop (not running, not set as any thread's loop) on `clock`."""
    if type(clock) is Clock:
        loop = asyncio.new_event_loop()
    else:
        loop = _ClockedLoop(clock)
    clock.attach(loop)
    return loop
