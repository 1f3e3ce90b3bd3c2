"""``/api/v1/webhooks``: register (the secret once), list, deliveries, re-send, the SSRF guard.

On PostgreSQL the API runs as the application role (row-level security on);
the delivery worker runs as the tables' owner, the ``db`` fixture.
"""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from database.connection import DatabaseManager
from database.domain.webhooks import verify_signature
from tests.support.api import bearer, register, sign_in
from tests.support.webhooks import Clock, deliver, webhook_receiver

API = "/api/v1"
KINDS = ["application.created"]


@pytest.fixture
def ann(client: TestClient) -> dict[str, str]:
    register(client, "ann@example.com")
    return bearer(sign_in(client, "ann@example.com"))


def create(client: TestClient, headers: dict[str, str], url: str) -> dict[str, object]:
    response = client.post(f"{API}/webhooks", json={"url": url, "events": KINDS}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_the_secret_is_in_the_registration_answer_only(
    client: TestClient, ann: dict[str, str]
) -> None:
    created = create(client, ann, "https://example.com/hook")
    assert isinstance(created["secret"], str) and len(created["secret"]) >= 40
    listed = client.get(f"{API}/webhooks", headers=ann).json()
    assert listed == [{k: v for k, v in created.items() if k != "secret"}]
    assert created["secret"] not in client.get(f"{API}/webhooks", headers=ann).text
    assert listed[0]["events"] == KINDS and listed[0]["organization_id"] is None


def test_hosted_mode_refuses_private_destinations_with_a_422_naming_url(
    client: TestClient, ann: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")
    monkeypatch.delenv("WEBHOOKS_ALLOW_PRIVATE", raising=False)
    for url in ("http://127.0.0.1/", "http://10.0.0.1/", "http://[::1]/",
                "http://169.254.169.254/latest/meta-data/", "http://localhost:8000/"):  # fmt: skip
        response = client.post(f"{API}/webhooks", json={"url": url, "events": KINDS}, headers=ann)
        assert response.status_code == 422, (url, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["field"] == "url", url
    assert client.get(f"{API}/webhooks", headers=ann).json() == []


def test_a_change_made_through_the_api_is_delivered_logged_and_resent(
    client: TestClient, ann: dict[str, str], db: DatabaseManager
) -> None:
    clock = Clock()
    with webhook_receiver(500) as receiver:
        hook = create(client, ann, receiver.url)
        application = client.post(
            f"{API}/applications", json={"job_title": "Engineer", "company": "Acme"}, headers=ann
        ).json()
        deliver(db, clock, max_attempts=1)
        log = client.get(f"{API}/webhooks/{hook['id']}/deliveries", headers=ann)
        [failed] = log.json()
        assert log.headers["X-Total-Count"] == "1"
        assert (failed["state"], failed["attempts"], failed["last_status"]) == ("failed", 1, 500)
        receiver.statuses[:] = [200]
        resent = client.post(
            f"{API}/webhooks/{hook['id']}/deliveries/{failed['id']}/resend", headers=ann
        )
        assert resent.status_code == 200 and resent.json()["state"] == "pending"
        clock.advance(60)  # the re-send is due at the real time, after the clock's start
        assert deliver(db, clock, max_attempts=1).sent == 1
    last = receiver.received[-1]
    assert json.loads(last.body)["entity_id"] == application["id"]
    assert verify_signature(
        str(hook["secret"]), last.headers["X-AutoApplyer-Timestamp"], last.body,
        last.headers["X-AutoApplyer-Signature"],
    )  # fmt: skip
    [sent] = client.get(f"{API}/webhooks/{hook['id']}/deliveries", headers=ann).json()
    assert (sent["state"], sent["last_status"]) == ("sent", 200)


def test_another_persons_webhook_is_not_found_and_gets_none_of_my_events(
    client: TestClient, ann: dict[str, str], db: DatabaseManager
) -> None:
    register(client, "bob@example.com")
    bob = bearer(sign_in(client, "bob@example.com"))
    with webhook_receiver(204) as receiver:
        bobs = create(client, bob, receiver.url)
        client.post(f"{API}/applications", json={"job_title": "Dev", "company": "A"}, headers=ann)
        deliver(db, Clock())
    assert receiver.received == []
    assert client.get(f"{API}/webhooks/{bobs['id']}/deliveries", headers=ann).status_code == 404
    assert client.delete(f"{API}/webhooks/{bobs['id']}", headers=ann).status_code == 404
    assert client.delete(f"{API}/webhooks/{bobs['id']}", headers=bob).status_code == 204
    assert client.get(f"{API}/webhooks", headers=bob).json() == []
