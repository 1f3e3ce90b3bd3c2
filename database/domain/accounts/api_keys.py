"""Personal API keys: named and scoped, shown once, listed without secrets, revocable."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from database.core.column_types import as_utc, utcnow
from database.domain import users
from database.domain.accounts import tokens
from database.domain.schemas import check_text, require_id
from database.models import AuthToken, TokenKind, TokenScope
from utils.errors import ValidationError

MAX_NAME_LENGTH = 100


@dataclass(frozen=True)
class ApiKeyInfo:
    """What a list of API keys shows: never the key itself nor its hash."""

    id: int
    name: str | None
    prefix: str
    scopes: frozenset[str]
    expires_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime


def create_api_key(
    session: Session,
    user_id: int,
    name: str,
    scopes: Iterable[str] = frozenset({"read"}),
    expires_at: datetime | None = None,
) -> tokens.IssuedToken:
    """A new API key for the user; its raw value (``IssuedToken.token``) is shown only here.

    ``scopes`` is ``{"read"}`` or ``{"read", "write"}``; ``expires_at`` (optional)
    must be in the future.
    """
    users.ensure_exists(session, user_id)
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise ValidationError("name", f"must be 1 to {MAX_NAME_LENGTH} characters", name)
    check_text(name, "name")
    scope = _scope_of(scopes)
    if expires_at is not None:
        if not isinstance(expires_at, datetime):
            raise ValidationError("expires_at", "must be a datetime", expires_at)
        expires_at = as_utc(expires_at)
        if expires_at <= utcnow():
            raise ValidationError("expires_at", "must be in the future", expires_at)
    return tokens.issue(
        session, user_id, TokenKind.API_KEY, scope=scope, expires_at=expires_at, name=name
    )


def list_api_keys(session: Session, user_id: int) -> list[ApiKeyInfo]:
    """The user's unrevoked API keys, newest first."""
    require_id(user_id, "user_id")
    rows = session.scalars(
        _own_keys(user_id).order_by(AuthToken.created_at.desc(), AuthToken.id.desc())
    )
    return [
        ApiKeyInfo(
            row.id,
            row.name,
            row.prefix,
            tokens.scopes_of(row.scope),
            row.expires_at,
            row.last_used_at,
            row.created_at,
        )
        for row in rows
    ]


def revoke_api_key(session: Session, user_id: int, key_id: int) -> bool:
    """Revoke the user's own API key ``key_id``; ``False`` when the user has no such key."""
    require_id(user_id, "user_id")
    require_id(key_id, "key_id")
    key = session.scalar(_own_keys(user_id).where(AuthToken.id == key_id))
    if key is None:
        return False
    key.revoked_at = utcnow()
    session.flush()
    return True


def _own_keys(user_id: int) -> Select[AuthToken]:
    return select(AuthToken).where(
        AuthToken.user_id == user_id,
        AuthToken.kind == TokenKind.API_KEY,
        AuthToken.revoked_at.is_(None),
    )


def _scope_of(scopes: Iterable[str]) -> TokenScope:
    if isinstance(scopes, str):
        scopes = {scopes}
    given = set(scopes)
    if given == {"read"}:
        return TokenScope.READ
    if given == {"read", "write"}:
        return TokenScope.WRITE
    raise ValidationError("scopes", "must be {'read'} or {'read', 'write'}", sorted(given))
