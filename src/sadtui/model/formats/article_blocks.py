"""Reading an article into blocks: headings and paragraphs, in order, without the page's
furniture (navigation, scripts, ads, share bars, tables of contents, comment sections).

Plain text and Markdown are split on blank lines (Markdown's emphasis and links are
kept); HTML is walked with selectolax.  :mod:`sadtui.model.formats.article` then finds
the ranked entries, the FAQ, the intro and the closing word in the blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sadtui.model.formats import FormatError

# ---------------------------------------------------------------- blocks


@dataclass
class Block:
    kind: str  # "heading", "para" or "break" (a strong separation in plain text)
    text: str = ""
    level: int = 0


ENTRY = re.compile(
    r"""^\s*(?:\#|No\.?\s*|Number\s+)?(?P<n>\d{1,4})(?:\s*[.):]|\s*[–—-]|\s+(?=[“"'A-Za-z]))\s*(?P<rest>\S.*)$""",
    re.I,
)
MAX_TITLE_CHARS = 160


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
            if len(para) > 1 and ENTRY.match(para[0]) and len(para[0]) <= MAX_TITLE_CHARS:
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
        if "\n" not in first and len(first) <= MAX_TITLE_CHARS and not ENTRY.match(first) and not first.endswith("."):
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


def looks_like_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in data[:65536].lower() or (
        head.startswith(b"<") and b"</p>" in data[:65536].lower()
    )
