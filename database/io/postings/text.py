"""A posting's description as plain text: entities decoded, tags dropped, paragraphs kept."""

from __future__ import annotations

import html
import re

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

#: Elements that start a new line; the paragraph-like ones also leave a blank line.
PARAGRAPHS = frozenset(
    {"p", "div", "section", "article", "ul", "ol", "table", "blockquote", "pre"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "header", "footer"}
)
LINES = frozenset({"li", "tr", "dt", "dd", "br", "hr"})
SKIPPED = frozenset({"script", "style", "noscript", "template", "svg", "head"})
_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def parser() -> str:
    """The parser BeautifulSoup uses: lxml (a dependency of python-docx), fast on big pages."""
    return "lxml"


def plain_text(value: str) -> str:
    """``value`` (text, HTML, or HTML whose tags were written as entities) as plain text."""
    text = value
    # Sites write the description as HTML, or as HTML escaped once more ("&lt;p&gt;").
    for _ in range(2):
        if "&" not in text:
            break
        unescaped = html.unescape(text)
        if unescaped == text:
            break
        text = unescaped
        if _TAG.search(text):
            break
    if _TAG.search(text):
        text = element_text(BeautifulSoup(text, parser()))
    return tidy(text)


def element_text(root: Tag) -> str:
    """The text of ``root`` with a line per block and a blank line between paragraphs."""
    parts: list[str] = []
    _walk(root, parts)
    return "".join(parts)


def _walk(node: Tag, parts: list[str]) -> None:
    for child in node.children:
        if isinstance(child, NavigableString):
            if type(child) is NavigableString:  # not a comment, doctype or CDATA
                parts.append(str(child).replace("\n", " "))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower()
        if name in SKIPPED:
            continue
        if name == "br":
            parts.append("\n")
            continue
        if name in PARAGRAPHS:
            parts.append("\n\n")
            _walk(child, parts)
            parts.append("\n\n")
            continue
        parts.append(("\n" if name in LINES else "") + ("- " if name == "li" else ""))
        _walk(child, parts)


def tidy(text: str) -> str:
    """Spaces collapsed, control characters dropped, at most one blank line in a row."""
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def one_line(value: str) -> str:
    """``value`` as plain text on one line (titles, names, places)."""
    return " ".join(plain_text(value).split())
