"""``/me``: the signed-in person's own profile, which only they read and change.

Who may do what is decided in :mod:`database.services.tenancy.profile` and
:mod:`database.services.tenancy.account`: a read-only API key reads the
profile and exports the data but a PATCH or the closing of the account with
it is a 403. ``GET /me/export`` is the personal export (a ZIP archive),
``DELETE /me`` the erasure of the account and everything of it.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from api.deps import CurrentActor, Policy, Session
from api.errors import refusal_problem
from api.schemas import UserRead
from api.schemas_profile import ProfileChange
from database.core.column_types import utcnow
from database.io.personal_export import MEDIA_TYPE as EXPORT_MEDIA_TYPE
from database.services.tenancy import account, profile
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


@router.get(
    "/export",
    response_class=Response,
    responses={200: {"description": "The personal export.", "content": {EXPORT_MEDIA_TYPE: {}}}},
)
def export_me(actor: CurrentActor, session: Session) -> Response:
    """Every record of the actor's own as JSON, with their resume files, in one ZIP archive.

    The archive's README.md describes its format; secrets (password and token
    hashes, webhook secrets) are never in it.
    """
    archive = account.export_data(session, actor)
    name = f"auto-applyer-my-data-{utcnow():%Y%m%d}.zip"
    return Response(
        archive,
        media_type=EXPORT_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, response_class=Response)
def erase_me(actor: CurrentActor, session: Session) -> Response:
    """Close the account: erase every record and resume file of the actor's own.

    Needs a credential of scope ``write``. As the last owner of an
    organization with other members, its longest-standing admin becomes its
    owner; with no admin it is a 422 on ``role`` and nothing is erased. An
    organization with no other member goes with the account.
    """
    account.delete_account(session, actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
