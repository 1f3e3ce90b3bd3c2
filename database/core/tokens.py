"""Random credentials: minted from :mod:`secrets`, shown once, stored as a SHA-256 digest.

A token reads ``<tag>_<prefix>_<secret>``: the tag says what it is for (``aa``
a sign-in token or API key, ``aai`` an invitation), the prefix (8 hex
characters) is kept in clear so a person can tell tokens apart, the secret is
256 random bits. A fast hash is the right store for 256 random bits: nobody
can guess them, so the slowness that protects passwords buys nothing here.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TypeGuard

#: Longer input is no token of ours; it is refused before hashing.
MAX_TOKEN_LENGTH = 128
SECRET_BYTES = 32
PREFIX_BYTES = 4


@dataclass(frozen=True)
class MintedToken:
    """A new token: the raw value (never stored or shown in a repr), its prefix and digest."""

    prefix: str
    digest: str
    raw: str = field(repr=False)


def digest(text: str) -> str:
    """The stored form of a token (or any identifier kept only as a hash): SHA-256 in hex."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def mint(tag: str) -> MintedToken:
    """A fresh token for ``tag``."""
    prefix = secrets.token_hex(PREFIX_BYTES)
    raw = f"{tag}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return MintedToken(prefix, digest(raw), raw)


def is_candidate(raw: object, tag: str) -> TypeGuard[str]:
    """Whether ``raw`` can be a token of ``tag`` at all (checked before any lookup)."""
    return isinstance(raw, str) and raw.startswith(f"{tag}_") and len(raw) <= MAX_TOKEN_LENGTH
