"""The ``Location`` of a created object: the path ``url_for`` gives, found by name once."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from api.responses import location_of


def _app(root_path: str = "") -> FastAPI:
    app = FastAPI(root_path=root_path)

    @app.get("/things/{thing_id}/parts/{part_id}")
    def read_part(thing_id: int, part_id: int) -> None: ...

    @app.post("/things")
    def create(request: Request) -> dict[str, str]:
        return {
            "mine": location_of(request, "read_part", thing_id=7, part_id=9),
            "theirs": request.url_for("read_part", thing_id="7", part_id="9").path,
        }

    return app


def test_the_location_is_the_path_url_for_gives() -> None:
    with TestClient(_app()) as client:
        answer = client.post("/things").json()
        assert answer["mine"] == answer["theirs"] == "/things/7/parts/9"
        assert client.post("/things").json()["mine"] == "/things/7/parts/9"  # found once


def test_the_location_keeps_the_apps_root_path() -> None:
    with TestClient(_app("/served")) as client:
        answer = client.post("/served/things").json()
    assert answer["mine"] == answer["theirs"] == "/served/things/7/parts/9"
