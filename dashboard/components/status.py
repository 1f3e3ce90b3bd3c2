"""Application statuses as people read them, on pages and in exported files."""

from __future__ import annotations

from database.models import ApplicationStatus


def status_label(status: ApplicationStatus | str) -> str:
    """A status as people read it: "interview scheduled"."""
    return ApplicationStatus(status).value.replace("_", " ")
