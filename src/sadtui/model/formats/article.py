"""A ranked-list article (HTML, Markdown or plain text) made into a playlist.

The page is first reduced to a flat list of blocks (by :mod:`.article_blocks`: headings and paragraphs, in
Markdown: emphasis and links kept), without navigation, scripts, ads, share bars,
tables of contents and comment sections.  Then:

* the **entries** are the longest run of numbered blocks ("1. Title (Anime)",
  "#3 – Title – Artist", "10) Title by Artist", numbered ``<h2>``/``<h3>``, the items
  of an ``<ol>``), counting up from 1 or down to 1; the rank is the number shown;
* the paragraphs under an entry are its description;
* questions (headings, or short lines ending in "?") after the entries, or under a
  "FAQ" heading, become the FAQ; numbered points inside an answer stay in it;
* what comes before the first entry is the intro; a heading such as "Conclusion",
  or (in plain text) a paragraph set apart by two blank lines at the end, is the
  closing word;
* the title is the ``<h1>``, the ``<title>`` or the first heading (or line).

Title, artist and anime are split on the usual separators (" – ", " - ", " by ",
parentheses) and left empty when it is unclear which is which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sadtui.model.formats import Entry, FormatError, Imported, clean
from sadtui.model.formats.article_blocks import (
    ENTRY,
    MAX_TITLE_CHARS,
    Block,
    blocks_from_html,
    blocks_from_text,
    looks_like_html,
)

_FAQ_HEADING = re.compile(r"\b(faq|faqs|frequently asked|questions)\b", re.I)
_CLOSING_HEADING = re.compile(
    r"^(conclusion|in conclusion|final (thoughts|words)|wrapping up|to sum up|summary|closing|the end|verdict)\b", re.I
)


def _is_question(block: Block) -> bool:
    text = block.text.strip().strip("*_ ")
    return text.endswith("?") and len(text) <= 200 and (block.kind == "heading" or "\n" not in text)


# ---------------------------------------------------------------- entries


@dataclass
class _Candidate:
    index: int
    number: int
    rest: str


def _candidates(blocks: list[Block]) -> list[_Candidate]:
    found = []
    for index, block in enumerate(blocks):
        if block.kind == "break" or "\n" in block.text.strip():
            continue
        text = block.text.strip().strip("*_").strip()
        match = ENTRY.match(text)
        if not match:
            continue
        rest = match.group("rest").strip().strip("*_").strip()
        if len(rest) > MAX_TITLE_CHARS or (block.kind == "para" and rest.endswith((".", "!", ":")) and len(rest) > 60):
            continue  # a numbered sentence, not an entry's title
        found.append(_Candidate(index, int(match.group("n")), rest))
    return found


def _best_run(candidates: list[_Candidate], headings: set[int]) -> list[_Candidate]:
    """The longest run of candidates numbered n, n±1, n±2... in document order
    (ties: headings over paragraphs, then the earliest)."""
    best: list[_Candidate] = []
    for start in range(len(candidates)):
        for step in (1, -1):
            run = [candidates[start]]
            for cand in candidates[start + 1:]:
                if cand.number == run[-1].number + step:
                    run.append(cand)
            if len(run) < 2 and not (len(candidates) == 1):
                continue
            score = (len(run), sum(c.index in headings for c in run))
            if score > (len(best), sum(c.index in headings for c in best)):
                best = run
    return best


_QUOTED = re.compile(r"^[“\"'‘«]([^”\"'’»]+)[”\"'’»]\s*(.*)$")


def split_title(text: str) -> tuple[str, str | None, str | None]:
    """"Title – Artist (Anime)" → (title, artist, anime); parts that are unclear stay None."""
    text = " ".join(text.split()).strip(" -–—:")
    artist = anime = None
    quoted = _QUOTED.match(text)
    if quoted:
        title, rest = quoted.group(1).strip(), quoted.group(2).strip()
        if not rest:
            return title, None, None
        if paren := re.fullmatch(r"\(([^()]+)\)", rest):
            return title, None, paren.group(1).strip()
        if by := re.match(r"^(?:[–—-]|by)\s+(.+)$", rest, re.I):
            return title, by.group(1).strip(), None
        if from_ := re.match(r"^(?:from|[(\[]?from)\s+(.+?)[)\]]?$", rest, re.I):
            return title, None, from_.group(1).strip()
        return title, None, None  # something follows, but what? leave it empty
    # A trailing "(Anime)" after the rest of the line.
    if tail := re.match(r"^(.*\S)\s+\(([^()]+)\)$", text):
        head, inside = tail.group(1), tail.group(2).strip()
        if re.search(r"\s[–—-]\s|\sby\s", head, re.I) or not re.search(r"\bfeat\.?|\bft\.|\bver(sion)?\b", inside, re.I):
            anime, text = inside, head
    for sep in (" – ", " — ", " - "):
        if sep in text:
            title, _, artist = text.partition(sep)
            return title.strip(), artist.strip() or None, anime
    if by := re.match(r"^(.+?)\s+by\s+(.+)$", text, re.I):
        return by.group(1).strip(), by.group(2).strip(), anime
    return text, None, anime


def _join(blocks: list[Block]) -> str | None:
    parts = []
    for block in blocks:
        if block.kind == "break":
            continue
        parts.append(f"**{block.text}**" if block.kind == "heading" else block.text)
    return clean("\n\n".join(parts), multiline=True)


def build(blocks: list[Block], title: str | None, source: str | None = None) -> Imported:
    """The playlist in `blocks` (see the module's docstring)."""
    headings = {i for i, b in enumerate(blocks) if b.kind == "heading"}
    run = _best_run(_candidates(blocks), headings)
    if not run:
        raise FormatError("nothing numbered in it: not a ranked list")
    imported = Imported(title=clean(title), source=source)
    imported.intro = _join([b for b in blocks[: run[0].index] if not _FAQ_HEADING.search(b.text) or b.kind != "heading"])
    entry_level = blocks[run[0].index].level if blocks[run[0].index].kind == "heading" else None
    ends = [c.index for c in run[1:]]
    for cand, end in zip(run, [*ends, None], strict=True):
        body_end = end if end is not None else _end_of_last_entry(blocks, cand.index, entry_level)
        title_, artist, anime = split_title(cand.rest)
        imported.entries.append(Entry(
            title=clean(title_) or cand.rest, artist=clean(artist), anime=clean(anime),
            description=_join(blocks[cand.index + 1: body_end]), rank=cand.number,
        ))
        last_end = body_end
    _faq_and_outro(imported, blocks[last_end:])
    return imported


def _end_of_last_entry(blocks: list[Block], start: int, entry_level: int | None) -> int:
    """Where the last entry's description stops: a heading of the entries' level or
    above, a question, a closing heading, or a break in plain text."""
    for index in range(start + 1, len(blocks)):
        block = blocks[index]
        if block.kind == "break":
            return index
        if block.kind == "heading" and (entry_level is None or block.level <= entry_level):
            return index
        if _is_question(block) or (block.kind == "heading" and _FAQ_HEADING.search(block.text)):
            return index
    return len(blocks)


def _faq_and_outro(imported: Imported, tail: list[Block]) -> None:
    question: str | None = None
    answer: list[Block] = []
    outro: list[Block] = []
    in_outro = False

    def close_question() -> None:
        nonlocal question
        if question is not None:
            text = _join(answer)
            if text:
                imported.faq.append((clean(question) or question, text))
            else:
                imported.skip("questions without an answer")
        question = None
        answer.clear()

    for block in tail:
        if in_outro:
            outro.append(block)
        elif block.kind == "break":
            if question is not None and answer:
                close_question()
                in_outro = True
        elif block.kind == "heading" and _CLOSING_HEADING.search(block.text.strip()):
            close_question()
            in_outro = True
        elif _is_question(block):
            close_question()
            question = block.text.strip().strip("*_ ")
        elif block.kind == "heading" and _FAQ_HEADING.search(block.text):
            close_question()
        elif question is not None:
            answer.append(block)
        else:
            outro.append(block)
    close_question()
    imported.outro = _join(outro)


# ---------------------------------------------------------------- entry point


def parse_article(data: bytes, name: str = "", source: str | None = None) -> Imported:
    """The ranked list in an article (HTML, Markdown or plain text)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    lower = name.lower()
    if lower.endswith((".html", ".htm", ".xhtml")) or looks_like_html(data):
        blocks, title = blocks_from_html(text)
    else:
        markdown = lower.endswith((".md", ".markdown")) or bool(re.search(r"^#{1,6}\s+\S", text, re.M))
        blocks, title = blocks_from_text(text, markdown=markdown)
    if title is None:
        title = next((b.text for b in blocks if b.kind == "heading"), None)
    return build(blocks, title, source)
