"""Webhook endpoints: registered, listed and deleted by their owner.

An endpoint belongs to the person who registered it. With an
``organization_id`` it is an organization's: only an owner or admin of the
organization registers one, and it receives the organization's events and its
members' personal ones (see :mod:`database.domain.webhooks.deliveries`).

The secret. Deliveries are signed with HMAC-SHA256, so the server needs the
secret itself, not a hash of it (unlike API keys). It is generated here
(:func:`secrets.token_urlsafe`), returned once by :func:`register`, and stored
as it is; it is never returned again, is a hidden field of the model (left
out of ``to_dict`` and ``repr``), is held behind row-level security on
PostgreSQL, and is left out of backups. It is not encrypted: encryption would
need a key kept outside the database, which the project has no place for (no
key store, no encryption library), and a key stored beside the data protects
nothing; whoever reads this table can already read the people's data the
webhooks report. A person who fears a leak deletes the endpoint and
registers it again, which makes a new secret.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from database.domain import events
from database.domain.organizations.access import manager_membership
from database.domain.schemas import require_id
from database.domain.webhooks import destinations
from database.domain.webhooks.settings import WebhookSettings, load_settings
from database.models import EventKind, WebhookEndpoint
from utils.errors import ValidationError

#: Random bytes of a secret (it reads as 43 URL-safe characters).
SECRET_BYTES = 32
_KINDS = tuple(kind.value for kind in EventKind)


@dataclass(frozen=True)
class NewEndpoint:
    """A registered endpoint and its secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str = field(repr=False)


def check_kinds(value: Any) -> list[str]:
    """``value`` as a list of event kinds, each once, in the vocabulary's order."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError("events", "must be a list of event kinds")
    wanted = list(value)
    unknown = [kind for kind in wanted if kind not in _KINDS]
    if not wanted or unknown:
        raise ValidationError("events", f"must list one or more of {', '.join(_KINDS)}")
    return [kind for kind in _KINDS if kind in wanted]


def register(
    session: Session,
    user_id: int,
    url: Any,
    kinds: Any,
    organization_id: int | None = None,
    settings: WebhookSettings | None = None,
) -> NewEndpoint | None:
    """Register ``url`` for the events of ``kinds`` that ``user_id`` may see, from now on.

    :class:`ValidationError` on ``url`` (not http/https, or, guarded, not a
    public address: see :mod:`~database.domain.webhooks.destinations`) or
    ``events``. With ``organization_id``: ``None`` when the person is not a
    member, :class:`~utils.errors.PermissionDeniedError` when they neither own
    nor administer it.
    """
    require_id(user_id, "user_id")
    checked = destinations.check_url(url)
    wanted = check_kinds(kinds)
    if organization_id is not None:
        organization = require_id(organization_id, "organization_id")
        if manager_membership(session, user_id, organization) is None:
            return None
    destinations.destination(checked, destinations.guard_on(settings or load_settings()))
    secret = secrets.token_urlsafe(SECRET_BYTES)
    endpoint = WebhookEndpoint(
        user_id=user_id,
        organization_id=organization_id,
        url=checked,
        event_kinds=wanted,
        secret=secret,
        is_active=True,
        last_event_id=events.last_id(session),
    )
    session.add(endpoint)
    session.flush()
    return NewEndpoint(endpoint, secret)


def list_endpoints(session: Session, user_id: int) -> list[WebhookEndpoint]:
    """The person's endpoints, oldest first."""
    query = select(WebhookEndpoint).where(WebhookEndpoint.user_id == require_id(user_id, "user_id"))
    return list(session.scalars(query.order_by(WebhookEndpoint.id)))


def own_endpoint(session: Session, user_id: int, endpoint_id: int) -> WebhookEndpoint | None:
    """The endpoint if it is the person's, else ``None`` (also when there is none)."""
    endpoint = session.get(WebhookEndpoint, require_id(endpoint_id, "webhook_id"))
    if endpoint is None or endpoint.user_id != require_id(user_id, "user_id"):
        return None
    return endpoint


def delete(session: Session, user_id: int, endpoint_id: int) -> bool:
    """Delete the person's endpoint and its deliveries; whether there was one."""
    endpoint = own_endpoint(session, user_id, endpoint_id)
    if endpoint is None:
        return False
    session.delete(endpoint)
    session.flush()
    return True
