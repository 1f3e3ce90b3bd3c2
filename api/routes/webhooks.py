"""``/webhooks``: the signed-in person's outbound webhooks and their delivery log.

Who may do what is decided in :mod:`database.services.tenancy.webhooks`: an
endpoint is its registrant's alone (anyone else gets a 404); registering,
deleting and re-sending need a write-scoped credential (403 otherwise). The
secret is in the answer to the registration only. Deliveries are made by
:func:`database.services.webhook_delivery.deliver_webhooks_once`.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from starlette.exceptions import HTTPException

from api.deps import CurrentActor, Session
from api.paging import DEFAULT_LIMIT, TOTAL_HEADER, Limit, Offset
from api.schemas_webhooks import DeliveryRead, WebhookCreated, WebhookNew, WebhookRead
from database.services.tenancy import webhooks as tenancy

router = APIRouter(prefix="/webhooks", tags=["webhooks"])

NOT_FOUND = "no such webhook"
NO_DELIVERY = "no such delivery"
NO_ORGANIZATION = "no such organization"


@router.get("", response_model=list[WebhookRead])
def list_webhooks(actor: CurrentActor, session: Session) -> list[WebhookRead]:
    """One's own webhook endpoints, oldest first (never their secrets)."""
    return [WebhookRead.of(endpoint) for endpoint in tenancy.list_webhooks(session, actor)]


@router.post("", response_model=WebhookCreated, status_code=status.HTTP_201_CREATED)
def create_webhook(body: WebhookNew, actor: CurrentActor, session: Session) -> WebhookCreated:
    """Register an endpoint for the events one may see; the answer holds its secret, this once."""
    new = tenancy.create_webhook(session, actor, body.url, body.events, body.organization_id)
    if new is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_ORGANIZATION)
    return WebhookCreated.of_new(new)


@router.delete("/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_webhook(webhook_id: int, actor: CurrentActor, session: Session) -> Response:
    """Delete one of one's endpoints and its delivery log."""
    if not tenancy.delete_webhook(session, actor, webhook_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{webhook_id}/deliveries", response_model=list[DeliveryRead])
def list_deliveries(
    webhook_id: int,
    actor: CurrentActor,
    session: Session,
    response: Response,
    limit: Limit = DEFAULT_LIMIT,
    offset: Offset = 0,
) -> list[DeliveryRead]:
    """The endpoint's deliveries, newest first; how many there are in ``X-Total-Count``."""
    found = tenancy.list_deliveries(session, actor, webhook_id, limit, offset)
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    rows, total = found
    response.headers[TOTAL_HEADER] = str(total)
    return [DeliveryRead.model_validate(row) for row in rows]


@router.post("/{webhook_id}/deliveries/{delivery_id}/resend", response_model=DeliveryRead)
def resend_delivery(
    webhook_id: int, delivery_id: int, actor: CurrentActor, session: Session
) -> DeliveryRead:
    """Send a delivery again (with a fresh budget of attempts) at the worker's next pass."""
    delivery = tenancy.resend_delivery(session, actor, webhook_id, delivery_id)
    if delivery is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NO_DELIVERY)
    return DeliveryRead.model_validate(delivery)
