"""`sadtui import` on big inputs (issue 13): a 500-entry ranked article (HTML) and a
10,000-entry M3U, each the whole command (a process: read, parse, write the TOML, check
it with the real loader), against `sadtui list --json` of the default playlist in the
same run (the floor: a process that starts and loads a playlist)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from common import SADTUI, Figure, bench_env, interleaved, tmpdir


def _article(path: Path, entries: int = 500) -> Path:
    parts = ["<!DOCTYPE html><html><head><title>Big list | Blog</title></head><body>",
             "<nav><a href='/'>Home</a></nav><article><h1>Five hundred songs, ranked</h1><p>An intro.</p>"]
    for rank in range(1, entries + 1):
        parts.append(f"<h2>{rank}. Song {rank} – Artist {rank} (Show {rank})</h2>"
                     f"<p>Why <em>song {rank}</em> hurts, in a sentence or two of its own.</p>"
                     "<div class='ad-slot'>Buy things</div><p>A second paragraph.</p>")
    parts.append("<h2>Conclusion</h2><p>Goodbye.</p></article><div id='comments'><p>1. nice</p></div></body></html>")
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _m3u(path: Path, entries: int = 10_000) -> Path:
    lines = ["#EXTM3U", "#PLAYLIST:Ten thousand"]
    for rank in range(1, entries + 1):
        lines += [f"#EXTINF:200,Artist {rank} - Song {rank}", f"https://media.example/{rank}.mp3"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    took = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[1:3]} failed ({proc.returncode}): {proc.stderr.strip()[-300:]}")
    return took


def bench_import(runs: int) -> list[Figure]:
    tmp = tmpdir()
    env = bench_env(tmp)
    article, m3u = _article(tmp / "big.html"), _m3u(tmp / "big.m3u")
    out = tmp / "out.toml"
    base = [str(SADTUI), "list", "--json"]
    a, m, b = interleaved([
        lambda: _timed([str(SADTUI), "import", str(article), "-o", str(out)], env),
        lambda: _timed([str(SADTUI), "import", str(m3u), "-o", str(out)], env),
        lambda: _timed(base, env),
    ], runs)
    first = Figure("sadtui import of a 500-entry ranked article (HTML), whole process", "s", a, b,
                   "sadtui list --json of the default playlist (process floor)", target="< 1 s")
    first.ok = first.median < 1.0
    second = Figure("sadtui import of a 10,000-entry M3U, whole process", "s", m, b,
                    "sadtui list --json of the default playlist (process floor)", target="< 1 s")
    second.ok = second.median < 1.0
    return [first, second]
