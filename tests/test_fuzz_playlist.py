"""Fuzzing the playlist loader: random and mutated playlist files, seeded and bounded.

Starting from the real default playlist, each case mutates the text, the bytes or the
parsed structure (types, values, control and bidi characters, huge numbers, deep
nesting, duplicate ranks, binary).  The loader either returns a playlist whose every
text is safe to show, or raises PlaylistError with one safe line; never anything else.
A smaller sample goes through a real `sadtui list --playlist FILE`: exit 0, or exit 2
with exactly one line on stderr; never a traceback.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import random
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from sadtui.model.playlist import MULTILINE_KEYS, PlaylistError, default_playlist_path, load_playlist
from sadtui.model.text import is_unsafe_char

SEED = int(os.environ.get("SADTUI_FUZZ_SEED", "20261202"))
CASES = int(os.environ.get("SADTUI_FUZZ_CASES", "300"))
CLI_CASES = 12
SADTUI = Path(sys.executable).with_name("sadtui")

BASE_TEXT = default_playlist_path().read_text(encoding="utf-8")
BASE_DATA = tomllib.loads(BASE_TEXT)

NASTY_CHARS = [
    "\x00", "\x07", "\x1b", "\x1b[2J", "\x1b]0;pwned\x07", "\x7f", "\x85", "\x9b", "\t", "\n", "\r",
    "\u202e", "\u2066", "\u2067", "\u2069", "\u200b", "\u200d", "\ufeff", "\u2028", "\ue000", "\U0010ffff",
    '"', "'", "\\", "[", "]", "{", "}", "=", "#", ",", ".", " ", "悲", "é", "\u0301",
]
HUGE_NUMBERS = [
    "0", "-1", "1.5", "1e400", "-1e400", "inf", "nan", "9223372036854775807", "9223372036854775808",
    "1" + "0" * 400, "0x7fffffffffffffff", "1_000", "true", "1979-05-27T07:32:00Z", '"7"',
]


# ---------------------------------------------------------------- a tiny TOML writer (inline form)


def toml_value(value, depth: int = 0) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (datetime.date, datetime.time, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v, depth + 1)}"
                               for k, v in value.items()) + "}"
    raise TypeError(type(value))


def to_toml(data: dict) -> str:
    return "".join(f"{json.dumps(k, ensure_ascii=False)} = {toml_value(v)}\n" for k, v in data.items())


# ---------------------------------------------------------------- mutations


def random_value(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return rng.choice([0, -1, 1, 2**63 - 1, -(2**63), rng.randrange(-10**6, 10**6)])
    if kind == 1:
        return rng.choice([0.5, float("inf"), float("nan"), -0.0, 1e308])
    if kind == 2:
        return rng.choice([True, False])
    if kind == 3:
        return "".join(rng.choice(NASTY_CHARS + ["a", "b", " "]) for _ in range(rng.randrange(0, 12)))
    if kind == 4:
        return datetime.datetime(2026, 12, 2, 7, 32, tzinfo=datetime.UTC)
    if kind == 5:
        return ""
    if kind == 6:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(0, 4))]
    if kind == 7:
        return {rng.choice(["rank", "title", "x", "url", "\u202e"]): random_value(rng, depth + 1)
                for _ in range(rng.randrange(0, 4))}
    nested: object = "deep"
    for _ in range(rng.randrange(10, 60)):
        nested = [nested] if rng.random() < 0.5 else {"k": nested}
    return nested


def mutate_structure(rng: random.Random) -> str:
    data = json.loads(json.dumps(BASE_DATA))  # a deep copy (the default list has only JSON types)
    for _ in range(rng.randrange(1, 4)):
        choice = rng.randrange(7)
        songs = data.get("songs")
        if choice == 0 and isinstance(songs, list) and songs:
            song = rng.choice(songs)
            if isinstance(song, dict):
                song[rng.choice(["rank", "title", "anime", "artist", "description", "query", "url", "urll"])] = (
                    random_value(rng))
        elif choice == 1 and isinstance(songs, list) and len(songs) > 1:
            a, b = rng.sample(range(len(songs)), 2)
            if isinstance(songs[a], dict) and isinstance(songs[b], dict):
                songs[a]["rank"] = songs[b].get("rank")  # a duplicate rank
        elif choice == 2:
            data[rng.choice(["title", "intro", "outro", "source", "songs", "faq", "extra"])] = random_value(rng)
        elif choice == 3 and isinstance(songs, list) and songs:
            del songs[rng.randrange(len(songs)):]  # none left, or fewer
        elif choice == 4 and isinstance(data.get("faq"), list) and data["faq"]:
            entry = rng.choice(data["faq"])
            entry[rng.choice(["question", "answer", "x"])] = random_value(rng)
        elif choice == 5 and isinstance(songs, list) and songs and isinstance(songs[0], dict):
            key = rng.choice(["title", "description", "url", "anime"])
            old = str(songs[0].get(key, "x"))
            at = rng.randrange(len(old) + 1)
            songs[0][key] = old[:at] + rng.choice(NASTY_CHARS) + old[at:]
        else:
            data.pop(rng.choice(list(data) or ["title"]), None)
    return to_toml(data)


def mutate_text(rng: random.Random) -> str:
    text = BASE_TEXT
    for _ in range(rng.randrange(1, 5)):
        choice = rng.randrange(6)
        at = rng.randrange(len(text) + 1)
        if choice == 0:
            text = text[:at] + rng.choice(NASTY_CHARS) + text[at:]
        elif choice == 1:
            text = text[:at] + text[at + rng.randrange(1, 200):]
        elif choice == 2:
            lines = text.splitlines(keepends=True)
            i = rng.randrange(len(lines))
            lines.insert(rng.randrange(len(lines) + 1), lines[i])  # a duplicated line: a key twice...
            text = "".join(lines)
        elif choice == 3:
            lines = text.splitlines(keepends=True)
            for i, line in enumerate(lines):
                if line.startswith("rank = ") and rng.random() < 0.3:
                    lines[i] = f"rank = {rng.choice(HUGE_NUMBERS)}\n"
            text = "".join(lines)
        elif choice == 4:
            text = text[:at] + rng.choice(["[[songs]]\n", "[songs]\n", "[[faq]]\n", "[a.b.c]\n", "x = [[[[\n"]) + text[at:]
        else:
            text = text[:at]  # cut short
    return text


def mutate_bytes(rng: random.Random) -> bytes:
    raw = bytearray(BASE_TEXT.encode("utf-8"))
    for _ in range(rng.randrange(1, 6)):
        at = rng.randrange(len(raw) + 1)
        raw[at:at] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 8)))
    if rng.random() < 0.2:
        raw = bytearray(os.urandom(rng.randrange(1, 512)))  # plain binary
    if rng.random() < 0.1:
        raw = bytearray(b"\xef\xbb\xbf") + raw  # a BOM
    return bytes(raw)


def case(number: int) -> bytes:
    rng = random.Random(f"{SEED}:{number}")
    kind = number % 3
    if kind == 0:
        return mutate_structure(rng).encode("utf-8", "surrogatepass")
    if kind == 1:
        return mutate_text(rng).encode("utf-8", "surrogatepass")
    return mutate_bytes(rng)


# ---------------------------------------------------------------- checks


def _check_safe_playlist(playlist) -> None:
    def ok(text: str | None, key: str) -> None:
        if text is None:
            return
        allowed = "\n\t" if key in MULTILINE_KEYS else ""
        bad = [c for c in text if c not in allowed and is_unsafe_char(c)]
        assert not bad, (key, text)

    for key in ("title", "intro", "outro", "source"):
        ok(getattr(playlist, key), key)
    ranks = [song.rank for song in playlist.songs]
    assert ranks == sorted(set(ranks)) and all(r >= 1 for r in ranks)
    for song in playlist.songs:
        for key in ("title", "anime", "artist", "description", "query", "url"):
            ok(getattr(song, key), key)
    for entry in playlist.faq:
        ok(entry.question, "question")
        ok(entry.answer, "answer")


@pytest.mark.unit
def test_the_loader_refuses_or_accepts_every_fuzzed_file_cleanly(tmp_path):
    outcomes = {"loaded": 0, "refused": 0}
    for number in range(CASES):
        path = tmp_path / f"case{number}.toml"
        path.write_bytes(case(number))
        try:
            playlist = load_playlist(path)
        except PlaylistError as exc:
            message = str(exc)
            assert message.startswith(str(path) + ": "), (number, message)
            assert "\n" not in message and not any(is_unsafe_char(c) for c in message), (number, message)
            outcomes["refused"] += 1
        except Exception as exc:  # noqa: BLE001 - the point of the test
            pytest.fail(f"case {number} (seed {SEED}): {type(exc).__name__}: {exc!r}")
        else:
            _check_safe_playlist(playlist)
            outcomes["loaded"] += 1
    # The cases reach both outcomes (a fuzzer that only produces garbage tests little).
    assert outcomes["loaded"] >= CASES // 20 and outcomes["refused"] >= CASES // 2, outcomes


@pytest.mark.e2e
def test_sadtui_list_on_fuzzed_files_exits_0_or_2_with_one_line(tmp_path):
    for number in range(0, CASES, max(1, CASES // CLI_CASES)):
        path = tmp_path / f"case{number}.toml"
        path.write_bytes(case(number))
        result = subprocess.run(
            [str(SADTUI), "list", "--playlist", str(path)],
            capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
        )
        err = result.stderr.decode("utf-8", "replace")
        assert "Traceback" not in err, (number, err)
        assert result.returncode in (0, 2), (number, result.returncode, err)
        if result.returncode == 2:
            assert err.count("\n") == 1 and err.startswith("sadtui: "), (number, err)
            assert "\x1b" not in err and "\u202e" not in err
        else:
            assert err == "" and result.stdout
