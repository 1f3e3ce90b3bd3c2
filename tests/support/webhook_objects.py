"""The authorization matrix's webhook objects: an endpoint and a delivery of it.

``webhook`` is an endpoint of the data owner; ``webhook_delivery`` a delivery
of the owner's newest endpoint (the one ``webhook`` made just before it, in
the same call), of an event of the owner's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.domain import events
from database.domain.webhooks import WebhookSettings, register
from database.models import DeliveryState, EventKind, WebhookDelivery, WebhookEndpoint


def _webhook(session: Session, user_id: int) -> int:
    settings = WebhookSettings(allow_private=True)
    new = register(session, user_id, "https://example.com/hook", ["application.created"],
                   settings=settings)  # fmt: skip
    assert new is not None
    return new.endpoint.id


def _webhook_delivery(session: Session, user_id: int) -> int:
    newest = select(WebhookEndpoint.id).where(WebhookEndpoint.user_id == user_id)
    endpoint_id = session.scalars(newest.order_by(WebhookEndpoint.id.desc()).limit(1)).one()
    event_id = events.record(
        session, EventKind.APPLICATION_CREATED, "application", None, user_id=user_id
    )
    delivery = WebhookDelivery(
        endpoint_id=endpoint_id, event_id=event_id, user_id=user_id,
        state=DeliveryState.FAILED, attempts=8, last_status=500, last_error="HTTP 500",
        next_attempt_at=None, created_at=utcnow(),
    )  # fmt: skip
    session.add(delivery)
    session.flush()
    return delivery.id


#: Object name -> a function of (session, owner's id) making one and returning its id.
WEBHOOK_MAKERS: dict[str, Callable[[Session, int], Any]] = {
    "webhook": _webhook,
    "webhook_delivery": _webhook_delivery,
}
