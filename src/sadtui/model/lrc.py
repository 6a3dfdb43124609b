"""Lyrics in LRC form (synced) or plain text: the parser and the model.

What is understood, from the variants found in the wild:

- ``[mm:ss.xx]`` line times, also ``[mm:ss]``, ``[mm:ss.xxx]``, ``[mm:ss:xx]``, and several on one line
  (``[00:12.00][01:30.50]chorus`` is the same line at both times);
- ``[offset:+/-ms]``: a positive offset shows the lines sooner (it is applied when parsing);
- metadata tags (``[ar:]``, ``[ti:]``, ``[al:]``, ``[by:]``, ``[length:]``, ``[re:]``...): kept in
  ``tags``, never shown as lines;
- enhanced LRC's word times (``<mm:ss.xx>``): removed, the words kept;
- CRLF or CR line ends, a UTF-8 byte-order mark.

Text with no line time at all is plain lyrics: its lines are kept as they are (blank lines too,
between verses).  Nothing here raises on bad input; at most MAX_LINES lines are kept.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field

MAX_LINES = 5000
MAX_CHARS = 1_000_000  # longer text is cut before parsing

_TIME = re.compile(r"\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]")
_TAG = re.compile(r"^\[([A-Za-z#]+)\s*:(.*)\]\s*$")
_WORD_TIME = re.compile(r"<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>")
_OFFSET = re.compile(r"^[+-]?\d{1,7}$")


@dataclass(frozen=True, slots=True)
class LyricLine:
    time: float | None  # seconds from the start of the song; None in plain lyrics
    text: str


@dataclass(frozen=True, slots=True)
class Lyrics:
    lines: tuple[LyricLine, ...]
    synced: bool
    tags: dict[str, str] = field(default_factory=dict)
    _times: tuple[float, ...] = field(default=(), repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.synced and not self._times:
            object.__setattr__(self, "_times", tuple(line.time or 0.0 for line in self.lines))

    @property
    def empty(self) -> bool:
        return not any(line.text.strip() for line in self.lines)

    def index_at(self, position: float | None, offset: float = 0.0) -> int | None:
        """The line sung at `position` seconds (shifted by `offset`: +0.5 shows lines
        0.5 s later); None before the first line, in plain lyrics, or without a position."""
        if not self.synced or position is None or not self._times:
            return None
        index = bisect.bisect_right(self._times, position - offset) - 1
        return index if index >= 0 else None

    def plain_text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_lrc(self) -> str:
        """LRC text (plain lyrics: just the lines)."""
        if not self.synced:
            return self.plain_text()
        out = []
        for line in self.lines:
            t = line.time or 0.0
            minutes, seconds = divmod(round(t * 100), 6000)
            out.append(f"[{minutes:02d}:{seconds // 100:02d}.{seconds % 100:02d}]{line.text}")
        return "\n".join(out)


def lyrics_key(title: str, artist: str | None, anime: str | None) -> str:
    """The name a song's lyrics (and their offset) are kept under: its title, artist and
    anime, not its rank (a rank changes between lists)."""
    raw = "\x1f".join(part.strip().casefold() for part in (title, artist or "", anime or ""))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:32]


def _seconds(minutes: str, seconds: str, fraction: str | None) -> float:
    value = int(minutes) * 60 + int(seconds)
    if fraction:
        value += int(fraction) / (10 ** len(fraction))
    return float(value)


def parse_lrc(text: str) -> Lyrics:
    """Parse LRC or plain lyrics (see the module's docstring)."""
    text = text[:MAX_CHARS]
    if text.startswith("\ufeff"):
        text = text[1:]
    raw_lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    tags: dict[str, str] = {}
    timed: list[tuple[float, int, str]] = []
    plain: list[str] = []
    offset = 0.0
    for number, raw in enumerate(raw_lines):
        line = raw.strip()
        times: list[float] = []
        rest = line
        while (match := _TIME.match(rest)) is not None:
            times.append(_seconds(*match.groups()))
            rest = rest[match.end() :].lstrip()
        if times:
            words = _WORD_TIME.sub("", rest)
            words = " ".join(words.split())
            for t in times:
                timed.append((t, number, words))
            continue
        tag = _TAG.match(line)
        if tag is not None:
            name, value = tag.group(1).lower(), tag.group(2).strip()
            if name == "offset":
                if _OFFSET.match(value):
                    offset = int(value) / 1000
            elif len(tags) < 50:
                tags[name] = value[:500]
            continue
        plain.append(_WORD_TIME.sub("", raw).rstrip())
    if timed:
        timed.sort(key=lambda item: (item[0], item[1]))
        lines = tuple(LyricLine(max(0.0, t - offset), words) for t, _, words in timed[:MAX_LINES])
        return Lyrics(lines, True, tags)
    while plain and not plain[-1].strip():
        plain.pop()
    while plain and not plain[0].strip():
        plain.pop(0)
    return Lyrics(tuple(LyricLine(None, words) for words in plain[:MAX_LINES]), False, tags)
