"""Every route of the OpenAPI document, called as every actor, answers as its access rule says.

The cases are generated from ``app.openapi()`` and ``tests/api/access_rules.py``:
a route without a rule fails (its case names it), and so does a rule without a
route. The world (people, organizations) is built once per engine; each case
mints its own credential and objects, so that no case depends on another.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from database.core.session import cleanup_database, install_manager
from database.migrations import MigrationManager
from tests.api.access_rules import ACCESS_RULES, actors_for, expected_status
from tests.support.api_world import PinnedManager, RecordingMailer, World, build_world
from tests.support.engines import ENGINES, open_database
from tests.support.reliability import report

_METHODS = ("get", "put", "post", "patch", "delete")


def _operations() -> list[tuple[str, str]]:
    document = create_app(mailer=RecordingMailer()).openapi()
    return [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in _METHODS
    ]


OPERATIONS = _operations()
CASES = [
    (method, path, actor)
    for method, path in OPERATIONS
    for actor in (
        actors_for(ACCESS_RULES[method, path]) if (method, path) in ACCESS_RULES else ("-",)
    )
]


# A SQLite file and in-memory SQLite run the same authorization code; the
# file's own behaviour (locking, persistence) is proven by its own tests.
MATRIX_ENGINES = [e for e in ENGINES if e != "sqlite_file"]


@pytest.fixture(scope="module", params=MATRIX_ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def pinned_world(
    engine_name: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder: Path = tmp_path_factory.mktemp(f"matrix-{engine_name}")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("DATABASE_SQLITE_PATH", str(folder / "development.db"))
        opened = open_database(engine_name, request, folder, monkeypatch)
        manager = PinnedManager(opened.config)
        install_manager(manager)
        MigrationManager(manager).migrate_to_latest()
    client = TestClient(create_app(mailer=RecordingMailer()))
    world = build_world(manager, client)
    report(
        f"authorization matrix ({engine_name}): {len(OPERATIONS)} operations x actors "
        f"= {len(CASES)} cases"
    )
    yield world
    client.close()
    manager.release()
    cleanup_database()


@pytest.fixture
def world(pinned_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    """The engine's world, made the global database for this test.

    Uploaded files go to the test's own folder, never the project's ``data/``.
    """
    monkeypatch.setenv("AUTO_APPLYER_DATA_DIR", str(tmp_path / "data"))
    install_manager(pinned_world.manager)
    return pinned_world


def test_every_rule_names_a_route_of_the_openapi_document() -> None:
    stale = sorted(set(ACCESS_RULES) - set(OPERATIONS))
    assert not stale, f"access rules without a route: {stale}"


def test_every_route_of_the_openapi_document_has_an_access_rule() -> None:
    missing = sorted(set(OPERATIONS) - set(ACCESS_RULES))
    assert not missing, f"routes without an access rule in tests/api/access_rules.py: {missing}"


@pytest.mark.parametrize(
    ("method", "path", "actor"), CASES, ids=[f"{m} {p} as {a}" for m, p, a in CASES]
)
def test_route_answers_actor_as_its_access_rule_says(
    world: World, method: str, path: str, actor: str
) -> None:
    access = ACCESS_RULES.get((method, path))
    assert access is not None, f"{method} {path} has no access rule in tests/api/access_rules.py"
    response = world.call(method, path, access, actor)
    expected = expected_status(access, actor)
    assert response.status_code == expected, (
        f"{method} {path} as {actor} ({access.rule.name}): "
        f"{response.status_code}, expected {expected}: {response.text[:300]}"
    )
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")
