"""A test client over the API on the ``db`` fixture's database (every engine in turn)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from database.connection import DatabaseManager
from tests.support.api import STRICT_POLICY


@pytest.fixture
def client(db: DatabaseManager) -> Iterator[TestClient]:
    with TestClient(create_app(throttle_policy=STRICT_POLICY)) as test_client:
        yield test_client
