"""`sadtui doctor`: check everything playback needs, each failure with a `fix:` line.

Every detail that comes from outside (library versions, paths, error texts) is
escaped before it is shown.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sadtui.cli.common import EXIT_FAILURE, EXIT_OK
from sadtui.model.playlist import Playlist
from sadtui.model.text import safe_line
from sadtui.services.logs import log


def register(sub: Any, playlist_option: Callable[..., None]) -> None:
    p = sub.add_parser("doctor", help="check that everything playback needs is there")
    playlist_option(p, top=False)  # given: doctor checks that playlist too
    p.add_argument("--json", action="store_true", help="print a JSON object instead")
    p.add_argument("--online", action="store_true", help="also check that YouTube is reachable")
    p.add_argument("--mpv-option", dest="doctor_mpv_option", metavar="KEY=VALUE", action="append",
                   default=argparse.SUPPRESS, help="check the audio output with this mpv option (repeatable)")
    p.set_defaults(handler=cmd_doctor, needs_playlist=False)


def libmpv_install_command() -> str:
    """The command that installs libmpv, as the player states it (defined there, once)."""
    from sadtui.services.player import LIBMPV_HINT

    found = re.search(r"`([^`]+)`", LIBMPV_HINT)
    return found.group(1) if found else LIBMPV_HINT


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    hint: str | None = None
    needed: bool = True

    def __post_init__(self) -> None:  # versions, paths and error texts come from outside
        self.detail = safe_line(self.detail)
        self.hint = None if self.hint is None else safe_line(self.hint)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "hint": None if self.ok else self.hint}


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    devices: list[tuple[str, str]] = field(default_factory=list)  # mpv's audio-device-list

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

    hint = libmpv_install_command()
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
        except Exception:  # noqa: BLE001 - a broken runtime is "not found", and logged
            log.warning("JavaScript runtime %s: cannot be asked its version", name, exc_info=True)
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
        log.warning("doctor: YouTube not reachable", exc_info=True)
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


def audio_fix(devices: list[tuple[str, str]]) -> str:
    """The exact option to try: a device mpv can see, on the command line and in config.toml."""
    named = [name for name, _ in devices if name and name != "auto"]
    if not named:
        return ("no audio device found; to play without sound: --mpv-option ao=null "
                '(config.toml: mpv_options = ["ao=null"])')
    first = named[0]
    others = ", ".join(named[1:6])
    more = f" (others: {others})" if others else ""
    return (f"try --mpv-option audio-device={first}{more}, or in config.toml: "
            f'mpv_options = ["audio-device={first}"]; without a sound card: ao=null')


def check_audio(mpv_options: list[str]) -> tuple[Check, list[tuple[str, str]]]:
    """Open the audio output for real (a moment of silence), with the person's mpv options."""
    from sadtui.model import paths
    from sadtui.services.audio_check import check_audio_output
    from sadtui.services.player import parse_mpv_options
    from sadtui.services.stdio import fd2_to_log

    try:
        options = parse_mpv_options(mpv_options)
    except Exception as exc:  # noqa: BLE001 - a bad option was refused before; say it here too
        return Check("audio output", False, str(exc), "fix the --mpv-option above"), []
    with fd2_to_log(paths.mpv_log_file()):  # ALSA writes its complaints straight to fd 2
        result = check_audio_output(options)
    detail = result.detail
    if result.devices:
        detail += "; devices: " + ", ".join(name for name, _ in result.devices[:8])
    return Check("audio output", result.ok, detail, audio_fix(result.devices)), result.devices


def check_mpris(timeout: float = 3.0) -> Check:
    """Media keys (MPRIS) need a session D-Bus: a nicety, so it never fails doctor."""
    import os

    name = "media keys (MPRIS)"
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    if not address:
        return Check(name, False, "off: no session D-Bus here (SSH, a container...): media keys and playerctl "
                     "won't reach sadtui", "run sadtui inside a desktop session to have them", needed=False)
    try:
        import asyncio

        from dbus_fast import BusType
        from dbus_fast.aio import MessageBus

        async def connect() -> None:
            bus = await asyncio.wait_for(MessageBus(bus_type=BusType.SESSION).connect(), timeout)
            bus.disconnect()

        asyncio.run(connect())
    except Exception as exc:  # noqa: BLE001 - any failure means: off
        log.info("doctor: the session bus did not answer", exc_info=True)
        return Check(name, False, f"off: the session D-Bus did not answer ({type(exc).__name__})",
                     "check DBUS_SESSION_BUS_ADDRESS", needed=False)
    return Check(name, True, "on: sadtui shows as org.mpris.MediaPlayer2.sadtui on the session bus while it runs",
                 needed=False)


def run_checks(online: bool = False, playlist: str | None = None, mpv_options: list[str] | None = None,
               audio: bool = True) -> Report:
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
    if audio and report.checks and all(c.ok for c in report.checks if c.name in ("python-mpv", "libmpv")):
        check, devices = check_audio(list(mpv_options or []))
        report.checks.append(check)
        report.devices = devices
    report.checks.append(check_mpris())
    if online:
        report.checks.append(check_youtube())
    return report


def cmd_doctor(args: argparse.Namespace, playlist: Playlist | None) -> int:
    from sadtui.services import logs

    logs.setup()
    from sadtui.services.player import ensure_numeric_locale

    ensure_numeric_locale()  # libmpv: before the audio check starts it, on the main thread
    report = run_checks(online=args.online, playlist=getattr(args, "playlist", None),
                        mpv_options=list(getattr(args, "mpv_option", None) or [])
                        + list(getattr(args, "doctor_mpv_option", None) or []))
    if args.json:
        json.dump(
            {"ok": report.ok, "checks": [c.to_json() for c in report.checks],
             "audio_devices": [{"name": safe_line(n), "description": safe_line(d)} for n, d in report.devices]},
            sys.stdout, ensure_ascii=False, indent=2,
        )
        sys.stdout.write("\n")
        return EXIT_OK if report.ok else EXIT_FAILURE
    width = max(len(c.name) for c in report.checks)
    lines = []
    for check in report.checks:
        mark = "ok  " if check.ok else ("off " if not check.needed else "FAIL")
        lines.append(f"{mark}  {check.name:<{width}}  {check.detail}")
        if not check.ok and check.hint:
            lines.append(f"      {'':<{width}}  {'fix' if check.needed else 'note'}: {check.hint}")
    failed = [c for c in report.checks if not c.ok and c.needed]
    if not failed:
        lines.append("\nEverything playback needs is there.")
    else:
        lines.append(f"\n{len(failed)} problem{'s' if len(failed) != 1 else ''} found; see 'fix:' above.")
    sys.stdout.write("\n".join(lines) + "\n")
    return EXIT_OK if report.ok else EXIT_FAILURE
