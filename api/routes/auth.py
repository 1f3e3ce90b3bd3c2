"""Sign-up, sign-in (OAuth2 password flow) and sign-out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import (
    AnonymousSession,
    BearerToken,
    ClientAddress,
    CurrentActor,
    Policy,
    Session,
    account_scope,
)
from api.schemas import RegisterRequest, TokenResponse, UserRead
from database.core.tenant import bind_account
from database.domain.accounts import sign_in_recorded, sign_out, sign_up
from database.models import TokenKind
from utils.errors import ValidationError

router = APIRouter(prefix="/auth", tags=["auth"])


@router.post("/register", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def register(body: RegisterRequest, session: AnonymousSession) -> UserRead:
    """Create an account; the password is stored as an Argon2id hash and never returned."""
    bind_account(session, body.email)
    user = sign_up(session, body.email, body.password, **body.profile())
    return UserRead.model_validate(user)


@router.post("/token", response_model=TokenResponse)
def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    address: ClientAddress,
    policy: Policy,
) -> TokenResponse:
    """Sign in with ``username`` (the email) and ``password``; an access token.

    Unknown email and wrong password give the same 401; too many failures a 429.
    """
    issued = sign_in_recorded(
        lambda: account_scope(form.username), form.username, form.password, address, policy=policy
    )
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(actor: CurrentActor, token: BearerToken, session: Session) -> Response:
    """End the access token of this request (API keys are revoked through their own route)."""
    if actor.kind is not TokenKind.ACCESS or not sign_out(session, token):
        raise ValidationError("authorization", "must be an access token to sign out")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
