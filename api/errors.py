"""How errors become responses: each project error maps to one status, as problem+json.

Bad input is a 422 naming the field and rule, refused credentials a 401 with
``WWW-Authenticate: Bearer``, throttling a 429 with ``Retry-After``, a visible
but unchangeable target a 403, a conflicting write (a stale ``If-Match``, a
key in use) a 409 and an unavailable database a 503 that shows nothing of its
internals. A target the actor may not see is a 404 (the domain
returns ``None``), never a 403, so that its existence is not revealed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException

from api.problems import ProblemResponse, problem
from database.domain.schemas import field_path
from utils.errors import (
    AuthenticationError,
    ConflictError,
    DatabaseError,
    PermissionDeniedError,
    ThrottledError,
    ValidationError,
)

log = logging.getLogger(__name__)

#: The challenge of every 401: credentials go in ``Authorization: Bearer``.
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}
DATABASE_UNAVAILABLE = "the database is unavailable; try again later"
# Where FastAPI says the value came from; the field is what follows.
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def field_of(location: Sequence[int | str]) -> str:
    """The field of a pydantic error location without its request part: ``rows[1].company``."""
    parts = list(location)
    if parts and parts[0] in _LOCATIONS:
        parts = parts[1:]
    return field_path(parts) or "body"


def refusal_problem(exc: ValidationError | AuthenticationError) -> ProblemResponse:
    """The answer to a refused input or credential, for a route that answers rather than raises.

    A route returns it instead of raising when its transaction must still
    commit, say a failed password confirmation's count.
    """
    if isinstance(exc, AuthenticationError):
        return problem(401, str(exc), headers=BEARER_CHALLENGE)
    # ``exc.value`` is left out: it may be a password.
    return problem(422, str(exc), field=exc.field, rule=exc.rule)


async def _validation(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, ValidationError)
    return refusal_problem(exc)


async def _request_validation(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, RequestValidationError)
    # Only location and message: pydantic's ``input`` may hold a secret.
    errors = [{"field": field_of(e["loc"]), "rule": str(e["msg"])} for e in exc.errors()]
    first = errors[0] if errors else {"field": "body", "rule": "is invalid"}
    detail = f"{first['field']}: {first['rule']}"
    return problem(422, detail, field=first["field"], rule=first["rule"], errors=errors)


async def _authentication(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, AuthenticationError)
    return refusal_problem(exc)


async def _throttled(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, ThrottledError)
    return problem(429, str(exc), headers={"Retry-After": str(exc.retry_after)})


async def _permission_denied(_: Request, exc: Exception) -> ProblemResponse:
    return problem(403, str(exc))


async def _conflict(_: Request, exc: Exception) -> ProblemResponse:
    return problem(409, str(exc))


async def _database(request: Request, exc: Exception) -> ProblemResponse:
    log.error("database error on %s %s: %s", request.method, request.url.path, exc)
    return problem(503, DATABASE_UNAVAILABLE, headers={"Retry-After": "5"})


async def _http(_: Request, exc: Exception) -> ProblemResponse:
    assert isinstance(exc, HTTPException)
    headers: dict[str, Any] = dict(exc.headers or {})
    return problem(exc.status_code, str(exc.detail), headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    """Render every project error, bad request and HTTP error of ``app`` as problem+json."""
    app.add_exception_handler(ValidationError, _validation)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(AuthenticationError, _authentication)
    app.add_exception_handler(ThrottledError, _throttled)
    app.add_exception_handler(PermissionDeniedError, _permission_denied)
    app.add_exception_handler(ConflictError, _conflict)
    app.add_exception_handler(DatabaseError, _database)
    app.add_exception_handler(HTTPException, _http)
