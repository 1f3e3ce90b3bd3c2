"""The reads behind the dashboard's tables, each one ``DatabaseUtils`` call.

Pages never hold queries: they ask this module, which asks the database API
(in hosted mode the actor-scoped services, for the signed-in person).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dashboard import mode, scope
from database.domain.listing import ApplicationFilter
from database.models import ApplicationStatusHistory, JobApplication
from database.utilities import DatabaseUtils

_CHUNK = 500

__all__ = [
    "ApplicationFilter",
    "Profile",
    "count_applications",
    "histories",
    "iter_applications",
    "list_profiles",
    "page_of_applications",
    "sources",
]


@dataclass(frozen=True)
class Profile:
    """One local profile, as the profile selector shows it."""

    id: int
    email: str
    name: str


def list_profiles() -> list[Profile]:
    """Every local profile, by name."""
    return [Profile(u.id, u.email, u.full_name) for u in DatabaseUtils.list_users()]


def count_applications(user_id: int, criteria: ApplicationFilter) -> int:
    """How many of the user's applications match ``criteria``."""
    if mode.is_hosted():
        return scope.own_applications(criteria, limit=1)[1]
    return DatabaseUtils.count_applications(user_id, criteria)


def page_of_applications(
    user_id: int, criteria: ApplicationFilter, limit: int, offset: int
) -> list[JobApplication]:
    """One page of the matching applications, newest first."""
    if mode.is_hosted():
        return scope.own_applications(criteria, limit, offset)[0]
    return DatabaseUtils.find_applications(user_id, criteria, limit=limit, offset=offset)


def iter_applications(user_id: int, criteria: ApplicationFilter) -> Iterator[JobApplication]:
    """Every matching application, newest first, read in chunks (for exports)."""
    offset = 0
    while True:
        chunk = page_of_applications(user_id, criteria, _CHUNK, offset)
        yield from chunk
        if len(chunk) < _CHUNK:
            return
        offset += _CHUNK


def sources(user_id: int) -> list[str]:
    """The distinct sources of the user's applications, sorted."""
    found: list[str] = scope.figures("get_application_sources", user_id)
    return found


def histories(ids: Sequence[int]) -> dict[int, list[ApplicationStatusHistory]]:
    """The status history of each application in ``ids``, oldest first."""
    return DatabaseUtils.get_application_histories(ids)
