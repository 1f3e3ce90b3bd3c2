"""Request figures and ``GET /metrics``: the Prometheus text of the process, or of every worker.

:class:`RouteMetricsMiddleware` counts each HTTP request under its route
*template* (``/api/v1/applications/{application_id}``, never the ids in the
path), its method and the class of its status, with its latency; a path that
matches no route counts as :data:`UNMATCHED`. ``GET /metrics`` serves the
Prometheus text exposition: this process's metrics, or, when
``PROMETHEUS_MULTIPROC_DIR`` is set (prometheus-client's multiprocess mode,
for several API workers), the sum of every worker's. It needs no sign-in from
the machine itself (a loopback address); from anywhere else it takes
``Authorization: Bearer $API_METRICS_TOKEN``, and is refused when that is not set.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from database.core.config import load_settings
from database.core.monitoring import ROUTES, STATEMENTS
from database.core.monitoring.prometheus import observe_request

METRICS_PATH = "/metrics"
UNMATCHED = "<unmatched>"
MULTIPROCESS_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
TOKEN_REFUSED = "metrics need Authorization: Bearer <API_METRICS_TOKEN> from this address"  # noqa: S105 (a message)
LOOPBACK_ONLY = "metrics are served to this machine only (set API_METRICS_TOKEN to allow others)"


class MetricsSettings(BaseSettings):
    """``API_METRICS_TOKEN``: the bearer token that opens ``/metrics`` to other machines."""

    model_config = SettingsConfigDict(env_prefix="API_METRICS_", extra="ignore")

    token: SecretStr | None = None


class RouteMetricsMiddleware:
    """Count and time every HTTP request by route template, method and status class."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or UNMATCHED
            if template != METRICS_PATH:
                now = time.perf_counter()
                method = scope["method"]
                ROUTES.record(method, template, status, now - start)
                observe_request(method, template, status, now - start)
                STATEMENTS.flush_if_due(now)


def metrics_text() -> bytes:
    """The Prometheus exposition: every worker's when ``PROMETHEUS_MULTIPROC_DIR`` is set."""
    STATEMENTS.flush()
    folder = os.environ.get(MULTIPROCESS_VARIABLE)
    if not folder:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_access(request: Request, token: SecretStr | None) -> None:
    if token is not None:
        scheme, _, presented = request.headers.get("authorization", "").partition(" ")
        expected = token.get_secret_value().encode()
        if scheme.lower() == "bearer" and hmac.compare_digest(presented.encode(), expected):
            return
    if _is_loopback(request.client.host if request.client else None):
        return
    if token is None:
        raise HTTPException(403, LOOPBACK_ONLY)
    raise HTTPException(401, TOKEN_REFUSED, headers={"WWW-Authenticate": "Bearer"})


def install_metrics(app: FastAPI) -> None:
    """Count ``app``'s requests and serve ``GET /metrics`` (outside the OpenAPI document)."""
    token = load_settings(MetricsSettings, "API_METRICS_").token
    app.add_middleware(RouteMetricsMiddleware)

    def read_metrics(request: Request) -> Response:
        _check_access(request, token)
        return Response(metrics_text(), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route(METRICS_PATH, read_metrics, methods=["GET"], include_in_schema=False)
