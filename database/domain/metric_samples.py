"""Sampled figures of database health in ``metric_samples``, for the charts of the last day.

A sample is a name (``pool.checked_out``, ``disk.free_ratio``...), a value and
the time it was taken. Samples are the server's, not a person's; the
retention rules remove old ones (``RETENTION_METRIC_SAMPLES_DAYS``).
Functions take the session first and never commit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from database.models import MetricSample
from utils.errors import ValidationError

MAX_NAME_CHARS = 100


def record(session: Session, figures: Mapping[str, float], taken_at: datetime) -> int:
    """Store one sample of each figure in ``figures`` taken at ``taken_at``; how many.

    A figure that is not a finite number is skipped (there is nothing to chart).
    """
    rows = []
    for name, value in sorted(figures.items()):
        if not name or len(name) > MAX_NAME_CHARS:
            raise ValidationError("name", f"must be 1 to {MAX_NAME_CHARS} characters", name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if math.isfinite(value):
            rows.append({"name": name, "value": float(value), "taken_at": taken_at})
    if rows:
        session.execute(insert(MetricSample), rows)
    return len(rows)


def series(session: Session, name: str, since: datetime) -> list[tuple[datetime, float]]:
    """The samples of ``name`` taken at or after ``since``, oldest first."""
    query = (
        select(MetricSample.taken_at, MetricSample.value)
        .where(MetricSample.name == name, MetricSample.taken_at >= since)
        .order_by(MetricSample.taken_at, MetricSample.id)
    )
    return [(taken_at, float(value)) for taken_at, value in session.execute(query)]


def newest_taken_at(session: Session) -> datetime | None:
    """When the newest sample was taken, or ``None`` before the first one."""
    # The column itself, not max() of it: its type turns SQLite's text back into a time.
    query = select(MetricSample.taken_at).order_by(MetricSample.taken_at.desc()).limit(1)
    newest: datetime | None = session.scalar(query)
    return newest


def names(session: Session) -> list[str]:
    """The names that have samples, sorted."""
    query = select(MetricSample.name).distinct().order_by(MetricSample.name)
    return list(session.scalars(query))
