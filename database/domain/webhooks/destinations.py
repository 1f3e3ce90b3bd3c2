"""Where a webhook may be sent: the URL's rules and the guard against server-side request forgery.

A URL is ``http`` or ``https`` with a host, at most :data:`MAX_URL_LENGTH`
characters, without a user name or password (it is shown in listings) or a
fragment. When the guard is on (hosted mode, unless ``WEBHOOKS_ALLOW_PRIVATE``),
the host name is resolved and every address it has must be public: loopback,
private, shared, link-local (the cloud metadata service at 169.254.169.254),
multicast, reserved and unspecified addresses are refused, IPv4 written as
IPv6 included. The check is made when an endpoint is registered and again
before every delivery, and the delivery then connects to the very address
that was checked (:class:`Destination`), so a name that resolves elsewhere
the second time (DNS rebinding) reaches nothing private.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from database.core.config import deployment_mode
from database.domain.webhooks.settings import WebhookSettings
from utils.errors import ValidationError

MAX_URL_LENGTH = 2048
SCHEMES = frozenset({"http", "https"})
FIELD = "url"
NOT_PUBLIC = "must reach a public address (private, loopback and link-local ones are refused)"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Destination:
    """What a delivery requests: ``url``, and when pinned to a checked address, the real host.

    ``host`` goes in the ``Host`` header and ``sni_hostname`` is the name TLS
    presents and verifies the certificate against; both ``None`` when the URL
    is requested as it is.
    """

    url: str
    host: str | None = None
    sni_hostname: str | None = None


def guard_on(settings: WebhookSettings) -> bool:
    """Whether destinations must be public: hosted mode without ``WEBHOOKS_ALLOW_PRIVATE``."""
    return deployment_mode() == "hosted" and not settings.allow_private


def check_url(value: Any) -> str:
    """``value`` as a webhook URL (without its fragment); :class:`ValidationError` on ``url``."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(FIELD, "must be an http or https URL")
    url = value.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(FIELD, f"must be at most {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (raises ValueError for a bad port)
    except ValueError:
        raise ValidationError(FIELD, "must be an http or https URL") from None
    if parts.scheme.lower() not in SCHEMES or not parts.hostname:
        raise ValidationError(FIELD, "must be an http or https URL with a host")
    if parts.username is not None or parts.password is not None:
        raise ValidationError(FIELD, "must not carry a user name or password")
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), fragment=""))


def destination(url: str, guarded: bool) -> Destination:
    """Where to send to ``url``: as it is, or (``guarded``) pinned to a checked public address.

    :class:`ValidationError` on ``url`` when the host does not resolve or has
    an address that is not public.
    """
    parts = urlsplit(check_url(url))
    if not guarded:
        return Destination(urlunsplit(parts))
    address = public_addresses(parts)[0]
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    pinned = urlunsplit(parts._replace(netloc=netloc))
    hostname = parts.hostname or ""
    sni = hostname if parts.scheme == "https" and not _is_literal(hostname) else None
    return Destination(pinned, host=parts.netloc, sni_hostname=sni)


def public_addresses(parts: SplitResult) -> list[Address]:
    """Every address of the URL's host, all public, or :class:`ValidationError` on ``url``."""
    hostname = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValidationError(FIELD, "must name a host that resolves") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in found]
    if not addresses or not all(is_public(a) for a in addresses):
        raise ValidationError(FIELD, NOT_PUBLIC)
    return addresses


def is_public(address: Address) -> bool:
    """Whether ``address`` is a public unicast address (IPv4 inside IPv6 judged as IPv4)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public(embedded)
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _is_literal(hostname: str) -> bool:
    try:
        ipaddress.ip_address(hostname)
    except ValueError:
        return False
    return True
