"""A test client over the API on the ``db`` fixture's database (every engine in turn).

On PostgreSQL the API connects as the application role, with row-level
security on, as a hosted deployment does; ``db`` stays the owner's way in.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from database.connection import DatabaseManager
from tests.support.api import STRICT_POLICY
from tests.support.app_role import app_database, app_role
from tests.support.engines import ENGINES

__all__ = ["app_role"]

#: The API is the hosted service: it is tested on PostgreSQL (as the application role,
#: under row-level security) and on in-memory SQLite (the SQLite dialect). A SQLite
#: file adds its locking and persistence, which tests/integration prove for every call,
#: and the API modules that depend on them (concurrent requests) name it themselves.
API_ENGINES = [e for e in ENGINES if e != "sqlite_file"]


@pytest.fixture(params=API_ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(
    db: DatabaseManager,
    engine_name: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[TestClient]:
    if engine_name == "postgresql":
        monkeypatch.setenv("DATABASE_OWNER_URL", str(request.getfixturevalue("postgres_url")))
        app_database(db, request.getfixturevalue("app_role"), monkeypatch)
    with TestClient(create_app(throttle_policy=STRICT_POLICY)) as test_client:
        yield test_client
