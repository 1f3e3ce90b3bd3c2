"""Webhook deliveries: enqueued from the outbox, claimed when due, their outcome recorded.

Enqueueing (:func:`enqueue_new`) reads, for each active endpoint, the outbox
events after its ``last_event_id`` that its owner may see and adds a pending
delivery for each of the kinds it wants, then moves ``last_event_id`` on. What
the owner may see follows :mod:`database.services.tenancy.events` (the REST
API's rules): a person's endpoint gets their own events and, where they are an
owner, admin or coach of an organization, its events and its members' personal
ones; an organization's endpoint gets that organization's events and its
members' personal ones while its owner still owns or administers it. Never
anyone else's. Event ids become visible in id order (see
:mod:`database.domain.events`), so a cursor that only moves forward misses none.

Claiming (:func:`claim_due`) takes the pending deliveries that are due (on
PostgreSQL ``FOR UPDATE SKIP LOCKED``, so concurrent workers take different
ones) and pushes their next attempt a lease ahead, so that once the claiming
transaction commits nobody else sends them while the caller does, outside any
transaction. :func:`record_outcome` then writes what happened: a 2xx answer is
``sent``; anything else is retried after :meth:`WebhookSettings.backoff`,
until ``WEBHOOKS_MAX_ATTEMPTS`` attempts have failed (``failed``). A worker
that dies in between leaves its claims to be retried when the lease ends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from database.domain import events
from database.domain.organizations.access import (
    MANAGER_ROLES,
    membership,
    readable_user_ids,
    staff_organization_ids,
)
from database.domain.webhooks.settings import WebhookSettings
from database.models import DeliveryState, Event, WebhookDelivery, WebhookEndpoint

#: How much longer than its sending may take a claim lasts before another worker retries it.
LEASE_MARGIN = timedelta(seconds=60)
#: The longest error text kept.
MAX_ERROR = 500


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for sending: where, what (the event as JSON), and with which secret."""

    delivery_id: int
    event_id: int
    kind: str
    url: str
    attempts: int
    secret: str = field(repr=False)
    body: bytes = field(repr=False)


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the HTTP status, or ``None`` and the error."""

    delivery_id: int
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the receiver accepted it (a 2xx status)."""
        return self.status is not None and 200 <= self.status < 300


def enqueue_new(session: Session, now: datetime) -> int:
    """Add a pending delivery for every new event each active endpoint wants; how many."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.is_active).order_by(WebhookEndpoint.id)
    endpoints = list(session.scalars(query.with_for_update(skip_locked=True)))
    return sum(_enqueue_for(session, endpoint, now) for endpoint in endpoints)


def _enqueue_for(session: Session, endpoint: WebhookEndpoint, now: datetime) -> int:
    # Every event up to `newest` has committed (or rolled back) by now, so once all the
    # visible ones after the cursor are read, the cursor may move at least that far.
    newest = events.last_id(session)
    found = _visible_events(session, endpoint)
    if len(found) == events.MAX_READ:
        cursor = found[-1].id
    else:
        cursor = max(newest, endpoint.last_event_id, found[-1].id if found else 0)
    wanted = set(endpoint.event_kinds)
    new = [e for e in found if e.kind.value in wanted and e.created_at >= endpoint.created_at]
    session.add_all(
        WebhookDelivery(
            endpoint_id=endpoint.id,
            event_id=event.id,
            user_id=endpoint.user_id,
            state=DeliveryState.PENDING,
            attempts=0,
            next_attempt_at=now,
        )
        for event in new
    )
    endpoint.last_event_id = cursor
    session.flush()
    return len(new)


def _visible_events(session: Session, endpoint: WebhookEndpoint) -> list[Event]:
    """The events after the endpoint's cursor that its owner may see through it."""
    owner, since = endpoint.user_id, endpoint.last_event_id
    if endpoint.organization_id is None:
        return events.read(
            session, since, events.MAX_READ,
            user_ids=[owner],
            organization_ids=staff_organization_ids(owner),
            personal_user_ids=readable_user_ids(owner),
        )  # fmt: skip
    role = membership(session, owner, endpoint.organization_id)
    if role is None or role.role not in MANAGER_ROLES:
        return []
    return events.read(
        session, since, events.MAX_READ,
        organization_ids=[endpoint.organization_id],
        personal_user_ids=readable_user_ids(owner, endpoint.organization_id),
    )  # fmt: skip


def claim_due(session: Session, now: datetime, settings: WebhookSettings) -> list[Claimed]:
    """Take up to ``settings.batch`` due deliveries and lease them to the caller."""
    query = (
        select(WebhookDelivery, WebhookEndpoint, Event)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(
            WebhookDelivery.state == DeliveryState.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            WebhookEndpoint.is_active,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(settings.batch)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    rows = list(session.execute(query))
    # The caller sends them one after another; each may take its timeout to connect,
    # to send and to answer.
    lease_end = now + timedelta(seconds=3 * settings.timeout * len(rows)) + LEASE_MARGIN
    claimed = []
    for delivery, endpoint, event in rows:
        delivery.next_attempt_at = lease_end
        claimed.append(
            Claimed(
                delivery_id=delivery.id,
                event_id=event.id,
                kind=event.kind.value,
                url=endpoint.url,
                attempts=delivery.attempts,
                secret=endpoint.secret,
                body=message_body(event),
            )
        )
    session.flush()
    return claimed


def message_body(event: Event) -> bytes:
    """The body a delivery of ``event`` sends: :func:`~database.domain.events.as_message` JSON."""
    return json.dumps(events.as_message(event), sort_keys=True, separators=(",", ":")).encode()


def record_outcome(
    session: Session, outcome: Outcome, now: datetime, settings: WebhookSettings
) -> WebhookDelivery | None:
    """Write the attempt's outcome: sent, due again after the backoff, or failed for good.

    ``None`` when the delivery is gone (its endpoint was deleted meanwhile) or
    no longer pending.
    """
    delivery = session.get(WebhookDelivery, outcome.delivery_id, with_for_update=True)
    if delivery is None or delivery.state is not DeliveryState.PENDING:
        return None
    delivery.attempts += 1
    delivery.last_status = outcome.status
    delivery.last_error = None if outcome.ok else (outcome.error or "")[:MAX_ERROR] or None
    if outcome.ok:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryState.SENT, now, None,
        )  # fmt: skip
    elif delivery.attempts >= settings.max_attempts:
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=settings.backoff(delivery.attempts))
    session.flush()
    return delivery


def list_deliveries(
    session: Session, endpoint_id: int, limit: int, offset: int = 0
) -> tuple[list[WebhookDelivery], int]:
    """The endpoint's deliveries, newest first, and how many there are."""
    mine = WebhookDelivery.endpoint_id == endpoint_id
    total = session.scalar(select(func.count()).select_from(WebhookDelivery).where(mine)) or 0
    query = select(WebhookDelivery).where(mine).order_by(WebhookDelivery.id.desc())
    return list(session.scalars(query.limit(limit).offset(offset))), int(total)


def resend(
    session: Session, endpoint_id: int, delivery_id: int, now: datetime
) -> WebhookDelivery | None:
    """Make the endpoint's delivery pending and due now, with a fresh budget of attempts.

    ``None`` when the endpoint has no such delivery.
    """
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        return None
    delivery.state, delivery.attempts = DeliveryState.PENDING, 0
    delivery.next_attempt_at, delivery.delivered_at = now, None
    session.flush()
    return delivery
