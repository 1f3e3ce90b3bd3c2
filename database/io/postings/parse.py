"""Finding a schema.org ``JobPosting`` in a page, and what the page says of itself.

The posting comes from the page's JSON-LD (``<script type="application/ld+json">``):
one object, an array, a ``@graph``, or nested in another node (a ``WebPage``'s
``mainEntity``), in any of several scripts; a script that is not valid JSON is
skipped, not fatal. Nodes named by ``@id`` are kept so that a reference such as
``"hiringOrganization": {"@id": "#org"}`` can be followed. Besides, the page's
Open Graph title, site name and description and its ``<title>`` are read as
fallbacks for a page without (complete) structured data.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import Tag
from bs4.filter import SoupStrainer

from database.io.postings.text import element_text, one_line, parser, tidy

log = logging.getLogger(__name__)

#: How deep a JSON-LD document is searched (nothing real nests deeper).
MAX_DEPTH = 12
#: The fallback description of a page without one: its visible text, at most this long.
MAX_PAGE_TEXT = 100_000
JSON_LD = "application/ld+json"
_SCHEMA_PREFIX = re.compile(r"^(https?://schema\.org/|schema:)", re.IGNORECASE)
_WRAPPERS = re.compile(r"^\s*(<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(-->|//\s*\]\]>|\]\]>)\s*$")
_HEAD_TAGS = SoupStrainer(["script", "meta", "title", "link"])


@dataclass
class Page:
    """What was found in a page: its ``JobPosting`` nodes and its own title and names."""

    postings: list[dict[str, Any]] = field(default_factory=list)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    source: str = ""

    def resolve(self, value: Any) -> Any:
        """``value``, or the node it refers to when it is only an ``{"@id": ...}`` reference."""
        if isinstance(value, dict) and set(value) <= {"@id", "@type"}:
            ref = value.get("@id")
            if isinstance(ref, str) and ref in self.nodes:
                return self.nodes[ref]
        return value

    def body_text(self) -> str:
        """The page's visible text (the description of a page that gives none)."""
        soup = BeautifulSoup(self.source, parser())
        for name in ("nav", "header", "footer", "form", "aside"):
            for element in soup.find_all(name):
                element.decompose()
        root = soup.body or soup
        return tidy(element_text(root))[:MAX_PAGE_TEXT]


def read_page(source: str) -> Page:
    """The postings and the Open Graph / ``<title>`` facts of the HTML ``source``."""
    page = Page(source=source)
    head = BeautifulSoup(source, parser(), parse_only=_HEAD_TAGS)
    for element in head.find_all(True):
        if not isinstance(element, Tag):
            continue
        if element.name == "script" and _is_json_ld(element):
            data = _json(element.get_text())
            if data is not None:
                _collect(data, page, 0)
        elif element.name == "meta":
            _meta(element, page.meta)
        elif element.name == "title" and page.title is None:
            page.title = one_line(element.get_text()) or None
    return page


def _is_json_ld(script: Tag) -> bool:
    kind = script.get("type")
    return isinstance(kind, str) and kind.split(";")[0].strip().lower() == JSON_LD


def _json(text: str) -> Any:
    """The script's JSON, or ``None`` when it is not valid (one bad script spoils nothing else)."""
    cleaned = _WRAPPERS.sub("", text.strip()).strip()
    if not cleaned:
        return None
    try:
        return json.loads(cleaned)
    except (ValueError, RecursionError) as exc:
        log.debug("skipped a JSON-LD script that is not valid JSON: %s", exc)
        return None


def _collect(data: Any, page: Page, depth: int) -> None:
    if depth > MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            _collect(item, page, depth + 1)
        return
    if not isinstance(data, dict):
        return
    ref = data.get("@id")
    if isinstance(ref, str) and not set(data) <= {"@id", "@type"}:
        page.nodes.setdefault(ref, data)
    if is_job_posting(data):
        page.postings.append(data)
    for value in data.values():
        if isinstance(value, dict | list):
            _collect(value, page, depth + 1)


def is_job_posting(node: dict[str, Any]) -> bool:
    """Whether the JSON-LD node's ``@type`` (a name or a list of names) is ``JobPosting``."""
    kinds = node.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    return any(
        isinstance(name, str) and _SCHEMA_PREFIX.sub("", name.strip()).lower() == "jobposting"
        for name in names
    )


def _meta(element: Tag, meta: dict[str, str]) -> None:
    name = element.get("property") or element.get("name")
    content = element.get("content")
    if isinstance(name, str) and isinstance(content, str) and content.strip():
        meta.setdefault(name.strip().lower(), content.strip())
