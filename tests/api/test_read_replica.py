"""Reads on a streaming replica: routed by call kind, reading one's own writes, surviving its loss.

The API runs as the application role with ``DATABASE_READ_URL`` naming the
test server's hot standby (``scripts/pg-test-server.sh replica``). Making the
standby lag on purpose (its replay paused) shows where each request was
served: a row written on the primary alone is missing from a read the replica
served and present in one the primary served.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from database.connection import DatabaseManager
from database.core import replica as replicas
from database.domain import applications
from database.services.health import get_database_health
from tests.support.api import STRICT_POLICY, bearer, register, sign_in
from tests.support.app_role import AppRole, app_database
from tests.support.replica import (
    remove_standby,
    replica_url_of,
    server,
    standby_held,
    wait_until_caught_up,
)

pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)


@dataclass
class Served:
    """The API on a primary with a replica, and one signed-in person."""

    client: TestClient
    manager: DatabaseManager
    owner: DatabaseManager
    user_id: int
    headers: dict[str, str]

    def titles(self) -> set[str]:
        response = self.client.get("/api/v1/applications?limit=50", headers=self.headers)
        assert response.status_code == 200, response.text
        return {item["job_title"] for item in response.json()}

    def reads(self) -> Counter[str]:
        replica = self.manager.replica
        assert replica is not None
        return Counter(replica.status()["reads"])


def serve(
    db: DatabaseManager,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
    **settings: str,
) -> Iterator[Served]:
    role: AppRole = request.getfixturevalue("app_role")
    monkeypatch.setenv("DATABASE_OWNER_URL", str(request.getfixturevalue("postgres_url")))
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    with standby_held() as standby:
        monkeypatch.setenv("DATABASE_READ_URL", replica_url_of(role.url, standby))
        manager = app_database(db, role, monkeypatch)
        with TestClient(create_app(throttle_policy=STRICT_POLICY)) as client:
            user_id = register(client)
            headers = bearer(sign_in(client))
            wait_until_caught_up(manager)
            yield Served(client, manager, db, user_id, headers)


@pytest.fixture(scope="module", autouse=True)
def _standby_removed_afterwards() -> Iterator[None]:
    """No standby outlives these tests: it would replay every write of the rest of the run."""
    yield
    remove_standby()


@pytest.fixture
def served(
    db: DatabaseManager, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    """Reads may lag up to 60 s: only replayed writes and failures send them to the primary."""
    yield from serve(db, request, monkeypatch, DATABASE_READ_MAX_LAG="60")


def add_behind_the_apis_back(served: Served, title: str) -> None:
    """An application written on the primary without the API: no read mark for it."""
    with served.owner.session_scope() as session:
        applications.add(session, served.user_id, {"job_title": title, "company": "Acme"})


def test_a_listing_is_served_by_the_replica(served: Served) -> None:
    server("replica-pause")
    add_behind_the_apis_back(served, "Unreplayed")
    before = served.reads()
    assert "Unreplayed" not in served.titles()
    assert served.reads()[replicas.REPLICA] == before[replicas.REPLICA] + 1
    server("replica-resume")
    wait_until_caught_up(served.manager)
    assert "Unreplayed" in served.titles()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/applications?limit=50",
        "/api/v1/search/applications?q=Unreplayed",
        "/api/v1/statistics?days=30",
        "/api/v1/me",
        "/api/v1/exports/applications.csv",
    ],
)
def test_every_kind_of_read_is_served_by_the_replica(served: Served, path: str) -> None:
    before = served.reads()[replicas.REPLICA]
    response = served.client.get(path, headers=served.headers)
    assert response.status_code == 200, response.text
    assert served.reads()[replicas.REPLICA] == before + 1


def test_a_write_goes_to_the_primary_and_is_read_back_at_once(served: Served) -> None:
    server("replica-pause")
    response = served.client.post(
        "/api/v1/applications",
        json={"job_title": "Mine", "company": "Acme"},
        headers=served.headers,
    )
    assert response.status_code == 201, response.text
    before = served.reads()
    assert "Mine" in served.titles()
    after = served.reads()
    assert after[replicas.UNREPLAYED] == before[replicas.UNREPLAYED] + 1
    assert after[replicas.REPLICA] == before[replicas.REPLICA]
    application_id = response.json()["id"]
    one = served.client.get(f"/api/v1/applications/{application_id}", headers=served.headers)
    assert one.status_code == 200


def test_reads_return_to_the_replica_once_it_replayed_the_write(served: Served) -> None:
    response = served.client.post(
        "/api/v1/applications",
        json={"job_title": "Mine", "company": "Acme"},
        headers=served.headers,
    )
    assert response.status_code == 201
    wait_until_caught_up(served.manager)
    before = served.reads()[replicas.REPLICA]
    assert "Mine" in served.titles()
    assert served.reads()[replicas.REPLICA] == before + 1


def test_another_persons_write_does_not_keep_my_reads_on_the_primary(served: Served) -> None:
    other = register(served.client, "bob@example.com")
    bob = bearer(sign_in(served.client, "bob@example.com"))
    server("replica-pause")
    response = served.client.post(
        "/api/v1/applications", json={"job_title": "Bob's", "company": "Acme"}, headers=bob
    )
    assert response.status_code == 201 and other != served.user_id
    before = served.reads()[replicas.REPLICA]
    assert "Bob's" not in served.titles()
    assert served.reads()[replicas.REPLICA] == before + 1


@pytest.fixture
def strict_lag(
    db: DatabaseManager, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    """Reads go to the primary once the replica is half a second behind."""
    yield from serve(db, request, monkeypatch, DATABASE_READ_MAX_LAG="0.5")


def test_a_lagging_replica_sends_reads_to_the_primary_and_shows_in_the_health_report(
    strict_lag: Served,
) -> None:
    server("replica-pause")
    add_behind_the_apis_back(strict_lag, "Lagged")
    time.sleep(1.2 + replicas.SAMPLE_EVERY)
    assert "Lagged" in strict_lag.titles()
    assert strict_lag.reads()[replicas.LAGGING] >= 1
    report = get_database_health()["replica"]
    assert report["state"] == "lagging" and report["lag_seconds"] > 0.5
    assert report["lag_bytes"] > 0 and report["url"].count("***") == 1


@pytest.fixture
def quick_retry(
    db: DatabaseManager, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Served]:
    yield from serve(
        db, request, monkeypatch, DATABASE_READ_MAX_LAG="60", DATABASE_READ_RETRY_SECONDS="0.5"
    )


def test_stopping_the_replica_under_load_fails_no_request(quick_retry: Served) -> None:
    served = quick_retry
    for title in ("One", "Two", "Three"):
        add_behind_the_apis_back(served, title)
    wait_until_caught_up(served.manager)
    statuses: Counter[int] = Counter()
    stop = threading.Event()
    lock = threading.Lock()

    def load() -> None:
        while not stop.is_set():
            response = served.client.get("/api/v1/applications?limit=50", headers=served.headers)
            ok = response.status_code == 200 and len(response.json()) == 3
            with lock:
                statuses[200 if ok else response.status_code] += 1

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)
        server("replica-stop")
        time.sleep(1.5)
        server("replica")
        time.sleep(1.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)
    reads = served.reads()
    assert set(statuses) == {200}, statuses
    assert statuses[200] > 20
    assert reads[replicas.REPLICA] > 0 and reads[replicas.DOWN] > 0
