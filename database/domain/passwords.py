"""Password hashing: the one place where a password becomes a stored hash and is checked.

New hashes are Argon2id (argon2-cffi) in the self-describing PHC form
``$argon2id$v=19$m=...,t=...,p=...$salt$hash``, so the parameters a hash was made
with travel with it. :func:`verify` says whether a password matches and whether
its hash should be replaced: a hash made with other parameters, or with the older
``scrypt$salt$hash`` scheme, still verifies and is reported as needing a rehash,
which the caller stores on the next successful check.

A stored hash that cannot be read is a failed check and a logged warning (never
the hash or the password). Checks that have no hash to compare against (no such
user, no password set, unreadable hash) still run one Argon2id verification
against a throwaway hash, so they cost what a wrong password costs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import logging
import secrets
from typing import NamedTuple

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

log = logging.getLogger(__name__)

# OWASP's first Argon2id configuration (19 MiB, 2 passes, 1 lane): the hash costs
# a few tens of milliseconds here, a sign-in stays quick, a guess stays expensive.
MEMORY_COST_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1

_HASHER = PasswordHasher(
    time_cost=TIME_COST,
    memory_cost=MEMORY_COST_KIB,
    parallelism=PARALLELISM,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)

# The scheme every hash used before Argon2id; read only, never written.
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_SCRYPT_PREFIX = "scrypt$"
_ARGON2_PREFIX = "$argon2"
# Far above any parameters this module makes; a stored hash asking for more is refused.
_MAX_MEMORY_KIB = 256 * 1024
_MAX_TIME_COST = 16
_MAX_PARALLELISM = 16


class Check(NamedTuple):
    """The outcome of :func:`verify`."""

    matches: bool
    #: The password matched a hash that is weaker or older than :func:`hash_password` makes.
    needs_rehash: bool


def hash_password(password: str) -> str:
    """A salted Argon2id hash of ``password`` in PHC string form (parameters included)."""
    return _HASHER.hash(_encode(password))


def verify(password: str, stored: str | None, *, subject: str = "a user") -> Check:
    """Whether ``password`` matches the ``stored`` hash, and whether to replace that hash.

    ``stored`` may be ``None`` (no password set): the check fails at the usual
    cost. ``subject`` names the owner in the warning logged for an unreadable hash.
    """
    secret = _encode(password)
    if stored and stored.startswith(_ARGON2_PREFIX):
        return _verify_argon2(secret, stored, subject)
    if stored and stored.startswith(_SCRYPT_PREFIX):
        return _verify_scrypt(secret, stored, subject)
    if stored:
        return _unreadable(subject, "unknown scheme")
    burn_time(password)
    return Check(False, False)


def burn_time(password: str) -> None:
    """Spend what checking a wrong password costs (for a user that does not exist)."""
    with contextlib.suppress(VerificationError):
        _HASHER.verify(_dummy_hash(), _encode(password))


def _verify_argon2(secret: bytes, stored: str, subject: str) -> Check:
    try:
        params = extract_parameters(stored)
    except InvalidHashError:
        return _unreadable(subject, "malformed argon2 hash")
    if (
        params.memory_cost > _MAX_MEMORY_KIB
        or params.time_cost > _MAX_TIME_COST
        or params.parallelism > _MAX_PARALLELISM
    ):
        # Only a tampered row asks for this much; checking it would stall the process.
        return _unreadable(subject, "argon2 parameters beyond the accepted maximum")
    try:
        _HASHER.verify(stored, secret)
    except VerifyMismatchError:
        return Check(False, False)
    except (InvalidHashError, VerificationError):
        return _unreadable(subject, "argon2 hash does not decode")
    return Check(True, _HASHER.check_needs_rehash(stored))


def _verify_scrypt(secret: bytes, stored: str, subject: str) -> Check:
    parts = stored.split("$")
    try:
        if len(parts) != 3:
            raise ValueError("expected scrypt$salt$hash")
        salt, expected = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        if not salt or not expected:
            raise ValueError("empty salt or hash")
    except ValueError:
        return _unreadable(subject, "malformed scrypt hash")
    candidate = hashlib.scrypt(secret, salt=salt, dklen=64, **_SCRYPT)
    matches = hmac.compare_digest(candidate, expected)
    return Check(matches, matches)


def _unreadable(subject: str, reason: str) -> Check:
    log.warning(
        "The stored password hash of %s is unreadable (%s); the check fails", subject, reason
    )
    burn_time("")
    return Check(False, False)


@functools.cache
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_bytes(16))


def _encode(password: str) -> bytes:
    # "surrogatepass" gives the same bytes as UTF-8 for every real password and
    # never raises, so a lone surrogate is a wrong password, not a crash.
    return password.encode("utf-8", "surrogatepass")
