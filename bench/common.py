"""Shared helpers for the benchmarks: timing, medians, tmux, playlists."""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SADTUI = VENV_BIN / "sadtui"
PYTHON = Path(sys.executable)


@dataclass
class Figure:
    """One benchmark figure: our median against a baseline median from the same run."""

    name: str
    unit: str
    ours: list[float]
    baseline: list[float] | None = None
    baseline_name: str | None = None
    target: str = ""
    ok: bool | None = None
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.ours)

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    @property
    def ratio(self) -> float | None:
        base = self.baseline_median
        return self.median / base if base else None

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "unit": self.unit,
            "median": round(self.median, 4),
            "runs": [round(v, 4) for v in self.ours],
            "baseline": self.baseline_name,
            "baseline_median": None if self.baseline_median is None else round(self.baseline_median, 4),
            "baseline_runs": [round(v, 4) for v in self.baseline] if self.baseline else None,
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "target": self.target,
            "ok": self.ok,
            "notes": self.notes,
            **self.extra,
        }


def measure(fn: Callable[[], float], runs: int, warmup: int = 1) -> list[float]:
    """Call `fn` (which returns one timing) warmup + runs times; keep the last `runs`."""
    for _ in range(warmup):
        fn()
    return [fn() for _ in range(runs)]


def interleaved(fns: list[Callable[[], float]], runs: int, warmup: int = 1) -> list[list[float]]:
    """Measure several commands alternately, so machine noise hits them alike."""
    for _ in range(warmup):
        for fn in fns:
            fn()
    results: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            results[i].append(fn())
    return results


def bench_env(tmp: Path) -> dict[str, str]:
    """A clean environment: XDG dirs in tmp so no state or cache leaks between runs."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XDG_")}
    for var in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        path = tmp / var.lower()
        path.mkdir(parents=True, exist_ok=True)
        env[var] = str(path)
    env["LC_NUMERIC"] = "C"
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


async def wait_async(predicate, timeout: float = 15.0, what: str = "condition") -> None:
    """In a Pilot-run app: poll `predicate` every millisecond until it holds (TimeoutError after `timeout`)."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(what)
        await asyncio.sleep(0.001)


def xdg_into_environ(tmp: Path) -> dict[str, str]:
    """`bench_env`'s XDG directories for this process too (the benches that run the app in it)."""
    env = bench_env(tmp)
    for key, value in env.items():
        if key.startswith("XDG_"):
            os.environ[key] = value
    return env


class Tmux:
    """A private tmux server for one benchmark."""

    def __init__(self, width: int = 120, height: int = 40) -> None:
        if not shutil.which("tmux"):
            raise RuntimeError("tmux is not installed")
        self.socket = f"sadtui-bench-{uuid.uuid4().hex[:8]}"
        self.width, self.height = width, height

    def _tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=check)

    def start(self, command: list[str], env: dict[str, str]) -> None:
        env_args: list[str] = []
        for key in ("XDG_CACHE_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "PATH", "LC_NUMERIC"):
            env_args += ["-e", f"{key}={env[key]}"]
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-x", str(self.width), "-y", str(self.height),
            *env_args, "--", *command,
        )

    def capture(self) -> str:
        return self._tmux("capture-pane", "-p", check=False).stdout

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", *keys, check=False)

    def close_intro(self, timeout: float = 5.0) -> None:
        """sadtui shows a playlist's intro over the list on its first launch (after the first
        paint); any key closes it. Close it before timing keys, so none is spent on it."""
        try:
            self.wait_for(lambda s: "Before you press play" in s, timeout=timeout)
        except TimeoutError:
            return  # no intro (already shown, or the playlist has none)
        self.send("Escape")
        self.wait_for(lambda s: "Before you press play" not in s, timeout=timeout)
        time.sleep(0.1)  # tmux: Escape and the next key must not read as Alt+key

    def pane_pid(self) -> int | None:
        out = self._tmux("list-panes", "-F", "#{pane_pid}", check=False).stdout.strip()
        return int(out) if out.isdigit() else None

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = 20.0, interval: float = 0.002) -> float:
        """Poll the screen until `predicate(screen)`; return the time it became true."""
        deadline = time.perf_counter() + timeout
        while True:
            screen = self.capture()
            now = time.perf_counter()
            if "Traceback" in screen:
                raise RuntimeError("the app crashed:\n" + screen)
            if predicate(screen):
                return now
            if now > deadline:
                raise TimeoutError("screen never matched:\n" + screen)
            time.sleep(interval)

    def kill(self) -> None:
        self._tmux("kill-server", check=False)


def write_playlist(path: Path, n: int, url_for: Callable[[int], str | None] | None = None) -> Path:
    """A generated playlist of n songs (optionally with urls)."""
    lines = ['title = "Generated playlist"', 'intro = "Generated for benchmarks."']
    for rank in range(1, n + 1):
        lines += [
            "[[songs]]",
            f"rank = {rank}",
            f'title = "Song number {rank}"',
            f'anime = "Show {rank % 97}"',
            f'artist = "Artist {rank % 31}"',
            f'description = "A generated description for song {rank}, with a few words to search."',
        ]
        if url_for and (url := url_for(rank)):
            lines.append(f'url = "{url}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tmpdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="sadtui-bench-"))


class MpvClock:
    """mpv's playback clock on `time.perf_counter`, read from its `time-pos` reports.

    :meth:`player` makes a sadtui Player whose every `time-pos` report is stamped on mpv's
    event thread as it arrives.  A report arrives after the moment it names, never before,
    so the moment playback was at 0 s (the first audio) is the lower envelope
    ``min(stamp - time_pos)`` of the reports (ao=null plays in real time).  That is finer than
    "the first report past 0": with ao=null mpv reports `time-pos` in steps of ~50 ms."""

    def __init__(self) -> None:
        self.reports: list[tuple[float, float]] = []  # (perf_counter, time-pos)

    def clear(self) -> None:
        self.reports = []

    def player(self, options: tuple[str, ...] = ("ao=null",)):
        from sadtui.services.player import Player, PropertyChanged

        reports = self

        class TimedPlayer(Player):
            def set_notify(self, notify):
                def timed(event):
                    if isinstance(event, PropertyChanged) and event.name == "time-pos" \
                            and isinstance(event.value, float):
                        reports.reports.append((time.perf_counter(), event.value))
                    notify(event)

                super().set_notify(timed)

        return TimedPlayer(options=options)

    def reached(self, position: float) -> bool:
        return any(pos >= position for _, pos in self.reports)

    def origin(self, low: float = 0.0, high: float = float("inf")) -> tuple[float, float]:
        """When playback was at 0 s (perf_counter), from the reports of positions in (low, high];
        and how far above that envelope the reports were (their 95th percentile, seconds)."""
        offsets = sorted(at - pos for at, pos in self.reports if low < pos <= high)
        if len(offsets) < 3:
            raise RuntimeError(f"only {len(offsets)} time-pos reports from mpv in ({low}, {high}] s")
        start = offsets[0]
        return start, offsets[min(len(offsets) - 1, round(0.95 * (len(offsets) - 1)))] - start
