"""The application: routers under ``/api/v1``, error handlers, the body limit."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.errors import install_error_handlers
from api.limits import MAX_BODY_BYTES, BodyLimitMiddleware
from api.metrics import install_metrics
from api.mounting import mount
from api.openapi import declare_problem_responses
from api.realtime import Hub, RealtimeSettings, running
from api.replica_retry import ReplicaRetryMiddleware
from api.request_scope import RequestHolderMiddleware
from api.routes import ROUTERS
from api.scheduler import scheduled
from database.bootstrap import init_database
from database.core.session import cleanup_database
from database.domain.accounts import DEFAULT_POLICY, MailSender, SmtpMailSender, ThrottlePolicy
from database.services.rate_limits import RateLimiter, RateLimitPolicy

API_PREFIX = "/api/v1"


@asynccontextmanager
async def _connected(app: FastAPI) -> AsyncIterator[None]:
    init_database()
    # What startup made (modules, mappers, models, the schema) lives as long as the
    # server: frozen once its garbage is gone, the collector's full passes no longer
    # walk it in the time of the requests.
    gc.collect()
    gc.freeze()
    try:
        async with running(app), scheduled(app):
            yield
    finally:
        cleanup_database()
        gc.unfreeze()


def create_app(
    *,
    throttle_policy: ThrottlePolicy = DEFAULT_POLICY,
    max_body_bytes: int = MAX_BODY_BYTES,
    connect: bool = False,
    mailer: MailSender | None = None,
    rate_limit: RateLimitPolicy | None = None,
) -> FastAPI:
    """The API on the global database.

    The caller initialises the database, unless ``connect`` is true: then the
    app connects to the configured one (and migrates it) at startup and
    releases it at shutdown. ``mailer`` sends the password-reset mail; by
    default an :class:`SmtpMailSender` configured by the environment.
    ``rate_limit`` limits each person's requests; by default
    ``API_RATE_LIMIT`` per ``API_RATE_LIMIT_WINDOW`` seconds (none when unset).
    """
    app = FastAPI(
        lifespan=_connected if connect else running,
        title="Auto Applyer",
        version="1",
        summary="Track job applications: accounts, profiles and applications over REST.",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.throttle_policy = throttle_policy
    policy = rate_limit if rate_limit is not None else RateLimitPolicy.from_environment()
    app.state.rate_limiter = RateLimiter(policy)
    app.state.mailer = mailer if mailer is not None else SmtpMailSender.from_environment()
    app.state.realtime = Hub(RealtimeSettings.from_environment())
    install_error_handlers(app)
    app.add_middleware(ReplicaRetryMiddleware)
    app.add_middleware(BodyLimitMiddleware, limit=max_body_bytes)
    app.add_middleware(RequestHolderMiddleware)
    install_metrics(app)
    for router in ROUTERS:
        mount(app, router, API_PREFIX)
    declare_problem_responses(app)
    return app


def create_served_app() -> FastAPI:
    """The API connecting to the configured database itself (one per server worker)."""
    return create_app(connect=True)
