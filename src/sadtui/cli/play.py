"""`sadtui play RANK [RANK ...]`: play songs without the TUI, then exit.

Nothing for playback is imported until the handler runs.  Every text from outside
(song titles, yt-dlp's and mpv's messages) is escaped before it reaches stderr.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sadtui import gcpause
from sadtui.cli.common import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, PROG, find_song, parse_rank
from sadtui.model.playlist import Playlist
from sadtui.model.text import safe_line
from sadtui.services.stdio import fd2_to_log, is_terminal


def register(sub: Any, playlist_option: Callable[..., None]) -> None:
    p = sub.add_parser(
        "play",
        help="play songs by rank without the TUI, then exit",
        description="Play the given ranks in that order, then exit (0: all played, "
        "1: some failed, 2: bad ranks or options, 130: stopped with Ctrl-C).",
    )
    playlist_option(p, top=False)
    p.add_argument("ranks", metavar="RANK", nargs="+", type=parse_rank, help="ranks to play, in order")
    p.add_argument(
        "--mpv-option",
        dest="play_mpv_option",
        metavar="KEY=VALUE",
        action="append",
        default=argparse.SUPPRESS,
        help="pass an option to mpv (repeatable), e.g. ao=pcm or audio-device=...",
    )
    p.add_argument("--sleep", metavar="MIN", type=_sleep_minutes, default=None,
                   help="stop after MIN minutes (the last 10 seconds fade out)")
    p.set_defaults(handler=cmd_play)


def _sleep_minutes(text: str) -> str:
    try:
        minutes = float(text)
    except ValueError:
        minutes = -1.0
    if not 0 < minutes <= 24 * 60:
        raise argparse.ArgumentTypeError(f"--sleep {text!r}: minutes from 0 to 1440, e.g. 30")
    return f"{minutes:g}"


# ================================================================ play


def _clock(seconds: float | None) -> str:
    if seconds is None or seconds < 0:
        return "-:--"
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _cells(char: str) -> int:
    """Terminal cells one character takes: 2 for wide CJK, 0 for a combining mark."""
    return 0 if unicodedata.combining(char) else 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` terminal cells."""
    used = 0
    for index, char in enumerate(text):
        used += _cells(char)
        if used > width:
            return text[:index]
    return text


class _ProgressLine:
    """One line on a terminal, rewritten in place; nothing at all when not a terminal."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.shown = False
        self.last_draw = 0.0
        # A dumb terminal has no "erase the line": overwrite with spaces instead.
        self.dumb = os.environ.get("TERM") == "dumb"
        self.last_width = 0

    def _erase(self) -> str:
        return "\r" + " " * self.last_width + "\r" if self.dumb else "\r\x1b[K"

    def draw(self, status: Any, *, force: bool = False) -> None:
        if not self.enabled or status is None or status.rank is None:
            return
        now = time.monotonic()
        if not force and now - self.last_draw < 0.2:
            return
        self.last_draw = now
        state = status.state.value
        line = f"{state:<9} #{status.rank} {safe_line(status.title or '')}"
        if status.state.value in ("playing", "paused", "buffering") and status.position is not None:
            line += f"  {_clock(status.position)} / {_clock(status.duration)}"
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns or 80
        except (OSError, ValueError, AttributeError):
            width = 80
        line = _fit(line, max(10, width - 1))
        self.stream.write(self._erase() + line)
        self.stream.flush()
        self.last_width = sum(map(_cells, line))
        self.shown = True

    def clear(self) -> None:
        if self.enabled and self.shown:
            self.stream.write(self._erase())
            self.stream.flush()
            self.shown = False

    def say(self, text: str) -> None:
        self.clear()
        self.stream.write(text + "\n")
        self.stream.flush()


def cmd_play(args: argparse.Namespace, playlist: Playlist) -> int:
    from sadtui.model import paths
    from sadtui.services import logs

    for rank in args.ranks:
        find_song(playlist, rank)  # UsageError (exit 2) for a rank that is not there
    options = list(getattr(args, "mpv_option", None) or []) + list(getattr(args, "play_mpv_option", None) or [])
    logs.setup()
    from sadtui.services.player import ensure_numeric_locale

    # LC_NUMERIC on the main thread before any other thread starts; python-mpv is
    # imported later (by open_player, on this thread), once yt-dlp is loading.
    ensure_numeric_locale(import_mpv=False)
    from sadtui.services.player import PlayerError

    try:
        from sadtui.services.engine import PlaybackEngine
    except ImportError as exc:  # pragma: no cover - a broken install
        logs.log.error("playback unavailable", exc_info=True)
        sys.stderr.write(f"{PROG}: playback unavailable: {safe_line(exc)}\n")
        return EXIT_FAILURE
    # libmpv and ALSA write to fd 2 directly: keep that in the player log, not on the terminal.
    with fd2_to_log(paths.mpv_log_file()):
        return _play(playlist, args.ranks, options, PlaybackEngine, PlayerError, sleep=getattr(args, "sleep", None))


@contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold a Ctrl-C back until the block is done, then raise it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[bool] = []
    previous = signal.signal(signal.SIGINT, lambda *_: caught.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _play(playlist: Playlist, ranks: list[int], options: list[str], engine_cls: Any, player_error: Any,
          *, sleep: str | None = None) -> int:
    import queue

    from sadtui.services.events import PlaybackEnded, PositionChanged, SongFailed, StatusChanged

    # The launcher's collector pause lasts until the first song sounds (or fails):
    # yt-dlp's import and extraction are not slowed by collections (see sadtui.gcpause).
    err = sys.stderr
    events: queue.Queue[Any] = queue.Queue()
    engine = None
    try:
        from sadtui.services.library import Library
        from sadtui.services.pins import PinStore

        pins = PinStore(playlist)  # a searched song plays its pinned recording
        engine = engine_cls(
            playlist, events.put, mpv_options=options, queue=ranks, advance_delay=0.0, warm_up=False,
            library=Library(),  # kept songs play from disk; a song played to its end is kept
            pins=pins,
        )
        # Resolve the first song (importing yt-dlp) while python-mpv loads and libmpv
        # starts: the engine's own request for it then joins this one.
        engine.resolver.prefetch(pins.apply(playlist.song(ranks[0])))
        with _sigint_deferred():  # Ctrl-C would leave libmpv half made: take it right after
            engine.open_player()  # a bad --mpv-option is found here, before anything plays
    except player_error as exc:
        if engine is not None:
            engine.shutdown(timeout=2.0)
        err.write(f"{PROG}: {safe_line(exc.message)}\n")
        return EXIT_USAGE if exc.usage else EXIT_FAILURE
    except KeyboardInterrupt:
        if engine is not None:
            engine.shutdown(timeout=2.0)
        raise
    progress = _ProgressLine(err, is_terminal(err))
    failures = 0
    mpris = None
    try:
        engine.start()
        if sleep:
            engine.set_sleep(sleep)
        engine.play_queue()
        mpris = _start_mpris(playlist, engine, events)
        while True:
            try:
                event = events.get(timeout=0.25)
            except queue.Empty:
                continue
            if event is _QUIT:  # MPRIS Quit
                break
            if isinstance(event, (PositionChanged, SongFailed, PlaybackEnded)):
                gcpause.resume(freeze=True)  # started (or gave up): collect as usual from now
            if isinstance(event, StatusChanged):
                progress.draw(event.status, force=True)
                if mpris is not None:
                    mpris.publish(event.status)
            elif isinstance(event, PositionChanged):
                progress.draw(engine.status)
                if mpris is not None:
                    mpris.position(event.position)
            elif isinstance(event, SongFailed):
                failures += 1
                progress.say(f'{PROG}: song {event.rank} "{safe_line(event.title)}": {safe_line(event.message)}')
            elif isinstance(event, PlaybackEnded):
                break
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave a traceback
        progress.clear()
        engine.shutdown(timeout=3.0)
        raise
    finally:
        progress.clear()
        if mpris is not None:
            mpris.close()
        engine.shutdown(timeout=3.0)
    return EXIT_FAILURE if failures else EXIT_OK


_QUIT = object()


def _start_mpris(playlist: Playlist, engine: Any, events: Any) -> Any:
    """Media keys for `sadtui play` (MPRIS on the session bus); None when there is no bus."""
    from sadtui.services.logs import log

    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return None  # no session bus (SSH, containers): quietly off, nothing imported
    try:
        from sadtui.services.mpris import EngineControls, MprisThread

        mpris = MprisThread(playlist, EngineControls(engine, on_quit=lambda: events.put(_QUIT)))
    except Exception:  # noqa: BLE001 - media keys are a nicety: never stop playback for them
        log.info("MPRIS off", exc_info=True)
        return None
    if mpris.off_reason is not None:
        log.info("MPRIS off: %s", mpris.off_reason)
        mpris.close()
        return None
    return mpris

