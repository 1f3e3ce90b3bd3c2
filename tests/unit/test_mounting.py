"""The routes mounted one by one make the same API as FastAPI's ``include_router``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient

from api.app import API_PREFIX, create_app
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


def _greeting() -> str:
    return "hello"


GREETINGS = APIRouter()


@GREETINGS.get("/greeting")
def read_greeting(greeting: Annotated[str, Depends(_greeting)]) -> dict[str, str]:
    return {"greeting": greeting}


def _greeted(app: FastAPI) -> object:
    with TestClient(app) as client:
        return client.get("/v/greeting").json()


def test_each_application_reads_its_own_dependency_overrides() -> None:
    first, second = FastAPI(), FastAPI()
    for app in (first, second):
        mount(app, GREETINGS, "/v")
    first.dependency_overrides[_greeting] = lambda: "overridden"
    assert _greeted(first) == {"greeting": "overridden"}
    assert _greeted(second) == {"greeting": "hello"}


def test_a_second_application_documents_and_routes_what_the_first_does() -> None:
    first, second = create_app(), create_app()
    assert second.openapi() == first.openapi()
    routes = [(type(r), getattr(r, "path", ""), getattr(r, "name", "")) for r in first.routes]
    assert [
        (type(r), getattr(r, "path", ""), getattr(r, "name", "")) for r in second.routes
    ] == routes
    first_handlers = {getattr(route, "app", None) for route in first.routes}
    assert not first_handlers & {getattr(route, "app", None) for route in second.routes}


def test_a_route_mounted_after_the_document_was_made_is_documented() -> None:
    app = FastAPI()
    assert app.openapi()["paths"] == {}
    mount(app, GREETINGS, "/v")
    assert list(app.openapi()["paths"]) == ["/v/greeting"]
