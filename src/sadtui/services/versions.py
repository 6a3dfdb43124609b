"""Versions of a song: the candidates a search finds, scored against the song.

Pure functions, no I/O.  :func:`score` rates one candidate (title, channel,
duration) against a song (title, artist, anime, expected duration when known):

* words a mismatch carries ("reaction", "1 hour", "loop", "cover", "8D",
  "nightcore", "slowed", "sped up", "karaoke"...) cost a lot, unless the song's
  own search terms ask for them;
* a length over ~12 minutes or under ~45 seconds costs a lot, and one far from
  the song's expected length a little;
* the song's title in the candidate's title is worth most, then its artist or
  anime (in the title or as the channel), then an official or "- Topic" channel;
* the search's own order breaks ties.

:func:`pick` is the automatic first choice; :func:`plays_line` says what will
play ("Plays: <title> · <channel> · 4:12 · kept").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from sadtui.model.playlist import Song
from sadtui.model.text import safe_line
from sadtui.model.urls import is_web_url

__all__ = ["CANDIDATES", "Candidate", "candidates_from_info", "duration_text", "pick", "plays_line", "rank", "score"]

CANDIDATES = 8  # how many a versions search asks for
MAX_SECONDS = 12 * 60
MIN_SECONDS = 45
# A mismatch's words, with what each costs when the query does not ask for it.
_BAD_WORDS: tuple[tuple[str, str, float], ...] = (
    ("reaction", r"react(?:ion|s|ing)?", 60),
    ("hour", r"\d+\s*(?:hours?|hrs?|h)\b(?!\w)", 60),
    ("loop", r"loop(?:ed)?", 50),
    ("cover", r"covers?|covered", 45),
    ("8d", r"8\s*d(?:\s*audio)?", 50),
    ("nightcore", r"nightcore", 50),
    ("slowed", r"slowed|reverb", 45),
    ("sped up", r"sped\s*up|speed\s*up", 45),
    ("karaoke", r"karaoke|off\s*vocal", 35),
    ("tutorial", r"tutorial|lesson|how\s+to\s+play", 50),
    ("piano", r"piano|guitar|violin|ocarina|music\s*box|8\s*bit|orchestral", 25),
    ("remix", r"remix|mashup|edit\s*audio", 30),
    ("amv", r"amv|edit|mmv", 15),
    ("live", r"live|concert", 12),
    ("instrumental", r"instrumental", 20),
    ("mix", r"compilation|playlist|mix|medley|best\s+of|top\s+\d+", 40),
    ("extended", r"extended|full\s+album", 15),
)
_BAD = tuple((name, re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])"), cost) for name, pattern, cost in _BAD_WORDS)
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Candidate:
    url: str  # the video's page (always http(s))
    title: str
    channel: str | None = None
    duration: float | None = None  # seconds
    score: float = 0.0
    position: int = 0  # in the search's own order, from 0

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "title": self.title, "channel": self.channel, "duration": self.duration,
                "score": round(self.score, 1)}


def _norm(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_WORD.findall(text))


def _contains(haystack: str, needle: str) -> bool:
    """Is `needle` (normalised) in `haystack` (normalised) as whole words?"""
    return bool(needle) and f" {needle} " in f" {haystack} "


def _words_found(haystack: str, needle: str) -> float:
    """The share of `needle`'s words that are in `haystack`."""
    words = needle.split()
    if not words:
        return 0.0
    have = set(haystack.split())
    return sum(1 for w in words if w in have) / len(words)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if value == value and 0 < value < 10**7 else None


def score(candidate: Candidate, song: Song, expected: float | None = None) -> float:
    """How well `candidate` matches `song` (higher is better; about -200 to 100)."""
    title, channel = _norm(candidate.title), _norm(candidate.channel)
    query = _norm(" ".join(filter(None, (song.search_terms, song.title, song.anime))))
    points = 0.0
    song_title = _norm(song.title)
    if _contains(title, song_title):
        points += 40
    else:
        points += 30 * _words_found(title, song_title)
    artist, anime = _norm(song.artist), _norm(song.anime)
    if artist and (_contains(title, artist) or _contains(channel, artist) or channel.startswith(artist)):
        points += 20
    elif artist:
        points += 8 * _words_found(title + " " + channel, artist)
    if anime and _contains(title, anime):
        points += 15
    raw_channel = (candidate.channel or "").strip()
    if raw_channel.endswith("- Topic"):
        points += 12
    elif re.search(r"(?i)official|vevo|records|music\b|sony|aniplex|lantis|avex|king\s*amusement", raw_channel):
        points += 8
    if "official" in title.split():
        points += 3
    text = f" {title} "
    for _name, pattern, cost in _BAD:
        if pattern.search(text) and not pattern.search(f" {query} "):
            points -= cost
    seconds = candidate.duration
    if seconds is not None:
        if seconds > MAX_SECONDS:
            points -= 60
        elif seconds < MIN_SECONDS:
            points -= 60
        elif expected:
            points -= min(30.0, abs(seconds - expected) / 6)
    points += max(0, CANDIDATES - candidate.position) * 0.5  # the search's own order breaks ties
    return points


def candidates_from_info(info: Any) -> list[Candidate]:
    """The search result's entries as candidates (web pages only; titles as given)."""
    if not isinstance(info, dict):
        return []
    entries = info.get("entries") if "entries" in info or info.get("_type") == "playlist" else [info]
    out: list[Candidate] = []
    seen: set[str] = set()
    for entry in entries or []:
        if not isinstance(entry, dict):
            continue
        url = entry.get("webpage_url") or entry.get("url")
        if not is_web_url(url) or url in seen:
            continue
        seen.add(url)
        title = entry.get("title") if isinstance(entry.get("title"), str) else None
        channel = entry.get("channel") or entry.get("uploader")
        out.append(Candidate(
            url=url,
            title=(title or url)[:500],
            channel=channel[:200] if isinstance(channel, str) and channel else None,
            duration=_number(entry.get("duration")),
            position=len(out),
        ))
    return out


def rank(candidates: Iterable[Candidate], song: Song, expected: float | None = None) -> list[Candidate]:
    """The candidates scored, best first (the search's order among equals)."""
    scored = [replace(c, score=score(c, song, expected)) for c in candidates]
    return sorted(scored, key=lambda c: (-c.score, c.position))


def pick(candidates: Iterable[Candidate], song: Song, expected: float | None = None) -> Candidate | None:
    """The automatic first choice, or None when there is nothing."""
    ranked = rank(candidates, song, expected)
    return ranked[0] if ranked else None


def duration_text(seconds: float | None) -> str:
    if seconds is None:
        return "?:??"
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def plays_line(song: Song, pin: Any = None, *, kept: bool = False) -> str:
    """What will play, one line of safe text ("Plays: <title> · <channel> · 4:12 · kept")."""
    if song.path:
        parts = [f"your file {safe_line(song.path, limit=200)}"]
    elif song.url:
        parts = [safe_line(song.url, limit=200)]
    elif pin is not None:
        parts = [safe_line(pin.title or pin.url, limit=120)]
        if pin.channel:
            parts.append(safe_line(pin.channel, limit=60))
        if pin.duration:
            parts.append(duration_text(pin.duration))
    else:
        parts = [f"the best match of a search for “{safe_line(song.search_terms, limit=120)}” (not chosen yet)"]
    if kept:
        parts.append("kept")
    return "Plays: " + " · ".join(parts)
