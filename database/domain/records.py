"""Small helpers shared by the domain modules for writing ORM rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from database.core.column_types import JSONValue
from database.domain.schemas import require_id
from database.models import Base, JobApplication
from utils.errors import ValidationError


def require_application(session: Session, application_id: int) -> JobApplication:
    """The application, or :class:`ValidationError` on ``application_id`` when there is none."""
    found = session.get(JobApplication, require_id(application_id, "application_id"))
    if found is None:
        raise ValidationError(
            "application_id", f"no application with id {application_id}", application_id
        )
    return found


def apply_changes(row: Base, changes: Mapping[str, Any]) -> None:
    """Set validated ``changes`` on ``row``.

    ``None`` clears a nullable column and empties a list column; on any other
    required column it is a :class:`ValidationError`.
    """
    columns = inspect(type(row)).columns
    for name, value in changes.items():
        column = columns[name]
        if value is None and not column.nullable:
            if isinstance(column.type, JSONValue):
                value = []
            else:
                raise ValidationError(name, "must not be empty")
        setattr(row, name, value)


def check_salary_range(row: Any, changes: Mapping[str, Any]) -> None:
    """Refuse changes that would leave ``salary_min`` above ``salary_max``."""
    low = changes.get("salary_min", row.salary_min)
    high = changes.get("salary_max", row.salary_max)
    if low is not None and high is not None and low > high:
        raise ValidationError("salary_min", "must not exceed salary_max", low)
