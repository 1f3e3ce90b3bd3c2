"""The API's routers, one module per resource, mounted under ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import applications, auth, credentials, health, me

#: Every router of the API, in the order of the OpenAPI document.
ROUTERS: tuple[APIRouter, ...] = (
    health.router,
    auth.router,
    credentials.router,
    me.router,
    applications.router,
)
