"""Sign-up, sign-in, sign-out and password change.

A failed sign-in is counted (see :mod:`.throttle`) in the caller's transaction
and then raised. Since a raised error usually rolls the transaction back, the
count would be lost: callers that own a session scope use :func:`sign_in_recorded`,
which commits the count and raises after the scope has ended.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.keys import email_key
from database.domain import passwords, users
from database.domain.accounts import throttle, tokens
from database.models import TokenKind, User
from utils.errors import AuthenticationError, ValidationError

#: How long an access token from :func:`sign_in` is valid.
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
#: The one message of every refused sign-in, whatever was wrong.
SIGN_IN_REFUSED = "invalid email or password"
#: Profile fields a person may not give themselves when signing up.
_NOT_SELF_SET = frozenset({"is_active", "is_server_admin"})


def sign_up(session: Session, email: str, password: str, **profile: Any) -> User:
    """A new active account with ``email`` and ``password`` and the optional profile fields.

    Email rules and uniqueness are those of :func:`database.domain.users.create`.
    Password policy: at least 8 and at most 1024 characters (checked by
    :class:`database.domain.schemas.UserCreate`). Bad input raises
    :class:`ValidationError` (never with the password in it) and writes nothing.
    """
    if not isinstance(password, str):
        raise ValidationError("password", "must be a string")
    for name in profile:
        if name in _NOT_SELF_SET:
            raise ValidationError(name, "is not a known field")
    return users.create(session, email, {**profile, "password": password})


def sign_in(
    session: Session,
    email: str,
    password: str,
    client_address: str | None,
    *,
    policy: throttle.ThrottlePolicy = throttle.DEFAULT_POLICY,
    now: datetime | None = None,
) -> tokens.IssuedToken:
    """An access token for the account, or :class:`AuthenticationError`.

    Unknown email, wrong password, unreadable stored hash and inactive account
    all raise the same ``AuthenticationError("invalid email or password")`` at the
    same cost (one Argon2id check). A locked account or address raises
    :class:`ThrottledError` before any hash is checked. On success the hash is
    upgraded when its parameters are outdated, ``last_login`` is set and the
    account's failure count is cleared.
    """
    now = now or utcnow()
    if not isinstance(email, str) or not isinstance(password, str):
        raise AuthenticationError(SIGN_IN_REFUSED)
    keys = throttle.keys_for(email_key(email), client_address)
    throttle.check(session, keys, now)
    user = session.scalar(select(User).where(User.email_key == email_key(email)))
    if user is None:
        passwords.burn_time(password)
        return _refuse(session, keys, now, policy)
    check = passwords.verify(password, user.password_hash, subject=f"user {user.id}")
    if not check.matches or not user.is_active:
        return _refuse(session, keys, now, policy)
    if check.needs_rehash:
        user.password_hash = passwords.hash_password(password)
    user.last_login = now
    throttle.reset_account(session, keys)
    return tokens.issue(session, user.id, TokenKind.ACCESS, expires_at=now + ACCESS_TOKEN_LIFETIME)


def sign_in_recorded(
    session_scope: Callable[[], AbstractContextManager[Session]],
    email: str,
    password: str,
    client_address: str | None,
    **options: Any,
) -> tokens.IssuedToken:
    """:func:`sign_in` in a scope of its own whose failure count is kept.

    ``session_scope`` is a transaction factory such as
    ``DatabaseManager.session_scope``; the error is raised after it committed.
    """
    refused: AuthenticationError | None = None
    with session_scope() as session:
        try:
            return sign_in(session, email, password, client_address, **options)
        except AuthenticationError as exc:
            refused = exc
    raise refused


def _refuse(
    session: Session, keys: throttle.Keys, now: datetime, policy: throttle.ThrottlePolicy
) -> tokens.IssuedToken:
    throttle.record_failure(session, keys, now, policy)
    raise AuthenticationError(SIGN_IN_REFUSED)


def sign_out(session: Session, raw_token: str) -> bool:
    """Revoke the access token ``raw_token``; ``False`` when it is unknown or already over."""
    token = tokens.find_live(session, raw_token, (TokenKind.ACCESS,), utcnow())
    if token is None:
        return False
    token.revoked_at = utcnow()
    session.flush()
    return True


def change_password(
    session: Session,
    user_id: int,
    current: str,
    new: str,
    *,
    policy: throttle.ThrottlePolicy = throttle.DEFAULT_POLICY,
) -> None:
    """Replace the user's password after checking ``current``.

    Ends every access token and pending reset token of the user (API keys stay).
    A wrong ``current`` raises :class:`AuthenticationError`; a ``new`` password
    outside the policy raises :class:`ValidationError`; either way nothing changes.
    """
    user = users.require(session, user_id)
    if not confirm_password(session, user, current, policy=policy):
        raise AuthenticationError("the current password is wrong")
    set_password_and_end_sessions(session, user_id, new)


def confirm_password(
    session: Session,
    user: User,
    password: object,
    *,
    policy: throttle.ThrottlePolicy = throttle.DEFAULT_POLICY,
    now: datetime | None = None,
) -> bool:
    """Whether ``password`` is the user's, for a signed-in person re-confirming it.

    Guesses count like failed sign-ins of the account (the same secret), so a
    stolen token cannot try passwords faster than a sign-in form: a locked
    account raises :class:`ThrottledError` before any hash is checked; a
    wrong password is counted in ``session`` (the caller commits it before
    answering, as :func:`sign_in_recorded` does); a right one clears the count.
    """
    now = now or utcnow()
    keys = throttle.keys_for(email_key(user.email), None)
    throttle.check(session, keys, now)
    if not password_matches(user, password):
        throttle.record_failure(session, keys, now, policy)
        return False
    throttle.reset_account(session, keys)
    return True


def password_matches(user: User, password: object) -> bool:
    """Whether ``password`` is the user's (one Argon2id check; an unreadable hash is no match)."""
    if not isinstance(password, str):
        return False
    return passwords.verify(password, user.password_hash, subject=f"user {user.id}").matches


def set_password_and_end_sessions(session: Session, user_id: int, new: str) -> None:
    """Store ``new`` (checked by the password policy) and revoke access and reset tokens."""
    if not isinstance(new, str):
        raise ValidationError("password", "must be a string")
    users.set_password(session, user_id, new)
    tokens.revoke_all(session, user_id, (TokenKind.ACCESS, TokenKind.PASSWORD_RESET))
