"""JSON answers a route serialises itself, for the hottest reads.

A sync route's returned value costs FastAPI a second validation against the
response model, run in a threadpool hop of its own, and a serialisation after
it. A route that has already built its read models answers with
:func:`json_answer` instead: the same bytes (pydantic's encoder, by alias, as
FastAPI renders them), without the extra validation and hop. The route keeps
its ``response_model`` for the OpenAPI document, and the schema checks of the
test suite hold it to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from fastapi import Response
from pydantic import TypeAdapter

JSON = "application/json"


@cache
def _adapter(kind: Any) -> TypeAdapter[Any]:
    return TypeAdapter(kind)


def json_answer(
    kind: Any, value: Any, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """``value``, already of type ``kind`` (a read model, or a list of them), as a JSON response."""
    body = _adapter(kind).dump_json(value, by_alias=True)
    return Response(body, status_code=status_code, media_type=JSON, headers=dict(headers or {}))
