"""`sadtui download` and `sadtui library`: the library of kept audio from the command line.

* ``download [RANK ...] [--all]`` keeps songs (2-3 at once).  On a terminal, rich's
  progress bars on stderr (per song and overall: bytes, speed, time left); otherwise
  nothing but errors, one line each.  Exit 0 every song kept, 1 some failed, 2 a rank
  that is not there, 130 Ctrl-C (no partial file is ever counted as kept).
* ``library [--json]`` lists the playlist's kept songs and their total;
  ``library --clear [RANK ...]`` removes their files (every song of the playlist
  when no rank is given).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from typing import Any

from sadtui.cli.common import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, PROG, UsageError, find_song, parse_rank
from sadtui.model.playlist import Playlist, Song
from sadtui.model.text import safe_line

DOWNLOADS_AT_ONCE = 3


def register(sub: Any, playlist_option: Any) -> None:
    p = sub.add_parser("download", help="keep songs' audio on disk, to play them offline")
    playlist_option(p, top=False)
    p.add_argument("ranks", nargs="*", type=parse_rank, metavar="RANK", help="the songs to keep")
    p.add_argument("--all", action="store_true", help="keep every song of the playlist")
    p.set_defaults(handler=cmd_download)

    p = sub.add_parser("library", help="the kept audio: rank, title, bytes, path, source")
    playlist_option(p, top=False)
    p.add_argument("ranks", nargs="*", type=parse_rank, metavar="RANK", help="with --clear: only these songs")
    p.add_argument("--json", action="store_true", help="print JSON instead")
    p.add_argument("--clear", action="store_true", help="remove the kept files (of these songs, or of every song)")
    p.set_defaults(handler=cmd_library)


def _songs(playlist: Playlist, ranks: list[int]) -> list[Song]:
    seen: set[int] = set()
    songs = []
    for rank in ranks:
        if rank not in seen:
            seen.add(rank)
            songs.append(find_song(playlist, rank))
    return songs


def _human(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} GB"  # pragma: no cover


# ---------------------------------------------------------------- library


def cmd_library(args: argparse.Namespace, playlist: Playlist) -> int:
    from sadtui.services.library import Library

    library = Library()
    if args.ranks and not args.clear:
        raise UsageError("ranks are for --clear; `sadtui library` lists every kept song")
    if args.clear:
        from sadtui.services.pins import PinStore

        songs = _songs(playlist, args.ranks) if args.ranks else list(playlist.songs)
        pins = PinStore(playlist)
        removed = library.drop([pins.apply(song) for song in songs] + songs)
        if not args.json:
            sys.stdout.write(f"removed {removed} kept song{'s' if removed != 1 else ''}\n")
        else:
            sys.stdout.write(json.dumps({"removed": removed}) + "\n")
        return EXIT_OK
    from sadtui.services.pins import PinStore

    pins = PinStore(playlist)
    rows = []
    for song in playlist.songs:
        kept = library.entry(pins.apply(song))
        if kept is not None:
            rows.append({"rank": song.rank, "title": song.title, "bytes": kept.bytes, "path": str(kept.path),
                         "source": kept.source})
    total = sum(row["bytes"] for row in rows)
    if args.json:
        sys.stdout.write(json.dumps({"total_bytes": total, "songs": rows}, ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    for row in rows:
        sys.stdout.write(
            f"{row['rank']:>4}  {safe_line(row['title'], limit=60)}  {_human(row['bytes'])}  "
            f"{safe_line(row['path'])}  {safe_line(row['source'] or '-')}\n"
        )
    sys.stdout.write(f"{len(rows)} of {len(playlist.songs)} songs kept, {_human(total)} in {safe_line(library.directory)}\n")
    return EXIT_OK


# ---------------------------------------------------------------- download


class _Bars:
    """rich's progress bars on stderr: one per song in flight and one overall."""

    def __init__(self, songs: list[Song]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
            TimeRemainingColumn(), console=Console(file=sys.stderr), transient=False,
        )
        self._lock = threading.Lock()
        self._tasks: dict[int, Any] = {}
        self._sizes: dict[int, tuple[int, int | None]] = {}
        self._overall = self._progress.add_task(f"all {len(songs)} songs", total=None)

    def __enter__(self) -> _Bars:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, song: Song, done: int, total: int | None) -> None:
        with self._lock:
            task = self._tasks.get(song.rank)
            if task is None:
                task = self._tasks[song.rank] = self._progress.add_task(
                    f"#{song.rank} {safe_line(song.title, limit=30)}", total=total)
            self._progress.update(task, completed=done, total=total)
            self._sizes[song.rank] = (done, total)
            done_all = sum(d for d, _ in self._sizes.values())
            totals = [t for _, t in self._sizes.values()]
            total_all = sum(t or 0 for t in totals) if all(totals) else None
            self._progress.update(self._overall, completed=done_all, total=total_all)

    def finished(self, song: Song, ok: bool) -> None:
        with self._lock:
            task = self._tasks.get(song.rank)
            if task is not None and not ok:
                self._progress.update(task, description=f"#{song.rank} failed")


def cmd_download(args: argparse.Namespace, playlist: Playlist) -> int:
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from sadtui.services.errors import ResolveError
    from sadtui.services.library import Library, LibraryError
    from sadtui.services.pins import PinStore, pinned_song
    from sadtui.services.resolver import Resolver
    from sadtui.services.stdio import is_terminal

    if not args.ranks and not args.all:
        raise UsageError("name the songs to keep (RANK ...) or --all")
    if args.ranks and args.all:
        raise UsageError("give ranks or --all, not both")
    songs = list(playlist.songs) if args.all else _songs(playlist, args.ranks)
    library = Library()
    pins, resolver = PinStore(playlist), Resolver()
    cancel = threading.Event()
    bars = _Bars(songs) if is_terminal(sys.stderr) else None
    failures: list[str] = []

    def keep(song: Song) -> None:
        def progress(p: Any) -> None:
            if bars is not None:
                bars.update(song, p.done, p.total)

        try:
            try:
                target = pinned_song(song, pins, resolver)  # a search's best match, pinned first
            except ResolveError as exc:
                raise LibraryError(exc.message) from None
            kept = library.download(target, progress=progress, cancel=cancel)
            if bars is not None:
                bars.update(song, kept.bytes, kept.bytes)
                bars.finished(song, True)
        except LibraryError as exc:
            if cancel.is_set():
                return
            if bars is not None:
                bars.finished(song, False)
            failures.append(f'{PROG}: song {song.rank} "{safe_line(song.title, limit=80)}": {safe_line(exc.message)}')

    pool = ThreadPoolExecutor(DOWNLOADS_AT_ONCE, thread_name_prefix="sadtui-download")
    try:
        if bars is not None:
            bars.__enter__()
        pending = {pool.submit(keep, song) for song in songs}
        while pending:
            _, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
    except KeyboardInterrupt:
        cancel.set()  # every download stops at its next chunk; its pieces are removed
        pool.shutdown(wait=True, cancel_futures=True)
        if bars is not None:
            bars.__exit__(None, None, None)
        sys.stderr.write(f"{PROG}: stopped; songs not finished were not kept\n")
        return EXIT_INTERRUPTED
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        resolver.close()
        library.close_sessions()
        if bars is not None and not cancel.is_set():
            bars.__exit__(None, None, None)
    for line in failures:
        sys.stderr.write(line + "\n")
    return EXIT_FAILURE if failures else EXIT_OK
