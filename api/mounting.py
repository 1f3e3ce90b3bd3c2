"""The routers' routes added to the application itself, under the API's prefix.

``FastAPI.include_router`` keeps each included router as one route that, on
every request, walks the router's routes through a layer of derived route
contexts (its version counters, regexes and scope bookkeeping): some
300-500 µs per request with this API's routers before the right one is found.
Added one by one to the application, as ``include_router`` once did, the
routes are matched as plain Starlette routes are, a few microseconds in all.
The OpenAPI document is the same either way (``tests/unit/test_mounting.py``).

A sync route is added wrapped by :func:`~api.deps.opening_in_route`, so that
a finished response commits its transaction in the route's own thread, and
a route that alone takes the actor and the session opens it there too.

Building a route analyses its endpoint's signature and dependencies (some
3 ms a route, a third of a second for this API). That work depends on the
route alone, so it is done once per process: each application gets a copy of
the built route, with its own request handler bound to the application's
``dependency_overrides``.
"""

from __future__ import annotations

import copy
import inspect

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute, request_response

from api.deps import opening_in_route, opens_in_route


def mount(app: FastAPI, router: APIRouter, prefix: str) -> None:
    """Add every route of ``router`` to ``app`` under ``prefix``, with all its settings."""
    for route in router.routes:
        if isinstance(route, APIRoute):
            app.router.routes.append(_for_app(app, _built(route, prefix)))
        elif isinstance(route, APIWebSocketRoute):
            app.router.add_api_websocket_route(
                prefix + route.path,
                route.endpoint,
                name=route.name,
                dependencies=route.dependencies,
            )
        else:
            raise TypeError(f"cannot mount a {type(route).__name__} of {prefix}{router.prefix}")
    # As add_api_route does: what FastAPI derives from the routes (its OpenAPI document)
    # is made again.
    app.router._mark_routes_changed()


def _for_app(app: FastAPI, built: APIRoute) -> APIRoute:
    """A copy of ``built`` whose request handler reads ``app``'s dependency overrides."""
    route = copy.copy(built)
    route.dependency_overrides_provider = app
    route.app = request_response(route.get_route_handler())
    return route


#: Each route of a router built under a prefix, by the route's identity (routes do
#: not hash); the route itself is kept beside it, so that its identity stays its own.
_BUILT: dict[tuple[int, str], tuple[APIRoute, APIRoute]] = {}


def _built(route: APIRoute, prefix: str) -> APIRoute:
    """``route`` built under ``prefix``, as the application's own router would, once."""
    known = _BUILT.get((id(route), prefix))
    if known is None:
        known = _BUILT[(id(route), prefix)] = (route, _build(route, prefix))
    return known[1]


def _build(route: APIRoute, prefix: str) -> APIRoute:
    endpoint = route.endpoint
    if not inspect.iscoroutinefunction(endpoint):
        endpoint = opening_in_route(endpoint, opens=opens_in_route(route.dependant))
    holder = APIRouter()
    holder.add_api_route(
        prefix + route.path,
        endpoint,
        response_model=route.response_model,
        status_code=route.status_code,
        tags=list(route.tags),
        dependencies=list(route.dependencies),
        summary=route.summary,
        description=route.description,
        response_description=route.response_description,
        responses=dict(route.responses),
        deprecated=route.deprecated,
        methods=sorted(route.methods or ()),
        operation_id=route.operation_id,
        response_model_include=route.response_model_include,
        response_model_exclude=route.response_model_exclude,
        response_model_by_alias=route.response_model_by_alias,
        response_model_exclude_unset=route.response_model_exclude_unset,
        response_model_exclude_defaults=route.response_model_exclude_defaults,
        response_model_exclude_none=route.response_model_exclude_none,
        include_in_schema=route.include_in_schema,
        response_class=route.response_class,
        name=route.name,
        callbacks=route.callbacks,
        openapi_extra=route.openapi_extra,
        generate_unique_id_function=route.generate_unique_id_function,
        strict_content_type=route.strict_content_type,
    )
    built = holder.routes[-1]
    assert isinstance(built, APIRoute)
    return built
