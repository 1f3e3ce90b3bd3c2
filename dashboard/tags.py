"""The tag calls of the dashboard, as the person using it may make them.

Local mode calls ``DatabaseUtils``; hosted mode goes through
:mod:`database.services.tenancy.tags` for the signed-in person, so the tags of
an application that is not theirs are reported like a missing application.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from dashboard import auth, mode, state
from database.domain.accounts import Actor
from database.services.tenancy import tags as tenancy
from database.utilities import DatabaseUtils
from utils.errors import ValidationError

T = TypeVar("T")


def _as_actor(work: Callable[[Session, Actor], T]) -> T:
    actor = auth.require_actor()
    with state.ensure_database().session_scope() as session:
        return work(session, actor)


def vocabulary(user_id: int) -> list[str]:
    """The names of the person's tags, by name."""
    if not mode.is_hosted():
        return [t["name"] for t in DatabaseUtils.list_tags(user_id)]
    return [t["name"] for t in _as_actor(tenancy.vocabulary)]


def of_application(application_id: int) -> list[str]:
    """The application's tag names (none when it is not the person's to see)."""
    if not mode.is_hosted():
        return DatabaseUtils.get_application_tags(application_id)
    found = _as_actor(lambda s, a: tenancy.application_tags(s, a, application_id))
    return [] if found is None else [t.name for t in found]


def set_tags(application_id: int, names: list[str]) -> list[str]:
    """Make ``names`` the application's whole set of tags; its tag names."""
    if not mode.is_hosted():
        return DatabaseUtils.set_application_tags(application_id, names)
    found = _as_actor(lambda s, a: tenancy.set_application_tags(s, a, application_id, names))
    if found is None:
        raise ValidationError(
            "application_id", f"no application with id {application_id}", application_id
        )
    return [t.name for t in found]
