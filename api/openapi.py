"""The error responses of the OpenAPI document: every operation declares its problems.

FastAPI documents a route's success and a 422 in its own shape; the API
answers every error as ``application/problem+json`` (:mod:`api.problems`).
:func:`declare_problem_responses` makes the document say so, from what each
operation is: one that needs credentials may answer 401, 403 and 429; one
with a path parameter (or an ``*_id`` query parameter) 404; one that takes
``If-Match`` or ``Idempotency-Key`` 409 (the only conflicts: a taken email,
say, is a 422 on ``email``); one with a body 400 (not even JSON) and 413;
every one 422 and 503. A
route may declare more itself (``responses=`` on its decorator): those it
declares are kept.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI

from api.problems import PROBLEM_JSON

PROBLEM_SCHEMA_NAME = "Problem"
PROBLEM_REF = f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"
#: RFC 9457 problem details, with the API's extension members.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": PROBLEM_SCHEMA_NAME,
    "description": "An error (RFC 9457); ``field`` and ``rule`` name a refused input.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string"},
        "rule": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "rule": {"type": "string"}},
            },
        },
    },
}
#: The headers of the only writes that conflict: a stale version, an idempotency key in use.
CONFLICTING_HEADERS = frozenset({"if-match", "idempotency-key"})
#: Public operations that check credentials sent in their body (and throttle them): sign-in.
CREDENTIAL_CHECKING = frozenset({("post", "/api/v1/auth/token")})
_ALWAYS = (422, 503)


def problem_response(status: int) -> dict[str, Any]:
    """The OpenAPI response object of a problem with ``status``."""
    return {
        "description": HTTPStatus(status).phrase,
        "content": {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}},
    }


def problem_statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    """The error statuses an operation may answer, from its method, security and inputs."""
    statuses: list[int] = list(_ALWAYS)
    if operation.get("security") or (method, path) in CREDENTIAL_CHECKING:
        statuses += [401, 403, 429]
    if any(_names_an_object(parameter) for parameter in operation.get("parameters", ())):
        statuses.append(404)
    if any(_may_conflict(parameter) for parameter in operation.get("parameters", ())):
        statuses.append(409)
    if "requestBody" in operation:
        # 400: a body that is not even JSON; 413: over the body limit.
        statuses += [400, 413]
    return sorted(set(statuses))


def add_problem_responses(document: dict[str, Any]) -> dict[str, Any]:
    """``document`` with the problem responses of every operation declared (in place)."""
    document.setdefault("components", {}).setdefault("schemas", {})[PROBLEM_SCHEMA_NAME] = (
        PROBLEM_SCHEMA
    )
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in problem_statuses(method, path, operation):
                key = str(status)
                declared = responses.get(key)
                # FastAPI's own 422 describes a body the API never sends.
                if declared is None or _is_fastapi_validation(declared):
                    responses[key] = problem_response(status)
    return document


def declare_problem_responses(app: FastAPI) -> None:
    """Make ``app``'s OpenAPI document declare the problem responses of every operation."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_problem_responses(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _names_an_object(parameter: dict[str, Any]) -> bool:
    """Whether a parameter names an object, which may be one the caller may not see (404)."""
    name = str(parameter.get("name", ""))
    return parameter.get("in") == "path" or (
        parameter.get("in") == "query" and name.endswith("_id")
    )


def _may_conflict(parameter: dict[str, Any]) -> bool:
    """Whether a parameter makes its write conditional, which a 409 refuses."""
    name = str(parameter.get("name", "")).lower()
    return parameter.get("in") == "header" and name in CONFLICTING_HEADERS


def _is_fastapi_validation(response: dict[str, Any]) -> bool:
    schema = response.get("content", {}).get("application/json", {}).get("schema", {})
    return bool(schema.get("$ref", "").endswith("/HTTPValidationError"))
