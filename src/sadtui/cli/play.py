"""`sadtui play RANK [RANK ...]` and `sadtui doctor` (registered by sadtui.cli.main).

Nothing for playback is imported until a handler runs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sadtui import gcpause
from sadtui.model.playlist import Playlist
from sadtui.services.stdio import fd2_to_log, is_terminal

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2


def register(sub: Any, playlist_option: Callable[..., None], parse_rank: Callable[[str], int]) -> None:
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
    p.set_defaults(handler=cmd_play)

    p = sub.add_parser("doctor", help="check that everything playback needs is there")
    playlist_option(p, top=False)  # given: doctor checks that playlist too
    p.add_argument("--json", action="store_true", help="print a JSON object instead")
    p.add_argument("--online", action="store_true", help="also check that YouTube is reachable")
    p.set_defaults(handler=cmd_doctor, needs_playlist=False)


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
        line = f"{state:<9} #{status.rank} {status.title or ''}"
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
    from sadtui.cli.main import _find_song
    from sadtui.model import paths

    for rank in args.ranks:
        _find_song(playlist, rank)  # UsageError (exit 2) for a rank that is not there
    options = list(getattr(args, "mpv_option", None) or []) + list(getattr(args, "play_mpv_option", None) or [])
    from sadtui.services.player import PlayerError

    try:
        from sadtui.services.engine import PlaybackEngine
    except ImportError as exc:  # pragma: no cover - a broken install
        sys.stderr.write(f"sadtui: playback unavailable: {exc}\n")
        return EXIT_FAILURE
    # libmpv and ALSA write to fd 2 directly: keep that in the player log, not on the terminal.
    with fd2_to_log(paths.mpv_log_file()):
        return _play(playlist, args.ranks, options, PlaybackEngine, PlayerError)


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


def _play(playlist: Playlist, ranks: list[int], options: list[str], engine_cls: Any, player_error: Any) -> int:
    import queue

    from sadtui.services.events import PlaybackEnded, PositionChanged, SongFailed, StatusChanged

    err = sys.stderr
    events: queue.Queue[Any] = queue.Queue()
    engine = None
    try:
        engine = engine_cls(
            playlist, events.put, mpv_options=options, queue=ranks, advance_delay=0.0, warm_up=False
        )
        # Resolve the first song while mpv starts (~0.1 s): the engine's own
        # request for it then joins this one instead of starting over.
        engine.resolver.prefetch(playlist.song(ranks[0]))
        with _sigint_deferred():  # Ctrl-C would leave libmpv half made: take it right after
            engine.open_player()  # a bad --mpv-option is found here, before anything plays
    except player_error as exc:
        if engine is not None:
            engine.shutdown(timeout=2.0)
        err.write(f"sadtui: {exc.message}\n")
        return EXIT_USAGE if exc.usage else EXIT_FAILURE
    except KeyboardInterrupt:
        if engine is not None:
            engine.shutdown(timeout=2.0)
        raise
    progress = _ProgressLine(err, is_terminal(err))
    failures = 0
    try:
        engine.start()
        engine.play_queue()
        while True:
            try:
                event = events.get(timeout=0.25)
            except queue.Empty:
                continue
            if isinstance(event, (PositionChanged, SongFailed, PlaybackEnded)):
                gcpause.resume(freeze=True)  # started (or gave up): collect as usual from now
            if isinstance(event, StatusChanged):
                progress.draw(event.status, force=True)
            elif isinstance(event, PositionChanged):
                progress.draw(engine.status)
            elif isinstance(event, SongFailed):
                failures += 1
                progress.say(f'sadtui: song {event.rank} "{event.title}": {event.message}')
            elif isinstance(event, PlaybackEnded):
                break
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave a traceback
        progress.clear()
        engine.shutdown(timeout=3.0)
        raise
    finally:
        progress.clear()
        engine.shutdown(timeout=3.0)
    return EXIT_FAILURE if failures else EXIT_OK


# ================================================================ doctor


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    hint: str | None = None
    needed: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "hint": None if self.ok else self.hint}


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks if c.needed)


def _version(dist: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def check_python_mpv() -> Check:
    version = _version("mpv")
    if version is None:
        return Check("python-mpv", False, "not installed", "pip install 'mpv>=1.0.7,<2'")
    return Check("python-mpv", True, f"python-mpv {version}")


def check_libmpv() -> Check:
    """Start the real player (the way playback does) and ask libmpv its version."""
    import ctypes.util

    from sadtui.services.player import Player, PlayerError

    hint = "sudo apt-get install libmpv2"
    player = Player(options=())
    try:
        player.open()
    except PlayerError as exc:
        return Check("libmpv", False, exc.message, hint)
    try:
        version = player.version() or "unknown version"
    finally:
        player.terminate(timeout=2.0)
    library = ctypes.util.find_library("mpv") or "libmpv"
    numbers = tuple(int(n) for n in re.findall(r"\d+", version)[:2]) or (0, 0)
    if numbers < (0, 33):
        return Check("libmpv", False, f"{version} ({library}) is too old", "sadtui needs mpv 0.33 or newer")
    return Check("libmpv", True, f"{version} ({library})")


def check_ytdlp() -> Check:
    try:
        import yt_dlp.version
    except ImportError:
        return Check("yt-dlp", False, "not installed", "pip install 'yt-dlp[default,deno]'")
    return Check("yt-dlp", True, f"yt-dlp {yt_dlp.version.__version__}")


def check_js_runtime() -> Check:
    hint = "pip install deno (sadtui's set-up does this), or install deno or node 22+ on PATH"
    try:
        import yt_dlp  # noqa: F401 - registers the runtimes
        from yt_dlp.globals import supported_js_runtimes
    except ImportError:
        return Check("JavaScript runtime", False, "cannot be checked without yt-dlp", hint)
    from sadtui.services.resolver import js_runtimes

    seen = []
    for name, config in js_runtimes().items():
        runtime_cls = supported_js_runtimes.value.get(name)
        if runtime_cls is None:
            continue
        try:
            info = runtime_cls(path=config.get("path")).info
        except Exception:  # noqa: BLE001
            info = None
        if info is None:
            seen.append(f"{name}: not found")
            continue
        if info.supported is False:
            seen.append(f"{info.name} {info.version} too old")
            continue
        return Check("JavaScript runtime", True, f"{info.name} {info.version} ({info.path}), used by yt-dlp for YouTube")
    return Check("JavaScript runtime", False, "none found for YouTube (" + "; ".join(seen or ["none"]) + ")", hint)


def check_ejs() -> Check:
    hint = "pip install yt-dlp-ejs (included in 'yt-dlp[default]')"
    try:
        from yt_dlp.dependencies import yt_dlp_ejs
    except ImportError:
        yt_dlp_ejs = None
    version = _version("yt-dlp-ejs")
    if yt_dlp_ejs is None or version is None:
        return Check("yt-dlp-ejs", False, "not installed (YouTube's JavaScript challenges cannot be solved)", hint)
    return Check("yt-dlp-ejs", True, f"yt-dlp-ejs {version}")


def check_writable(name: str, directory: Path, variable: str) -> Check:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        import tempfile  # only doctor needs it: keeps the module light to import

        fd, probe = tempfile.mkstemp(prefix=".sadtui-doctor-", dir=directory)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Check(name, False, f"{directory}: {reason}", f"make {directory} writable, or set {variable}")
    return Check(name, True, f"{directory} is writable")


def check_youtube(timeout: float = 5.0) -> Check:
    import urllib.error
    import urllib.request

    url = "https://www.youtube.com/"
    started = time.monotonic()
    try:
        request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "sadtui-doctor"})
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - fixed https URL
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except Exception as exc:  # noqa: BLE001 - any network failure is the answer
        reason = getattr(exc, "reason", exc)
        return Check(
            "YouTube reachable", False, f"no: {reason}",
            "check the network connection (and any proxy: HTTPS_PROXY)",
        )
    elapsed = time.monotonic() - started
    return Check("YouTube reachable", True, f"HTTP {status} in {elapsed:.1f} s")


def check_playlist(path: str) -> Check:
    from sadtui.model.playlist import PlaylistError, load_playlist

    try:
        playlist = load_playlist(path)
    except PlaylistError as exc:
        return Check("playlist", False, str(exc), "fix the entry named above (README: the playlist format)")
    return Check("playlist", True, f"{playlist.path}: {playlist.count_text}")


def run_checks(online: bool = False, playlist: str | None = None) -> Report:
    from sadtui.model import paths

    report = Report()
    if playlist is not None:
        report.checks.append(check_playlist(playlist))
    report.checks.append(check_python_mpv())
    report.checks.append(check_libmpv())
    report.checks.append(check_ytdlp())
    report.checks.append(check_js_runtime())
    report.checks.append(check_ejs())
    report.checks.append(check_writable("cache directory", paths.cache_dir(), "XDG_CACHE_HOME"))
    report.checks.append(check_writable("state directory", paths.state_dir(), "XDG_STATE_HOME"))
    report.checks.append(check_writable("log directory", paths.log_dir(), "XDG_STATE_HOME"))
    if online:
        report.checks.append(check_youtube())
    return report


def cmd_doctor(args: argparse.Namespace, playlist: Playlist | None) -> int:
    report = run_checks(online=args.online, playlist=getattr(args, "playlist", None))
    if args.json:
        json.dump(
            {"ok": report.ok, "checks": [c.to_json() for c in report.checks]},
            sys.stdout, ensure_ascii=False, indent=2,
        )
        sys.stdout.write("\n")
        return EXIT_OK if report.ok else EXIT_FAILURE
    width = max(len(c.name) for c in report.checks)
    lines = []
    for check in report.checks:
        mark = "ok  " if check.ok else "FAIL"
        lines.append(f"{mark}  {check.name:<{width}}  {check.detail}")
        if not check.ok and check.hint:
            lines.append(f"      {'':<{width}}  fix: {check.hint}")
    failed = [c for c in report.checks if not c.ok]
    if not failed:
        lines.append("\nEverything playback needs is there.")
    else:
        lines.append(f"\n{len(failed)} problem{'s' if len(failed) != 1 else ''} found; see 'fix:' above.")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK if report.ok else EXIT_FAILURE
