"""Property-based tests of every operation of the OpenAPI document (schemathesis).

Each operation gets 100 generated requests on PostgreSQL with row-level
security on, and 20 on in-memory SQLite (derandomised: the same ones on
every run), from a signed-up person; none may be a server error, and every
response must have a status the operation declares and a body its schema
allows. A stateful run follows the document's links (a created application
read, changed and deleted by its id).
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from database.connection import DatabaseManager
from tests.support.api import bearer, register, sign_in
from tests.support.api_world import RecordingMailer
from tests.support.app_role import app_database
from tests.support.engines import ENGINES

APP = create_app(mailer=RecordingMailer())
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
# The coverage phase adds every boundary case of every schema on top of the
# fuzzing examples: several times their cost, over the time this suite may take.
SCHEMA.config.phases.coverage.enabled = False
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
PROPERTY_ENGINES = [e for e in ("sqlite_memory", "postgresql") if e in ENGINES]
#: The hosted service's engine, row-level security on, gets the full run; SQLite
#: a shorter one for its own limits (integer range, text comparison).
FULL_ENGINES = [e for e in ("postgresql",) if e in ENGINES]
SHORT_ENGINES = [e for e in ("sqlite_memory",) if e in ENGINES]


def _examples(count: int, steps: int = 50) -> settings:
    """Hypothesis settings of ``count`` reproducible examples, without time limits."""
    return settings(
        max_examples=count,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        stateful_step_count=steps,
    )


SHORT = _examples(20)
EXAMPLES = _examples(100)
STATEFUL = _examples(40, steps=6)


@pytest.fixture
def auth_headers(
    db: DatabaseManager,
    engine_name: str,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    """The ``Authorization`` header of a person signed up on the test's database.

    On PostgreSQL the API serves as the application role, row-level security on.
    """
    if engine_name == "postgresql":
        monkeypatch.setenv("DATABASE_OWNER_URL", str(request.getfixturevalue("postgres_url")))
        app_database(db, request.getfixturevalue("app_role"), monkeypatch)
    with TestClient(APP) as client:
        register(client, "fuzz@example.com")
        return bearer(sign_in(client, "fuzz@example.com"))


@pytest.mark.parametrize("engine_name", FULL_ENGINES)
@SCHEMA.parametrize()
@EXAMPLES
def test_operation_never_fails_nor_breaks_its_schema(
    case: Case[Any], auth_headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=auth_headers, checks=CHECKS)


@pytest.mark.parametrize("engine_name", SHORT_ENGINES)
@SCHEMA.parametrize()
@SHORT
def test_operation_never_fails_nor_breaks_its_schema_on_sqlite(
    case: Case[Any], auth_headers: dict[str, str]
) -> None:
    case.call_and_validate(headers=auth_headers, checks=CHECKS)


# Linked calls carry values from earlier responses, which depend on what the
# database already holds; negative cases drawn from them are not reproducible
# between examples (Hypothesis reports FlakyStrategyDefinition). The stateful
# run therefore chains valid calls only; the per-operation runs above cover
# invalid input.
LINKED = schemathesis.openapi.from_asgi("/openapi.json", APP)
LINKED.config.phases.coverage.enabled = False
LINKED.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])
STATE_MACHINE = LINKED.as_state_machine()


@pytest.mark.parametrize("engine_name", PROPERTY_ENGINES)
def test_linked_calls_never_fail_nor_break_their_schema(auth_headers: dict[str, str]) -> None:
    class Signed(STATE_MACHINE):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case: Case[Any]) -> dict[str, object]:
            return {"headers": auth_headers}

        def validate_response(self, response: Any, case: Case[Any], *_: Any, **__: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    Signed.run(settings=STATEFUL)
