"""What a route may ask for: a database session, the bearer token, the acting person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session as OrmSession

from database.connection import get_database_manager
from database.core.session import DatabaseManager
from database.core.tenant import bind_account
from database.domain.accounts import (
    DEFAULT_POLICY,
    Actor,
    MailSender,
    ThrottlePolicy,
    authenticate,
)
from database.services import reads
from database.services.rate_limits import RateLimiter
from utils.errors import AuthenticationError

#: Requests that only read: served by the read replica when there is one.
READ_METHODS = frozenset({"GET", "HEAD"})
#: The one message of a request without valid credentials.
CREDENTIALS_REFUSED = "missing, invalid, expired or revoked credentials"

_bearer = HTTPBearer(
    auto_error=False,
    description="An access token from POST /api/v1/auth/token, or a personal API key.",
)


def anonymous_session() -> Iterator[OrmSession]:
    """One transaction for a request without an actor (sign-up, password reset).

    Bound to nobody, so row-level security shows it no one's data; a route
    claims the one account or credential it works on (see
    :mod:`database.core.tenant`).
    """
    with get_database_manager().session_scope() as current:
        yield current


@contextmanager
def account_scope(email: str) -> Iterator[OrmSession]:
    """A transaction that claims the account of ``email`` (signing in)."""
    with get_database_manager().session_scope() as current:
        bind_account(current, email)
        yield current


async def bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The raw token of ``Authorization: Bearer``; a 401 when there is none."""
    if credentials is None or not credentials.credentials:
        raise AuthenticationError(CREDENTIALS_REFUSED)
    return credentials.credentials


@dataclass(frozen=True)
class Authenticated:
    """The transaction of a request and the actor it is bound to."""

    session: OrmSession
    actor: Actor


def _authenticated(session: OrmSession, token: str, limiter: RateLimiter) -> Actor:
    """Claim and check ``token`` in ``session``, binding its person; a 401 when it is not live.

    Then the request counts against the person's rate limit: a 429 over it.
    """
    actor = authenticate(session, token, bind=True)
    if actor is None:
        raise AuthenticationError(CREDENTIALS_REFUSED)
    limiter.admit(session, actor.user_id)
    return actor


def _limiter(request: Request) -> RateLimiter:
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


def request_transaction(
    request: Request, token: Annotated[str, Depends(bearer_token)]
) -> Iterator[Authenticated]:
    """The request's one transaction, its credential checked and its person bound as the actor.

    On PostgreSQL one round trip before the route's own statements: the
    claim of the credential and one query that finds the live token and its
    user and binds that user, sent together (see
    :func:`~database.domain.accounts.authenticate`). Row-level security then
    shows the actor's rows only; the bindings are local to the transaction,
    safe behind a transaction-pooling proxy. Committed when the route
    returns and before the response is sent (``scope="function"``), so a
    commit that fails is the client's 503, never a success it was told of;
    rolled back if the route fails (a 401 included). Its opening is the one
    threadpool hop of a request's database work besides the route itself:
    :func:`current_actor` and :func:`session` only unpack it.

    With a read replica (``DATABASE_READ_URL``), a ``GET`` is authenticated
    on the primary and then served where :mod:`database.services.reads`
    decides; any other request marks its write for read-your-own-writes.
    """
    manager = get_database_manager()
    limiter = _limiter(request)
    if request.method in READ_METHODS and reads.routes_reads(manager):
        yield from _read_transaction(manager, limiter, token)
        return
    with manager.session_scope() as current:
        actor = _authenticated(current, token, limiter)
        yield Authenticated(current, actor)
        reads.mark_write(manager, current, actor.user_id)


def _read_transaction(
    manager: DatabaseManager, limiter: RateLimiter, token: str
) -> Iterator[Authenticated]:
    """A read request: its credential checked on the primary, its reads on the replica if it may."""
    with manager.session_scope() as primary:
        actor = _authenticated(primary, token, limiter)
        mark = reads.latest_mark(manager, primary, actor.user_id)
    with reads.read_scope(manager, actor.user_id, mark) as current:
        yield Authenticated(current, actor)


#: The request's transaction, ended before the response leaves.
RequestTransaction = Annotated[Authenticated, Depends(request_transaction, scope="function")]


async def current_actor(
    authenticated: RequestTransaction,
) -> Actor:
    """The person behind the bearer token or API key; a 401 when it is not live.

    Authenticated in the request's transaction (:func:`request_transaction`),
    which stays open while the route runs; a route that must hold none (a
    whole-database restore) takes :data:`StandaloneActor` instead.
    """
    return authenticated.actor


async def session(
    authenticated: RequestTransaction,
) -> OrmSession:
    """One transaction for the request, bound to its actor: committed when the route returns."""
    return authenticated.session


def standalone_actor(request: Request, token: Annotated[str, Depends(bearer_token)]) -> Actor:
    """The actor, checked in a short transaction of its own that ends before the route runs.

    For routes that hold no transaction while they work, such as restoring a
    whole-database backup (on SQLite an open transaction would keep the
    writer lock the restore needs).
    """
    with get_database_manager().session_scope() as short:
        return _authenticated(short, token, _limiter(request))


async def throttle_policy(request: Request) -> ThrottlePolicy:
    """The sign-in throttling policy the app was built with."""
    policy = getattr(request.app.state, "throttle_policy", DEFAULT_POLICY)
    assert isinstance(policy, ThrottlePolicy)
    return policy


async def client_address(request: Request) -> str | None:
    """The peer address of the request, the key of per-address throttling."""
    return request.client.host if request.client else None


async def mailer(request: Request) -> MailSender:
    """The mail sender the app was built with (password-reset mail)."""
    sender: MailSender = request.app.state.mailer
    return sender


Session = Annotated[OrmSession, Depends(session)]
AnonymousSession = Annotated[OrmSession, Depends(anonymous_session, scope="function")]
BearerToken = Annotated[str, Depends(bearer_token)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
StandaloneActor = Annotated[Actor, Depends(standalone_actor)]
Policy = Annotated[ThrottlePolicy, Depends(throttle_policy)]
ClientAddress = Annotated[str | None, Depends(client_address)]
Mailer = Annotated[MailSender, Depends(mailer)]
