"""Job postings read from their page: the schema.org ``JobPosting`` as a new application's fields.

:func:`read_posting` takes the page's address (fetched, see
:mod:`~database.io.postings.fetch`) or its HTML (pasted; the address, when
given too, is only where the page came from) and answers the fields
``add_job_application`` takes. Found are the page's JSON-LD ``JobPosting``
(:mod:`~database.io.postings.parse`), mapped by
:mod:`~database.io.postings.mapping`; a page without one falls back on its
Open Graph title and site name, or its ``<title>``. Nothing here touches the
database, so a caller fetches before it opens a transaction.
"""

from __future__ import annotations

from typing import Any

from database.domain.webhooks.destinations import check_url
from database.io.postings.fetch import fetch_page
from database.io.postings.mapping import application_fields
from database.io.postings.parse import read_page
from database.io.postings.settings import PostingSettings, load_settings
from utils.errors import ValidationError

NOT_FOUND = "no job posting found: the page has no schema.org JobPosting, nor a title"
NO_COMPANY = (
    "no job posting found: the page names no company (no hiringOrganization, nor og:site_name)"
)


def read_posting(
    url: str | None, html: str | None, settings: PostingSettings | None = None
) -> dict[str, Any]:
    """The fields of a new application from the posting at ``url`` or in ``html``.

    :class:`ValidationError` on ``url`` when it is no web address or cannot be
    fetched, on ``html`` when it is too long, and on the input given (``html``
    if any, else ``url``) when the page holds no posting.
    """
    settings = settings or load_settings()
    check_source(url, html, settings)
    field = "html" if html is not None else "url"
    if html is None:
        assert url is not None
        fetched = fetch_page(url, settings)
        page_url: str | None = fetched.url
        source = fetched.html
    else:
        page_url = None if url is None else check_url(url)
        source = html
    page = read_page(source)
    posting = next((p for p in page.postings if p.get("title")), None)
    posting = posting or (page.postings[0] if page.postings else None)
    fields = application_fields(page, posting, page_url)
    if not fields.get("job_title"):
        raise ValidationError(field, NOT_FOUND)
    if not fields.get("company"):
        raise ValidationError(field, NO_COMPANY)
    return fields


def check_source(url: Any, html: Any, settings: PostingSettings) -> None:
    """:class:`ValidationError` unless ``url`` or ``html`` is given, each as text of a fit size."""
    if url is None and html is None:
        raise ValidationError("url", "give the posting's address (url) or its HTML (html)")
    if url is not None and (not isinstance(url, str) or not url.strip()):
        raise ValidationError("url", "must be an http or https URL", url)
    if html is not None:
        if not isinstance(html, str) or not html.strip():
            raise ValidationError("html", "must be the page's HTML text")
        if len(html.encode("utf-8", errors="replace")) > settings.max_bytes:
            raise ValidationError("html", f"must be at most {settings.max_bytes} bytes")


__all__ = ["PostingSettings", "check_source", "load_settings", "read_posting"]
