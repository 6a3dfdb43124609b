"""Command-line entry point: `sadtui [--playlist FILE] [COMMAND ...]`.

Without a command the TUI starts.  Every user mistake ends with one line on
stderr (``sadtui: ...``) and exit status 2, never a traceback; an unexpected
error is one line naming sadtui's log, where its traceback goes (exit 1).
``play`` lives in :mod:`sadtui.cli.play`, ``doctor`` in :mod:`sadtui.cli.doctor`;
what they share (exit codes, ranks, song lookup) in :mod:`sadtui.cli.common`.
Text from outside (playlist fields, file names) is escaped before it is shown.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from sadtui import __version__
from sadtui.cli import config_cmd, doctor, library_cmd, lyrics_cmd, play, transfer, versions_cmd
from sadtui.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    UsageError,
    find_song,
    numeric_locale_c,
    parse_rank,
)
from sadtui.model.config import Config
from sadtui.model.playlist import Playlist, PlaylistError, Song, load_playlist
from sadtui.model.text import safe_line, safe_text
from sadtui.services.stdio import fd2_to_log, is_terminal


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: {safe_line(message)} (try '{PROG} --help')\n")


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
    parser.add_argument(
        "--resume",
        action="store_true",
        default=None,
        help="the TUI continues the last song from where it stopped (config: resume = true)",
    )
    parser.add_argument(
        "--theme",
        metavar="NAME",
        default=None,
        help="the TUI's theme (remembered; wins over config.toml's)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("list", help="print the ranked songs, one a line")
    _playlist_option(p, top=False)
    p.add_argument("--json", action="store_true", help="print a JSON array instead")
    p.set_defaults(handler=cmd_list)

    p = sub.add_parser("show", help="print one song with its description")
    _playlist_option(p, top=False)
    p.add_argument("rank", type=parse_rank, help="the song's rank")
    p.add_argument("--json", action="store_true", help="print a JSON object instead")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("faq", help="print the questions and answers")
    _playlist_option(p, top=False)
    p.add_argument("--json", action="store_true", help="print a JSON array instead")
    p.set_defaults(handler=cmd_faq)

    play.register(sub, _playlist_option)
    doctor.register(sub, _playlist_option)
    transfer.register(sub, _playlist_option)
    library_cmd.register(sub, _playlist_option)
    lyrics_cmd.register(sub, _playlist_option)
    versions_cmd.register(sub, _playlist_option)
    config_cmd.register(sub)
    return parser


# ---------------------------------------------------------------- commands
# The loader refuses control and format characters in playlist fields; the text is
# escaped here anyway, so that what reaches a terminal never depends on one check.


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
        line = f"{song.rank:>{width}}. {style.bold(safe_text(song.title))}"
        if song.subtitle:
            line += "  " + style.dim(f"({safe_text(song.subtitle)})")
        lines.append(line)
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK


def _what_plays(playlist: Playlist, song: Any) -> tuple[Any, bool]:
    """The song's pin (or None) and whether its audio is kept."""
    from sadtui.services.library import Library
    from sadtui.services.pins import PinStore

    pins = PinStore(playlist)
    pin = pins.get(song)
    kept = song.path is None and Library().entry(pins.apply(song)) is not None
    return pin, kept


def cmd_show(args: argparse.Namespace, playlist: Playlist) -> int:
    from sadtui.services.versions import plays_line

    song = find_song(playlist, args.rank)
    pin, kept = _what_plays(playlist, song)
    if args.json:
        data = song.to_json()
        data["plays"] = {**(pin.to_json() if pin is not None else {"url": song.url or song.path}),
                         "pinned": pin is not None, "kept": kept}
        _print_json(data)
        return EXIT_OK
    if is_terminal(sys.stdout) and os.environ.get("TERM") != "dumb":
        _show_rich(song)
        return EXIT_OK
    style = _Style(_use_colour(sys.stdout))
    out = [style.bold(f"#{song.rank}  {safe_text(song.title)}")]
    if song.anime:
        out.append(f"Anime:  {safe_text(song.anime)}")
    if song.artist:
        out.append(f"Artist: {safe_text(song.artist)}")
    if song.url:
        out.append(f"URL:    {safe_text(song.url)}")
    else:
        out.append(f"Search: {safe_text(song.search_terms)}")
    out.append(plays_line(song, pin, kept=kept))
    if song.description:
        out += ["", safe_text(song.description.strip(), keep_newlines=True)]
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


def _show_rich(song: Song) -> None:
    """`sadtui show` on a terminal: the description rendered as Markdown, wrapped to the
    terminal's width (no colour with NO_COLOR).  Every text is escaped first."""
    from rich.console import Console, Group
    from rich.markdown import Markdown
    from rich.text import Text

    console = Console(no_color=bool(os.environ.get("NO_COLOR")), highlight=False, soft_wrap=False)
    head = Text(f"#{song.rank}  {safe_text(song.title)}", style="bold")
    lines: list = [head]
    for label, value in (("Anime", song.anime), ("Artist", song.artist), ("URL", song.url)):
        if value:
            lines.append(Text.assemble((f"{label}: ".ljust(8), "dim"), safe_text(value)))
    if not song.url:
        lines.append(Text.assemble(("Search: ", "dim"), safe_text(song.search_terms)))
    if song.description:
        lines += [Text(""), Markdown(safe_text(song.description.strip(), keep_newlines=True))]
    console.print(Group(*lines))


def cmd_faq(args: argparse.Namespace, playlist: Playlist) -> int:
    if args.json:
        _print_json([entry.to_json() for entry in playlist.faq])
        return EXIT_OK
    style = _Style(_use_colour(sys.stdout))
    if not playlist.faq:
        sys.stdout.write("This playlist has no FAQ.\n")
        return EXIT_OK
    blocks = [
        f"{style.bold(safe_text(e.question.strip()))}\n\n{safe_text(e.answer.strip(), keep_newlines=True)}"
        for e in playlist.faq
    ]
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
            raise UsageError(safe_line(exc.message)) from None


def cmd_tui(args: argparse.Namespace, playlist: Playlist) -> int:
    from sadtui.services import logs

    logs.setup()
    numeric_locale_c()  # on the main thread, before anything can start mpv
    # A bad option is a mistake on the command line: say so first, terminal or not.
    if args.mpv_option:
        _check_mpv_options(args.mpv_option)
    config = getattr(args, "config", None)
    if config is not None and config.keys:
        # [keys] against the TUI's real actions (a key bound twice: one line, exit 2), terminal
        # or not; the action table is plain data (no Textual import).
        config = config_cmd.load(config_cmd.actions_table())
    if not is_terminal(sys.stdin) or not is_terminal(sys.stdout):
        raise UsageError(
            "the TUI needs a terminal; for scripts use 'sadtui list', 'show', 'faq' or 'play'"
        )
    from sadtui.tui.app import run_app

    resume = bool(args.resume) if getattr(args, "resume", None) is not None else bool(config and config.resume)
    return run_app(playlist, mpv_options=args.mpv_option or [], resume=resume,
                   theme=getattr(args, "theme", None), config=config)


# ---------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # Ctrl-C anywhere, even while starting: no traceback
        if is_terminal(sys.stderr):
            sys.stderr.write("\n")
        return EXIT_INTERRUPTED


def _drop_stdout() -> None:
    """Send what is still buffered for stdout nowhere (it cannot be written)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def internal_error(exc: BaseException) -> int:
    """An unexpected exception escaped a command: its traceback goes to sadtui.log,
    the person gets one line naming that file (exit 1)."""
    from sadtui.services import logs

    path = logs.setup()
    logs.log.error("internal error: %s", safe_line(repr(exc)), exc_info=exc)
    where = f"details in {path}" if path is not None else "the log could not be written"
    sys.stderr.write(f"{PROG}: internal error ({safe_line(type(exc).__name__)}); {where}\n")
    return EXIT_FAILURE


def _apply_config(args: argparse.Namespace, config: Config) -> None:
    """The config file's settings, where the command line says nothing (it wins)."""
    args.config = config
    if config.library_cap is not None:
        from sadtui.services.library import set_default_cap

        set_default_cap(config.library_cap)
    if getattr(args, "playlist", None) is None and config.playlist:
        args.playlist = config_cmd.playlist_path(config.playlist)
    if config.mpv_options and hasattr(args, "mpv_option"):
        # mpv takes the last value of an option: the command line's come after the file's.
        args.mpv_option = [*config.mpv_options, *(args.mpv_option or [])]


def _main(argv: Sequence[str] | None) -> int:
    if sys.stdout is None:  # started with stdout closed (`sadtui list >&-`)
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace, Playlist], int] = getattr(args, "handler", cmd_tui)
    try:
        if getattr(args, "needs_config", True):
            _apply_config(args, config_cmd.load())  # [keys] against the actions: in cmd_tui
        needs_playlist = getattr(args, "needs_playlist", True)
        playlist = load_playlist(args.playlist) if needs_playlist else None
        code = handler(args, playlist)  # type: ignore[arg-type]
        if code == EXIT_OK and getattr(args, "open_after", None):  # `import --open`
            sys.stdout.flush()
            code = cmd_tui(args, load_playlist(args.open_after))
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
        sys.stderr.write(f"{PROG}: cannot write: {safe_line(exc.strerror or exc)}\n")
        return EXIT_FAILURE
    except Exception as exc:  # noqa: BLE001 - a bug: logged with its traceback, one line shown
        return internal_error(exc)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
