"""What a route may ask for: a database session, the bearer token, the acting person."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, ParamSpec, TypeVar, cast

import anyio
from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
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
from utils.errors import AuthenticationError, ThrottledError

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


#: The ``Authorization: Bearer`` credentials of a request, if it has any.
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _raw_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials:
        raise AuthenticationError(CREDENTIALS_REFUSED)
    return credentials.credentials


async def bearer_token(credentials: Credentials) -> str:
    """The raw token of ``Authorization: Bearer``; a 401 when there is none."""
    return _raw_token(credentials)


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
    """The request's transaction: opened in one thread, ended in the route's, or after.

    Opened at most once, by the dependency or by the route's own thread
    (:func:`opening_in_route`), and ended at most once: by the route's thread
    when it returns a finished response, else when the dependency exits.
    """

    def __init__(self, request: Request, token: str) -> None:
        self._steps = contextmanager(_transaction_steps)(request, token)
        self.opened: Authenticated | None = None
        self.ended = False

    def begin(self) -> Authenticated:
        if self.opened is None:
            self.opened = self._steps.__enter__()
        return self.opened

    @property
    def open(self) -> bool:
        """Whether it was opened and is not ended yet."""
        return self.opened is not None and not self.ended

    def end(self, error: BaseException | None = None) -> None:
        """Commit (no ``error``) or roll back; what ending raises is raised here."""
        if not self.open:
            return
        self.ended = True
        if error is None:
            self._steps.__exit__(None, None, None)
        else:
            self._steps.__exit__(type(error), error, error.__traceback__)

    def refusal_of(self, error: BaseException) -> BaseException:
        """What a request refused before its route ran answers: the credential's 401 first.

        The credential of a route that opens its own transaction is checked
        there; when FastAPI refuses the request's input before, the check runs
        here, so a dead credential is still a 401 before any 422.
        """
        try:
            self.begin()
        except (AuthenticationError, ThrottledError) as refused:
            return refused
        self.end(error)
        return error


#: The transaction of the request being served, for :func:`opening_in_route`.
_OPEN: ContextVar[_OpenTransaction | None] = ContextVar("request_transaction", default=None)


class _Pending:
    """A value a route that opens its own transaction receives before it is opened."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<{self.name}, given when the route's transaction opens>"


_PENDING_ACTOR = _Pending("actor")
_PENDING_SESSION = _Pending("session")
#: What :func:`request_transaction` yields for a route that opens it in its own thread.
_PENDING = Authenticated(
    session=cast(OrmSession, _PENDING_SESSION), actor=cast(Actor, _PENDING_ACTOR)
)
#: The attribute of an endpoint made by :func:`opening_in_route` that opens its transaction.
OPENS_TRANSACTION = "_opens_request_transaction"


async def request_transaction(
    request: Request, credentials: Credentials
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
    rolled back if the route fails (a 401 included). :func:`current_actor`
    and :func:`session` only unpack it.

    A sync route mounted by :func:`api.mounting.mount` that takes the actor
    and the session as its own parameters opens and ends the transaction in
    its own thread (:func:`opening_in_route`): one threadpool hop in all.
    Any other route has it opened here, in a hop of its own.

    With a read replica (``DATABASE_READ_URL``), a ``GET`` is authenticated
    on the primary and then served where :mod:`database.services.reads`
    decides; any other request marks its write for read-your-own-writes.
    """
    transaction = _OpenTransaction(request, _raw_token(credentials))
    if getattr(request.scope.get("endpoint"), OPENS_TRANSACTION, False):
        authenticated = _PENDING
    else:
        authenticated = await run_in_threadpool(transaction.begin)
    _OPEN.set(transaction)
    try:
        yield authenticated
    except BaseException as error:
        # Shielded: a request cancelled (its client gone) still rolls back and returns
        # its connection now, not when the collector finds the transaction.
        with anyio.CancelScope(shield=True):
            if transaction.opened is None and isinstance(error, RequestValidationError):
                raise await run_in_threadpool(transaction.refusal_of, error) from None
            if transaction.open:
                await run_in_threadpool(transaction.end, error)
        raise
    else:
        if transaction.open:
            await run_in_threadpool(transaction.end)
    finally:
        _OPEN.set(None)


def opening_in_route(endpoint: Callable[P, R], *, opens: bool) -> Callable[P, R]:
    """The sync route ``endpoint``, ending the request's transaction in its own thread.

    Only when it returns a finished :class:`Response`: its body no longer
    needs the session. Any other value is serialised by FastAPI afterwards,
    maybe from loaded objects, so its transaction ends when the dependency
    exits. With ``opens`` (the route alone takes the actor and the session,
    see :func:`opens_in_route`) the transaction is opened here too, and the
    route given its actor and session in place of the pending ones.
    """

    @functools.wraps(endpoint)
    def route(*args: P.args, **kwargs: P.kwargs) -> R:
        transaction = _OPEN.get()
        if opens and transaction is not None:
            opened = transaction.begin()
            for name, value in kwargs.items():
                if value is _PENDING_ACTOR:
                    kwargs[name] = opened.actor
                elif value is _PENDING_SESSION:
                    kwargs[name] = opened.session
        answer = endpoint(*args, **kwargs)
        if transaction is not None and isinstance(answer, Response):
            transaction.end()
        return answer

    setattr(route, OPENS_TRANSACTION, opens)
    return route


def opens_in_route(dependant: Dependant) -> bool:
    """Whether only the endpoint of ``dependant`` takes the actor and the session.

    Then nothing solved before it needs the transaction, which can open in
    the route's own thread.
    """
    takers = {current_actor, session}
    for needed in dependant.dependencies:
        if needed.call not in takers and _needs_transaction(needed):
            return False
    return True


def _needs_transaction(dependant: Dependant) -> bool:
    return dependant.call is request_transaction or any(
        _needs_transaction(needed) for needed in dependant.dependencies
    )


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
