"""`sadtui lyrics RANK [--lrc] [--offline]`: print a song's lyrics (file, kept, or LRCLIB)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sadtui.cli.common import EXIT_FAILURE, EXIT_OK, PROG, find_song, parse_rank
from sadtui.model.playlist import Playlist
from sadtui.model.text import safe_line, safe_text


def register(sub: Any, playlist_option: Any) -> None:
    p = sub.add_parser("lyrics", help="print a song's lyrics (its lyrics file, kept lyrics, or LRCLIB)")
    playlist_option(p, top=False)
    p.add_argument("rank", type=parse_rank, help="the song's rank")
    p.add_argument("--lrc", action="store_true", help="print LRC, with the line times")
    p.add_argument("--offline", action="store_true", help="don't ask the lyrics service")
    p.set_defaults(handler=cmd_lyrics)


def finder_for(args: argparse.Namespace) -> Any:
    from sadtui.services.lyrics import LyricsFinder

    config = getattr(args, "config", None)
    online = not args.offline and (config is None or config.lyrics_online)
    return LyricsFinder(base_url=getattr(config, "lyrics_url", None), online=online)


def cmd_lyrics(args: argparse.Namespace, playlist: Playlist) -> int:
    from sadtui.services import logs

    logs.setup()
    song = find_song(playlist, args.rank)
    finder = finder_for(args)
    found = finder.find(song, playlist.path)
    if found is None:
        why = f" ({safe_line(finder.last_error)})" if finder.last_error else ""
        sys.stderr.write(f"{PROG}: no lyrics found for #{song.rank} {safe_line(song.title)}{why}\n")
        return EXIT_FAILURE
    text = found.lyrics.to_lrc() if args.lrc else found.lyrics.plain_text()
    sys.stdout.write(safe_text(text, keep_newlines=True) + "\n")
    return EXIT_OK
