"""Tags as one acting person may see and change them.

The rules of :mod:`database.services.tenancy.applications` hold for an
application's tags: whoever may read the application (its owner, a coach or
admin of the owner's organization) reads its tags; only its owner, with a
write credential, changes them. The vocabulary (listing, renaming, deleting a
tag) and the statistics by tag are the actor's own: another person's tag is
"not found".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from database.domain import tags
from database.domain.accounts import Actor
from database.domain.stats.tags import tag_statistics
from database.models import Tag
from database.services.tenancy.applications import readable, writable
from database.services.tenancy.guards import require_write_scope


def application_tags(session: Session, actor: Actor, application_id: int) -> list[Tag] | None:
    """The application's tags, by name; ``None`` if the actor may not read it."""
    if readable(session, actor, application_id) is None:
        return None
    return tags.of_application(session, application_id)


def set_application_tags(
    session: Session, actor: Actor, application_id: int, names: Any
) -> list[Tag] | None:
    """Make ``names`` the whole set of the actor's own application; ``None`` if not readable."""
    if writable(session, actor, application_id) is None:
        return None
    return tags.set_tags(session, application_id, names)


def remove_application_tag(session: Session, actor: Actor, application_id: int, name: str) -> bool:
    """Take ``name`` off the actor's own application (done if it was not on it).

    ``False`` when the actor may not read the application.
    """
    if writable(session, actor, application_id) is None:
        return False
    tags.remove_tag(session, application_id, name)
    return True


def vocabulary(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The actor's own tags with how many applications carry each (see :func:`tags.vocabulary`)."""
    return tags.vocabulary(session, actor.user_id)


def _own(session: Session, actor: Actor, tag_id: int) -> Tag | None:
    tag = tags.get(session, tag_id)
    return tag if tag is not None and tag.user_id == actor.user_id else None


def rename_tag(session: Session, actor: Actor, tag_id: int, new_name: str) -> Tag | None:
    """Rename (or merge, see :func:`tags.rename`) the actor's own tag; ``None`` if not theirs."""
    if _own(session, actor, tag_id) is None:
        return None
    require_write_scope(actor)
    return tags.rename(session, tag_id, new_name)


def delete_tag(session: Session, actor: Actor, tag_id: int) -> bool:
    """Delete the actor's own tag everywhere; ``False`` if it is not theirs."""
    if _own(session, actor, tag_id) is None:
        return False
    require_write_scope(actor)
    tags.delete_tag(session, tag_id)
    return True


def statistics(
    session: Session, actor: Actor, days: int | None = None, include_archived: bool = True
) -> list[dict[str, Any]]:
    """The actor's own outcomes per tag (see :func:`tag_statistics`)."""
    return tag_statistics(session, actor.user_id, days, include_archived)


def names_for(session: Session, owner_id: int, application_ids: list[int]) -> dict[int, list[str]]:
    """The tag names of each of ``owner_id``'s applications (checked readable by the caller)."""
    return tags.names_for(session, owner_id, application_ids)
