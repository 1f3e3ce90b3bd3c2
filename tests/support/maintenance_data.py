"""Rows for the retention and maintenance tests: for each policy some past it, some not.

:func:`seed` writes them straight through the models (the times are the point,
and the public API would stamp the current time). :data:`EXPECTED` is what
each policy removes from them at :data:`NOW` with the default settings.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from database.connection import DatabaseManager
from database.models import (
    AIAnalysisCache,
    ApplicationStatus,
    AuthToken,
    DeliveryState,
    EmailState,
    Event,
    EventKind,
    IdempotencyKey,
    Invitation,
    JobApplication,
    MetricSample,
    Notification,
    NotificationKind,
    Organization,
    OrganizationRole,
    SearchHistory,
    TokenKind,
    TokenScope,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)

#: The moment the tests apply the rules at (whole seconds: SQLite keeps microseconds anyway).
NOW = datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC)
DAY = timedelta(days=1)
#: Rows each policy removes from :func:`seed`'s rows at :data:`NOW`, default settings.
EXPECTED = {
    "search_history": 2,
    "ai_cache": 1,
    "events": 2,
    "notifications": 1,
    "metric_samples": 2,
    "auth_tokens": 2,
    "invitations": 3,
    "idempotency_keys": 1,
}
#: Rows each table keeps.
KEPT = {
    "search_history": 1,
    "ai_analysis_cache": 1,
    "events": 2,
    "notifications": 2,
    "metric_samples": 1,
    "auth_tokens": 2,
    "invitations": 1,
    "idempotency_keys": 1,
}
MODELS: dict[str, Any] = {
    "search_history": SearchHistory,
    "ai_analysis_cache": AIAnalysisCache,
    "events": Event,
    "notifications": Notification,
    "metric_samples": MetricSample,
    "auth_tokens": AuthToken,
    "invitations": Invitation,
    "idempotency_keys": IdempotencyKey,
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def seed(manager: DatabaseManager, *, archivable: int = 1) -> int:
    """Write the rows; returns the user's id. ``archivable`` closed applications are due."""
    with manager.session_scope() as session:
        user = User(email="ann@example.com", skills=[])
        session.add(user)
        session.flush()
        _profile_rows(session, user.id)
        _credential_rows(session, user.id)
        _event_rows(session, user.id)
        for index in range(archivable):
            session.add(
                JobApplication(
                    user_id=user.id, job_title=f"Role {index}", company="Initech",
                    status=ApplicationStatus.REJECTED, application_date=NOW - 400 * DAY,
                    status_changed_at=NOW - 200 * DAY,
                )
            )  # fmt: skip
        session.add(
            JobApplication(
                user_id=user.id, job_title="Open", company="Hooli",
                status=ApplicationStatus.APPLIED, application_date=NOW - 400 * DAY,
                status_changed_at=NOW - 400 * DAY,
            )
        )  # fmt: skip
        return user.id


def _profile_rows(session: Session, user_id: int) -> None:
    for days in (400, 366, 10):
        session.add(
            SearchHistory(user_id=user_id, job_title="Python", search_date=NOW - days * DAY)
        )
    session.add(
        AIAnalysisCache(cache_key="old", analysis_type="m", results={}, expires_at=NOW - DAY)
    )
    session.add(
        AIAnalysisCache(cache_key="new", analysis_type="m", results={}, expires_at=NOW + DAY)
    )
    for key, created, read in (("a", 200, 100), ("b", 20, 10), ("c", 200, None)):
        session.add(
            Notification(
                user_id=user_id, kind=NotificationKind.FOLLOW_UP, reminder_key=key,
                title="Follow up", body="-", created_at=NOW - created * DAY,
                read_at=None if read is None else NOW - read * DAY, email_state=EmailState.SKIPPED,
            )
        )  # fmt: skip
    for days in (8, 9, 1):
        session.add(MetricSample(name="pool.checked_out", value=1.0, taken_at=NOW - days * DAY))


def _credential_rows(session: Session, user_id: int) -> None:
    tokens = (
        ("expired", NOW - DAY, None),
        ("revoked", NOW + DAY, NOW - DAY),
        ("valid", NOW + DAY, None),
        ("forever", None, None),
    )
    for name, expires, revoked in tokens:
        session.add(
            AuthToken(
                user_id=user_id, kind=TokenKind.API_KEY, prefix=name[:8],
                token_hash=_digest(name), name=name, scope=TokenScope.READ,
                expires_at=expires, revoked_at=revoked,
            )
        )  # fmt: skip
    organization = Organization(name="Initech", slug="initech", created_by=user_id)
    session.add(organization)
    session.flush()
    invitations = (
        ("expired", NOW - DAY, None, None),
        ("accepted", NOW + DAY, NOW - DAY, None),
        ("revoked", NOW + DAY, None, NOW - DAY),
        ("open", NOW + DAY, None, None),
    )
    for name, expires, accepted, revoked in invitations:
        session.add(
            Invitation(
                organization_id=organization.id, user_id=user_id, email=f"{name}@example.com",
                email_key=f"{name}@example.com", role=OrganizationRole.MEMBER,
                token_hash=_digest("invite" + name), prefix=name[:8], expires_at=expires,
                accepted_at=accepted, revoked_at=revoked,
            )
        )  # fmt: skip
    for key, expires in (("old", NOW - DAY), ("new", NOW + DAY)):
        session.add(
            IdempotencyKey(
                user_id=user_id, key=key, method="POST", path="/api/v1/applications",
                request_digest=_digest(key), expires_at=expires,
            )
        )  # fmt: skip


def _event_rows(session: Session, user_id: int) -> None:
    """Three old events (one still needed by a pending delivery) and a recent one."""
    made = []
    for days in (60, 50, 40, 1):
        event = Event(
            user_id=user_id, kind=EventKind.APPLICATION_CREATED, entity="application",
            entity_id=1, payload="{}", created_at=NOW - days * DAY,
        )  # fmt: skip
        session.add(event)
        session.flush()
        made.append(event)
    endpoint = WebhookEndpoint(
        user_id=user_id, url="https://example.com/hook", event_kinds=["application.created"],
        secret="s" * 32, last_event_id=made[-1].id, created_at=NOW - 90 * DAY,
    )  # fmt: skip
    session.add(endpoint)
    session.flush()
    for event, state in ((made[0], DeliveryState.SENT), (made[1], DeliveryState.PENDING)):
        session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id, event_id=event.id, user_id=user_id, state=state,
                created_at=event.created_at,
            )
        )  # fmt: skip


def row_counts(manager: DatabaseManager) -> dict[str, int]:
    """Rows of each table a retention policy looks at."""
    with manager.session_scope() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in MODELS.items()
        }
