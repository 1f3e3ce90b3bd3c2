"""The authorization matrix's tag objects (see ``tests/support/api_world.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from database.domain import applications, tags

#: The tag :func:`_tagged_application` puts on its application (the ``{name}`` of a path).
TAG_NAME = "Remote"


def _tag(session: Session, user_id: int) -> int:
    """A tag of the user's vocabulary, on one application of theirs."""
    application = applications.add(session, user_id, {"job_title": "Engineer", "company": "Acme"})
    (tag,) = tags.set_tags(session, application.id, [f"Tagged {application.id}"])
    return tag.id


def _tagged_application(session: Session, user_id: int) -> int:
    application = applications.add(session, user_id, {"job_title": "Engineer", "company": "Acme"})
    tags.set_tags(session, application.id, [TAG_NAME])
    return application.id


def _tag_name(_session: Session, _user_id: int) -> str:
    return TAG_NAME


TAG_MAKERS: dict[str, Callable[[Session, int], Any]] = {
    "tag": _tag,
    "tagged_application": _tagged_application,
    "tag_name": _tag_name,
}
