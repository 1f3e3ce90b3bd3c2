"""JSON answers a route serialises itself, for the hottest reads.

A sync route's returned value costs FastAPI a second validation against the
response model, run in a threadpool hop of its own, and a serialisation after
it. A route that has already built its read models answers with
:func:`json_answer` instead: the same bytes (pydantic's encoder, by alias, as
FastAPI renders them), without the extra validation and hop. The route keeps
its ``response_model`` for the OpenAPI document, and the schema checks of the
test suite hold it to it.

Plain rows read from the database (a listing's dictionaries) skip even the
construction of read models: :func:`rows_answer` serialises each row by the
fields of its read model, as that model would render it, without validating
again what the schema already holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from fastapi import Request, Response
from pydantic import BaseModel, TypeAdapter
from starlette.routing import BaseRoute, Router
from typing_extensions import TypedDict

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


@cache
def _rows_adapter(model: type[BaseModel]) -> TypeAdapter[Any]:
    """A list of rows shaped as ``model``: its fields' types, without its validation."""
    fields = {name: field.annotation for name, field in model.model_fields.items()}
    row = TypedDict(f"{model.__name__}Row", fields)  # type: ignore[misc]
    return TypeAdapter(list[row])


def rows_answer(
    model: type[BaseModel], rows: list[dict[str, Any]], *, headers: Mapping[str, str] | None = None
) -> Response:
    """``rows`` (each with every field of the read model ``model``) as a JSON list of ``model``.

    A row's keys that are no field of ``model`` are left out, as the model
    would leave them out.
    """
    body = _rows_adapter(model).dump_json(rows)
    return Response(body, media_type=JSON, headers=dict(headers or {}))


def location_of(request: Request, name: str, **params: Any) -> str:
    """The path of the route ``name`` of ``request``'s app with ``params``, as ``url_for`` gives it.

    For the ``Location`` of a created object; the route is looked up by name
    once per application, not among all of its routes on every request.
    """
    router: Router = request.app.router
    state = request.app.state
    # The app's routes by name, found once: ``url_for`` tries every route in turn.
    routes: dict[str, BaseRoute] | None = getattr(state, "routes_by_name", None)
    if routes is None:
        routes = state.routes_by_name = {}
    route = routes.get(name)
    if route is None:
        route = routes[name] = next(r for r in router.routes if getattr(r, "name", None) == name)
    path = route.url_path_for(name, **{key: str(value) for key, value in params.items()})
    root: str = request.scope.get("root_path", "")
    return root.rstrip("/") + str(path)
