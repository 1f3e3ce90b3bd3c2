"""``/tags`` and an application's ``/tags``: one's own vocabulary, the list filter, figures."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import bearer, register, sign_in

API = "/api/v1"


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    register(client, email)
    return bearer(sign_in(client, email))


def application(client: TestClient, headers: dict[str, str], title: str = "Engineer") -> int:
    response = client.post(
        f"{API}/applications", json={"job_title": title, "company": "Acme"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def test_tags_are_set_read_listed_and_filtered_by(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    first, second = application(client, ann, "A"), application(client, ann, "B")
    put = client.put(
        f"{API}/applications/{first}/tags", json={"tags": ["Remote", " referral "]}, headers=ann
    )
    assert put.status_code == 200, put.text
    assert put.json() == {"application_id": first, "tags": ["referral", "Remote"]}
    client.put(f"{API}/applications/{second}/tags", json={"tags": ["remote"]}, headers=ann)

    read = client.get(f"{API}/applications/{first}", headers=ann).json()
    assert read["tags"] == ["referral", "Remote"]
    listed = client.get(f"{API}/applications", headers=ann).json()
    assert {a["id"]: a["tags"] for a in listed} == {
        first: ["referral", "Remote"],
        second: ["Remote"],
    }

    both = client.get(f"{API}/applications", params=[("tag", "remote"), ("tag", "Referral")],
                      headers=ann)  # fmt: skip
    assert [a["id"] for a in both.json()] == [first] and both.headers["X-Total-Count"] == "1"
    unknown = client.get(f"{API}/applications", params={"tag": "nothing"}, headers=ann)
    assert unknown.status_code == 200 and unknown.json() == []

    vocabulary = client.get(f"{API}/tags", headers=ann).json()
    assert [(t["name"], t["applications"]) for t in vocabulary] == [("referral", 1), ("Remote", 2)]


def test_renaming_into_an_existing_tag_merges_and_deleting_unlinks(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    one = application(client, ann)
    client.put(f"{API}/applications/{one}/tags", json={"tags": ["wfh", "Remote"]}, headers=ann)
    ids = {t["name"]: t["id"] for t in client.get(f"{API}/tags", headers=ann).json()}
    merged = client.patch(f"{API}/tags/{ids['wfh']}", json={"name": "REMOTE"}, headers=ann)
    assert merged.status_code == 200, merged.text
    assert merged.json() == {"id": ids["Remote"], "name": "Remote", "applications": 1}
    assert client.get(f"{API}/applications/{one}/tags", headers=ann).json()["tags"] == ["Remote"]

    assert client.delete(f"{API}/tags/{ids['Remote']}", headers=ann).status_code == 204
    assert client.get(f"{API}/applications/{one}/tags", headers=ann).json()["tags"] == []
    assert client.get(f"{API}/tags", headers=ann).json() == []
    assert client.delete(f"{API}/tags/{ids['Remote']}", headers=ann).status_code == 404


def test_removing_one_tag_from_an_application(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    one = application(client, ann)
    client.put(f"{API}/applications/{one}/tags", json={"tags": ["Big Tech", "Remote"]},
               headers=ann)  # fmt: skip
    assert (
        client.delete(f"{API}/applications/{one}/tags/big%20tech", headers=ann).status_code == 204
    )
    assert client.get(f"{API}/applications/{one}/tags", headers=ann).json()["tags"] == ["Remote"]
    # Not on it any more: already as asked.
    assert (
        client.delete(f"{API}/applications/{one}/tags/Big%20Tech", headers=ann).status_code == 204
    )


def test_bad_tag_names_are_a_422_naming_the_entry(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    one = application(client, ann)
    response = client.put(
        f"{API}/applications/{one}/tags", json={"tags": ["ok", "x" * 51]}, headers=ann
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "tags[1]" in response.text
    bad_filter = client.get(f"{API}/applications", params={"tag": "a,b"}, headers=ann)
    assert bad_filter.status_code == 422 and "tag" in bad_filter.text


def test_another_persons_tags_are_not_found(client: TestClient) -> None:
    ann, bob = signed_in(client, "ann@example.com"), signed_in(client, "bob@example.com")
    one = application(client, ann)
    client.put(f"{API}/applications/{one}/tags", json={"tags": ["Remote"]}, headers=ann)
    (tag,) = client.get(f"{API}/tags", headers=ann).json()
    assert client.get(f"{API}/tags", headers=bob).json() == []
    assert client.get(f"{API}/applications/{one}/tags", headers=bob).status_code == 404
    put = client.put(f"{API}/applications/{one}/tags", json={"tags": ["x"]}, headers=bob)
    assert put.status_code == 404
    assert (
        client.patch(f"{API}/tags/{tag['id']}", json={"name": "x"}, headers=bob).status_code == 404
    )
    assert client.delete(f"{API}/tags/{tag['id']}", headers=bob).status_code == 404
    assert client.get(f"{API}/applications", params={"tag": "Remote"}, headers=bob).json() == []


def test_statistics_by_tag(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    first, second = application(client, ann, "A"), application(client, ann, "B")
    for one in (first, second):
        client.put(f"{API}/applications/{one}/tags", json={"tags": ["Remote"]}, headers=ann)
    client.post(f"{API}/applications/{first}/status", json={"status": "interview_scheduled"},
                headers=ann)  # fmt: skip
    (row,) = client.get(f"{API}/statistics/tags", params={"days": 30}, headers=ann).json()
    assert (row["tag"], row["applications"], row["responded"], row["interviews"]) == (
        "Remote",
        2,
        1,
        1,
    )
    assert row["interview_rate"] == 50.0
    bad = client.get(f"{API}/statistics/tags", params={"days": 0}, headers=ann)
    assert bad.status_code == 422


def test_an_application_is_created_with_its_tags_or_not_at_all(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    body = {"job_title": "Engineer", "company": "Acme", "tags": ["Remote", "remote", "Referral"]}
    created = client.post(f"{API}/applications", json=body, headers=ann)
    assert created.status_code == 201, created.text
    assert created.json()["tags"] == ["Referral", "Remote"]
    read = client.get(created.headers["Location"], headers=ann).json()
    assert read["tags"] == ["Referral", "Remote"]

    refused = client.post(
        f"{API}/applications", json={**body, "job_title": "Other", "tags": ["a,b"]}, headers=ann
    )
    assert refused.status_code == 422 and "tags" in refused.text
    titles = [a["job_title"] for a in client.get(f"{API}/applications", headers=ann).json()]
    assert titles == ["Engineer"]
