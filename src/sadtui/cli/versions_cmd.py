"""`sadtui versions` and `sadtui pin`: which recording a searched song plays.

* ``versions RANK [--json]``: the top candidates of the song's search (title,
  channel, duration, match score), best first, the pinned one marked.  The search
  is bounded (15 s) and cached for a day.
* ``pin RANK URL`` pins a recording (an http(s) page or media URL);
  ``pin RANK --clear`` forgets the pin (the next play searches again and pins
  its best match).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sadtui.cli.common import EXIT_FAILURE, EXIT_OK, PROG, UsageError, find_song, parse_rank
from sadtui.model.playlist import Playlist, Song
from sadtui.model.text import safe_line


def register(sub: Any, playlist_option: Any) -> None:
    p = sub.add_parser("versions", help="the recordings a song's search finds, scored; the pinned one marked")
    playlist_option(p, top=False)
    p.add_argument("rank", type=parse_rank, metavar="RANK")
    p.add_argument("--json", action="store_true", help="print JSON instead")
    p.set_defaults(handler=cmd_versions)

    p = sub.add_parser("pin", help="make a song always play this recording (--clear: search again)")
    playlist_option(p, top=False)
    p.add_argument("rank", type=parse_rank, metavar="RANK")
    p.add_argument("url", nargs="?", metavar="URL", help="the recording's page (http or https)")
    p.add_argument("--clear", action="store_true", help="forget the song's pinned recording")
    p.set_defaults(handler=cmd_pin)


def _searched(playlist: Playlist, rank: int) -> Song:
    song = find_song(playlist, rank)
    if song.url or song.path:
        what = "url" if song.url else "path"
        raise UsageError(f"song {rank} has its own {what} in the playlist; only searched songs have versions")
    return song


def cmd_versions(args: argparse.Namespace, playlist: Playlist) -> int:
    from sadtui.services.errors import ResolveError
    from sadtui.services.pins import PinStore
    from sadtui.services.resolver import Resolver
    from sadtui.services.versions import duration_text

    song = _searched(playlist, args.rank)
    pin = PinStore(playlist).get(song)
    resolver = Resolver()
    try:
        found = resolver.search(song)
    except ResolveError as exc:
        sys.stderr.write(f'{PROG}: song {song.rank} "{safe_line(song.title, limit=80)}": {safe_line(exc.message)}\n')
        return EXIT_FAILURE
    finally:
        resolver.close()
    if pin is not None and all(c.url != pin.url for c in found):
        from sadtui.services.versions import Candidate

        found.insert(0, Candidate(pin.url, pin.title or pin.url, pin.channel, pin.duration))
    pinned = pin.url if pin is not None else None
    if args.json:
        rows = [{**c.to_json(), "pinned": c.url == pinned} for c in found]
        sys.stdout.write(json.dumps({"rank": song.rank, "query": song.search_terms, "versions": rows},
                                    ensure_ascii=False, indent=2) + "\n")
        return EXIT_OK
    for n, c in enumerate(found, 1):
        mark = "*" if c.url == pinned else " "
        sys.stdout.write(
            f"{mark}{n:>2}  {c.score:6.1f}  {duration_text(c.duration):>7}  {safe_line(c.title, limit=70)}"
            f"  · {safe_line(c.channel or '?', limit=40)}  {safe_line(c.url)}\n")
    sys.stdout.write("* pinned\n" if pinned else "nothing pinned yet: the first play pins the best match\n")
    return EXIT_OK


def cmd_pin(args: argparse.Namespace, playlist: Playlist) -> int:
    from sadtui.model.urls import is_web_url
    from sadtui.services.pins import Pin, PinStore

    song = _searched(playlist, args.rank)
    pins = PinStore(playlist)
    if args.clear:
        if args.url:
            raise UsageError("give a URL or --clear, not both")
        had = pins.clear(song)
        sys.stdout.write(f"#{song.rank}: {'unpinned' if had else 'was not pinned'}\n")
        return EXIT_OK
    if not args.url:
        raise UsageError("give the recording's URL, or --clear")
    if not is_web_url(args.url):
        raise UsageError(f"{safe_line(args.url, limit=200)}: not a web address (http or https)")
    title = channel = None
    duration = None
    for known in _known_versions(song):  # the title and channel, when a search listed it
        if known.url == args.url:
            title, channel, duration = known.title, known.channel, known.duration
    if not pins.set(song, Pin(args.url, title, channel, duration)):
        sys.stderr.write(f"{PROG}: could not save the pin (see the log)\n")
        return EXIT_FAILURE
    sys.stdout.write(f"#{song.rank} now plays {safe_line(title or args.url, limit=200)}\n")
    return EXIT_OK


def _known_versions(song: Song) -> list[Any]:
    """The cached versions of `song` (never a search)."""
    from sadtui.services.resolve_cache import ResolveCache
    from sadtui.services.versions import Candidate

    items = ResolveCache().candidates(song.search_terms) or []
    return [Candidate(i["url"], i["title"], i["channel"], i["duration"]) for i in items]
