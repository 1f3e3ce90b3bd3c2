"""The signature of a webhook delivery, and its check for receivers.

Every delivery carries ``X-AutoApplyer-Timestamp`` (Unix seconds when it was
sent) and ``X-AutoApplyer-Signature: sha256=<hex>``, the HMAC-SHA256 under the
endpoint's secret of ``"<timestamp>.<body>"`` (the body's exact bytes). The
timestamp is signed too, so a receiver that refuses old timestamps refuses a
replayed delivery; :func:`verify_signature` does both checks.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SCHEME = "sha256"
#: How old (or how far ahead) a timestamp :func:`verify_signature` accepts by default.
DEFAULT_TOLERANCE = 300


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-AutoApplyer-Signature`` value of ``body`` sent at ``timestamp``."""
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify_signature(
    secret: str,
    timestamp: int | str,
    body: bytes,
    header: str,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether ``header`` signs ``body`` at ``timestamp`` and the timestamp is recent.

    ``timestamp`` and ``header`` are the request's ``X-AutoApplyer-Timestamp``
    and ``X-AutoApplyer-Signature``; ``body`` its raw bytes (not re-encoded
    JSON). False when the signature does not match (compared in constant time)
    or the timestamp is more than ``tolerance`` seconds from ``now`` (default:
    the current time).
    """
    try:
        sent = int(str(timestamp).strip())
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance:
        return False
    expected = signature(secret, sent, body)
    return hmac.compare_digest(expected.encode("ascii"), str(header).strip().encode("utf-8"))
