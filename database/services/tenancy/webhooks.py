"""Webhooks as one acting person may see and change them.

An endpoint is its registrant's alone: another person's (a coach's, an
admin's of the same organization) is "not found", like its deliveries.
Listing needs any live credential; registering, deleting and re-sending one
of ``write`` scope (:class:`~utils.errors.PermissionDeniedError` otherwise).
Registering for an organization needs its owner or admin role: a member gets
:class:`PermissionDeniedError`, a stranger ``None``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from database.core.column_types import utcnow
from database.domain.accounts import Actor
from database.domain.schemas import require_id
from database.domain.webhooks import deliveries, endpoints
from database.domain.webhooks.endpoints import NewEndpoint
from database.models import WebhookDelivery, WebhookEndpoint
from database.services.tenancy.guards import require_write_scope


def create_webhook(
    session: Session,
    actor: Actor,
    url: Any,
    kinds: Any,
    organization_id: int | None = None,
) -> NewEndpoint | None:
    """Register the actor's endpoint (its secret is in the result, this once).

    ``None`` when ``organization_id`` names an organization the actor is not in.
    """
    require_write_scope(actor)
    return endpoints.register(session, actor.user_id, url, kinds, organization_id)


def list_webhooks(session: Session, actor: Actor) -> list[WebhookEndpoint]:
    """The actor's endpoints, oldest first."""
    return endpoints.list_endpoints(session, actor.user_id)


def delete_webhook(session: Session, actor: Actor, endpoint_id: int) -> bool:
    """Delete the actor's endpoint with its deliveries; ``False`` if they have no such one."""
    if endpoints.own_endpoint(session, actor.user_id, endpoint_id) is None:
        return False
    require_write_scope(actor)
    return endpoints.delete(session, actor.user_id, endpoint_id)


def list_deliveries(
    session: Session, actor: Actor, endpoint_id: int, limit: int, offset: int = 0
) -> tuple[list[WebhookDelivery], int] | None:
    """The deliveries of the actor's endpoint, newest first, and their count; else ``None``."""
    if endpoints.own_endpoint(session, actor.user_id, endpoint_id) is None:
        return None
    return deliveries.list_deliveries(session, endpoint_id, limit, offset)


def resend_delivery(
    session: Session, actor: Actor, endpoint_id: int, delivery_id: int
) -> WebhookDelivery | None:
    """Send one delivery of the actor's endpoint again, as soon as the worker runs.

    ``None`` when the endpoint is not theirs or has no such delivery.
    """
    if endpoints.own_endpoint(session, actor.user_id, endpoint_id) is None:
        return None
    require_write_scope(actor)
    return deliveries.resend(session, endpoint_id, require_id(delivery_id, "delivery_id"), utcnow())
