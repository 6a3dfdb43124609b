"""The play order on its own: no threads, no clock, no player."""

from __future__ import annotations

import random

import pytest

from sadtui.services.events import Order, Repeat
from sadtui.services.playorder import PlayOrder, Target

pytestmark = pytest.mark.unit


def order(n: int = 5, **kwargs) -> PlayOrder:
    return PlayOrder(range(1, n + 1), rng=random.Random(3), **kwargs)


def auto_run(po: PlayOrder, first: int, songs: int) -> list[int]:
    played = [first]
    while len(played) < songs:
        target = po.after(played[-1], None, after_failure=False, commit=True)
        if target is None:
            break
        played.append(target.rank)
    return played


def test_rank_order_plays_to_the_end_then_stops():
    po = order()
    assert auto_run(po, 2, 10) == [2, 3, 4, 5]


def test_countdown_goes_from_n_to_1():
    po = order()
    po.set_order(Order.COUNTDOWN)
    assert po.ranks_in_order() == [5, 4, 3, 2, 1]
    assert auto_run(po, 3, 10) == [3, 2, 1]


def test_repeat_one_replays_but_a_failure_moves_on():
    po = order()
    po.set_repeat(Repeat.ONE)
    assert po.after(3, None, after_failure=False) == Target(3)
    assert po.after(3, None, after_failure=True) == Target(4)
    assert po.after(5, None, after_failure=True) == Target(1)  # past a failure it goes round


def test_repeat_all_wraps_in_either_order():
    po = order()
    po.set_repeat(Repeat.ALL)
    assert auto_run(po, 4, 5) == [4, 5, 1, 2, 3]
    po.set_order(Order.COUNTDOWN)
    assert auto_run(po, 2, 5) == [2, 1, 5, 4, 3]


def test_next_and_previous_stop_at_the_ends_with_repeat_off_and_start_at_either_end():
    po = order()
    assert po.step(None, None, +1) == Target(1)
    assert po.step(None, None, -1) == Target(5)
    assert po.step(5, None, +1) is None  # the last song: the list ends
    assert po.step(1, None, -1) == Target(1)  # the first song: it restarts
    assert po.step(3, None, -1) == Target(2) and po.step(3, None, +1) == Target(4)
    po.set_order(Order.COUNTDOWN)
    assert po.step(1, None, +1) is None and po.step(5, None, -1) == Target(5)


@pytest.mark.parametrize("repeat", [Repeat.ALL, Repeat.ONE])
def test_next_and_previous_wrap_with_repeat(repeat):
    po = order()
    po.set_repeat(repeat)
    assert po.step(5, None, +1) == Target(1)
    assert po.step(1, None, -1) == Target(5)
    po.set_order(Order.COUNTDOWN)
    assert po.step(1, None, +1) == Target(5)
    assert po.step(99, None, +1) == Target(5)  # not in the list: the start of the order


def test_shuffle_starts_with_the_current_song_and_is_fixed():
    po = order(8)
    po.set_order(Order.SHUFFLE, current=6)
    shuffled = po.ranks_in_order()
    assert sorted(shuffled) == list(range(1, 9)) and shuffled[0] == 6
    assert po.ranks_in_order() == shuffled
    assert auto_run(po, 6, 20) == shuffled  # repeat off: once each, then the end
    steps = [6]
    for _ in range(7):
        steps.append(po.step(steps[-1], None, +1).rank)
    assert steps == shuffled and po.step(steps[-1], None, +1) is None  # n follows the permutation
    po.set_repeat(Repeat.ALL)
    assert po.step(steps[-1], None, +1) == Target(6)  # and wraps round it with repeat all
    po.set_repeat(Repeat.OFF)
    po.set_order(Order.RANK)
    assert po.ranks_in_order() == list(range(1, 9))


def test_a_song_picked_by_hand_in_shuffle_comes_first():
    po = order(6)
    po.set_order(Order.SHUFFLE)
    before = po.ranks_in_order()
    assert po.picked(before[3]) == Target(before[3])
    after = po.ranks_in_order()
    assert after[0] == before[3] and [r for r in before if r != before[3]] == after[1:]


def test_shuffle_with_repeat_all_makes_a_new_round_that_never_repeats_a_song_at_the_seam():
    for seed in range(30):
        po = PlayOrder(range(1, 4), rng=random.Random(seed))
        po.set_order(Order.SHUFFLE, current=1)
        po.set_repeat(Repeat.ALL)
        played = auto_run(po, 1, 30)
        rounds = [played[i:i + 3] for i in range(0, 30, 3)]
        assert all(sorted(r) == [1, 2, 3] for r in rounds)
        assert all(played[i] != played[i + 1] for i in range(29))


def test_the_guess_for_a_prefetch_is_what_then_plays():
    po = order(4)
    po.set_order(Order.SHUFFLE, current=2)
    po.set_repeat(Repeat.ALL)
    last = po.ranks_in_order()[-1]
    guess = po.after(last, None, after_failure=False)  # a prefetch: no commit
    assert po.after(last, None, after_failure=False) == guess  # asked again: the same
    assert po.after(last, None, after_failure=False, commit=True) == guess
    assert po.ranks_in_order()[0] == guess.rank  # the new round is the order now


def test_a_queue_plays_exactly_its_ranks_once_and_does_not_wrap():
    po = order(queue=[3, 5, 1, 3])
    assert po.first() == Target(3, 0)
    po.set_repeat(Repeat.ALL)  # a queue ignores repeat and order
    po.set_order(Order.SHUFFLE)
    targets = [po.first()]
    while (t := po.after(targets[-1].rank, targets[-1].queue_index, after_failure=False)) is not None:
        targets.append(t)
    assert [t.rank for t in targets] == [3, 5, 1, 3]
    assert po.step(3, 0, -1) is None and po.step(3, 3, +1) is None
    assert po.step(5, 1, +1) == Target(1, 2)
    assert po.picked(1) == Target(1, 2)
    assert po.picked(3) == Target(3, 0)


def test_a_queue_must_name_songs_of_the_playlist():
    with pytest.raises(ValueError, match="no song with rank 9"):
        order(queue=[1, 9])
    with pytest.raises(ValueError, match="empty queue"):
        order(queue=[])
    with pytest.raises(ValueError):
        order().first()


def test_an_empty_playlist_has_nothing_to_play():
    po = PlayOrder([])
    assert po.step(None, None, +1) is None
    assert po.after(1, None, after_failure=False) is None


def test_up_next_follows_the_play_order_and_repeat():
    po = order()
    assert po.up_next(None, None) is None
    assert po.up_next(2, None) == 3 and po.up_next(5, None) is None
    po.set_repeat(Repeat.ALL)
    assert po.up_next(5, None) == 1
    po.set_repeat(Repeat.ONE)
    assert po.up_next(2, None) == 2
    po.set_repeat(Repeat.OFF)
    po.set_order(Order.COUNTDOWN)
    assert po.up_next(2, None) == 1 and po.up_next(1, None) is None
