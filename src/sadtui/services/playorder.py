"""What plays next: the play order, pure logic (no threads, no clock, no player).

The engine asks a :class:`PlayOrder` which song a person's ``n``/``p`` leads to
(:meth:`PlayOrder.step`) and which one follows a song that ended or failed by
itself (:meth:`PlayOrder.after`).  It knows the playlist's ranks, the order
(rank, countdown, shuffle), the repeat mode (off, one, all) and, for
``sadtui play 3 1 7``, the queue given on the command line (which then is the
order: exactly those ranks, once each, in that order).

Shuffle is a fixed permutation of the playlist: it starts with the song playing
when shuffle was chosen (or a song picked by hand), so every song plays once
from there; with repeat all, each new round is a new permutation that never
starts with the song that ended the previous one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from sadtui.services.events import Order, Repeat


@dataclass(frozen=True, slots=True)
class Target:
    """A song to play: its rank and, when playing a queue, its place in it."""

    rank: int
    queue_index: int | None = None


class PlayOrder:
    def __init__(
        self,
        ranks: Sequence[int],
        *,
        queue: Sequence[int] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.ranks: tuple[int, ...] = tuple(ranks)
        if queue is not None:
            missing = [rank for rank in queue if rank not in self.ranks]
            if missing or not queue:
                raise ValueError(f"no song with rank {missing[0]}" if missing else "empty queue")
        self.queue: tuple[int, ...] | None = tuple(queue) if queue is not None else None
        self.order = Order.RANK
        self.repeat = Repeat.OFF
        self._rng = rng or random.Random()
        self._shuffle: list[int] | None = None
        self._next_round: list[int] | None = None  # shuffle + repeat all: the round after this one

    # ------------------------------------------------------------ settings

    def set_order(self, order: Order, *, current: int | None = None) -> Order:
        """Change the order; a new shuffle starts with `current` (the song playing now)."""
        self.order = order
        self._shuffle = self._next_round = None
        if order is Order.SHUFFLE:
            self._shuffle = self._shuffled(first=current)
        return order

    def set_repeat(self, repeat: Repeat) -> Repeat:
        self.repeat = repeat
        return repeat

    def ranks_in_order(self) -> list[int]:
        """The playlist's ranks in the current order (the queue's order is its own)."""
        if self.order is Order.COUNTDOWN:
            return list(self.ranks[::-1])
        if self.order is Order.SHUFFLE and self._shuffle is not None:
            return list(self._shuffle)
        return list(self.ranks)

    def queue_index_of(self, rank: int) -> int | None:
        """Where a song picked by hand is in the queue (its first place), if there."""
        if self.queue is None or rank not in self.queue:
            return None
        return self.queue.index(rank)

    # ------------------------------------------------------------ moves

    def picked(self, rank: int) -> Target:
        """A person picked `rank` (Enter): in shuffle it comes first, the others after it
        in their shuffled order, so every song plays once from here."""
        if self.queue is None and self.order is Order.SHUFFLE and self._shuffle:
            self._shuffle = [rank] + [r for r in self._shuffle if r != rank]
            self._next_round = None
        return Target(rank, self.queue_index_of(rank))

    def first(self) -> Target:
        """Where a queue starts."""
        if not self.queue:
            raise ValueError("no queue")
        return Target(self.queue[0], 0)

    def step(self, rank: int | None, queue_index: int | None, delta: int) -> Target | None:
        """`n` (+1) or `p` (-1) from the current song, as every player does: with repeat
        off, `p` on the first song gives that song again (it restarts) and `n` on the
        last gives None (the list ends); with repeat one or all they wrap around.
        A queue does not wrap (None past either end)."""
        if self.queue is not None:
            index = (queue_index if queue_index is not None else -1) + delta
            return Target(self.queue[index], index) if 0 <= index < len(self.queue) else None
        order = self.ranks_in_order()
        if not order:
            return None
        if rank is None or rank not in order:
            return Target(order[0] if delta > 0 else order[-1])
        index = order.index(rank) + delta
        if not 0 <= index < len(order) and self.repeat is Repeat.OFF:
            return Target(rank) if delta < 0 else None
        return Target(order[index % len(order)])

    def up_next(self, rank: int | None, queue_index: int | None) -> int | None:
        """The rank that plays after `rank` ends by itself (a guess: nothing changes)."""
        if rank is None or rank not in self.ranks:
            return None
        target = self.after(rank, queue_index, after_failure=False)
        return target.rank if target is not None else None

    def after(
        self, rank: int, queue_index: int | None, *, after_failure: bool, commit: bool = False
    ) -> Target | None:
        """What plays after `rank` ends by itself (or fails), or None when nothing does.

        `commit`: it is about to play (not just asked for a prefetch or a check), so a
        new shuffle round for repeat all becomes the order."""
        if self.queue is not None:
            index = (queue_index if queue_index is not None else -1) + 1
            return Target(self.queue[index], index) if index < len(self.queue) else None
        if self.repeat is Repeat.ONE and not after_failure:
            return Target(rank)
        order = self.ranks_in_order()
        if rank not in order:
            return Target(order[0]) if order else None
        index = order.index(rank) + 1
        if index >= len(order):
            if self.repeat is Repeat.OFF:
                return None
            index = 0
            if self.order is Order.SHUFFLE:  # repeat all: each round in a new order
                if self._next_round is None:
                    self._next_round = self._shuffled(not_first=rank)
                order = self._next_round
                if commit:
                    self._shuffle, self._next_round = order, None
        return Target(order[index])

    def _shuffled(self, *, first: int | None = None, not_first: int | None = None) -> list[int]:
        """A new shuffled order: `first` at its start, or anything but `not_first`."""
        ranks = list(self.ranks)
        self._rng.shuffle(ranks)
        if first in ranks:
            ranks.remove(first)
            ranks.insert(0, first)
        elif not_first is not None and len(ranks) > 1 and ranks[0] == not_first:
            ranks[0], ranks[1] = ranks[1], ranks[0]  # never the same song twice in a row
        return ranks
