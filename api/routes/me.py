"""``/me``: the signed-in person's own profile."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CREDENTIALS_REFUSED, CurrentActor, Session
from api.schemas import UserRead
from database.domain import users
from utils.errors import AuthenticationError

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", response_model=UserRead)
def read_me(actor: CurrentActor, session: Session) -> UserRead:
    """The profile of the person behind the credentials."""
    user = users.get(session, actor.user_id)
    if user is None:  # deleted since the token was checked
        raise AuthenticationError(CREDENTIALS_REFUSED)
    return UserRead.model_validate(user)
