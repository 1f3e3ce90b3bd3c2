"""``Idempotency-Key`` on creating requests: a retried POST creates one object.

The same key and body get the first response again (status, body, Location);
the key with another body is a 422; keys are per person; two requests with
one key sent at the same time create one object; a key expires after 24 hours.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from database.connection import DatabaseManager
from database.domain.accounts import create_api_key
from database.domain.idempotency import LIFETIME
from database.models import IdempotencyKey, JobApplication, Organization, Resume, SearchHistory
from tests.support.api import bearer, register, sign_in

BASE = "/api/v1/applications"
JOB = {"job_title": "Data Engineer", "company": "Acme"}


def signed_in(client: TestClient, email: str = "ada@example.com") -> dict[str, str]:
    register(client, email)
    return bearer(sign_in(client, email))


def keyed(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


def count(db: DatabaseManager, model: Any) -> int:
    with db.session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def post(client: TestClient, headers: dict[str, str], body: Any, url: str = BASE) -> httpx.Response:
    # The same bytes every time: the key's fingerprint is the body as sent.
    response: httpx.Response = client.post(
        url, content=json.dumps(body), headers={**headers, "Content-Type": "application/json"}
    )
    return response


def test_a_retry_with_the_same_key_and_body_gets_the_first_response_and_adds_nothing(
    client: TestClient, db: DatabaseManager
) -> None:
    headers = keyed(signed_in(client), "3f1c-retry")
    first = post(client, headers, JOB)
    again = post(client, headers, JOB)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"] == f"{BASE}/{first.json()['id']}"
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert count(db, JobApplication) == 1


def test_the_same_key_with_another_body_is_refused_and_adds_nothing(
    client: TestClient, db: DatabaseManager
) -> None:
    headers = keyed(signed_in(client), "k-1")
    assert post(client, headers, JOB).status_code == 201
    refused = post(client, headers, {**JOB, "company": "Other"})
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["field"] == "Idempotency-Key"
    assert count(db, JobApplication) == 1


def test_the_same_key_on_another_route_is_refused(client: TestClient) -> None:
    headers = keyed(signed_in(client), "k-2")
    created = post(client, headers, JOB).json()
    note = post(client, headers, {"body": "called"}, url=f"{BASE}/{created['id']}/notes")
    assert note.status_code == 422
    assert note.json()["field"] == "Idempotency-Key"


def test_keys_are_per_person(client: TestClient, db: DatabaseManager) -> None:
    ada = keyed(signed_in(client, "ada@example.com"), "shared")
    bob = keyed(signed_in(client, "bob@example.com"), "shared")
    first = post(client, ada, JOB)
    second = post(client, bob, JOB)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert second.json()["user_id"] != first.json()["user_id"]
    assert count(db, JobApplication) == 2


def test_without_a_key_every_post_creates(client: TestClient, db: DatabaseManager) -> None:
    headers = signed_in(client)
    assert post(client, headers, JOB).status_code == 201
    assert post(client, headers, JOB).status_code == 201
    assert count(db, JobApplication) == 2
    assert count(db, IdempotencyKey) == 0


def test_a_failed_creation_keeps_no_key_so_a_corrected_retry_is_a_new_request(
    client: TestClient, db: DatabaseManager
) -> None:
    headers = keyed(signed_in(client), "k-3")
    bad = post(client, headers, {**JOB, "match_score": 150})
    assert bad.status_code == 422
    assert count(db, IdempotencyKey) == 0
    assert post(client, headers, {**JOB, "match_score": 50}).status_code == 201


def test_a_read_only_key_can_neither_claim_nor_replay(
    client: TestClient, db: DatabaseManager
) -> None:
    assert post(client, keyed(signed_in(client), "k-4"), JOB).status_code == 201
    with db.session_scope() as session:
        user_id = session.scalars(select(IdempotencyKey.user_id)).one()
        read_only = bearer(create_api_key(session, user_id, "reader", {"read"}).token)
    assert post(client, keyed(read_only, "k-4"), JOB).status_code == 403
    assert post(client, keyed(read_only, "k-new"), JOB).status_code == 403
    assert count(db, JobApplication) == 1
    assert count(db, IdempotencyKey) == 1


def test_an_expired_key_is_forgotten_and_may_be_used_again(
    client: TestClient, db: DatabaseManager
) -> None:
    headers = keyed(signed_in(client), "k-5")
    assert post(client, headers, JOB).status_code == 201
    with db.session_scope() as session:
        row = session.scalars(select(IdempotencyKey)).one()
        assert row.expires_at - row.created_at == LIFETIME
        session.execute(
            update(IdempotencyKey).values(expires_at=row.created_at - timedelta(seconds=1))
        )
    again = post(client, headers, JOB)
    assert again.status_code == 201
    assert "idempotent-replayed" not in again.headers
    assert count(db, JobApplication) == 2
    assert count(db, IdempotencyKey) == 1


def test_a_bad_key_is_a_422_naming_the_header(client: TestClient, db: DatabaseManager) -> None:
    headers = signed_in(client)
    for key in ("", "x" * 256, "tab\there"):
        refused = client.post(BASE, json=JOB, headers={**headers, "Idempotency-Key": key})
        assert refused.status_code == 422, key
        assert refused.json()["field"] == "Idempotency-Key"
    assert count(db, JobApplication) == 0


def test_bulk_and_notes_replay_too(client: TestClient, db: DatabaseManager) -> None:
    headers = keyed(signed_in(client), "bulk-1")
    bulk = {"rows": [JOB, {**JOB, "job_title": "Analyst"}]}
    first = post(client, headers, bulk, url=f"{BASE}/bulk")
    again = post(client, headers, bulk, url=f"{BASE}/bulk")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert count(db, JobApplication) == 2
    url = f"{BASE}/{first.json()['ids'][0]}/notes"
    note_headers = keyed(headers, "note-1")
    one = post(client, note_headers, {"body": "called"}, url=url)
    two = post(client, note_headers, {"body": "called"}, url=url)
    assert one.status_code == two.status_code == 201
    assert one.headers["location"] == two.headers["location"]
    assert len(client.get(url, headers=headers).json()) == 1


def test_two_concurrent_posts_with_one_key_create_one_object(
    client: TestClient, db: DatabaseManager
) -> None:
    headers = keyed(signed_in(client), "race")
    start = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def send() -> None:
        start.wait()
        answers.append(post(client, headers, JOB))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].content == answers[1].content
    assert count(db, JobApplication) == 1
    assert count(db, IdempotencyKey) == 1


@pytest.mark.parametrize(
    ("url", "body", "model"),
    [
        ("/api/v1/organizations", {"name": "Career Lab"}, Organization),
        ("/api/v1/search-history", {"job_title": "Data Engineer"}, SearchHistory),
    ],
)
def test_every_creating_post_with_a_key_creates_one_object(
    client: TestClient, db: DatabaseManager, url: str, body: dict[str, str], model: Any
) -> None:
    headers = keyed(signed_in(client), f"once-{url}")
    first = post(client, headers, body, url)
    again = post(client, headers, body, url)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert count(db, model) == 1


def test_a_retried_resume_upload_with_a_key_stores_one_resume(
    client: TestClient, db: DatabaseManager, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_DATA_DIR", str(tmp_path))
    headers = keyed(signed_in(client), "upload-once")
    # The same multipart bytes each time (a fixed boundary), as a client's retry sends them.
    boundary = "aa-fixed-boundary"
    content = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="cv.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\nPython engineer, SQL and data pipelines.\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    sent = {**headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    first = client.post("/api/v1/resumes", content=content, headers=sent)
    again = client.post("/api/v1/resumes", content=content, headers=sent)
    assert first.status_code == again.status_code == 201, first.text
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"]
    assert count(db, Resume) == 1

    other_file = content.replace(b"Python engineer", b"Go engineer")
    refused = client.post("/api/v1/resumes", content=other_file, headers=sent)
    assert refused.status_code == 422
    assert refused.json()["field"] == "Idempotency-Key"
    assert count(db, Resume) == 1
