"""Optimistic concurrency on applications: ``ETag`` on reads, ``If-Match`` on writes.

A write whose ``If-Match`` names a version that is no longer current is a 409
problem and changes nothing; without ``If-Match`` it proceeds; of two writers
holding the same version exactly one wins.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx
from fastapi.testclient import TestClient

from api.concurrency import accepted_versions
from database.connection import DatabaseManager
from tests.support.api import bearer, register, sign_in
from tests.support.engines import on_every_engine
from tests.support.snapshot import snapshot as every_row

BASE = "/api/v1/applications"
JOB = {"job_title": "Data Engineer", "company": "Acme"}

# Concurrent requests meet the SQLite file's locking: this module runs on every engine.
__all__ = ["on_every_engine"]


def data() -> dict[str, Any]:
    """Every row but the credentials' (a request marks its token used)."""
    return {name: rows for name, rows in every_row().items() if name != "auth_tokens"}


def created(client: TestClient) -> tuple[dict[str, str], str, str]:
    """Headers of a signed-in person, the address of a new application of theirs, its ETag."""
    register(client, "ada@example.com")
    headers = bearer(sign_in(client, "ada@example.com"))
    response = client.post(BASE, json=JOB, headers=headers)
    url = response.headers["location"]
    return headers, url, client.get(url, headers=headers).headers["etag"]


def if_match(headers: dict[str, str], tag: str) -> dict[str, str]:
    return {**headers, "If-Match": tag}


def test_a_read_has_a_strong_etag_that_changes_with_every_write(client: TestClient) -> None:
    headers, url, tag = created(client)
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert client.get(url, headers=headers).headers["etag"] == tag
    changed = client.patch(url, json={"company": "Acme GmbH"}, headers=if_match(headers, tag))
    assert changed.status_code == 200
    new_tag = changed.headers["etag"]
    assert new_tag != tag
    assert client.get(url, headers=headers).headers["etag"] == new_tag
    moved = client.post(f"{url}/status", json={"status": "screening"}, headers=headers)
    assert moved.headers["etag"] not in (tag, new_tag)
    assert client.get(url, headers=headers).headers["etag"] == moved.headers["etag"]


def test_a_stale_if_match_is_a_409_and_changes_nothing(
    client: TestClient, db: DatabaseManager
) -> None:
    headers, url, tag = created(client)
    assert client.patch(url, json={"company": "First"}, headers=headers).status_code == 200
    before = data()
    stale = if_match(headers, tag)
    attempts: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PATCH", url, {"company": "Second"}),
        ("POST", f"{url}/status", {"status": "screening"}),
        ("DELETE", url, None),
    ]
    for method, target, body in attempts:
        refused = client.request(method, target, json=body, headers=stale)
        assert refused.status_code == 409, (method, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["status"] == 409
    assert data() == before


def test_a_current_or_wildcard_if_match_and_no_if_match_proceed(client: TestClient) -> None:
    headers, url, tag = created(client)
    listed = f'"0000", {tag}'
    assert (
        client.patch(url, json={"company": "A"}, headers=if_match(headers, listed)).status_code
        == 200
    )
    assert (
        client.patch(url, json={"company": "B"}, headers=if_match(headers, "*")).status_code == 200
    )
    assert client.patch(url, json={"company": "C"}, headers=headers).status_code == 200
    tag = client.get(url, headers=headers).headers["etag"]
    assert client.delete(url, headers=if_match(headers, tag)).status_code == 204


def test_a_weak_tag_never_matches(client: TestClient) -> None:
    headers, url, tag = created(client)
    refused = client.patch(url, json={"company": "X"}, headers=if_match(headers, f"W/{tag}"))
    assert refused.status_code == 409


def test_a_malformed_if_match_is_a_422_naming_the_header(client: TestClient) -> None:
    headers, url, _ = created(client)
    refused = client.patch(url, json={"company": "X"}, headers=if_match(headers, "no-quotes"))
    assert refused.status_code == 422
    assert refused.json()["field"] == "If-Match"


def test_the_precondition_is_checked_after_access_so_a_stranger_still_gets_404(
    client: TestClient,
) -> None:
    _, url, tag = created(client)
    register(client, "eve@example.com")
    eve = bearer(sign_in(client, "eve@example.com"))
    assert client.patch(url, json={"company": "X"}, headers=if_match(eve, tag)).status_code == 404
    assert client.patch(url, json={"company": "X"}, headers=if_match(eve, '"x"')).status_code == 404


def test_if_match_parsing() -> None:
    assert accepted_versions(None) is None
    assert accepted_versions(" * ") == frozenset({"*"})
    assert accepted_versions('"a", W/"b" ,"c"') == frozenset({"a", "c"})
    assert accepted_versions('W/"b"') == frozenset()


def test_two_concurrent_patches_with_one_if_match_exactly_one_wins(
    client: TestClient, db: DatabaseManager
) -> None:
    headers, url, tag = created(client)
    start = threading.Barrier(2)
    answers: dict[str, httpx.Response] = {}

    def change(company: str) -> None:
        start.wait()
        answers[company] = client.patch(
            url, json={"company": company}, headers=if_match(headers, tag)
        )

    threads = [threading.Thread(target=change, args=(name,)) for name in ("Left", "Right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    statuses = sorted(a.status_code for a in answers.values())
    assert statuses == [200, 409]
    winner = next(name for name, a in answers.items() if a.status_code == 200)
    final = client.get(url, headers=headers)
    assert final.json()["company"] == winner
    assert final.headers["etag"] == answers[winner].headers["etag"]
