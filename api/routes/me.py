"""``/me``: the signed-in person's own profile, which only they read and change.

Who may do what is decided in :mod:`database.services.tenancy.profile`: a
read-only API key reads the profile but a PATCH with it is a 403.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import CurrentActor, Policy, Session
from api.errors import refusal_problem
from api.schemas import UserRead
from api.schemas_profile import ProfileChange
from database.services.tenancy import profile
from utils.errors import ValidationError

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", response_model=UserRead)
def read_me(actor: CurrentActor, session: Session) -> UserRead:
    """The profile of the person behind the credentials."""
    return UserRead.model_validate(profile.get_profile(session, actor))


@router.patch("", response_model=UserRead)
def change_me(
    body: ProfileChange, actor: CurrentActor, session: Session, policy: Policy
) -> UserRead | Response:
    """Change the given fields of one's own profile.

    A new ``email`` that another account has (in any letter case) is a 422 on
    ``email``; a new ``email`` needs the account's password in
    ``current_password`` (missing or wrong: a 422 on ``current_password``).
    A wrong one counts as a failed sign-in of the account (throttled alike).
    The account's state, role and password are not changed here.
    """
    try:
        changed = profile.update_profile(
            session, actor, body.changes(), body.current_password, policy=policy
        )
    except ValidationError as exc:
        if exc.field != profile.CURRENT_PASSWORD:
            raise
        # Answered, not raised, so that the transaction keeps the failed attempt.
        return refusal_problem(exc)
    return UserRead.model_validate(changed)
