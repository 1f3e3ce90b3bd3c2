"""The OpenAPI document declares the problem responses the API answers."""

from __future__ import annotations

from typing import Any

from api.app import create_app
from api.openapi import PROBLEM_REF
from api.problems import PROBLEM_JSON
from tests.support.api_world import RecordingMailer

DOCUMENT = create_app(mailer=RecordingMailer()).openapi()
OPERATIONS = [
    (method, path, operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]


def _problem_schema(operation: dict[str, Any], status: int) -> str | None:
    response = operation["responses"].get(str(status))
    if response is None:
        return None
    return str(response["content"][PROBLEM_JSON]["schema"]["$ref"])


def test_every_operation_declares_its_422_as_a_problem() -> None:
    for method, path, operation in OPERATIONS:
        assert _problem_schema(operation, 422) == PROBLEM_REF, (method, path)


def test_operations_that_need_credentials_declare_401_and_403() -> None:
    guarded = [(m, p, o) for m, p, o in OPERATIONS if o.get("security")]
    assert guarded
    for method, path, operation in guarded:
        assert _problem_schema(operation, 401) == PROBLEM_REF, (method, path)
        assert _problem_schema(operation, 403) == PROBLEM_REF, (method, path)


def test_operations_with_an_object_in_their_path_declare_404() -> None:
    document = DOCUMENT["paths"]["/api/v1/applications/{application_id}"]
    assert _problem_schema(document["get"], 404) == PROBLEM_REF
    assert _problem_schema(DOCUMENT["paths"]["/api/v1/health"]["get"], 404) is None


def test_sign_in_declares_401_and_429_without_credentials() -> None:
    operation = DOCUMENT["paths"]["/api/v1/auth/token"]["post"]
    assert _problem_schema(operation, 401) == PROBLEM_REF
    assert _problem_schema(operation, 429) == PROBLEM_REF


def test_only_operations_that_can_conflict_declare_409() -> None:
    conditional = {"if-match", "idempotency-key"}
    for method, path, operation in OPERATIONS:
        headers = {
            str(p["name"]).lower() for p in operation.get("parameters", ()) if p["in"] == "header"
        }
        declared = _problem_schema(operation, 409) is not None
        assert declared == bool(headers & conditional), (method, path)
    assert _problem_schema(DOCUMENT["paths"]["/api/v1/auth/register"]["post"], 409) is None
    patch = DOCUMENT["paths"]["/api/v1/applications/{application_id}"]["patch"]
    assert _problem_schema(patch, 409) == PROBLEM_REF
