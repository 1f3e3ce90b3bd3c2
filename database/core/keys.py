"""Email identity: the one place where an address becomes the key it is unique by.

Two addresses are the same account when they are equal after Unicode NFKC
normalisation and full case folding (``"Émile@X.org"``, ``"émile@x.org"`` and
``"E\\u0301mile@x.org"`` are one person), on SQLite and PostgreSQL alike. The
key is computed here, stored in ``users.email_key`` with a unique index, and
used for every lookup; the address itself is kept as the person typed it.
"""

from __future__ import annotations

import unicodedata


def email_key(email: str) -> str:
    """The case-folded, NFKC-normalised identity of ``email`` (surrounding spaces removed)."""
    folded = unicodedata.normalize("NFKC", email.strip()).casefold()
    # Case folding can leave text that NFKC would compose differently ("ß" -> "ss" is
    # fine, but some folds produce decomposed sequences): normalise once more.
    return unicodedata.normalize("NFKC", folded)
