"""The bodies of the webhook routes.

The secret appears in exactly one body, :class:`WebhookCreated`, the answer to
the registration; no other response carries it.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from api.schemas import ReadModel, WriteModel
from database.domain.webhooks.endpoints import NewEndpoint
from database.models import WebhookEndpoint


class WebhookNew(WriteModel):
    """An endpoint to register: its URL, the event kinds it wants, optionally an organization.

    The values are checked by the domain (a 422 names ``url`` or ``events``).
    """

    url: str = Field(max_length=4096)
    events: list[str] = Field(max_length=64)
    organization_id: int | None = None


class WebhookRead(ReadModel):
    """An endpoint as its owner sees it, without its secret."""

    id: int
    url: str
    events: list[str]
    organization_id: int | None
    is_active: bool
    created_at: datetime

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookRead:
        """The body of ``endpoint``."""
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=list(endpoint.event_kinds),
            organization_id=endpoint.organization_id,
            is_active=endpoint.is_active,
            created_at=endpoint.created_at,
        )


class WebhookCreated(WebhookRead):
    """A new endpoint with its signing secret: shown this once, keep it."""

    secret: str

    @classmethod
    def of_new(cls, new: NewEndpoint) -> WebhookCreated:
        """The body of a just-registered endpoint."""
        return cls(**WebhookRead.of(new.endpoint).model_dump(), secret=new.secret)


class DeliveryRead(ReadModel):
    """One delivery of an event to an endpoint: its state, attempts and last answer."""

    id: int
    event_id: int
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_status: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
