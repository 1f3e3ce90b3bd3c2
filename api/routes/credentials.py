"""The signed-in person's credentials: password change and reset, personal API keys.

Changing the password or a key needs a write-scoped credential (a read-only
API key gets a 403). Someone else's key is "not found", never "forbidden".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial

from fastapi import APIRouter, BackgroundTasks, HTTPException, Response, status

from api.deps import AnonymousSession, CurrentActor, Mailer, Policy, Session, account_scope
from api.errors import refusal_problem
from api.schemas_credentials import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
)
from database.core.tenant import bind_credential
from database.domain.accounts import (
    Actor,
    ApiKeyInfo,
    change_password,
    create_api_key,
    list_api_keys,
    mail_password_reset,
    reset_password,
    revoke_api_key,
)
from utils.errors import AuthenticationError, PermissionDeniedError, ValidationError

router = APIRouter(tags=["credentials"])

WRITE_REQUIRED = "this credential is read-only; a write-scoped one is needed"
RESET_REFUSAL_RULE = "is unknown, used or expired"
KEY_NOT_FOUND = "no such API key"


@router.post("/auth/password", status_code=status.HTTP_204_NO_CONTENT)
def change_own_password(
    body: PasswordChange, actor: CurrentActor, session: Session, policy: Policy
) -> Response:
    """Replace the password; every access token of the person ends, this one too.

    A wrong current password is a 401 (the same one as for bad credentials),
    counted as a failed sign-in of the account (throttled alike).
    """
    _require_write(actor)
    try:
        with _new_password_field():
            change_password(
                session, actor.user_id, body.current_password, body.new_password, policy=policy
            )
    except AuthenticationError as exc:
        # Answered, not raised, so that the transaction keeps the failed attempt.
        return refusal_problem(exc)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/auth/password-reset", status_code=status.HTTP_202_ACCEPTED, response_class=Response)
def request_reset(
    body: PasswordResetRequest, background: BackgroundTasks, mailer: Mailer
) -> Response:
    """Mail a reset code to the account of ``email``; the same 202 whether or not it exists.

    The code is issued and mailed after the response has gone, so neither its
    content nor its timing tells whether the account exists.
    """
    background.add_task(mail_password_reset, partial(account_scope, body.email), body.email, mailer)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post("/auth/password-reset/confirm", status_code=status.HTTP_204_NO_CONTENT)
def confirm_reset(body: PasswordResetConfirm, session: AnonymousSession) -> Response:
    """Set a new password with the mailed code, which then stops working."""
    bind_credential(session, body.token)
    try:
        with _new_password_field():
            reset_password(session, body.token, body.new_password)
    except AuthenticationError:
        raise ValidationError("token", RESET_REFUSAL_RULE) from None
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/api-keys", response_model=list[ApiKeyRead])
def list_keys(actor: CurrentActor, session: Session) -> list[ApiKeyRead]:
    """The person's live API keys, newest first, without their secrets."""
    return [_read(info) for info in list_api_keys(session, actor.user_id)]


@router.post("/api-keys", response_model=ApiKeyCreated, status_code=status.HTTP_201_CREATED)
def create_key(body: ApiKeyCreate, actor: CurrentActor, session: Session) -> ApiKeyCreated:
    """A new API key; its raw value is in this response only."""
    _require_write(actor)
    issued = create_api_key(session, actor.user_id, body.name, body.scopes, body.expires_at)
    info = next(k for k in list_api_keys(session, actor.user_id) if k.id == issued.token_id)
    return ApiKeyCreated(**_read(info).model_dump(), key=issued.token)


@router.delete("/api-keys/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_key(key_id: int, actor: CurrentActor, session: Session) -> Response:
    """Revoke one of the person's own keys; anyone else's is a 404."""
    _require_write(actor)
    if not revoke_api_key(session, actor.user_id, key_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, KEY_NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _require_write(actor: Actor) -> None:
    if not actor.can_write:
        raise PermissionDeniedError(WRITE_REQUIRED)


def _read(info: ApiKeyInfo) -> ApiKeyRead:
    # The domain lists only unrevoked keys.
    return ApiKeyRead(
        id=info.id,
        name=info.name,
        prefix=info.prefix,
        scopes=sorted(info.scopes),
        created_at=info.created_at,
        expires_at=info.expires_at,
        last_used_at=info.last_used_at,
        revoked=False,
    )


@contextmanager
def _new_password_field() -> Iterator[None]:
    """Name the body's ``new_password`` in a policy refusal, which the domain calls ``password``."""
    try:
        yield
    except ValidationError as exc:
        if exc.field != "password":
            raise
        raise ValidationError("new_password", exc.rule) from None
