"""Typing a rank number to jump to it (`1` then `7` → rank 17).

Pure logic, no timers: the app feeds digits and calls `expire()` when its timer
(about a second) runs out, so tests can drive it deterministically.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Outcome:
    buffer: str  # what has been typed so far ("" once finished)
    jump_to: int | None = None  # a rank to highlight now
    missing: int | None = None  # a typed number that is no rank
    waiting: bool = False  # more digits could still follow (start/restart the timer)


class RankJumper:
    def __init__(self, ranks: Iterable[int]) -> None:
        self._ranks = sorted(set(ranks))
        self._set = set(self._ranks)
        self._max = self._ranks[-1] if self._ranks else 0
        self.buffer = ""

    def _longer_rank_exists(self, value: int) -> bool:
        """Is there a rank that starts with `value`'s digits and has more of them?"""
        low, high = value * 10, value * 10 + 9
        while low <= self._max:
            i = bisect_left(self._ranks, low)
            if i < len(self._ranks) and self._ranks[i] <= high:
                return True
            low, high = low * 10, high * 10 + 9
        return False

    def push(self, digit: int | str) -> Outcome:
        digit = str(digit)
        if not (len(digit) == 1 and digit.isdigit()):
            return self.reset()
        if not self.buffer and digit == "0":
            return Outcome("")  # no rank starts with 0
        self.buffer += digit
        value = int(self.buffer)
        if self._longer_rank_exists(value):
            return Outcome(self.buffer, waiting=True)
        self.buffer = ""
        if value in self._set:
            return Outcome("", jump_to=value)
        return Outcome("", missing=value)

    def expire(self) -> Outcome:
        """The pause after the last digit: jump to what was typed, if it is a rank."""
        if not self.buffer:
            return Outcome("")
        value = int(self.buffer)
        self.buffer = ""
        if value in self._set:
            return Outcome("", jump_to=value)
        return Outcome("", missing=value)

    def reset(self) -> Outcome:
        self.buffer = ""
        return Outcome("")
