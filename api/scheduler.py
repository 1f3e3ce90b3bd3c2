"""The API's background work: threads for reminders and for webhook deliveries.

Started by the served app's lifespan (:func:`scheduled`) and stopped, waiting
for a running pass to end, at shutdown. ``API_SCHEDULER_INTERVAL`` is the
number of seconds between reminder passes (default 60),
``API_WEBHOOK_INTERVAL`` between webhook delivery passes (default 5); ``0``
turns either off. Every worker of every server may run them: each reminder
is still created once, each e-mail and each webhook delivery claimed by one
of them (see :mod:`database.services.reminders` and
:mod:`database.services.webhook_delivery`). They work as the tables' owner,
since reminders and deliveries are due for everyone.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from database.core.tenant import trusted_manager
from database.services.reminders import run_scheduler_once
from database.services.webhook_delivery import deliver_webhooks_once
from utils.errors import ConfigurationError

log = logging.getLogger(__name__)

INTERVAL_VARIABLE = "API_SCHEDULER_INTERVAL"
DEFAULT_INTERVAL = 60.0
WEBHOOK_INTERVAL_VARIABLE = "API_WEBHOOK_INTERVAL"
DEFAULT_WEBHOOK_INTERVAL = 5.0
#: How long shutdown waits for a running pass (an SMTP timeout or two).
STOP_TIMEOUT = 30.0


def scheduler_interval(
    environ: Mapping[str, str] | None = None,
    variable: str = INTERVAL_VARIABLE,
    default: float = DEFAULT_INTERVAL,
) -> float:
    """The seconds between passes of ``variable``'s work; ``0`` when it is off."""
    raw = (os.environ if environ is None else environ).get(variable, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise ConfigurationError(f"{variable} must be a number of seconds (0: off)")
    return value


@asynccontextmanager
async def scheduled(app: FastAPI) -> AsyncIterator[None]:
    """Run the background threads while the block runs (those whose interval is not 0)."""
    stop = threading.Event()
    mailer = app.state.mailer
    passes: dict[str, tuple[float, Callable[[], object]]] = {
        "reminder-scheduler": (
            scheduler_interval(),
            lambda: run_scheduler_once(trusted_manager(), mailer),
        ),
        "webhook-delivery": (
            scheduler_interval(None, WEBHOOK_INTERVAL_VARIABLE, DEFAULT_WEBHOOK_INTERVAL),
            lambda: deliver_webhooks_once(trusted_manager()),
        ),
    }
    workers = [
        threading.Thread(
            target=_periodically, args=(name, work, interval, stop), name=name, daemon=True
        )
        for name, (interval, work) in passes.items()
        if interval
    ]
    for worker in workers:
        worker.start()
    try:
        yield
    finally:
        stop.set()
        for worker in workers:
            worker.join(STOP_TIMEOUT)


def _periodically(
    name: str, work: Callable[[], object], interval: float, stop: threading.Event
) -> None:
    """Run ``work`` every ``interval`` seconds until ``stop`` is set (a thread's body).

    The owner's manager is looked up for each pass (the database may be
    replaced meanwhile). A failed pass is logged and the next one runs as
    planned: a database, mail server or receiver that is down for a while only
    delays the work.
    """
    while not stop.is_set():
        try:
            work()
        except Exception:  # the loop outlives any one failure; the next pass retries
            log.exception("A %s pass failed; the next one runs in %s s", name, interval)
        stop.wait(interval)
