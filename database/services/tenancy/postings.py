"""Importing a job posting as one acting person may: their own account, a write credential."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from database.domain.accounts import Actor
from database.models import ApplicationStatus, JobApplication
from database.services.posting_calls import IMPORTED_STATUS, posting_fields
from database.services.tenancy.applications import create_application
from database.services.tenancy.guards import require_write_scope


def read_for_import(
    actor: Actor,
    url: str | None,
    html: str | None,
    status: ApplicationStatus | str = IMPORTED_STATUS,
) -> dict[str, Any]:
    """The posting's fields, read (and fetched) for ``actor``, outside any transaction.

    A read-only credential is refused before anything is fetched.
    """
    require_write_scope(actor)
    return posting_fields(url, html, status)


def create_imported(session: Session, actor: Actor, fields: dict[str, Any]) -> JobApplication:
    """The actor's new application of the fields :func:`read_for_import` gave."""
    return create_application(session, actor, fields)
