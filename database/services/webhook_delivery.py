"""Sending webhooks: one pass of the delivery worker, the HTTP calls outside any transaction.

:func:`deliver_webhooks_once` enqueues the new events' deliveries, claims the
due ones, sends each (the transaction that claimed them has committed by
then), and records the outcomes in a third transaction. Several workers (API
processes) may run it at once: claims do not overlap (see
:mod:`database.domain.webhooks.deliveries`). A delivery is sent at least once;
a receiver tells a repeat by ``X-AutoApplyer-Delivery``.

Each request is a ``POST`` of the event as JSON
(:func:`database.domain.events.as_message`) with the headers
``X-AutoApplyer-Event`` (its kind), ``X-AutoApplyer-Delivery`` (the delivery's
id), ``X-AutoApplyer-Timestamp`` (Unix seconds) and ``X-AutoApplyer-Signature``
(see :mod:`database.domain.webhooks.signing`). Redirects are not followed, no
proxy from the environment is used, and under the guard against server-side
request forgery the request goes to the address that was just checked.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from database.core.column_types import utcnow
from database.core.session import DatabaseManager
from database.domain.webhooks import deliveries, destinations
from database.domain.webhooks.deliveries import Claimed, Outcome
from database.domain.webhooks.settings import WebhookSettings, load_settings
from database.domain.webhooks.signing import signature
from database.models import DeliveryState
from utils.errors import ValidationError

log = logging.getLogger(__name__)

USER_AGENT = "AutoApplyer-Webhooks/1"


@dataclass
class DeliveryReport:
    """What one pass did: deliveries enqueued, and attempts sent, to be retried, failed."""

    enqueued: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def deliver_webhooks_once(
    manager: DatabaseManager,
    *,
    settings: WebhookSettings | None = None,
    client: httpx.Client | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> DeliveryReport:
    """Enqueue, send and record one batch of webhook deliveries; what was done.

    ``manager`` must see every endpoint and event: the tables' owner
    (``database.core.tenant.trusted_manager()``) where the API runs as an
    application role under row-level security. ``client`` is made (and
    closed) here unless given; ``clock`` tells the time of the database rows.
    """
    settings = settings or load_settings()
    report = DeliveryReport()
    with manager.session_scope() as session:
        report.enqueued = deliveries.enqueue_new(session, clock())
    with manager.session_scope() as session:
        claimed = deliveries.claim_due(session, clock(), settings)
    if not claimed:
        return report
    guarded = destinations.guard_on(settings)
    own_client = client is None
    http = client or new_client(settings)
    try:
        outcomes = [send(http, item, guarded) for item in claimed]
    finally:
        if own_client:
            http.close()
    with manager.session_scope() as session:
        for outcome in outcomes:
            recorded = deliveries.record_outcome(session, outcome, clock(), settings)
            _count(report, recorded.state if recorded is not None else None)
    return report


def new_client(settings: WebhookSettings) -> httpx.Client:
    """A client for deliveries: short timeouts, no redirects, no proxy from the environment."""
    return httpx.Client(
        timeout=httpx.Timeout(settings.timeout), follow_redirects=False, trust_env=False
    )


def send(client: httpx.Client, item: Claimed, guarded: bool) -> Outcome:
    """POST one claimed delivery; its outcome (never raises for the receiver's failures)."""
    try:
        target = destinations.destination(item.url, guarded)
    except ValidationError as exc:
        log.warning("webhook delivery %d refused: %s", item.delivery_id, exc.rule)
        return Outcome(item.delivery_id, None, f"destination refused: {exc.rule}")
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-AutoApplyer-Event": item.kind,
        "X-AutoApplyer-Delivery": str(item.delivery_id),
        "X-AutoApplyer-Timestamp": timestamp,
        "X-AutoApplyer-Signature": signature(item.secret, timestamp, item.body),
    }
    if target.host is not None:
        headers["Host"] = target.host
    extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
    try:
        with client.stream(
            "POST", target.url, content=item.body, headers=headers, extensions=extensions
        ) as response:
            status = response.status_code
    except httpx.HTTPError as exc:
        log.info("webhook delivery %d failed: %s", item.delivery_id, type(exc).__name__)
        return Outcome(item.delivery_id, None, f"{type(exc).__name__}: {exc}")
    if 200 <= status < 300:
        return Outcome(item.delivery_id, status)
    log.info("webhook delivery %d answered %d", item.delivery_id, status)
    return Outcome(item.delivery_id, status, f"HTTP {status}")


def _count(report: DeliveryReport, state: DeliveryState | None) -> None:
    if state is DeliveryState.SENT:
        report.sent += 1
    elif state is DeliveryState.FAILED:
        report.failed += 1
    elif state is DeliveryState.PENDING:
        report.retrying += 1
