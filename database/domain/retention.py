"""Retention: which rows have outlived their use, counted or removed by one rule each.

Every policy is one ``WHERE`` clause over one table, computed from the settings
and a moment ``now``; :func:`count` and :func:`remove` apply the same clause,
so a dry run reports exactly what the real run removes. The settings are the
``RETENTION_*`` variables (see :class:`RetentionSettings`); a number of days of
``0`` keeps those rows for ever.

- ``search_history``: searches run more than ``RETENTION_SEARCH_HISTORY_DAYS`` ago.
- ``ai_cache``: cached AI analyses whose ``expires_at`` has passed.
- ``events``: outbox events older than ``RETENTION_EVENTS_DAYS`` that no pending
  webhook delivery still needs and that every active endpoint has already
  considered (its cursor is at or past them). Their sent or failed deliveries
  go with them (the foreign key cascades).
- ``notifications``: notifications read more than ``RETENTION_NOTIFICATIONS_DAYS`` ago.
- ``metric_samples``: samples taken more than ``RETENTION_METRIC_SAMPLES_DAYS`` ago.
- ``auth_tokens``: tokens that expired or were revoked.
- ``invitations``: invitations that expired, were accepted or were revoked.
- ``idempotency_keys``: remembered requests past their ``expires_at``.

Functions take a session and never open transactions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import ColumnElement, Table, bindparam, delete, exists, func, or_, select, true
from sqlalchemy.orm import Session

from database.core import config
from database.core.column_types import UTCDateTime
from database.models import (
    AIAnalysisCache,
    AuthToken,
    DeliveryState,
    Event,
    IdempotencyKey,
    Invitation,
    MetricSample,
    Notification,
    SearchHistory,
    WebhookDelivery,
    WebhookEndpoint,
)

log = logging.getLogger(__name__)

MAX_DAYS = 36500


class RetentionSettings(BaseSettings):
    """How long each kind of row is kept, from the ``RETENTION_*`` variables (``0``: for ever).

    - ``RETENTION_SEARCH_HISTORY_DAYS`` (365): recorded job searches.
    - ``RETENTION_EVENTS_DAYS`` (30): outbox events already delivered or consumed.
    - ``RETENTION_NOTIFICATIONS_DAYS`` (90): notifications after they were read.
    - ``RETENTION_METRIC_SAMPLES_DAYS`` (7): sampled database-health figures.

    Expired AI cache rows, expired or revoked tokens, expired or used
    invitations and expired idempotency keys are removed whenever maintenance
    runs; they have no setting (nothing reads them any more). The backup
    rotation's settings share the prefix (see :mod:`database.io.backup.rotation`).
    """

    model_config = SettingsConfigDict(env_prefix="RETENTION_", extra="ignore")

    search_history_days: int = Field(default=365, ge=0, le=MAX_DAYS)
    events_days: int = Field(default=30, ge=0, le=MAX_DAYS)
    notifications_days: int = Field(default=90, ge=0, le=MAX_DAYS)
    metric_samples_days: int = Field(default=7, ge=0, le=MAX_DAYS)


def load_settings() -> RetentionSettings:
    """The settings of the environment; :class:`ConfigurationError` if one is invalid."""
    return config.load_settings(RetentionSettings, "RETENTION_")


Clause = Callable[[RetentionSettings, datetime], ColumnElement[bool] | None]


@dataclass(frozen=True)
class Policy:
    """One retention rule: its name, its table and the clause choosing the rows to remove.

    ``clause`` returns ``None`` when the rule is turned off.
    """

    name: str
    table: Table
    clause: Clause


def _at(moment: datetime) -> ColumnElement[datetime]:
    return bindparam(None, moment, type_=UTCDateTime())


def _before(days: int, now: datetime) -> ColumnElement[datetime] | None:
    return None if days == 0 else _at(now - timedelta(days=days))


def _search_history(settings: RetentionSettings, now: datetime) -> ColumnElement[bool] | None:
    cutoff = _before(settings.search_history_days, now)
    return None if cutoff is None else SearchHistory.search_date < cutoff


def _ai_cache(_settings: RetentionSettings, now: datetime) -> ColumnElement[bool]:
    return AIAnalysisCache.expires_at < _at(now)


def _events(settings: RetentionSettings, now: datetime) -> ColumnElement[bool] | None:
    cutoff = _before(settings.events_days, now)
    if cutoff is None:
        return None
    pending = exists().where(
        WebhookDelivery.event_id == Event.id, WebhookDelivery.state == DeliveryState.PENDING
    )
    # Events after the slowest active endpoint's cursor have not been considered for it yet.
    slowest = (
        select(func.min(WebhookEndpoint.last_event_id))
        .where(WebhookEndpoint.is_active == true())
        .scalar_subquery()
    )
    considered = func.coalesce(slowest, Event.id)
    return (Event.created_at < cutoff) & ~pending & (Event.id <= considered)


def _notifications(settings: RetentionSettings, now: datetime) -> ColumnElement[bool] | None:
    cutoff = _before(settings.notifications_days, now)
    if cutoff is None:
        return None
    return Notification.read_at.is_not(None) & (Notification.read_at < cutoff)


def _metric_samples(settings: RetentionSettings, now: datetime) -> ColumnElement[bool] | None:
    cutoff = _before(settings.metric_samples_days, now)
    return None if cutoff is None else MetricSample.taken_at < cutoff


def _auth_tokens(_settings: RetentionSettings, now: datetime) -> ColumnElement[bool]:
    return or_(AuthToken.expires_at < _at(now), AuthToken.revoked_at.is_not(None))


def _invitations(_settings: RetentionSettings, now: datetime) -> ColumnElement[bool]:
    return or_(
        Invitation.expires_at < _at(now),
        Invitation.accepted_at.is_not(None),
        Invitation.revoked_at.is_not(None),
    )


def _idempotency_keys(_settings: RetentionSettings, now: datetime) -> ColumnElement[bool]:
    return IdempotencyKey.expires_at < _at(now)


def _table(model: type) -> Table:
    table = model.__table__  # type: ignore[attr-defined]
    assert isinstance(table, Table)
    return table


#: Every policy, in the order maintenance applies them.
POLICIES: tuple[Policy, ...] = (
    Policy("search_history", _table(SearchHistory), _search_history),
    Policy("ai_cache", _table(AIAnalysisCache), _ai_cache),
    Policy("events", _table(Event), _events),
    Policy("notifications", _table(Notification), _notifications),
    Policy("metric_samples", _table(MetricSample), _metric_samples),
    Policy("auth_tokens", _table(AuthToken), _auth_tokens),
    Policy("invitations", _table(Invitation), _invitations),
    Policy("idempotency_keys", _table(IdempotencyKey), _idempotency_keys),
)
POLICY_NAMES = tuple(policy.name for policy in POLICIES)


def count(session: Session, policy: Policy, settings: RetentionSettings, now: datetime) -> int:
    """How many rows ``policy`` would remove at ``now`` (``0`` when it is off)."""
    clause = policy.clause(settings, now)
    if clause is None:
        return 0
    query = select(func.count()).select_from(policy.table).where(clause)
    return int(session.scalar(query) or 0)


def remove(session: Session, policy: Policy, settings: RetentionSettings, now: datetime) -> int:
    """Remove the rows ``policy`` chooses at ``now``; how many, logged."""
    clause = policy.clause(settings, now)
    if clause is None:
        return 0
    result = session.execute(
        delete(policy.table).where(clause), execution_options={"synchronize_session": False}
    )
    removed = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if removed:
        log.info("retention %s: removed %d rows of %s", policy.name, removed, policy.table.name)
    return removed


def apply(
    session: Session, policy: Policy, settings: RetentionSettings, now: datetime, *, dry_run: bool
) -> int:
    """:func:`count` on a dry run, else :func:`remove`."""
    if dry_run:
        found = count(session, policy, settings, now)
        if found:
            log.info(
                "retention %s: would remove %d rows of %s", policy.name, found, policy.table.name
            )
        return found
    return remove(session, policy, settings, now)


__all__ = [
    "POLICIES",
    "POLICY_NAMES",
    "Policy",
    "RetentionSettings",
    "apply",
    "count",
    "load_settings",
]
