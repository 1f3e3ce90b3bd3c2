"""The baseline of ``benchmarks/api.py`` answers every benchmarked request as the API does.

The benchmark compares the API with a bare app running the same SQL; this
holds the two to the same answers whenever either changes, on PostgreSQL
(the bare app's only engine).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from benchmarks.api import EMAIL, PASSWORD, same_answers, seed
from benchmarks.bare_api import create_bare_app
from database.connection import DatabaseManager
from tests.support.api_world import RecordingMailer


@pytest.mark.parametrize("engine_name", ["postgresql"], indirect=True)
def test_the_bare_app_answers_every_scenario_as_the_api(db: DatabaseManager) -> None:
    seed(30)
    with TestClient(create_app(mailer=RecordingMailer())) as api:
        token = api.post("/api/v1/auth/token", data={"username": EMAIL, "password": PASSWORD})
        with TestClient(create_bare_app()) as bare:
            same_answers(api, bare, token.json()["access_token"])
