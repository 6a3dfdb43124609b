"""Fuzzing resolved.json: whatever is in the file, the resolver loads it without an
exception, drops every bad entry, keeps the good ones; `sadtui play` with a corrupt
cache plays as usual.  Seeded and bounded (a few hundred cases, about a second)."""

from __future__ import annotations

import json
import random
import subprocess

import pytest

from audio_support import SADTUI, write_playlist
from sadtui.model import paths
from sadtui.model.playlist import Song
from sadtui.model.urls import is_web_url
from sadtui.services.resolve_cache import valid_search, valid_stream
from sadtui.services.resolver import Resolver

SEED = 20261202
CASES = 300
NOW = 1_800_000_000.0
GOOD_URL = "http://127.0.0.1:9/good"
GOOD = {"url": "http://127.0.0.1:9/good.wav", "headers": {"UA": "x"}, "title": "T", "duration": 2.0, "expires_at": NOW + 999}

ODD_VALUES = [
    None, True, False, 0, -1, 1e308, -1e308, 10**400, 1.5, "", "x", "file:///etc/passwd", "av://lavfi:sine",
    "http://127.0.0.1:9/ok.wav", "\x1b]0;pwned\x07", "\u202e", [], [1, [2]], {}, {"a": {"b": []}}, "é" * 5000,
]
ODD_RAW = ["NaN", "Infinity", "-Infinity", "1" + "0" * 400, "1e999", "[" * 3000 + "]" * 3000, '"\\ud800"']


def random_value(rng: random.Random, depth: int = 0) -> object:
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice(ODD_VALUES)
    if roll < 0.75:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {rng.choice(["url", "expires_at", "headers", "title", "duration", "id", "k"]): random_value(rng, depth + 1)
            for _ in range(rng.randint(0, 4))}


def mutated_entry(rng: random.Random) -> object:
    entry: dict = dict(GOOD, headers=dict(GOOD["headers"]))
    for _ in range(rng.randint(1, 3)):
        key = rng.choice(["url", "expires_at", "headers", "title", "duration", "extra"])
        if rng.random() < 0.2:
            entry.pop(key, None)
        else:
            entry[key] = random_value(rng)
    return entry if rng.random() < 0.9 else random_value(rng)


def random_cache_text(rng: random.Random) -> str:
    """A cache file: mostly the right shape with bad entries, sometimes raw junk."""
    kind = rng.random()
    if kind < 0.1:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 200))).decode("latin-1")
    if kind < 0.2:
        return json.dumps(random_value(rng))
    streams = {f"http://127.0.0.1:9/bad/{i}": mutated_entry(rng) for i in range(rng.randint(0, 6))}
    searches = {f"terms {i}": mutated_entry(rng) for i in range(rng.randint(0, 3))}
    text = json.dumps(
        {"version": rng.choice([1, 1, 1, 2, "1", None]), "streams": streams, "searches": searches},
        default=str,
    )
    if rng.random() < 0.4:  # a raw token JSON cannot express as a Python value: 401 digits, NaN, nesting
        raw = rng.choice(ODD_RAW)
        text = text.replace('"expires_at": ', f'"expires_at": {raw}, "was": ', 1)
    good = json.dumps({GOOD_URL: GOOD})[1:-1]
    return text.replace('"streams": {', '"streams": {' + good + ("," if streams else ""), 1)


def parsed_version(text: str) -> object:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data.get("version") if isinstance(data, dict) else None


def dict_of(resolved) -> dict:
    return {k: getattr(resolved, k) for k in ("url", "headers", "title", "duration", "expires_at")}


@pytest.mark.unit
def test_fuzzed_cache_files_load_without_an_exception_and_keep_only_good_entries():
    rng = random.Random(SEED)
    path = paths.resolve_cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = 0
    for case in range(CASES):
        text = random_cache_text(rng)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        resolver = Resolver(cache_path=path, clock=lambda: NOW, ydl_factory=lambda o: None)
        for i in range(6):
            for song in (Song(1, "x", url=f"http://127.0.0.1:9/bad/{i}"), Song(1, "x", query=f"terms {i}")):
                other = resolver.cached(song)
                assert other is None or (is_web_url(other.url) and valid_stream(dict_of(other)) is not None)
        hit = resolver.cached(Song(1, "good", url=GOOD_URL))
        intact = parsed_version(text) == 1 and GOOD_URL in text
        if intact:
            assert hit is not None and hit.url == GOOD["url"], (case, text[:300])
            kept += 1
        resolver.invalidate(Song(1, "x", url="http://127.0.0.1:9/nothing"))  # forces a merged write
        data = json.loads(path.read_text())
        assert data["version"] == 1, case
        for entry in data["streams"].values():
            assert valid_stream(entry) == entry, (case, entry)
        for entry in data["searches"].values():
            assert valid_search(entry) == entry, (case, entry)
        assert (GOOD_URL in data["streams"]) == intact, case
    assert kept > CASES // 3  # the generator does plant good entries among the bad


@pytest.mark.e2e
def test_sadtui_play_with_a_corrupt_cache_plays_as_usual(audio_server, tmp_path):
    song_url = audio_server.url("/a.wav")
    page_url = audio_server.url("/page.html")
    path = paths.resolve_cache_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    huge = "1" + "0" * 400
    path.write_text(
        '{"version": 1, "searches": {"x": {"url": [1], "expires_at": ' + huge + "}}, "
        f'"streams": {{"{song_url}": {{"url": "file:///etc/passwd", "expires_at": {huge}}}, '
        f'"{page_url}": {{"url": {{"a": [1]}}, "headers": [[1, 2]], "expires_at": {huge}}}}}}}'
    )
    songs = write_playlist(tmp_path / "songs.toml", [("A", song_url), ("Page", page_url)])
    result = subprocess.run(
        [str(SADTUI), "play", "1", "2", "--playlist", str(songs), "--mpv-option", "ao=null"],
        capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    streams = json.loads(path.read_text())["streams"]
    assert streams[page_url]["url"] == audio_server.url("/b.wav")
    assert "file:" not in path.read_text()
