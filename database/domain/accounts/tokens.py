"""Issued credentials: how a raw token is made, stored (as a hash), found and revoked.

Tokens are minted by :mod:`database.core.tokens` with the tag ``aa``; only the
SHA-256 of the whole token is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.core.tenant import ACTOR_SETTING, TOKEN_SETTING
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


def authenticate(
    session: Session, raw_token: object, now: datetime | None = None, *, bind: bool = False
) -> Actor | None:
    """The :class:`Actor` of a live access token or API key, or ``None``.

    Unknown, expired and revoked tokens, and tokens of inactive users, are all
    ``None``. One query finds the token and its user: this runs on every
    request. With ``bind`` it is the start of the request's transaction: on
    PostgreSQL the credential is first claimed for it (so that row-level
    security shows the token's row, see :mod:`database.core.tenant`) and the
    query then binds the token's user as the acting user and drops the claim,
    the claim and the query sent together (psycopg's pipeline, with its
    ``BEGIN``): one round trip in all.

    ``last_used_at`` is written only when it is older than
    :data:`LAST_USED_PRECISION` (a minute), so that a read request does not
    become a write. The write skips a token row that a concurrent request is
    refreshing (nobody waits for its lock) and belongs to the caller's
    transaction: it is kept only if that commits.
    """
    if not is_candidate(raw_token, TAG):
        return None
    now = now or utcnow()
    if bind and session.get_bind().dialect.name == "postgresql":
        token = _claim_and_find(session.connection(), raw_token, now)
    else:
        row = session.execute(_find(raw_token, now)).one_or_none()
        token = None if row is None else _Found(*row)
    if token is None:
        return None
    stale = now - LAST_USED_PRECISION
    if token.last_used_at is None or token.last_used_at < stale:
        _touch(session, token.id, now, stale)
    return Actor(
        token.user_id, TokenKind(token.kind), scopes_of(TokenScope(token.scope)),
        token.is_server_admin, token.id,
    )  # fmt: skip


def _find(
    raw: str, now: datetime
) -> Select[int, int, TokenKind, TokenScope, datetime | None, bool]:
    """The live token of ``raw`` (access token or API key) and its active user."""
    return (
        select(
            AuthToken.id, AuthToken.user_id, AuthToken.kind, AuthToken.scope,
            AuthToken.last_used_at, User.is_server_admin,
        )
        .join(User, User.id == AuthToken.user_id)
        .where(*_live(raw, (TokenKind.ACCESS, TokenKind.API_KEY), now), User.is_active)
    )  # fmt: skip


class _Found(NamedTuple):
    id: int
    user_id: int
    kind: str
    scope: str
    last_used_at: datetime | None
    is_server_admin: bool


_CLAIM = "SELECT set_config(%(setting)s, %(token_hash)s, true)"
# :func:`_find` for PostgreSQL, binding the user found and dropping the claim. The
# set_config calls are in the select list, so they run only for a row that the
# join, the conditions and the policies admitted: nothing found binds nobody. The
# kinds are TokenKind.ACCESS and TokenKind.API_KEY.
_FIND_AND_BIND = (
    "SELECT t.id, t.user_id, t.kind, t.scope, t.last_used_at, u.is_server_admin, "
    "set_config(%(actor)s, t.user_id::text, true), set_config(%(setting)s, '', true) "
    "FROM auth_tokens AS t JOIN users AS u ON u.id = t.user_id "
    "WHERE t.token_hash = %(token_hash)s "
    "AND t.kind IN ('access', 'api_key') "
    "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > %(now)s) "
    "AND u.is_active"
)


def _claim_and_find(conn: Connection, raw: str, now: datetime) -> _Found | None:
    """Claim ``raw`` for the transaction and find its live token, in one round trip."""
    values = {
        "setting": TOKEN_SETTING,
        "actor": ACTOR_SETTING,
        "token_hash": digest(raw),
        "now": now,
    }
    dbapi = conn.connection
    driver = dbapi.driver_connection
    claim, found = dbapi.cursor(), dbapi.cursor()
    try:
        with driver.pipeline():  # type: ignore[union-attr]
            conn._cursor_execute(claim, _CLAIM, values)
            conn._cursor_execute(found, _FIND_AND_BIND, values)
        row = found.fetchone()
    except conn.dialect.loaded_dbapi.Error as exc:
        error = conn.dialect.loaded_dbapi.Error
        raise DBAPIError.instance(_FIND_AND_BIND, values, exc, error) from exc
    finally:
        claim.close()
        found.close()
    return None if row is None else _Found(*row[:6])


def _touch(session: Session, token_id: int, now: datetime, stale: datetime) -> None:
    """Set ``last_used_at`` unless another transaction got there first or holds the row."""
    due = (
        select(AuthToken.id)
        .where(
            AuthToken.id == token_id,
            or_(AuthToken.last_used_at.is_(None), AuthToken.last_used_at < stale),
        )
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    session.execute(
        update(AuthToken).where(AuthToken.id == due).values(last_used_at=now),
        execution_options={"synchronize_session": False},
    )


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
