"""Outbound webhooks: endpoints that receive a person's events, signed, retried and logged.

- :mod:`~database.domain.webhooks.endpoints`: register (the secret is shown
  once), list, delete.
- :mod:`~database.domain.webhooks.destinations`: which URLs are allowed; the
  guard against server-side request forgery in hosted mode.
- :mod:`~database.domain.webhooks.deliveries`: the delivery log: enqueued
  from the outbox, claimed, retried with backoff, re-sent on request.
- :mod:`~database.domain.webhooks.signing`: the signature, and
  :func:`verify_signature` for receivers.
- :mod:`~database.domain.webhooks.settings`: the ``WEBHOOKS_*`` settings.

The sending itself (the HTTP call, outside any transaction) is
:func:`database.services.webhook_delivery.deliver_webhooks_once`.
"""

from __future__ import annotations

from database.domain.webhooks.deliveries import Claimed, Outcome
from database.domain.webhooks.endpoints import NewEndpoint, list_endpoints, own_endpoint, register
from database.domain.webhooks.settings import WebhookSettings, load_settings
from database.domain.webhooks.signing import signature, verify_signature

__all__ = [
    "Claimed",
    "NewEndpoint",
    "Outcome",
    "WebhookSettings",
    "list_endpoints",
    "load_settings",
    "own_endpoint",
    "register",
    "signature",
    "verify_signature",
]
