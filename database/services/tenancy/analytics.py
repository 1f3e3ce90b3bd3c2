"""Analytics as one acting person may read them: their own, a member's, an organization's.

- Personal analytics cover the actor's own applications, or with ``user_id``
  those of a person the actor may read (:func:`can_read_member_data`: a coach,
  admin or owner of an organization that person belongs to). Anyone else is
  "not found" (``None``), so that their existence is not revealed.
- Organization analytics cover every member of one organization together and
  are for its coaches, admins and owners: a plain member (who sees the
  organization) gets :class:`PermissionDeniedError`, a non-member ``None``.
  The set of people is :func:`readable_user_ids` of that organization alone,
  so nothing of another organization ever enters the figures.

Everything here only reads, so a read-only API key is enough.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import CompoundSelect
from sqlalchemy.orm import Session

from database.domain import listing
from database.domain.accounts import Actor
from database.domain.organizations.access import (
    STAFF_ROLES,
    can_read_member_data,
    membership,
    readable_user_ids,
)
from database.domain.schemas import require_id
from database.domain.stats import conversion, summary, timing
from utils.errors import PermissionDeniedError

STAFF_ONLY = "only the organization's coaches, admins and owners read its analytics"

_T = TypeVar("_T")


def subject(session: Session, actor: Actor, user_id: int | None = None) -> int | None:
    """Whose data a personal statistic covers: the actor, or ``user_id``; ``None`` if unreadable.

    The actor may read ``user_id`` when :func:`can_read_member_data` says so.
    """
    if user_id is None:
        return actor.user_id
    if not can_read_member_data(session, actor.user_id, require_id(user_id, "user_id")):
        return None
    return user_id


def _of(
    session: Session,
    actor: Actor,
    user_id: int | None,
    statistic: Callable[..., _T],
    *arguments: Any,
) -> _T | None:
    """``statistic(session, subject, *arguments)``; ``None`` if ``user_id`` is not readable."""
    person = subject(session, actor, user_id)
    return None if person is None else statistic(session, person, *arguments)


def statistics(
    session: Session,
    actor: Actor,
    days: int = 30,
    user_id: int | None = None,
    include_archived: bool = True,
) -> dict[str, Any] | None:
    """Totals and the last ``days`` days' figures (``get_application_statistics``)."""
    person = subject(session, actor, user_id)
    if person is None:
        return None
    return summary.application_statistics(session.connection(), person, days, include_archived)


def funnel(
    session: Session, actor: Actor, days: int | None = None, user_id: int | None = None
) -> dict[str, Any] | None:
    """How far the applications got, stage by stage (``get_application_funnel``)."""
    return _of(session, actor, user_id, conversion.funnel, days)


def conversion_by_source(
    session: Session, actor: Actor, days: int | None = None, user_id: int | None = None
) -> list[dict[str, Any]] | None:
    """Outcomes per source (``get_conversion_by_source``)."""
    return _of(session, actor, user_id, conversion.conversion_by_source, days)


def conversion_by_resume(
    session: Session, actor: Actor, days: int | None = None, user_id: int | None = None
) -> list[dict[str, Any]] | None:
    """Outcomes per resume (``get_conversion_by_resume``)."""
    return _of(session, actor, user_id, conversion.conversion_by_resume, days)


def time_in_stage(
    session: Session, actor: Actor, user_id: int | None = None
) -> list[dict[str, Any]] | None:
    """Days spent in each open status (``get_time_in_stage``)."""
    return _of(session, actor, user_id, timing.time_in_stage)


def applications_per_week(
    session: Session, actor: Actor, weeks: int = 12, user_id: int | None = None
) -> list[dict[str, Any]] | None:
    """Applications made in each of the last ``weeks`` weeks (``get_applications_per_week``)."""
    return _of(session, actor, user_id, timing.applications_per_week, weeks)


def response_stats(
    session: Session, actor: Actor, days: int | None = None, user_id: int | None = None
) -> dict[str, Any] | None:
    """Response rate and days to the first response (``get_response_stats``)."""
    return _of(session, actor, user_id, timing.response_stats, days)


def stale_applications(
    session: Session,
    actor: Actor,
    days: int = 14,
    limit: int = 50,
    user_id: int | None = None,
) -> list[dict[str, Any]] | None:
    """Open applications without a change for ``days`` days (``get_stale_applications``)."""
    return _of(session, actor, user_id, timing.stale_applications, days, limit)


def sources(session: Session, actor: Actor, user_id: int | None = None) -> list[str] | None:
    """The distinct sources of the applications, sorted (``get_application_sources``)."""
    return _of(session, actor, user_id, listing.sources)


def organization_members(
    session: Session, actor: Actor, organization_id: int
) -> CompoundSelect[int] | None:
    """The query of the organization's members, for its staff; ``None`` for a non-member.

    :class:`PermissionDeniedError` for a member who is not coach, admin or owner.
    """
    mine = membership(session, actor.user_id, organization_id)
    if mine is None:
        return None
    if mine.role not in STAFF_ROLES:
        raise PermissionDeniedError(STAFF_ONLY)
    return readable_user_ids(actor.user_id, organization_id)


def _across(
    session: Session,
    actor: Actor,
    organization_id: int,
    statistic: Callable[..., _T],
    *arguments: Any,
) -> _T | None:
    """``statistic(session, members, *arguments)``; ``None`` for a non-member."""
    members = organization_members(session, actor, organization_id)
    return None if members is None else statistic(session, members, *arguments)


def organization_funnel(
    session: Session, actor: Actor, organization_id: int, days: int | None = None
) -> dict[str, Any] | None:
    """The funnel of all the organization's members' applications together."""
    return _across(session, actor, organization_id, conversion.funnel_across, days)


def organization_conversion_by_source(
    session: Session, actor: Actor, organization_id: int, days: int | None = None
) -> list[dict[str, Any]] | None:
    """Outcomes per source over all the organization's members' applications."""
    return _across(session, actor, organization_id, conversion.conversion_by_source_across, days)


def organization_time_in_stage(
    session: Session, actor: Actor, organization_id: int
) -> list[dict[str, Any]] | None:
    """Days in each open status over all the organization's members' applications."""
    return _across(session, actor, organization_id, timing.time_in_stage_across)
