"""Failed sign-in throttling per account and per client address, shared through the database.

Counts live in ``sign_in_throttle`` so that every process and worker sees the
same ones. Keys are SHA-256 digests of the email identity or the address: an
unknown email is throttled exactly like a known one, so throttling tells
nobody whether an account exists.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, case, delete, select, tuple_, update
from sqlalchemy.orm import Session

from database.core.column_types import UTCDateTime
from database.core.tokens import digest
from database.core.upsert import conflict_insert
from database.models import SignInThrottle, ThrottleScope
from utils.errors import ThrottledError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ThrottlePolicy:
    """How many failures a window allows before sign-in is refused for ``window``."""

    account_failures: int = 5
    address_failures: int = 20
    window: timedelta = timedelta(minutes=15)

    def limit(self, scope: ThrottleScope) -> int:
        """The failures allowed in one window for ``scope``."""
        return self.account_failures if scope is ThrottleScope.ACCOUNT else self.address_failures


DEFAULT_POLICY = ThrottlePolicy()

Keys = list[tuple[ThrottleScope, str]]


def keys_for(email_key: str, client_address: str | None) -> Keys:
    """The throttle keys of one attempt: its account, and its address when known."""
    keys = [(ThrottleScope.ACCOUNT, digest(email_key))]
    if client_address:
        keys.append((ThrottleScope.ADDRESS, digest(client_address)))
    return keys


def check(session: Session, keys: Keys, now: datetime) -> None:
    """Raise :class:`ThrottledError` when any of ``keys`` is locked at ``now``."""
    pairs = [(scope.value, key) for scope, key in keys]
    locks = session.scalars(
        select(SignInThrottle.locked_until).where(
            tuple_(SignInThrottle.scope, SignInThrottle.key).in_(pairs),
            SignInThrottle.locked_until > now,
        )
    ).all()
    if locks:
        wait = max(lock for lock in locks if lock is not None) - now
        raise ThrottledError(max(1, math.ceil(wait.total_seconds())))


def record_failure(session: Session, keys: Keys, now: datetime, policy: ThrottlePolicy) -> None:
    """Count one failure on each key, locking a key that reaches its limit."""
    for scope, key in keys:
        _ensure_row(session, scope, key, now)
        window_over = SignInThrottle.window_started_at <= _at(now - policy.window)
        failures = case((window_over, 1), else_=SignInThrottle.failures + 1)
        session.execute(
            update(SignInThrottle)
            .where(SignInThrottle.scope == scope, SignInThrottle.key == key)
            .values(
                failures=failures,
                window_started_at=case(
                    (window_over, _at(now)), else_=SignInThrottle.window_started_at
                ),
                locked_until=case(
                    (failures >= policy.limit(scope), _at(now + policy.window)),
                    else_=SignInThrottle.locked_until,
                ),
            ),
            execution_options={"synchronize_session": False},
        )
    log.info("Failed sign-in recorded (%s)", ", ".join(scope.value for scope, _ in keys))


def reset_account(session: Session, keys: Keys) -> None:
    """Forget the failures of the account among ``keys`` (after a successful sign-in)."""
    accounts = [key for scope, key in keys if scope is ThrottleScope.ACCOUNT]
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.scope == ThrottleScope.ACCOUNT, SignInThrottle.key.in_(accounts)
        ),
        execution_options={"synchronize_session": False},
    )


def _ensure_row(session: Session, scope: ThrottleScope, key: str, now: datetime) -> None:
    # Insert-or-nothing: two workers failing at once both count on the one row.
    values = {"scope": scope, "key": key, "failures": 0, "window_started_at": now}
    statement = conflict_insert(session, SignInThrottle).values(**values)
    session.execute(statement.on_conflict_do_nothing(index_elements=["scope", "key"]))


def _at(moment: datetime) -> object:
    return bindparam(None, moment, type_=UTCDateTime())


__all__ = [
    "DEFAULT_POLICY",
    "ThrottlePolicy",
    "check",
    "keys_for",
    "record_failure",
    "reset_account",
]
