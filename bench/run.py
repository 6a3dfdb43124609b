"""sadtui benchmarks: `make bench` (or `.venv/bin/python bench/run.py [--runs N] [--only a,b]`).

Every figure is the median of at least 5 runs after a warm-up, next to a baseline
measured in the same run (interleaved where both are whole processes), so the
ratio holds on a noisy machine.  Prints a table and writes bench/results.json.
Only 127.0.0.1 is used: the audio comes from a loopback server started here.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from common import (  # noqa: E402
    PYTHON,
    ROOT,
    SADTUI,
    Figure,
    MpvClock,
    Tmux,
    bench_env,
    interleaved,
    tmpdir,
    wait_async,
    write_playlist,
    xdg_into_environ,
)

DEFAULT_PLAYLIST = ROOT / "data" / "saddest-anime-songs.toml"
RESULTS = ROOT / "bench" / "results.json"
FIRST_AUDIO_SPAN = 0.5  # seconds of a song's start whose time-pos reports place its first audio


# ------------------------------------------------------------------ helpers


def _server():
    from audio_support import AudioServer  # tests/audio_support.py

    return AudioServer()


class _ServerProcess:
    """The loopback audio server (tests/audio_support.py) in a process of its own.

    For a figure of this process's memory.  mpv opens each song on a thread of its own
    ("mpv/opener") that allocates ~10 MiB and frees it; glibc keeps that memory in the
    malloc arena the thread used, for the next thread that uses the arena.  Which arena
    it lands in depends on how many threads are alive at that moment, and the server in
    this process adds one per request: the RSS then took ~10 MiB steps at random cycles
    (measured 2026-12-02: a step in 5 runs of 10 with the server here, none in 8 with it
    in another process, where the same two arenas hold the opener's memory throughout)."""

    def __init__(self) -> None:
        code = (
            f"import sys\nsys.path.insert(0, {str(ROOT / 'tests')!r})\n"
            "from audio_support import AudioServer\n"
            "server = AudioServer()\nprint(server.url(''), flush=True)\n"
            "sys.stdin.read()\nserver.close()\n"  # until the benchmark closes stdin
        )
        self._proc = subprocess.Popen([str(PYTHON), "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                      text=True)
        self._base = (self._proc.stdout.readline() if self._proc.stdout else "").strip()
        if not self._base.startswith("http://127.0.0.1:"):
            self.close()
            raise RuntimeError("the audio server process did not start")

    def url(self, path: str) -> str:
        return self._base + path

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        try:
            self._proc.wait(5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def _child_pid(pane_pid: int, name: str = "sadtui") -> int:
    """tmux runs the command directly; the pane pid is the app's pid."""
    return pane_pid


def _first_paint(command: list[str], env: dict, markers: list[str], size=(120, 40)) -> float:
    tmux = Tmux(*size)
    try:
        t0 = time.perf_counter()
        tmux.start(command, env)
        t1 = tmux.wait_for(lambda s: all(m in s for m in markers), timeout=30)
        return t1 - t0
    finally:
        tmux.kill()


def _run(cmd: list[str], env: dict, timeout: float = 60) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    return elapsed


# ------------------------------------------------------------------ first paint


def bench_first_paint(runs: int) -> list[Figure]:
    tmp = tmpdir()
    env = bench_env(tmp)
    # Song 1's description is a spoiler in sadtui (one line until `x`); the bare app shows it.
    markers = ["Sadness and Sorrow", "Requiem for a Brigadier", "Spoiler for Naruto"]
    bare_markers = ["Sadness and Sorrow", "Requiem for a Brigadier", "Toshio Masuda wrote"]
    ours, base = interleaved(
        [
            lambda: _first_paint([str(SADTUI)], env, markers),
            lambda: _first_paint([str(PYTHON), str(ROOT / "bench" / "bare_app.py"), str(DEFAULT_PLAYLIST)], env,
                                 bare_markers),
        ],
        runs,
    )
    fig = Figure(
        "first paint (26 songs, tmux 120x40)", "s", ours, base, "bare Textual app, same list + description",
        target="<= 1.2x",
    )
    fig.ok = fig.ratio is not None and fig.ratio <= 1.2

    big = write_playlist(tmp / "big.toml", 10_000)
    big_markers = ["Song number 1 ", "Song number 30", "generated description for song 1,"]
    small = write_playlist(tmp / "small.toml", 26)
    small_markers = ["Song number 1 ", "Song number 26", "generated description for song 1,"]
    ours_big, ours_small = interleaved(
        [
            lambda: _first_paint([str(SADTUI), "--playlist", str(big)], env, big_markers),
            lambda: _first_paint([str(SADTUI), "--playlist", str(small)], env, small_markers),
        ],
        runs,
    )
    scale = Figure(
        "first paint (10,000 songs)", "s", ours_big, ours_small, "sadtui, same generated list of 26 songs",
        target="<= 2x",
    )
    scale.ok = scale.ratio is not None and scale.ratio <= 2.0
    return [fig, scale]


# ------------------------------------------------------------------ time to first audio (CLI)


def bench_ttfa_cli(runs: int) -> list[Figure]:
    mpv = shutil.which("mpv")
    if not mpv:
        raise RuntimeError("the mpv command is needed for the baselines (apt-get install mpv)")
    tmp = tmpdir()
    env = bench_env(tmp)
    server = _server()
    try:
        url = server.url("/a.wav")
        page = server.url("/page.html")
        playlist = tmp / "one.toml"
        playlist.write_text(
            f'title = "one"\n[[songs]]\nrank = 1\ntitle = "A"\nurl = "{url}"\n'
            f'[[songs]]\nrank = 2\ntitle = "The page"\nurl = "{page}"\n'
        )
        ours_cmd = [str(SADTUI), "--playlist", str(playlist), "play", "1",
                    "--mpv-option", "ao=null", "--mpv-option", "length=0.5"]
        mpv_cmd = [mpv, "--no-config", "--no-video", "--ao=null", "--length=0.5", "--really-quiet", url]
        ytdl_cmd = [mpv, "--no-config", "--no-video", "--ao=null", "--length=0.5", "--really-quiet", "--ytdl=yes",
                    f"--script-opts=ytdl_hook-try_ytdl_first=yes,ytdl_hook-ytdl_path={Path(sys.executable).parent / 'yt-dlp'}",
                    url]

        def fresh(*names: str) -> None:
            for name in names:
                shutil.rmtree(tmp / name, ignore_errors=True)
                (tmp / name).mkdir()

        def ours() -> float:
            # A fresh cache and no kept audio every run: the whole route, yt-dlp included.
            fresh("xdg_cache_home", "xdg_data_home")
            return _run(ours_cmd, env)

        ours_page_cmd = [c if c != "1" else "2" for c in ours_cmd]
        ytdl_page_cmd = ytdl_cmd[:-1] + [page]

        def ours_page() -> float:
            fresh("xdg_cache_home", "xdg_data_home")
            return _run(ours_page_cmd, env)

        def ours_page_again() -> float:
            # Right after ours_page: the page's stream URL is in sadtui's cache (not its audio).
            fresh("xdg_data_home")
            return _run(ours_page_cmd, env)

        o, m, y, op, yp, oc = interleaved(
            [ours, lambda: _run(mpv_cmd, env), lambda: _run(ytdl_cmd, env), ours_page,
             lambda: _run(ytdl_page_cmd, env), ours_page_again],
            runs,
        )
    finally:
        server.close()
    plain = Figure("time to first audio + 0.5 s, whole process", "s", o, m, "mpv CLI, plain URL", target="<= 1.5x")
    plain.ok = plain.ratio is not None and plain.ratio <= 1.5
    hook = Figure("time to first audio + 0.5 s, whole process", "s", o, y, "mpv CLI with its yt-dlp hook",
                  target="well under 1x")
    hook.ok = hook.ratio is not None and hook.ratio < 0.9
    page_fig = Figure("time to first audio + 0.5 s, a page with <audio> (yt-dlp both sides)", "s", op, yp,
                      "mpv CLI with its yt-dlp hook, same page", target="well under 1x")
    page_fig.ok = page_fig.ratio is not None and page_fig.ratio < 0.9
    again = Figure("time to first audio + 0.5 s, the same page played again (stream URL cached)", "s", oc, yp,
                   "mpv CLI with its yt-dlp hook, same page (it has no cache)", target="well under 1x",
                   notes="sadtui keeps resolved stream URLs until they expire; mpv's hook runs yt-dlp every time")
    again.ok = again.ratio is not None and again.ratio < 0.9
    return [plain, hook, page_fig, again]


# ------------------------------------------------------------------ in the app


class _AudioClock:
    """Wraps the app's notify: records when time-pos first goes past 0 after `arm()`,
    and (through `wrap_engine`) when the key's action reached the engine."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.at = 0.0
        self.asked_at = 0.0

    def arm(self) -> None:
        self.event.clear()
        self.asked_at = 0.0

    def wrap_engine(self, engine):
        for name in ("play", "next", "previous"):
            method = getattr(engine, name)

            def timed(*args, _method=method, **kwargs):
                if not self.asked_at:
                    self.asked_at = time.perf_counter()
                return _method(*args, **kwargs)

            setattr(engine, name, timed)
        return engine

    def wrap(self, notify):
        from sadtui.services.events import PositionChanged

        def wrapped(event):
            if isinstance(event, PositionChanged) and event.position > 0 and not self.event.is_set():
                self.at = time.perf_counter()
                self.event.set()
            notify(event)

        return wrapped


def _raw_mpv_ttfa(url: str, runs: int) -> list[float]:
    """Baseline: python-mpv in this process, loadfile -> time-pos > 0, no resolving."""
    os.environ["LC_NUMERIC"] = "C"
    import locale

    import mpv

    locale.setlocale(locale.LC_NUMERIC, "C")
    player = mpv.MPV(video=False, ytdl=False, ao="null", terminal=False, config=False)
    got = threading.Event()

    @player.property_observer("time-pos")
    def _pos(_name, value):
        if value is not None and value > 0:
            got.set()

    times = []
    try:
        for i in range(runs + 1):
            got.clear()
            t0 = time.perf_counter()
            player.play(f"{url}?raw={i}")
            if not got.wait(15):
                raise TimeoutError("raw mpv never played")
            elapsed = time.perf_counter() - t0
            player.command("stop")
            if i:
                times.append(elapsed)
    finally:
        player.terminate()
    return times


def bench_in_app(runs: int) -> list[Figure]:
    from sadtui.model.playlist import load_playlist
    from sadtui.services.engine import PlaybackEngine
    from sadtui.tui.app import SadtuiApp

    tmp = tmpdir()
    xdg_into_environ(tmp)
    server = _server()
    clock = _AudioClock()
    n = runs + 1  # the first of each kind is a warm-up

    def url_for(rank: int) -> str:
        # Ranks 1..3n: a page with an <audio> tag (yt-dlp's generic extractor has
        # to fetch and read it); ranks 3n+1..5n: an audio file (played as it is).
        # Every URL is distinct, and a "cold" song is never the one after a song
        # that played (the engine prefetches that one), so it is truly unresolved.
        if rank <= 3 * n:
            return server.url(f"/page.html?song={rank}")
        return server.url(f"/long.wav?song={rank}")

    try:
        playlist = load_playlist(write_playlist(tmp / "loop.toml", 5 * n, url_for=url_for))

        def factory(pl, notify):
            return clock.wrap_engine(PlaybackEngine(pl, clock.wrap(notify), mpv_options=("ao=null",)))

        page_cold: list[float] = []
        page_next: list[float] = []
        file_cold: list[float] = []

        async def press_and_time(pilot, key: str) -> float:
            clock.arm()
            t0 = time.perf_counter()
            await pilot.press(key)
            await wait_async(clock.event.is_set, what=f"audio after {key}")
            # From the key's action reaching the engine: Pilot's press() adds its
            # own waits for idle that a real key press does not have.
            return clock.at - (clock.asked_at or t0)

        async def scenario() -> None:
            app = SadtuiApp(playlist, engine_factory=factory, remember=False)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_async(lambda: app.engine is not None, what="engine ready")
                engine = app.engine
                await asyncio.sleep(2.0)  # the background warm-up (first YoutubeDL, extractors)
                for i in range(n):
                    rank = 3 * i + 1
                    assert engine.resolver.cached(playlist.song(rank)) is None
                    app.songs.highlight_rank(rank)
                    await pilot.pause()
                    took = await press_and_time(pilot, "enter")
                    if i:
                        page_cold.append(took)
                    following = playlist.song(rank + 1)
                    await wait_async(lambda following=following: engine.resolver.cached(following) is not None, what="prefetch")
                    took = await press_and_time(pilot, "n")
                    if i:
                        page_next.append(took)
                    await pilot.press("s")
                    await pilot.pause()
                for i in range(n):
                    app.songs.highlight_rank(3 * n + 1 + 2 * i)
                    await pilot.pause()
                    took = await press_and_time(pilot, "enter")
                    if i:
                        file_cold.append(took)
                    await pilot.press("s")
                    await pilot.pause()
                await pilot.press("q")

        asyncio.run(scenario())
        raw = _raw_mpv_ttfa(server.url("/long.wav"), runs)
    finally:
        server.close()
    base = "python-mpv loadfile of an audio file, same process (no resolving, no UI)"
    a = Figure("in app: Enter to first audio, page not yet resolved (yt-dlp)", "s", page_cold, raw, base,
               target="< 150 ms")
    a.ok = a.median < 0.150
    b = Figure("in app: n to first audio, next song prefetched", "s", page_next, raw, base, target="< 80 ms")
    b.ok = b.median < 0.080
    c = Figure("in app: Enter to first audio, audio-file URL", "s", file_cold, raw, base, target="< 150 ms")
    c.ok = c.median < 0.150
    return [a, b, c]


def bench_kept_in_app(runs: int) -> list[Figure]:
    """Enter to first audio for a kept song (played from the library on disk) against an
    audio-file URL (played as it is), alternately in one app with the library on."""
    from sadtui.model.playlist import load_playlist
    from sadtui.services.engine import PlaybackEngine
    from sadtui.services.library import Library
    from sadtui.tui.app import SadtuiApp

    tmp = tmpdir()
    xdg_into_environ(tmp)
    server = _server()
    clock = _AudioClock()
    n = runs + 1  # the first of each kind is a warm-up
    try:
        # Odd ranks are kept, even ranks are not; every URL is distinct.
        playlist = load_playlist(write_playlist(
            tmp / "kept.toml", 2 * n, url_for=lambda rank: server.url(f"/long.wav?song={rank}")))
        library = Library()
        for rank in range(1, 2 * n + 1, 2):
            library.download(playlist.song(rank))

        def factory(pl, notify):
            return clock.wrap_engine(PlaybackEngine(pl, clock.wrap(notify), mpv_options=("ao=null",),
                                                    library=library))

        kept: list[float] = []
        direct: list[float] = []
        from_disk: list[bool] = []

        async def scenario() -> None:
            app = SadtuiApp(playlist, engine_factory=factory, remember=False)
            async with app.run_test(size=(120, 40)) as pilot:
                await wait_async(lambda: app.engine is not None, what="engine ready")
                await asyncio.sleep(2.0)  # the background warm-up
                for i in range(n):
                    # Alternate which kind goes first, so neither always follows the other.
                    order = (2 * i + 1, 2 * i + 2) if i % 2 == 0 else (2 * i + 2, 2 * i + 1)
                    for rank in order:
                        app.songs.highlight_rank(rank)
                        await pilot.pause()
                        clock.arm()
                        t0 = time.perf_counter()
                        await pilot.press("enter")
                        await wait_async(clock.event.is_set, what=f"audio of #{rank}")
                        took = clock.at - (clock.asked_at or t0)
                        if rank % 2:
                            from_disk.append(bool(app.engine.status.from_disk))
                        if i:
                            (kept if rank % 2 else direct).append(took)
                        await pilot.press("s")
                        await pilot.pause()
                await pilot.press("q")

        asyncio.run(scenario())
    finally:
        server.close()
    if not all(from_disk):
        raise RuntimeError("a kept song did not play from disk")
    fig = Figure("in app: Enter to first audio, kept song (from disk)", "s", kept, direct,
                 "Enter on an audio-file URL, alternately in the same app", target="<= 1.1x",
                 notes="ao=null reports time-pos in ~50 ms steps")
    fig.ok = fig.ratio is not None and fig.ratio <= 1.1
    return [fig]


def _kept_path(env: dict, playlist: Path, rank: int) -> str:
    out = subprocess.run([str(SADTUI), "--playlist", str(playlist), "library", "--json"], env=env,
                         capture_output=True, text=True, check=True, timeout=60)
    for song in json.loads(out.stdout)["songs"]:
        if song["rank"] == rank:
            return song["path"]
    raise RuntimeError(f"song {rank} is not kept")


def bench_kept_cli(runs: int) -> list[Figure]:
    """`sadtui play` of a kept song against the mpv command on the same file (server stopped)."""
    mpv = shutil.which("mpv")
    if not mpv:
        raise RuntimeError("the mpv command is needed for the baseline (apt-get install mpv)")
    tmp = tmpdir()
    env = bench_env(tmp)
    server = _server()
    playlist = tmp / "one.toml"
    try:
        playlist.write_text(f'title = "one"\n[[songs]]\nrank = 1\ntitle = "A"\nurl = "{server.url("/long.wav")}"\n')
        _run([str(SADTUI), "--playlist", str(playlist), "download", "1"], env)
    finally:
        server.close()  # from here on the song can only come from disk
    path = _kept_path(env, playlist, 1)
    ours_cmd = [str(SADTUI), "--playlist", str(playlist), "play", "1",
                "--mpv-option", "ao=null", "--mpv-option", "length=0.5"]
    mpv_cmd = [mpv, "--no-config", "--no-video", "--ao=null", "--length=0.5", "--really-quiet", path]
    ours, base = interleaved([lambda: _run(ours_cmd, env), lambda: _run(mpv_cmd, env)], runs)
    fig = Figure("sadtui play of a kept song, ao=null length=0.5, whole process", "s", ours, base,
                 "mpv CLI on the same local file", target="<= 1.2x")
    fig.ok = fig.ratio is not None and fig.ratio <= 1.2
    return [fig]


def bench_download(runs: int) -> list[Figure]:
    """`sadtui download --all` of 26 songs from loopback against curl fetching the same bytes
    (three at a time on both sides, each into files)."""
    curl = shutil.which("curl")
    if not curl:
        raise RuntimeError("curl is needed for the baseline")
    tmp = tmpdir()
    env = bench_env(tmp)
    server = _server()
    count = 26
    try:
        body = server.files["/long.wav"]
        for rank in range(1, count + 1):
            server.files[f"/song{rank}.wav"] = body  # 30 s of 16-bit mono WAV, ~2.6 MB each
        urls = [server.url(f"/song{rank}.wav") for rank in range(1, count + 1)]
        playlist = write_playlist(tmp / "all.toml", count, url_for=lambda rank: urls[rank - 1])
        total = count * len(body[0])
        out = tmp / "curl"

        def ours() -> float:
            shutil.rmtree(tmp / "xdg_data_home", ignore_errors=True)
            (tmp / "xdg_data_home").mkdir()
            return _run([str(SADTUI), "--playlist", str(playlist), "download", "--all"], env, timeout=300)

        def fetch() -> float:
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            args = [curl, "-s", "-S", "-f", "--parallel", "--parallel-max", "3"]
            for rank, url in enumerate(urls, 1):
                args += ["-o", str(out / f"{rank}.wav"), url]
            took = _run(args, env, timeout=300)
            if sum(f.stat().st_size for f in out.iterdir()) != total:
                raise RuntimeError("curl fetched the wrong number of bytes")
            return took

        def ytdlp() -> float:
            # yt-dlp's own command on the same URLs, one after another: what the library builds on.
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            return _run([str(Path(sys.executable).parent / "yt-dlp"), "-q", "--no-config", "-f", "bestaudio/best",
                         "-P", str(out), "-o", "%(autonumber)s.%(ext)s", *urls], env, timeout=300)

        def floor() -> float:
            # The least any Python program can take here: urllib3 alone, nothing kept.
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir()
            took = _run([sys.executable, str(Path(__file__).with_name("fetch_floor.py")), str(out), *urls], env)
            if sum(f.stat().st_size for f in out.iterdir()) != total:
                raise RuntimeError("the floor script fetched the wrong number of bytes")
            return took

        o, c, y, f = interleaved([ours, fetch, ytdlp, floor], runs)
        kept = sum(f.stat().st_size for f in (tmp / "xdg_data_home").rglob("*") if f.is_file() and f.suffix == ".wav")
        if kept != total:
            raise RuntimeError(f"sadtui kept {kept} bytes, expected {total}")
    finally:
        server.close()
    fig = Figure(f"sadtui download --all, {count} songs ({total / 2**20:.0f} MiB) from loopback", "s", o, c,
                 "curl --parallel-max 3, same URLs into files", target="<= 2x")
    fig.ok = fig.ratio is not None and fig.ratio <= 2.0
    tool = Figure(f"sadtui download --all, {count} songs from loopback", "s", o, y,
                  "the yt-dlp command on the same URLs, one after another", target="(for reference)",
                  notes="where the time goes: yt-dlp's start-up and per-URL extraction, against sadtui's own")
    tool.ok = None
    bare = Figure(f"a bare Python script (urllib3, 3 threads), {count} songs from loopback", "s", f, c,
                  "curl --parallel-max 3, same URLs into files", target="(for reference)",
                  notes="the floor for any Python program fetching these bytes: start-up, import, copying")
    bare.ok = None
    return [fig, tool, bare]


def bench_lyrics(runs: int) -> list[Figure]:
    """Enter to first audio with the lyrics pane open and artwork on (a slow lyrics service, a
    thumbnail to fetch) against the same with both off, interleaved in one app."""
    from dataclasses import replace

    from lyrics_server import LyricsServer  # tests/lyrics_server.py
    from sadtui.model.playlist import load_playlist
    from sadtui.services.engine import PlaybackEngine
    from sadtui.services.events import StatusChanged
    from sadtui.tui.app import SadtuiApp

    tmp = tmpdir()
    xdg_into_environ(tmp)
    server = _server()
    lyrics = LyricsServer().__enter__()
    lyrics.slow_seconds = 0.5  # the lookup is still running while the song starts
    import io as _io

    from PIL import Image

    out = _io.BytesIO()
    Image.new("RGB", (480, 360), (90, 20, 40)).save(out, format="PNG")
    lyrics.images["t.png"] = ("image/png", out.getvalue())
    clock = _AudioClock()
    mpv = MpvClock()
    n = 2 * (runs + 1)
    state = {"on": False}

    lines = ['title = "Lyrics bench"']
    for rank in range(1, n + 1):
        lines += ["[[songs]]", f"rank = {rank}", f'title = "Slow song {rank}"', 'artist = "Test"',
                  f'url = "{server.url(f"/long.wav?song={rank}")}"']
    (tmp / "lyrics.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        playlist = load_playlist(tmp / "lyrics.toml")

        def with_thumbnail(notify):
            def wrapped(event):
                if state["on"] and isinstance(event, StatusChanged):
                    event = StatusChanged(replace(event.status, thumbnail=f"{lyrics.url}/art/t.png?{event.status.rank}"))
                notify(event)
            return wrapped

        def factory(pl, notify):
            return clock.wrap_engine(PlaybackEngine(pl, clock.wrap(with_thumbnail(notify)), mpv_options=("ao=null",),
                                                    player=mpv.player()))

        on: list[float] = []
        off: list[float] = []
        coarse: dict[bool, list[float]] = {True: [], False: []}  # to the first time-pos report past 0

        async def scenario() -> None:
            app = SadtuiApp(playlist, engine_factory=factory, remember=False, lyrics_url=lyrics.url)
            async with app.run_test(size=(140, 40)) as pilot:
                await wait_async(lambda: app.engine is not None, what="engine ready")
                await asyncio.sleep(1.0)
                await pilot.press("l")
                await wait_async(lambda: app.main.lyrics_pane is not None, what="lyrics pane")
                for i in range(n):
                    state["on"] = i % 2 == 0
                    app.main.lyrics_pane.display = state["on"]
                    app.songs.highlight_rank(i + 1)
                    await pilot.pause()
                    clock.arm()
                    mpv.clear()
                    t0 = time.perf_counter()
                    await pilot.press("enter")
                    await wait_async(clock.event.is_set, what="audio")
                    asked = clock.asked_at or t0
                    # First audio by mpv's clock (sub-millisecond), not its first report (~50 ms steps).
                    await wait_async(lambda: mpv.reached(FIRST_AUDIO_SPAN), what="the song's start played")
                    first_audio, _ = mpv.origin(high=FIRST_AUDIO_SPAN)
                    if i >= 2:
                        (on if state["on"] else off).append(first_audio - asked)
                        coarse[state["on"]].append(clock.at - asked)
                    await pilot.press("s")
                    # Every run starts from rest: the last lookup and artwork load are done.
                    await wait_async(lambda: not any(w.is_running for w in app.workers
                                                if w.group in ("lyrics", "artwork")), what="lookups done")
                    await pilot.pause(0.2)
                await pilot.press("q")

        asyncio.run(scenario())
    finally:
        server.close()
        lyrics.__exit__()
    coarse_on, coarse_off = statistics.median(coarse[True]), statistics.median(coarse[False])
    figure = Figure("in app: Enter to first audio with lyrics pane and artwork on (slow lyrics service)", "s",
                    on, off, "the same with the pane and artwork off, interleaved in the same app",
                    target="≤ 1.05x",
                    notes="first audio by mpv's clock (the lower envelope of its time-pos reports); to its first "
                          f"report past 0 instead: {coarse_on * 1000:.0f} vs {coarse_off * 1000:.0f} ms, "
                          f"{coarse_on / coarse_off:.2f}x",
                    extra={"coarse_runs": [round(v, 4) for v in coarse[True]],
                           "coarse_baseline_runs": [round(v, 4) for v in coarse[False]]})
    figure.ok = statistics.median(on) <= 1.05 * statistics.median(off)
    return [figure]


# ------------------------------------------------------------------ MPRIS (media keys)


def _session_bus(tmp: Path):
    from dbus_support import SessionBus  # the tests' private dbus-daemon

    return SessionBus(tmp)


def bench_mpris(runs: int) -> list[Figure]:
    """First paint with a session bus (MPRIS starts after it) against without, same run;
    and a media key (`playerctl next`) to first audio of a prefetched song in the app."""
    from sadtui.model.playlist import load_playlist
    from sadtui.services.engine import PlaybackEngine
    from sadtui.tui.app import SadtuiApp

    if not shutil.which("playerctl"):
        raise RuntimeError("playerctl is not installed")
    tmp = tmpdir()
    bus = _session_bus(tmp)
    try:
        env = bench_env(tmp)
        env.pop("DBUS_SESSION_BUS_ADDRESS", None)
        env_bus = env | {"DBUS_SESSION_BUS_ADDRESS": bus.address}
        markers = ["Sadness and Sorrow", "Requiem for a Brigadier", "Spoiler for Naruto"]  # #1 is a spoiler
        with_bus, without = interleaved(
            [lambda: _first_paint([str(SADTUI)], env_bus, markers), lambda: _first_paint([str(SADTUI)], env, markers)],
            runs,
        )
        paint = Figure("first paint with a session bus (MPRIS on)", "s", with_bus, without,
                       "sadtui without a session bus (MPRIS off)", target="<= +5 ms")
        paint.ok = paint.median - paint.baseline_median <= 0.005

        for key, value in env.items():
            if key.startswith("XDG_"):
                os.environ[key] = value
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = bus.address
        server = _server()
        clock = _AudioClock()
        n = runs + 1
        try:
            playlist = load_playlist(write_playlist(
                tmp / "keys.toml", 2 * n, url_for=lambda rank: server.url(f"/page.html?key={rank}")))

            def factory(pl, notify):
                return PlaybackEngine(pl, clock.wrap(notify), mpv_options=("ao=null",))

            times: list[float] = []

            async def scenario() -> None:
                app = SadtuiApp(playlist, engine_factory=factory, remember=False)
                async with app.run_test(size=(120, 40)) as pilot:
                    await wait_async(lambda: app.engine is not None and app.mpris.mpris is not None, what="engine, bus")
                    engine = app.engine
                    await asyncio.sleep(2.0)  # the background warm-up
                    for i in range(n):
                        rank = 2 * i + 1
                        app.songs.highlight_rank(rank)
                        await pilot.pause()
                        clock.arm()
                        await pilot.press("enter")
                        await wait_async(clock.event.is_set, what="first song")
                        following = playlist.song(rank + 1)
                        await wait_async(lambda f=following: engine.resolver.cached(f) is not None, what="prefetch")
                        clock.arm()
                        t0 = time.perf_counter()
                        await asyncio.to_thread(bus.playerctl, "next")
                        await wait_async(clock.event.is_set, what="audio after playerctl next")
                        if i:
                            times.append(clock.at - t0)
                        await pilot.press("s")
                        await pilot.pause()
                    await pilot.press("q")

            asyncio.run(scenario())
            raw = _raw_mpv_ttfa(server.url("/long.wav"), runs)
        finally:
            server.close()
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
    finally:
        bus.close()
    key = Figure("in app: playerctl next to first audio, next song prefetched", "s", times, raw,
                 "python-mpv loadfile of an audio file, same process (no resolving, no UI)", target="< 100 ms",
                 notes="from starting the playerctl process (its own start-up included)")
    key.ok = key.median < 0.100
    return [paint, key]


# ------------------------------------------------------------------ scale (real terminal)


def _matches(playlist_songs: list[tuple[int, str]], term: str) -> int:
    return sum(term in text for _rank, text in playlist_songs)


def bench_scale_keys(runs: int) -> list[Figure]:
    """Key press to the screen showing its result, in tmux, 10,000 songs against 26."""
    from sadtui.model.playlist import load_playlist

    tmp = tmpdir()
    env = bench_env(tmp)
    big_path = write_playlist(tmp / "big.toml", 10_000)
    small_path = write_playlist(tmp / "small.toml", 26)

    def texts(path: Path) -> list[tuple[int, str]]:
        return [
            (s.rank, " ".join(x for x in (s.title, s.anime, s.artist, s.description) if x).lower())
            for s in load_playlist(path).songs
        ]

    def session(path: Path, total: int, jump_to: int, term: str) -> dict[str, list[float]]:
        count = _matches(texts(path), term)
        out: dict[str, list[float]] = {"filter": [], "end": [], "jump": [], "end_text": [], "jump_text": []}
        tmux = Tmux(120, 40)
        try:
            tmux.start([str(SADTUI), "--playlist", str(path)], env)
            tmux.wait_for(lambda s: "Song number 1 " in s, timeout=30)
            tmux.close_intro()
            time.sleep(1.0)  # let the engine load in the background first
            for i in range(runs + 1):
                # End: the last song highlighted and shown in the details pane.
                t0 = time.perf_counter()
                tmux.send("End")
                t1 = tmux.wait_for(lambda s: f"#{total} " in s)
                # ...and its description (Markdown, drawn a frame or two later).
                t1d = tmux.wait_for(lambda s: f"description for song {total}," in s)
                tmux.send("Home")
                tmux.wait_for(lambda s: "#1 " in s)
                # Jump to a rank by typing its digits.
                # As for the filter: the digits before the last are on screen first
                # (a person types them ~0.1 s apart); the figure is the last one's.
                digits = list(str(jump_to))
                tmux.send(*digits[:-1])
                tmux.wait_for(lambda s, digits=digits: f"Go to rank {''.join(digits[:-1])}" in s)
                time.sleep(0.3)
                t2 = time.perf_counter()
                tmux.send(digits[-1])
                t3 = tmux.wait_for(lambda s: f"#{jump_to} " in s)
                t3d = tmux.wait_for(lambda s: f"description for song {jump_to}," in s)
                tmux.send("Home")
                tmux.wait_for(lambda s: "#1 " in s)
                # Filter: the last keystroke of the term until "N of M" shows its count.
                tmux.send("/")
                tmux.wait_for(lambda s: "title, anime, artist" in s)  # the filter's placeholder
                time.sleep(0.1)
                tmux.send("-l", term[:-1])
                tmux.wait_for(lambda s: term[:-1] in s and " of " in s)
                time.sleep(0.3)
                t4 = time.perf_counter()
                tmux.send("-l", term[-1])
                t5 = tmux.wait_for(lambda s: f"{count} of {total}" in s)
                tmux.send("Escape")
                tmux.wait_for(lambda s: f"{count} of {total}" not in s)
                tmux.send("Escape")
                time.sleep(0.2)
                if i:
                    out["end"].append(t1 - t0)
                    out["end_text"].append(t1d - t0)
                    out["jump"].append(t3 - t2)
                    out["jump_text"].append(t3d - t2)
                    out["filter"].append(t5 - t4)
        finally:
            tmux.kill()
        return out

    big = session(big_path, 10_000, 5000, "number 7777")
    small = session(small_path, 26, 17, "number 17")
    figs = []
    for name, label, target in (
        ("filter", "filter keystroke to repaint (10,000 songs)", 0.100),
        ("end", "End to repaint (10,000 songs)", 0.050),
        ("jump", "jump to rank to repaint (10,000 songs)", 0.050),
    ):
        notes = "tmux send-keys to capture-pane showing the result (polling costs a few ms)"
        extra = {}
        if f"{name}_text" in big:
            # The figure is the highlight and the song's heading; the description follows.
            text = statistics.median(big[f"{name}_text"])
            notes += f"; the description shows at {text * 1000:.0f} ms (median)"
            extra["description_median"] = round(text, 4)
            extra["description_runs"] = [round(v, 4) for v in big[f"{name}_text"]]
        fig = Figure(label, "s", big[name], small[name], "same key on 26 songs", target=f"< {target * 1000:.0f} ms",
                     notes=notes, extra=extra)
        fig.ok = fig.median < target
        figs.append(fig)
    return figs


# ------------------------------------------------------------------ memory


def bench_memory(runs: int) -> list[Figure]:
    tmp = tmpdir()
    env = bench_env(tmp)
    server = _server()
    try:
        path = write_playlist(tmp / "loop.toml", 3, url_for=lambda r: server.url("/long.wav"))
        rss_play, rss_bare = [], []
        for _ in range(max(3, runs // 2)):
            tmux = Tmux(120, 40)
            try:
                tmux.start([str(SADTUI), "--playlist", str(path), "--mpv-option", "ao=null"], env)
                tmux.wait_for(lambda s: "Song number 1" in s, timeout=30)
                tmux.close_intro()
                time.sleep(1.5)  # the engine loads after the first paint
                tmux.send("Enter")
                tmux.wait_for(lambda s: "playing" in s and "0:0" in s, timeout=30)
                time.sleep(1.0)
                rss_play.append(_rss_mib(tmux.pane_pid()))
            finally:
                tmux.kill()
            tmux = Tmux(120, 40)
            try:
                tmux.start([str(PYTHON), str(ROOT / "bench" / "bare_app.py"), str(path)], env)
                tmux.wait_for(lambda s: "Song number 1" in s, timeout=30)
                time.sleep(1.0)
                rss_bare.append(_rss_mib(tmux.pane_pid()))
            finally:
                tmux.kill()
        rss = Figure("RSS while playing in the TUI", "MiB", rss_play, rss_bare, "bare Textual app (no playback)",
                     target="< 130 MiB")
        rss.ok = rss.median < 130

    finally:
        server.close()
    growth_server = _ServerProcess()  # this process's RSS is then sadtui's alone
    try:
        growth = _cycles_growth(growth_server, tmp)
    finally:
        growth_server.close()
    return [rss, growth]


def _cycles_growth(server, tmp: Path, cycles: int = 200) -> Figure:
    """RSS of this process before and after 200 play/next/stop cycles in the TUI (real engine)."""
    from sadtui.model.playlist import load_playlist
    from sadtui.services.engine import PlaybackEngine
    from sadtui.tui.app import SadtuiApp

    playlist = load_playlist(write_playlist(tmp / "cycle.toml", 5, url_for=lambda r: server.url("/long.wav")))
    clock = _AudioClock()
    samples: list[float] = []
    threads: list[int] = []

    async def scenario() -> None:
        app = SadtuiApp(
            playlist,
            engine_factory=lambda pl, notify: PlaybackEngine(pl, clock.wrap(notify), mpv_options=("ao=null",)),
            remember=False,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            await wait_async(lambda: app.engine is not None, what="engine")
            for i in range(cycles + 20):
                clock.arm()
                await pilot.press("enter")
                await wait_async(clock.event.is_set, what="play")
                clock.arm()
                await pilot.press("n")
                await wait_async(clock.event.is_set, what="next")
                await pilot.press("s")
                await pilot.pause()
                if i >= 19 and (i - 19) % 20 == 0:  # every 20 cycles after a warm-up of 20
                    gc.collect()
                    samples.append(_rss_mib(os.getpid()))
                    threads.append(_threads(os.getpid()))  # a fixed set: none made per cycle
            await pilot.press("q")

    asyncio.run(scenario())
    # The allocator makes single samples jumpy: compare the median of the first
    # three samples with the median of the last three.
    growth = statistics.median(samples[-3:]) - statistics.median(samples[:3])
    fig = Figure(f"RSS growth over {cycles} play/next/stop cycles", "MiB", [growth], None, None,
                 target="< 10 MiB", extra={"rss_samples_every_20_cycles": [round(x, 1) for x in samples],
                                           "threads_every_20_cycles": threads},
                 notes="the loopback audio server runs in another process")
    fig.ok = fig.median < 10
    return fig


# ------------------------------------------------------------------ main

from import_bench import bench_import  # noqa: E402
from lyrics_frame import bench_lyrics_frame  # noqa: E402

BENCHES = {
    "first_paint": bench_first_paint,
    "import": bench_import,
    "ttfa_cli": bench_ttfa_cli,
    "in_app": bench_in_app,
    "lyrics": bench_lyrics,
    "lyrics_frame": bench_lyrics_frame,
    "kept_in_app": bench_kept_in_app,
    "kept_cli": bench_kept_cli,
    "download": bench_download,
    "scale_keys": bench_scale_keys,
    "memory": bench_memory,
    "mpris": bench_mpris,
}


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mpv_version = None
    if shutil.which("mpv"):
        mpv_version = subprocess.run(["mpv", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "mpv": mpv_version,
    }


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.0f} ms"
    return f"{value:.1f} {unit}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="runs per figure after a warm-up (at least 5)")
    parser.add_argument("--only", default="", help="comma-separated: " + ",".join(BENCHES))
    args = parser.parse_args()
    runs = max(5, args.runs)
    names = [n for n in args.only.split(",") if n] or list(BENCHES)
    figures: list[Figure] = []
    failures: dict[str, str] = {}
    for name in names:
        print(f"… {name}", file=sys.stderr, flush=True)
        try:
            figures += BENCHES[name](runs)
        except Exception as exc:  # noqa: BLE001 - a broken benchmark is reported, the rest still run
            failures[name] = f"{type(exc).__name__}: {exc}"
            print(f"   {name} failed: {failures[name]}", file=sys.stderr)
    rows = [("figure", "sadtui (median)", "baseline (median)", "ratio", "target", "ok")]
    for f in figures:
        rows.append((
            f.name,
            fmt(f.median, f.unit),
            f"{fmt(f.baseline_median, f.unit)}: {f.baseline_name}" if f.baseline_median is not None else "-",
            f"{f.ratio:.2f}x" if f.ratio is not None else "-",
            f.target,
            "yes" if f.ok else "NO",
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
    result = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "machine": machine(),
        "runs": runs,
        "figures": [f.to_json() for f in figures],
        "failed": failures,
    }
    if set(names) == set(BENCHES):
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {RESULTS.relative_to(ROOT)}")
    else:
        partial = RESULTS.with_name("results.partial.json")
        partial.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {partial.relative_to(ROOT)} (partial run)")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
