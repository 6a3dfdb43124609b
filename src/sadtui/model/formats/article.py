"""A ranked-list article (HTML, Markdown or plain text) made into a playlist.

The page is first reduced to a flat list of blocks (headings and paragraphs, in
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

# ---------------------------------------------------------------- blocks


@dataclass
class Block:
    kind: str  # "heading", "para" or "break" (a strong separation in plain text)
    text: str = ""
    level: int = 0


_ENTRY = re.compile(
    r"""^\s*(?:\#|No\.?\s*|Number\s+)?(?P<n>\d{1,4})(?:\s*[.):]|\s*[–—-]|\s+(?=[“"'A-Za-z]))\s*(?P<rest>\S.*)$""",
    re.I,
)
_FAQ_HEADING = re.compile(r"\b(faq|faqs|frequently asked|questions)\b", re.I)
_CLOSING_HEADING = re.compile(
    r"^(conclusion|in conclusion|final (thoughts|words)|wrapping up|to sum up|summary|closing|the end|verdict)\b", re.I
)
MAX_TITLE_CHARS = 160


def _is_question(block: Block) -> bool:
    text = block.text.strip().strip("*_ ")
    return text.endswith("?") and len(text) <= 200 and (block.kind == "heading" or "\n" not in text)


# ---------------------------------------------------------------- plain text and Markdown


def blocks_from_text(text: str, *, markdown: bool) -> tuple[list[Block], str | None]:
    """Paragraphs (and Markdown headings) of `text`; the second value is a title
    when the text opens with one (a Markdown `# heading` or a short first line)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    blocks: list[Block] = []
    para: list[str] = []
    blank = 0

    def flush() -> None:
        if para:
            # "1) Title" with its description on the next lines: the entry's line on its own.
            if len(para) > 1 and _ENTRY.match(para[0]) and len(para[0]) <= MAX_TITLE_CHARS:
                blocks.append(Block("para", para.pop(0)))
            blocks.append(Block("para", "\n".join(para).strip()))
            para.clear()

    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            flush()
            blank += 1
            continue
        if blank >= 2 and blocks:
            blocks.append(Block("break"))
        blank = 0
        heading = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", stripped) if markdown else None
        if heading:
            flush()
            blocks.append(Block("heading", heading.group(2), len(heading.group(1))))
        elif markdown and re.match(r"^\d{1,4}[.)]\s", stripped):
            flush()  # a numbered list item is a block of its own
            para.append(stripped)
        else:
            para.append(stripped)
    flush()
    title = None
    if blocks and blocks[0].kind == "heading" and blocks[0].level == 1:
        title = blocks.pop(0).text
    elif not markdown and blocks and blocks[0].kind == "para":
        first = blocks[0].text
        if "\n" not in first and len(first) <= MAX_TITLE_CHARS and not _ENTRY.match(first) and not first.endswith("."):
            title = blocks.pop(0).text
    return blocks, title


# ---------------------------------------------------------------- HTML

_DROP_TAGS = "script, style, noscript, nav, header, footer, aside, form, iframe, svg, button, template, select, input"
_BOILERPLATE_TOKEN = re.compile(
    r"(^|[-_])(share|sharing|sharedaddy|social|comments?|respond|advert\w*|adsbygoogle|sponsor\w*|sidebar|"
    r"related\w*|newsletter|subscribe|breadcrumbs?|cookie\w*|popup|toc|ez-toc\w*|table-of-contents|author-box|"
    r"widget\w*|promo\w*|banner)([-_]|$)",
    re.I,
)
_AD_TOKEN = re.compile(r"^(ad|ads|ad-.*|.*-ad|ad_.*|dfp.*|gpt.*)$", re.I)
_BLOCK_TAGS = {"p", "blockquote", "pre", "dd", "dt", "figcaption", "td"}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def _is_boilerplate(node) -> bool:
    attrs = node.attributes
    if (attrs.get("role") or "").lower() in ("navigation", "complementary", "banner", "contentinfo"):
        return True
    if (attrs.get("aria-hidden") or "").lower() == "true":
        return True
    tokens = f"{attrs.get('class') or ''} {attrs.get('id') or ''}".split()
    return any(_BOILERPLATE_TOKEN.search(token) or _AD_TOKEN.match(token) for token in tokens)


def _inline(node) -> str:
    """The Markdown of `node`'s inline content: emphasis and http(s) links kept."""
    out: list[str] = []
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            out.append(child.text_content or "")
        elif tag == "br":
            out.append("\n")
        elif tag in ("em", "i", "cite"):
            inner = _inline(child).strip()
            out.append(f"*{inner}*" if inner else "")
        elif tag in ("strong", "b"):
            inner = _inline(child).strip()
            out.append(f"**{inner}**" if inner else "")
        elif tag == "a":
            inner = _inline(child).strip()
            href = (child.attributes.get("href") or "").strip()
            if inner and re.match(r"^https?://[^\s()<>]+$", href):
                out.append(f"[{inner}]({href})")
            else:
                out.append(inner)
        elif tag in ("img", "picture", "video", "audio", "source", "-comment"):
            continue
        else:
            out.append(_inline(child))
    return "".join(out)


def _text_of(node) -> str:
    return " ".join(_inline(node).split())


def _walk(node, blocks: list[Block]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            text = (child.text_content or "").strip()
            if text:
                blocks.append(Block("para", text))
        elif tag in _HEADINGS:
            text = _text_of(child)
            if text:
                blocks.append(Block("heading", text, _HEADINGS[tag]))
        elif tag in _BLOCK_TAGS:
            text = "\n".join(" ".join(line.split()) for line in _inline(child).split("\n")).strip()
            if text:
                blocks.append(Block("para", text))
        elif tag == "ol":
            _walk_list(child, blocks, ordered=True)
        elif tag == "ul":
            _walk_list(child, blocks, ordered=False)
        elif tag in ("-comment", "img", "hr", "table", "figure", "picture", "video", "audio"):
            continue
        else:
            _walk(child, blocks)


def _walk_list(node, blocks: list[Block], *, ordered: bool) -> None:
    items = [child for child in node.iter() if child.tag == "li"]
    reversed_ = ordered and "reversed" in node.attributes
    try:
        number = int(node.attributes.get("start") or (len(items) if reversed_ else 1))
    except ValueError:
        number = len(items) if reversed_ else 1
    for item in items:
        nested = item.css_first("p, ol, ul, h2, h3, h4")
        if nested is not None:  # an item with its own paragraphs: its first line numbered, the rest after
            inner: list[Block] = []
            _walk(item, inner)
            if inner and ordered:
                inner[0] = Block(inner[0].kind if inner[0].kind == "heading" else "para", f"{number}. {inner[0].text}",
                                 inner[0].level)
            blocks.extend(inner)
        else:
            text = _text_of(item)
            if text:
                blocks.append(Block("para", f"{number}. {text}" if ordered else f"- {text}"))
        number += -1 if reversed_ else 1


def blocks_from_html(html: str) -> tuple[list[Block], str | None]:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(html)
    page_title = None
    title_node = tree.css_first("title")
    if title_node is not None:
        page_title = " ".join(title_node.text().split()) or None
        if page_title:  # "List title | Site name" / "List title - Site"
            page_title = re.split(r"\s+[|·»]\s+|\s+[–—-]\s+(?=[^–—-]{1,40}$)", page_title)[0]
    # The list's own title: the first <h1> of the article (before headers are dropped).
    h1_node = tree.css_first("article h1, main h1, [role=main] h1") or tree.css_first("h1")
    h1_text = _text_of(h1_node) if h1_node is not None else None
    if h1_node is not None:
        h1_node.decompose()
    for node in tree.css(_DROP_TAGS):
        node.decompose()
    for node in list(tree.css("[class], [id], [role], [aria-hidden]")):
        try:
            if _is_boilerplate(node):
                node.decompose()
        except Exception:  # noqa: BLE001, S112 - a node already gone with its parent
            continue
    container = None
    for selector in ("article", "main", "[role=main]", ".entry-content", ".post-content", "body"):
        container = tree.css_first(selector)
        if container is not None:
            break
    if container is None:
        raise FormatError("an HTML page with no content")
    blocks: list[Block] = []
    _walk(container, blocks)
    return blocks, h1_text or page_title


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
        match = _ENTRY.match(text)
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


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in data[:65536].lower() or (
        head.startswith(b"<") and b"</p>" in data[:65536].lower()
    )


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
