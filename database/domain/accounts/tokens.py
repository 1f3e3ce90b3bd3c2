"""Issued credentials: how a raw token is made, stored (as a hash), found and revoked.

Tokens are minted by :mod:`database.core.tokens` with the tag ``aa``; only the
SHA-256 of the whole token is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.tokens import digest, is_candidate, mint
from database.models import AuthToken, TokenKind, TokenScope, User

TAG = "aa"
#: ``last_used_at`` is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A credential just issued: the raw ``token`` is shown this once and never stored."""

    token_id: int
    user_id: int
    kind: TokenKind
    prefix: str
    expires_at: datetime | None
    token: str = field(repr=False)


@dataclass(frozen=True)
class Actor:
    """Who is asking: the person behind a valid access token or API key."""

    user_id: int
    kind: TokenKind
    scopes: frozenset[str]
    is_server_admin: bool
    token_id: int

    @property
    def can_write(self) -> bool:
        """Whether the credential may change data (scope ``write``)."""
        return TokenScope.WRITE.value in self.scopes


def scopes_of(scope: TokenScope) -> frozenset[str]:
    """The scopes a stored scope grants: ``write`` includes ``read``."""
    if scope is TokenScope.WRITE:
        return frozenset({TokenScope.READ.value, TokenScope.WRITE.value})
    return frozenset({TokenScope.READ.value})


def issue(
    session: Session,
    user_id: int,
    kind: TokenKind,
    *,
    scope: TokenScope = TokenScope.WRITE,
    expires_at: datetime | None = None,
    name: str | None = None,
) -> IssuedToken:
    """A new credential of ``kind`` for the user, stored hashed; the raw token returned once."""
    token = mint(TAG)
    row = AuthToken(
        user_id=user_id, kind=kind, prefix=token.prefix, token_hash=token.digest, name=name,
        scope=scope, expires_at=expires_at,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return IssuedToken(row.id, user_id, kind, token.prefix, expires_at, token.raw)


def _live(raw: str, kinds: tuple[TokenKind, ...], now: datetime) -> list[ColumnElement[bool]]:
    """Conditions of a live (unrevoked, unexpired) token of ``kinds`` whose raw value is ``raw``."""
    return [
        AuthToken.token_hash == digest(raw),
        AuthToken.kind.in_(kinds),
        AuthToken.revoked_at.is_(None),
        or_(AuthToken.expires_at.is_(None), AuthToken.expires_at > now),
    ]


def find_live(
    session: Session, raw: object, kinds: tuple[TokenKind, ...], now: datetime
) -> AuthToken | None:
    """The unrevoked, unexpired token of one of ``kinds`` whose raw value is ``raw``."""
    if not is_candidate(raw, TAG):
        return None
    return session.scalar(select(AuthToken).where(*_live(raw, kinds, now)))


def authenticate(session: Session, raw_token: object, now: datetime | None = None) -> Actor | None:
    """The :class:`Actor` of a live access token or API key, or ``None``.

    Unknown, expired and revoked tokens, and tokens of inactive users, are all
    ``None``. ``last_used_at`` is refreshed at most once a minute per token.
    One query finds the token and its user: this runs on every request.
    """
    if not is_candidate(raw_token, TAG):
        return None
    now = now or utcnow()
    query = (
        select(
            AuthToken.id, AuthToken.user_id, AuthToken.kind, AuthToken.scope,
            AuthToken.last_used_at, User.is_server_admin,
        )
        .join(User, User.id == AuthToken.user_id)
        .where(*_live(raw_token, (TokenKind.ACCESS, TokenKind.API_KEY), now), User.is_active)
    )  # fmt: skip
    token = session.execute(query).one_or_none()
    if token is None:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
        session.execute(
            update(AuthToken).where(AuthToken.id == token.id).values(last_used_at=now),
            execution_options={"synchronize_session": False},
        )
    return Actor(token.user_id, token.kind, scopes_of(token.scope), token.is_server_admin, token.id)


def revoke_all(session: Session, user_id: int, kinds: tuple[TokenKind, ...]) -> int:
    """Revoke every live token of ``kinds`` the user holds; how many were revoked."""
    result = session.execute(
        update(AuthToken)
        .where(
            AuthToken.user_id == user_id,
            AuthToken.kind.in_(kinds),
            AuthToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
