"""Fetching a posting's page: a timeout, a size limit, checked redirects, no private addresses.

In hosted mode (unless ``POSTING_ALLOW_PRIVATE``) the server must not become a
way into its own network: every hop's host is resolved and all its addresses
must be public (the webhooks' guard,
:mod:`database.domain.webhooks.destinations`), and the request then connects
to the very address that was checked, so a name that resolves elsewhere the
second time (DNS rebinding) reaches nothing private. Redirects are followed by
hand, at most ``POSTING_MAX_REDIRECTS``, each checked like the first address.
In local mode a laptop may fetch from its own network.

Every failure is a :class:`ValidationError` on ``url`` saying why: the
address is the person's input, and nothing about the database went wrong.
"""

from __future__ import annotations

import codecs
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from database.core.config import deployment_mode
from database.domain.webhooks import destinations
from database.io.postings.settings import PostingSettings, load_settings
from utils.errors import ValidationError

FIELD = "url"
#: Sites answer a browser; some refuse or simplify pages for an unknown client.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0 Safari/537.36 AutoApplyer/1"
)
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
REDIRECTS = frozenset({301, 302, 303, 307, 308})
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)


@dataclass(frozen=True)
class Fetched:
    """A fetched page: the address it was finally read from, and its text."""

    url: str
    html: str


def guard_on(settings: PostingSettings) -> bool:
    """Whether pages must be on public addresses: hosted mode without ``POSTING_ALLOW_PRIVATE``."""
    return deployment_mode() == "hosted" and not settings.allow_private


def fetch_page(url: str, settings: PostingSettings | None = None) -> Fetched:
    """The page at ``url``, read within the settings' time and size; :class:`ValidationError`."""
    settings = settings or load_settings()
    current = destinations.check_url(url)
    guarded = guard_on(settings)
    deadline = time.monotonic() + settings.fetch_timeout
    with httpx.Client(
        timeout=httpx.Timeout(settings.fetch_timeout), follow_redirects=False, trust_env=False
    ) as client:
        for hop in range(settings.max_redirects + 1):
            target = _target(current, guarded, hop)
            try:
                fetched = _get(client, current, target, settings, deadline)
            except httpx.TimeoutException:
                raise _unfetched(f"no answer within {settings.fetch_timeout:g} seconds") from None
            except httpx.HTTPError as exc:
                raise _unfetched(_reason(exc)) from None
            if isinstance(fetched, Fetched):
                return fetched
            current = fetched
    raise _unfetched(f"more than {settings.max_redirects} redirects")


def _target(url: str, guarded: bool, hop: int) -> destinations.Destination:
    try:
        return destinations.destination(url, guarded)
    except ValidationError as exc:
        if hop == 0:
            raise
        raise _refused_redirect(exc) from None


def _get(
    client: httpx.Client,
    url: str,
    target: destinations.Destination,
    settings: PostingSettings,
    deadline: float,
) -> Fetched | str:
    """The page, or the checked address a redirect points to."""
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT, "Accept-Language": "en;q=0.9, *;q=0.5"}
    if target.host is not None:
        headers["Host"] = target.host
    extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
    with client.stream("GET", target.url, headers=headers, extensions=extensions) as response:
        if response.status_code in REDIRECTS and "location" in response.headers:
            try:
                return destinations.check_url(urljoin(url, response.headers["location"]))
            except ValidationError as exc:
                raise _refused_redirect(exc) from None
        if response.status_code >= 400:
            raise _unfetched(f"the site answered HTTP {response.status_code}")
        kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind and kind not in PAGE_TYPES:
            raise _unfetched(f"it is not a web page but {kind[:80]}")
        body = _read(response, settings, deadline)
        return Fetched(url, _decode(body, response.charset_encoding))


def _read(response: httpx.Response, settings: PostingSettings, deadline: float) -> bytes:
    """The body, streamed: refused once over ``max_bytes`` or past the deadline."""
    too_big = f"the page is larger than {_size(settings.max_bytes)} (POSTING_MAX_BYTES)"
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > settings.max_bytes:
        raise _unfetched(too_big)
    chunks: list[bytes] = []
    received = 0
    for chunk in response.iter_bytes():
        received += len(chunk)
        if received > settings.max_bytes:
            raise _unfetched(too_big)
        if time.monotonic() > deadline:
            raise _unfetched(f"no whole answer within {settings.fetch_timeout:g} seconds")
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, declared: str | None) -> str:
    """The page's text in the charset its header or its ``<meta>`` names (else UTF-8)."""
    found = _META_CHARSET.search(body[:4096])
    for name in (declared, found.group(1).decode("ascii") if found else None):
        if name:
            try:
                return body.decode(codecs.lookup(name).name, errors="replace")
            except LookupError:
                continue
    return body.decode("utf-8", errors="replace")


def _size(count: int) -> str:
    mib = count / (1024 * 1024)
    return f"{mib:g} MiB" if mib >= 1 else f"{count // 1024} KiB"


def _reason(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        detail = str(exc).strip()
        return "could not connect" + (f" ({detail[:200]})" if detail else "")
    return type(exc).__name__


def _refused_redirect(exc: ValidationError) -> ValidationError:
    return _unfetched(f"it redirects to an address that is refused ({exc.rule})")


def _unfetched(why: str) -> ValidationError:
    return ValidationError(FIELD, f"could not be fetched: {why}")
