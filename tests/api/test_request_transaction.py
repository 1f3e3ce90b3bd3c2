"""Every authenticated request runs in one transaction: authenticated, bound and served in it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import anyio.to_thread
import pytest
from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession

from api.deps import CurrentActor, Session, opens_in_route
from database.core.session import get_database_manager
from tests.support.api import bearer, register, sign_in
from tests.support.engines import on_every_engine

NEW = {"job_title": "Engineer", "company": "Acme"}

# Concurrent requests meet the SQLite file's locking: this module runs on every engine.
__all__ = ["on_every_engine"]


@contextmanager
def transactions() -> Iterator[list[str]]:
    """The statements of the served database, a ``BEGIN`` marking each transaction."""
    engine = get_database_manager().engine
    sent: list[str] = []

    def begun(conn: Connection) -> None:
        sent.append("BEGIN")

    def executed(conn: object, cursor: object, statement: str, *rest: object) -> None:
        sent.append(statement)

    event.listen(engine, "begin", begun)
    event.listen(engine, "before_cursor_execute", executed)
    try:
        yield sent
    finally:
        event.remove(engine, "begin", begun)
        event.remove(engine, "before_cursor_execute", executed)


def test_reads_and_writes_take_one_transaction_each(client: TestClient) -> None:
    register(client)
    headers = bearer(sign_in(client))
    requests = [
        ("POST", "/api/v1/applications", NEW),
        ("GET", "/api/v1/applications?limit=50", None),
        ("GET", "/api/v1/statistics", None),
        ("GET", "/api/v1/search/applications?q=engineer", None),
        ("GET", "/api/v1/me", None),
    ]
    for method, path, body in requests:
        with transactions() as sent:
            response = client.request(method, path, json=body, headers=headers)
        assert response.is_success, (path, response.text)
        assert sent.count("BEGIN") == 1, (path, sent)


def test_listing_ones_own_applications_sends_no_existence_probe(client: TestClient) -> None:
    register(client)
    headers = bearer(sign_in(client))
    assert client.post("/api/v1/applications", json=NEW, headers=headers).status_code == 201
    with transactions() as sent:
        response = client.get("/api/v1/applications?limit=50", headers=headers)
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "1"
    statements = [s for s in sent if s != "BEGIN"]
    # The credential (claim and query, or the query alone on SQLite), then the page with
    # its rows' tags and the count in one statement.
    assert len(statements) <= 3, statements
    assert not [s for s in statements if "FROM users" in s and "auth_tokens" not in s]


def test_a_refused_credential_is_401_and_holds_nothing_the_next_write_needs(
    client: TestClient,
) -> None:
    register(client)
    token = sign_in(client)
    for headers in ({}, bearer(token[:-1] + "x"), bearer("not-a-token")):
        response = client.get("/api/v1/applications", headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
    # A transaction left open would hold the connection (or SQLite's writer lock).
    assert client.post("/api/v1/applications", json=NEW, headers=bearer(token)).status_code == 201


def test_a_commit_that_fails_is_the_clients_503_and_nothing_is_stored(client: TestClient) -> None:
    register(client)
    headers = bearer(sign_in(client))

    def refuse(session: OrmSession) -> None:
        raise sa_exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(OrmSession, "before_commit", refuse)
    try:
        response = client.post("/api/v1/applications", json=NEW, headers=headers)
    finally:
        event.remove(OrmSession, "before_commit", refuse)
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    listed = client.get("/api/v1/applications", headers=headers)
    assert listed.json() == [] or listed.json().get("items") == []


def test_a_route_opens_serves_and_commits_its_transaction_in_one_thread_hop(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    register(client)
    headers = bearer(sign_in(client))
    hops: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counted(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(function, "__name__", repr(function)))
        return await run_sync(function, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    for method, path, body in [
        ("POST", "/api/v1/applications", NEW),
        ("GET", "/api/v1/applications?limit=50", None),
        ("GET", "/api/v1/statistics", None),
    ]:
        hops.clear()
        with transactions() as sent:
            response = client.request(method, path, json=body, headers=headers)
        assert response.is_success, response.text
        # The route's one hop opens the transaction, checks the credential, serves and commits.
        assert len(hops) == 1, (path, hops)
        assert sent.count("BEGIN") == 1


@pytest.mark.parametrize("path", ["/api/v1/applications?limit=many", "/api/v1/statistics?days=x"])
def test_a_dead_credential_is_401_before_the_input_is_refused(
    client: TestClient, path: str
) -> None:
    register(client)
    token = sign_in(client)
    assert client.get(path, headers=bearer(token)).status_code == 422
    assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    assert client.get(path, headers=bearer(token)).status_code == 401
    assert client.get(path, headers=bearer("not-a-token")).status_code == 401
    # Nothing was left open by the refusals: the next write goes through.
    headers = bearer(sign_in(client))
    assert client.post("/api/v1/applications", json=NEW, headers=headers).status_code == 201


def _needs_session(current: Session) -> int:
    return 1


def test_only_a_route_that_alone_takes_the_actor_and_session_opens_its_transaction() -> None:
    router = APIRouter()

    @router.get("/direct")
    def direct(actor: CurrentActor, current: Session) -> None: ...

    @router.get("/through-a-dependency")
    def through(actor: CurrentActor, value: Annotated[int, Depends(_needs_session)]) -> None: ...

    @router.get("/none")
    def plain() -> None: ...

    routes = {route.path: route for route in router.routes if isinstance(route, APIRoute)}
    assert opens_in_route(routes["/direct"].dependant)
    assert not opens_in_route(routes["/through-a-dependency"].dependant)
    assert opens_in_route(routes["/none"].dependant)
