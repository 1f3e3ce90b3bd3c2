"""What a route may ask for: a database session, the bearer token, the acting person."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session as OrmSession

from database.connection import get_database_manager
from database.core.tenant import bind_account, bind_actor, bind_credential
from database.domain.accounts import (
    DEFAULT_POLICY,
    Actor,
    MailSender,
    ThrottlePolicy,
    authenticate,
)
from utils.errors import AuthenticationError

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


def current_actor(token: Annotated[str, Depends(bearer_token)]) -> Actor:
    """The person behind the bearer token or API key; a 401 when it is not live.

    Checked in a short transaction of its own, so that a refused request
    holds no connection and ``last_used_at`` is kept even if the route fails.
    """
    with get_database_manager().session_scope() as short:
        bind_credential(short, token)
        actor = authenticate(short, token)
    if actor is None:
        raise AuthenticationError(CREDENTIALS_REFUSED)
    return actor


def session(actor: Annotated[Actor, Depends(current_actor)]) -> Iterator[OrmSession]:
    """One transaction for the request, bound to its actor: committed when the route returns.

    The binding is local to the transaction (safe behind a transaction-pooling
    proxy); row-level security then shows it the actor's rows only.
    """
    with get_database_manager().session_scope() as current:
        bind_actor(current, actor.user_id)
        yield current


def throttle_policy(request: Request) -> ThrottlePolicy:
    """The sign-in throttling policy the app was built with."""
    policy = getattr(request.app.state, "throttle_policy", DEFAULT_POLICY)
    assert isinstance(policy, ThrottlePolicy)
    return policy


def client_address(request: Request) -> str | None:
    """The peer address of the request, the key of per-address throttling."""
    return request.client.host if request.client else None


def mailer(request: Request) -> MailSender:
    """The mail sender the app was built with (password-reset mail)."""
    sender: MailSender = request.app.state.mailer
    return sender


Session = Annotated[OrmSession, Depends(session)]
AnonymousSession = Annotated[OrmSession, Depends(anonymous_session)]
BearerToken = Annotated[str, Depends(bearer_token)]
CurrentActor = Annotated[Actor, Depends(current_actor)]
Policy = Annotated[ThrottlePolicy, Depends(throttle_policy)]
ClientAddress = Annotated[str | None, Depends(client_address)]
Mailer = Annotated[MailSender, Depends(mailer)]
