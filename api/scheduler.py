"""The API's background work: threads for reminders and for webhook deliveries.

Started by the served app's lifespan (:func:`scheduled`) and stopped, waiting
for a running pass to end, at shutdown. ``API_SCHEDULER_INTERVAL`` is the
number of seconds between reminder passes (default 60),
``API_WEBHOOK_INTERVAL`` between webhook delivery passes (default 5); ``0``
turns either off. Every worker of every server may run them: each reminder
is still created once, each e-mail and each webhook delivery claimed by one
of them (see :mod:`database.services.reminders` and
:mod:`database.services.webhook_delivery`). They work as the tables' owner,
since reminders and deliveries are due for everyone. In hosted mode,
``API_MAINTENANCE_INTERVAL`` (default 86400, ``0``: off) is how often
maintenance runs (see :mod:`database.services.maintenance`): its lock and the
start of the last run make that once per interval across all workers; and
``API_HEALTH_INTERVAL`` (default 60, ``0``: off) how often the health figures
are sampled and the alerts evaluated (see :mod:`database.services.alerts`).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager

from fastapi import FastAPI

from database.core.config import deployment_mode
from database.core.tenant import trusted_manager
from database.services.alerts import run_leased_health_tick
from database.services.maintenance import run_scheduled_maintenance
from database.services.reminders import run_scheduler_once
from database.services.webhook_delivery import deliver_webhooks_once
from utils.errors import ConfigurationError

log = logging.getLogger(__name__)

INTERVAL_VARIABLE = "API_SCHEDULER_INTERVAL"
DEFAULT_INTERVAL = 60.0
WEBHOOK_INTERVAL_VARIABLE = "API_WEBHOOK_INTERVAL"
DEFAULT_WEBHOOK_INTERVAL = 5.0
HEALTH_INTERVAL_VARIABLE = "API_HEALTH_INTERVAL"
DEFAULT_HEALTH_INTERVAL = 60.0
MAINTENANCE_INTERVAL_VARIABLE = "API_MAINTENANCE_INTERVAL"
DEFAULT_MAINTENANCE_INTERVAL = 86400.0
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
    health_interval = scheduler_interval(None, HEALTH_INTERVAL_VARIABLE, DEFAULT_HEALTH_INTERVAL)
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
    if deployment_mode() == "hosted":
        every = scheduler_interval(
            None, MAINTENANCE_INTERVAL_VARIABLE, DEFAULT_MAINTENANCE_INTERVAL
        )
        passes["maintenance"] = (
            every,
            lambda: run_scheduled_maintenance(every, manager=trusted_manager()),
        )
        passes["health-monitor"] = (
            health_interval,
            lambda: run_leased_health_tick(trusted_manager(), health_interval),
        )
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
