"""Command-line entry point: `sadtui [--playlist FILE] [COMMAND ...]`.

Without a command the TUI starts.  Every user mistake ends with one line on
stderr (``sadtui: ...``) and exit status 2, never a traceback.
The playback commands (``play``, ``doctor``) live in :mod:`sadtui.cli.play`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence

from sadtui import __version__, gcpause
from sadtui.model.playlist import Playlist, PlaylistError, Song, load_playlist, shown_name
from sadtui.services.stdio import fd2_to_log, is_terminal

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

PROG = "sadtui"


class UsageError(Exception):
    """A user mistake on the command line (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (try '{PROG} --help')\n")


def _use_colour(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return is_terminal(stream) and os.environ.get("TERM") != "dumb"


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)


def _playlist_option(parser: argparse.ArgumentParser, *, top: bool) -> None:
    parser.add_argument(
        "--playlist",
        metavar="FILE",
        default=None if top else argparse.SUPPRESS,
        help="a playlist TOML file (default: the built-in saddest anime songs list)",
    )


def _parse_rank(text: str) -> int:
    # Plain ASCII digits only: int() would also take "+3", "1_0", " 3 " and "５".
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"'{shown_name(text)}' is not a rank (a positive whole number)")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="A keyboard-first terminal player for a ranked playlist. "
        "Without a command, opens the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _playlist_option(parser, top=True)
    parser.add_argument(
        "--mpv-option",
        metavar="KEY=VALUE",
        action="append",
        default=None,
        help="pass an option to mpv (repeatable), e.g. audio-device=... or ao=pcm",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("list", help="print the ranked songs, one a line")
    _playlist_option(p, top=False)
    p.add_argument("--json", action="store_true", help="print a JSON array instead")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="print one song with its description")
    _playlist_option(p, top=False)
    p.add_argument("rank", type=_parse_rank, help="the song's rank")
    p.add_argument("--json", action="store_true", help="print a JSON object instead")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("faq", help="print the questions and answers")
    _playlist_option(p, top=False)
    p.add_argument("--json", action="store_true", help="print a JSON array instead")
    p.set_defaults(handler=cmd_faq)

    _register_extra_commands(sub)
    return parser


def _register_extra_commands(sub) -> None:
    """Commands that live in their own modules (playback, diagnostics)."""
    try:
        from sadtui.cli import play as cli_playback
    except ImportError:  # pragma: no cover - only while developing
        return
    cli_playback.register(sub, _playlist_option, _parse_rank)
    from sadtui.cli import transfer

    transfer.register(sub, _playlist_option, _parse_rank)


# ---------------------------------------------------------------- commands


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def cmd_list(args: argparse.Namespace, playlist: Playlist) -> int:
    if args.json:
        _print_json([song.to_json() for song in playlist.songs])
        return EXIT_OK
    style = _Style(_use_colour(sys.stdout))
    width = len(str(playlist.songs[-1].rank)) if playlist.songs else 1
    lines = []
    for song in playlist.songs:
        line = f"{song.rank:>{width}}. {style.bold(song.title)}"
        if song.subtitle:
            line += "  " + style.dim(f"({song.subtitle})")
        lines.append(line)
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _find_song(playlist: Playlist, rank: int) -> Song:
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


def cmd_show(args: argparse.Namespace, playlist: Playlist) -> int:
    song = _find_song(playlist, args.rank)
    if args.json:
        _print_json(song.to_json())
        return EXIT_OK
    style = _Style(_use_colour(sys.stdout))
    out = [style.bold(f"#{song.rank}  {song.title}")]
    if song.anime:
        out.append(f"Anime:  {song.anime}")
    if song.artist:
        out.append(f"Artist: {song.artist}")
    if song.url:
        out.append(f"URL:    {song.url}")
    else:
        out.append(f"Search: {song.search_terms}")
    if song.description:
        out += ["", song.description.strip()]
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


def cmd_faq(args: argparse.Namespace, playlist: Playlist) -> int:
    if args.json:
        _print_json([entry.to_json() for entry in playlist.faq])
        return EXIT_OK
    style = _Style(_use_colour(sys.stdout))
    if not playlist.faq:
        sys.stdout.write("This playlist has no FAQ.\n")
        return EXIT_OK
    blocks = [f"{style.bold(e.question.strip())}\n\n{e.answer.strip()}" for e in playlist.faq]
    sys.stdout.write("\n\n".join(blocks) + "\n")
    return EXIT_OK


def _check_mpv_options(options: Sequence[str]) -> None:
    """A malformed or unknown --mpv-option is a usage error (exit 2), found before the TUI starts.

    Loads libmpv (~0.1 s), so only call it when options were given.  Without libmpv
    only the KEY=VALUE syntax is checked: the TUI still opens for reading and says
    how to install libmpv."""
    from sadtui.model import paths
    from sadtui.services.player import PlayerError, validate_mpv_options

    try:
        with fd2_to_log(paths.mpv_log_file()):  # whatever libmpv prints stays in the log
            validate_mpv_options(options)
    except PlayerError as exc:
        if exc.usage:
            raise UsageError(exc.message) from None


def cmd_tui(args: argparse.Namespace, playlist: Playlist) -> int:
    # A bad option is a mistake on the command line: say so first, terminal or not.
    if args.mpv_option:
        _check_mpv_options(args.mpv_option)
    if not is_terminal(sys.stdin) or not is_terminal(sys.stdout):
        raise UsageError(
            "the TUI needs a terminal; for scripts use 'sadtui list', 'show', 'faq' or 'play'"
        )
    from sadtui.tui.app import run_app

    return run_app(playlist, mpv_options=args.mpv_option or [])


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    # No cyclic GC while starting: the TUI resumes it after its first paint,
    # `play` once the first song sounds, and at the latest it resumes on return.
    gcpause.pause()
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C anywhere, even while starting: no traceback
        if is_terminal(sys.stderr):
            sys.stderr.write("\n")
        return 130
    finally:
        gcpause.resume()


def _drop_stdout() -> None:
    """Send what is still buffered for stdout nowhere (it cannot be written)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def _main(argv: Sequence[str] | None) -> int:
    if sys.stdout is None:  # started with stdout closed (`sadtui list >&-`)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace, Playlist], int] = getattr(args, "handler", cmd_tui)
    try:
        needs_playlist = getattr(args, "needs_playlist", True)
        playlist = load_playlist(args.playlist) if needs_playlist else None
        code = handler(args, playlist)  # type: ignore[arg-type]
        sys.stdout.flush()  # a failed write shows up here, not as a traceback at exit
        return code
    except (PlaylistError, UsageError) as exc:
        sys.stderr.write(f"{PROG}: {exc}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        # `sadtui list | head`: the reader went away; that is not an error.
        _drop_stdout()
        return EXIT_OK
    except OSError as exc:  # `sadtui list > /dev/full`, a disk that fills up...
        _drop_stdout()
        sys.stderr.write(f"{PROG}: cannot write: {exc.strerror or exc}\n")
        return EXIT_FAILURE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
