"""What every command shares: exit codes, the one-line usage error, ranks, song lookup.

Imported by :mod:`sadtui.cli.main`, :mod:`sadtui.cli.play` and :mod:`sadtui.cli.doctor`;
it imports none of them, so the CLI has no import cycle.  It is cheap to import
(the launcher takes its exit codes from here before anything else loads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sadtui.model.text import safe_line

if TYPE_CHECKING:
    from sadtui.model.playlist import Playlist, Song

PROG = "sadtui"

# Exit status, everywhere in the CLI (README: "Exit status").
EXIT_OK = 0
EXIT_FAILURE = 1  # some song failed, doctor found a problem, an internal error
EXIT_USAGE = 2  # bad usage, a bad playlist file, a rank that is not there, a bad --mpv-option
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)


class UsageError(Exception):
    """A user mistake on the command line (exit status 2)."""


def parse_rank(text: str) -> int:
    """argparse type for a rank: plain ASCII digits only (int() would also take "+3", "1_0", " 3 ", "５")."""
    import argparse

    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{safe_line(text)}' is not a rank (a positive whole number)")
    return int(text)


def find_song(playlist: Playlist, rank: int) -> Song:
    """The song with `rank`, or a UsageError that lists the ranks there are."""
    song = playlist.song(rank)
    if song is None:
        ranks = [s.rank for s in playlist.songs]
        if len(ranks) <= 12:
            span = ", ".join(map(str, ranks))
        else:
            gaps = ranks[-1] - ranks[0] + 1 != len(ranks)
            span = f"{ranks[0]} to {ranks[-1]}" + (", with gaps" if gaps else "")
        raise UsageError(f"{playlist.path}: no song with rank {rank} (ranks: {span})")
    return song


def numeric_locale_c() -> None:
    """libmpv needs numbers formatted the C way: set LC_NUMERIC (only it, never LC_ALL)
    once, on the main thread, before anything starts mpv (setlocale is not thread-safe)."""
    import locale
    import threading

    if threading.current_thread() is not threading.main_thread():  # pragma: no cover - embedding
        return
    try:
        locale.setlocale(locale.LC_NUMERIC, "C")
    except locale.Error:  # pragma: no cover - "C" always exists
        pass
