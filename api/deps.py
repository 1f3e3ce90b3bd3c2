"""What a route may ask for: a database session, the bearer token, the acting person."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, ParamSpec, TypeVar

import anyio
from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
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

P = ParamSpec("P")
R = TypeVar("R")

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


def _transaction_steps(request: Request, token: str) -> Iterator[Authenticated]:
    """Open the request's transaction and check its credential; after the yield, end it."""
    manager = get_database_manager()
    limiter = _limiter(request)
    if request.method in READ_METHODS and reads.routes_reads(manager):
        yield from _read_transaction(manager, limiter, token)
        return
    with manager.session_scope() as current:
        actor = _authenticated(current, token, limiter)
        yield Authenticated(current, actor)
        reads.mark_write(manager, current, actor.user_id)


class _OpenTransaction:
    """The request's transaction: opened in one worker thread, ended in the route's, or after.

    Ended at most once: by the route's own thread when it returns a finished
    response (:func:`ending_in_route`), else when the dependency exits.
    """

    def __init__(self, request: Request, token: str) -> None:
        self._steps = contextmanager(_transaction_steps)(request, token)
        self.ended = False

    def begin(self) -> Authenticated:
        return self._steps.__enter__()

    def end(self, error: BaseException | None = None) -> None:
        """Commit (no ``error``) or roll back; what ending raises is raised here."""
        if self.ended:
            return
        self.ended = True
        if error is None:
            self._steps.__exit__(None, None, None)
        else:
            self._steps.__exit__(type(error), error, error.__traceback__)


#: The transaction of the request being served, for :func:`ending_in_route`.
_OPEN: ContextVar[_OpenTransaction | None] = ContextVar("request_transaction", default=None)


async def request_transaction(
    request: Request, token: Annotated[str, Depends(bearer_token)]
) -> AsyncIterator[Authenticated]:
    """The request's one transaction, its credential checked and its person bound as the actor.

    On PostgreSQL one round trip before the route's own statements: the
    claim of the credential and one query that finds the live token and its
    user and binds that user, sent together (see
    :func:`~database.domain.accounts.authenticate`). Row-level security then
    shows the actor's rows only; the bindings are local to the transaction,
    safe behind a transaction-pooling proxy. Committed when the route
    returns and before the response is sent (``scope="function"``), so a
    commit that fails is the client's 503, never a success it was told of;
    rolled back if the route fails (a 401 included). Opened in one threadpool
    hop; a sync route that returns a finished response commits it in its own
    thread (:func:`ending_in_route`), so such a request makes two hops in
    all. :func:`current_actor` and :func:`session` only unpack it.

    With a read replica (``DATABASE_READ_URL``), a ``GET`` is authenticated
    on the primary and then served where :mod:`database.services.reads`
    decides; any other request marks its write for read-your-own-writes.
    """
    transaction = _OpenTransaction(request, token)
    authenticated = await run_in_threadpool(transaction.begin)
    _OPEN.set(transaction)
    try:
        yield authenticated
    except BaseException as error:
        # Shielded: a request cancelled (its client gone) still rolls back and returns
        # its connection now, not when the collector finds the transaction.
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(transaction.end, error)
        raise
    else:
        if not transaction.ended:
            await run_in_threadpool(transaction.end)
    finally:
        _OPEN.set(None)


def ending_in_route(endpoint: Callable[P, R]) -> Callable[P, R]:
    """The sync route ``endpoint``, ending the request's transaction in its own thread.

    Only when it returns a finished :class:`Response`: its body no longer
    needs the session. Any other value is serialised by FastAPI afterwards,
    maybe from loaded objects, so its transaction ends when the dependency
    exits, as it would without this.
    """

    @functools.wraps(endpoint)
    def route(*args: P.args, **kwargs: P.kwargs) -> R:
        answer = endpoint(*args, **kwargs)
        transaction = _OPEN.get()
        if transaction is not None and isinstance(answer, Response):
            transaction.end()
        return answer

    return route


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
