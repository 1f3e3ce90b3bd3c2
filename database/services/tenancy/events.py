"""The outbox's events as one acting person may see them (the REST API's rules).

An actor sees their own events; where they are an owner, admin or coach of an
organization, also that organization's events (its membership changes) and
its members' personal events (changes to their applications, resumes,
imports). Never a member's events of another organization, never another
person's otherwise, never a system event (a whole-database backup). The same
rules are the row-level security policies of revision 003.6 on PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from database.domain import events
from database.domain.accounts import Actor
from database.domain.organizations.access import readable_user_ids, staff_organization_ids
from database.models import Event


def events_since(session: Session, actor: Actor, since: int = 0, limit: int = 100) -> list[Event]:
    """The events after id ``since`` that the actor may see, oldest first, at most ``limit``.

    A reader that passes the last id it received misses none (see
    :mod:`database.domain.events`). A read-only credential may read them.
    """
    return events.read(
        session,
        since,
        limit,
        user_ids=[actor.user_id],
        organization_ids=staff_organization_ids(actor.user_id),
        personal_user_ids=readable_user_ids(actor.user_id),
    )
