"""The routes mounted one by one make the same API as FastAPI's ``include_router``."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import API_PREFIX
from api.mounting import mount
from api.routes import ROUTERS


def _openapi(add: object) -> dict[str, object]:
    app = FastAPI(title="t", version="1")
    for router in ROUTERS:
        if add == "include":
            app.include_router(router, prefix=API_PREFIX)
        else:
            mount(app, router, API_PREFIX)
    return app.openapi()


def test_mounted_routes_document_exactly_what_included_routers_do() -> None:
    assert _openapi("mount") == _openapi("include")


def test_every_route_is_added_to_the_application_itself() -> None:
    app = FastAPI()
    for router in ROUTERS:
        mount(app, router, API_PREFIX)
    paths = {getattr(route, "path", "") for route in app.router.routes}
    expected = {API_PREFIX + route.path for router in ROUTERS for route in router.routes}  # type: ignore[attr-defined]
    assert expected <= paths
