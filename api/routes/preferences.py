"""``/me/preferences``: what the signed-in person is looking for; theirs alone.

GET always answers 200: a person whose preferences were never stored reads
the defaults (``updated_at`` is then ``null``), so a client needs no special
case. PATCH changes the fields sent; PUT replaces them all (a field left out
takes its default).
"""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import CurrentActor, Session
from api.schemas_profile import PreferencesChange, PreferencesRead, PreferencesReplace
from database.services.tenancy import profile

router = APIRouter(prefix="/me/preferences", tags=["me"])


@router.get("", response_model=PreferencesRead)
def read_preferences(actor: CurrentActor, session: Session) -> PreferencesRead:
    """One's own preferences, or the defaults when none were stored."""
    preferences = profile.get_preferences(session, actor)
    return PreferencesRead() if preferences is None else PreferencesRead.model_validate(preferences)


@router.patch("", response_model=PreferencesRead)
def change_preferences(
    body: PreferencesChange, actor: CurrentActor, session: Session
) -> PreferencesRead:
    """Change the given fields of one's own preferences."""
    preferences = profile.update_preferences(session, actor, body.changes())
    return PreferencesRead.model_validate(preferences)


@router.put("", response_model=PreferencesRead)
def replace_preferences(
    body: PreferencesReplace, actor: CurrentActor, session: Session
) -> PreferencesRead:
    """Replace one's own preferences with the body (fields left out take their defaults)."""
    preferences = profile.update_preferences(session, actor, body.changes())
    return PreferencesRead.model_validate(preferences)
