"""Who is signed in to the hosted dashboard: sign-up, sign-in, sign-out, the actor.

The session keeps only the raw access token (``st.session_state``); the actor is
looked up again from it (:func:`current_actor`) every time it is needed, so a
sign-out elsewhere, a password change or an expired token ends the session at
once. Local mode never calls this module.
"""

from __future__ import annotations

import logging
import math

import streamlit as st

from dashboard import state
from database.domain.accounts import (
    SIGN_IN_REFUSED,
    Actor,
    authenticate,
    sign_in_recorded,
    sign_out,
    sign_up,
)
from database.models import User
from utils.errors import AuthenticationError, ThrottledError

log = logging.getLogger(__name__)

#: Where the session keeps the raw access token.
CREDENTIAL_KEY = "_signed_in"
#: What a refused sign-in shows, whatever was wrong (no account enumeration).
REFUSED_MESSAGE = SIGN_IN_REFUSED.capitalize() + "."


def _token() -> str | None:
    value = st.session_state.get(CREDENTIAL_KEY)
    return value if isinstance(value, str) else None


def current_actor() -> Actor | None:
    """The signed-in person, checked against the database now; ``None`` when signed out.

    A token that no longer authenticates (revoked, expired, account gone) is forgotten.
    """
    token = _token()
    if token is None:
        return None
    with state.ensure_database().session_scope() as session:
        actor = authenticate(session, token)
    if actor is None:
        forget()
    return actor


def require_actor() -> Actor:
    """The signed-in person, or :class:`AuthenticationError` (the session has ended)."""
    actor = current_actor()
    if actor is None:
        raise AuthenticationError("you are signed out: sign in again")
    return actor


def current_user(actor: Actor) -> User | None:
    """The account of ``actor`` (its name and email for the sidebar)."""
    with state.ensure_database().session_scope() as session:
        return session.get(User, actor.user_id)


def _client_address() -> str | None:
    try:
        address = st.context.ip_address
    except (AttributeError, RuntimeError):
        return None
    return address if isinstance(address, str) and address else None


def refusal(exc: AuthenticationError | ThrottledError) -> str:
    """The message a refused sign-in shows: the same for every wrong email or password."""
    if isinstance(exc, ThrottledError):
        minutes = max(1, math.ceil(exc.retry_after / 60))
        unit = "minute" if minutes == 1 else "minutes"
        return f"Too many attempts, try again in {minutes} {unit}."
    return REFUSED_MESSAGE


def sign_in_with(email: str, password: str) -> None:
    """Sign in; the token is kept in the session. Raises what :func:`sign_in` raises."""
    issued = sign_in_recorded(
        state.ensure_database().session_scope, email, password, _client_address()
    )
    st.session_state[CREDENTIAL_KEY] = issued.token
    state.select_user(issued.user_id)


def sign_up_with(email: str, password: str, first_name: str | None, last_name: str | None) -> None:
    """Create the account, then sign in to it. :class:`ValidationError` names a bad field."""
    profile = {"first_name": first_name, "last_name": last_name}
    with state.ensure_database().session_scope() as session:
        sign_up(session, email, password, **{k: v for k, v in profile.items() if v is not None})
    sign_in_with(email, password)


def sign_out_now() -> None:
    """Revoke this session's access token and forget it."""
    token = _token()
    if token is not None:
        with state.ensure_database().session_scope() as session:
            sign_out(session, token)
        log.info("Dashboard session signed out")
    forget()


def forget() -> None:
    """Drop every trace of the signed-in person from this browser session.

    All of the session state goes (forms, choices, the page), so that nothing
    typed or chosen by one person is left for whoever signs in next.
    """
    for key in list(st.session_state):
        del st.session_state[key]
