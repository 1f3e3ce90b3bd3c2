"""``/api/v1/ws``: each change reaches the client as an event, replayed after a gap, lossless."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from database.connection import DatabaseManager
from tests.support.api import bearer, register, sign_in
from tests.support.websocket import (
    WS_PATH,
    add_application_in_another_process,
    add_applications,
    events_until,
    next_event,
    quick_heartbeat,
    quiet_for,
)


@pytest.fixture(autouse=True)
def _quick_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    quick_heartbeat(monkeypatch)


def _person(client: TestClient, email: str = "ada@example.com") -> tuple[int, str]:
    user_id = register(client, email)
    return user_id, sign_in(client, email)


def test_a_change_reaches_the_client_as_one_message_with_its_fields(client: TestClient) -> None:
    ada, token = _person(client)
    with client.websocket_connect(WS_PATH, headers=bearer(token)) as ws:
        response = client.post(
            "/api/v1/applications", json={"job_title": "Engineer", "company": "Acme"},
            headers=bearer(token),
        )  # fmt: skip
        assert response.status_code == 201
        event = next_event(ws)
    assert event["kind"] == "application.created"
    assert (event["entity"], event["entity_id"]) == ("application", response.json()["id"])
    assert event["user_id"] == ada
    assert isinstance(event["id"], int) and event["id"] > 0
    assert isinstance(event["payload"], dict)


def test_a_browser_sends_its_token_as_the_bearer_subprotocol(
    client: TestClient, db: DatabaseManager
) -> None:
    ada, token = _person(client)
    with client.websocket_connect(WS_PATH, subprotocols=["bearer", token]) as ws:
        assert ws.accepted_subprotocol == "bearer"
        (application,) = add_applications(db, ada, 1)
        assert next_event(ws)["entity_id"] == application


@pytest.mark.parametrize("credential", ["none", "garbage", "revoked"])
def test_a_connection_without_live_credentials_is_refused_before_it_is_accepted(
    client: TestClient, credential: str
) -> None:
    _, token = _person(client)
    if credential == "revoked":
        assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
    headers = (
        {} if credential == "none" else bearer("garbage" if credential == "garbage" else token)
    )
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect(WS_PATH, headers=headers),
    ):
        pass
    assert refused.value.code == 1008


@pytest.mark.parametrize("since", ["-1", "abc", "1.5", str(2**63), "\u0661"])
def test_a_since_that_is_not_an_event_id_closes_with_a_reason(
    client: TestClient, since: str
) -> None:
    _, token = _person(client)
    path = f"{WS_PATH}?since={since}"
    with (
        client.websocket_connect(path, headers=bearer(token)) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_json()
    assert closed.value.code == 4422
    assert "since" in closed.value.reason


def test_an_idle_stream_gets_heartbeats_with_its_position(
    client: TestClient, db: DatabaseManager
) -> None:
    ada, token = _person(client)
    add_applications(db, ada, 1)
    with client.websocket_connect(WS_PATH, headers=bearer(token)) as ws:
        message = ws.receive_json()
    assert message["type"] == "heartbeat"
    assert message["last_id"] >= 1


def test_events_written_while_disconnected_are_replayed_with_since_none_lost(
    client: TestClient,
    db: DatabaseManager,
) -> None:
    ada, token = _person(client)
    with client.websocket_connect(WS_PATH, headers=bearer(token)) as ws:
        add_applications(db, ada, 1)
        last_seen = next_event(ws)["id"]
    missed = add_applications(db, ada, 50)
    with client.websocket_connect(f"{WS_PATH}?since={last_seen}", headers=bearer(token)) as ws:
        replayed = events_until(ws, last_seen + 50)
        live = add_applications(db, ada, 1)
        after = next_event(ws)
    assert [e["entity_id"] for e in replayed] == missed
    assert [e["id"] for e in replayed] == list(range(last_seen + 1, last_seen + 51))
    assert after["entity_id"] == live[0]


def test_a_replay_longer_than_a_page_arrives_whole_and_in_order(
    client: TestClient, db: DatabaseManager
) -> None:
    ada, token = _person(client)
    written = add_applications(db, ada, 250)
    with client.websocket_connect(f"{WS_PATH}?since=0", headers=bearer(token)) as ws:
        replayed = [next_event(ws) for _ in written]
        assert quiet_for(ws) == []
    assert [e["entity_id"] for e in replayed] == written


def test_a_new_api_over_the_same_database_replays_from_since(
    client: TestClient, db: DatabaseManager
) -> None:
    ada, token = _person(client)
    with (
        TestClient(create_app()) as first,
        first.websocket_connect(WS_PATH, headers=bearer(token)) as ws,
    ):
        add_applications(db, ada, 1)
        last_seen = next_event(ws)["id"]
    missed = add_applications(db, ada, 5)
    with (
        TestClient(create_app()) as restarted,
        restarted.websocket_connect(f"{WS_PATH}?since={last_seen}", headers=bearer(token)) as ws,
    ):
        replayed = [next_event(ws) for _ in missed]
    assert [e["entity_id"] for e in replayed] == missed


def test_signing_out_ends_the_stream_at_the_next_check(client: TestClient) -> None:
    _, token = _person(client)
    with client.websocket_connect(WS_PATH, headers=bearer(token)) as ws:
        assert ws.receive_json()["type"] == "heartbeat"
        assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
        with pytest.raises(WebSocketDisconnect) as closed:
            quiet_for(ws, beats=10)
    assert closed.value.code == 1008


def test_a_stream_without_since_starts_after_the_events_already_there(
    client: TestClient,
    db: DatabaseManager,
) -> None:
    ada, token = _person(client)
    add_applications(db, ada, 3)
    with client.websocket_connect(WS_PATH, headers=bearer(token)) as ws:
        assert quiet_for(ws) == []
        (new,) = add_applications(db, ada, 1)
        assert next_event(ws)["entity_id"] == new


@pytest.mark.parametrize("engine_name", ["sqlite_file", "postgresql"])
def test_a_write_of_another_process_reaches_a_connected_client(
    client: TestClient, db: DatabaseManager
) -> None:
    ada, token = _person(client)
    with client.websocket_connect(WS_PATH, headers=bearer(token)) as ws:
        application = add_application_in_another_process(db, ada)
        event = next_event(ws, patience=30)
    assert (event["kind"], event["entity_id"]) == ("application.created", application)


def test_signing_out_ends_even_a_stream_busier_than_its_heartbeat(
    client: TestClient, db: DatabaseManager
) -> None:
    ada, token = _person(client)
    with client.websocket_connect(WS_PATH, headers=bearer(token)) as ws:
        assert client.post("/api/v1/auth/logout", headers=bearer(token)).status_code == 204
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(100):  # an event every few hundredths of a second, for seconds
                add_applications(db, ada, 1)
                ws.receive_json()
    assert closed.value.code == 1008
