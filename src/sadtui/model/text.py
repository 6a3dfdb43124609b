"""Text from outside made safe to show: the one place that escapes it.

Everything that reaches a terminal, a log or the TUI and did not come from
sadtui itself (yt-dlp and mpv messages, page titles, tags, host names, option
names, playlist fields, file names) goes through :func:`safe_text` or
:func:`safe_line` first.  Control characters (C0, DEL, C1: ``ESC``, ``BEL``...)
and format characters (bidi overrides and isolates such as U+202E and U+2066,
zero-width characters: Unicode category ``Cf``), plus line and paragraph
separators and unassigned or private-use code points, are shown as visible
escapes (``\\x1b``, ``\\u202e``) instead of acting on the terminal.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_unsafe_char", "safe_line", "safe_text", "unsafe_char_name"]

# The quick check: printable ASCII, and the common Latin/CJK/kana ranges, never need escaping.
_SAFE_RUN = re.compile(r"[\x20-\x7e\u00a0-\u00ac\u00ae-\u05ff\u3000-\u9fff\uff01-\uffef]*")
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def is_plain(text: str) -> bool:
    """Does `text` hold only characters that never need escaping (a quick check)?"""
    return _SAFE_RUN.fullmatch(text) is not None


def is_unsafe_char(char: str) -> bool:
    """Would `char` act on a terminal (or hide text) rather than show as itself?"""
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def unsafe_char_name(char: str) -> str:
    """How a person is told about `char`: "a line break", "a tab", "a control character"..."""
    if char in "\n\r\u2028\u2029\x85":
        return "a line break"
    if char == "\t":
        return "a tab"
    category = unicodedata.category(char)
    if category == "Cf":
        return f"an invisible formatting character (U+{ord(char):04X})"
    if category == "Cc":
        return "a control character"
    return f"a character that cannot be shown (U+{ord(char):04X})"


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def safe_text(text: object, *, keep_newlines: bool = False) -> str:
    """`text` with every unsafe character shown as a visible escape.

    `keep_newlines` keeps ``\\n`` (and turns ``\\r\\n`` into ``\\n``) for multi-line
    text such as a description; tabs become a space.
    """
    if not isinstance(text, str):
        text = str(text)
    if _SAFE_RUN.fullmatch(text):
        return text
    if keep_newlines:
        text = text.replace("\r\n", "\n")
    out = []
    for char in text:
        if char == "\n" and keep_newlines:
            out.append(char)
        elif char == "\t":
            out.append(" ")
        elif is_unsafe_char(char):
            out.append(_escape(char))
        else:
            out.append(char)
    return "".join(out)


def safe_line(text: object, *, limit: int = 500) -> str:
    """One line of outside text, safe to show: its first non-empty line, escaped and
    cut to `limit` characters (with an ellipsis)."""
    if not isinstance(text, str):
        text = str(text)
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    line = safe_text(first)
    if len(line) > limit:
        line = line[: limit - 1].rstrip() + "…"
    return line
