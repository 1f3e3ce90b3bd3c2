"""Resumes over the API: owner-only uploads with the dashboard's checks, downloads, activation.

Uploads go to this test's own data folder (``AUTO_APPLYER_DATA_DIR``).
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.routes.resumes import content_disposition
from database.connection import DatabaseManager
from database.domain import resumes
from database.io import resume_files
from tests.support.profile_api import Headers, coach_of, read_only_key, signed_in
from tests.support.resume_objects import docx_bytes, pdf_bytes

BASE = "/api/v1/resumes"
TEXT = b"Senior Python engineer; Kubernetes and SQL."


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "api-data"
    monkeypatch.setenv("AUTO_APPLYER_DATA_DIR", str(folder))
    yield folder


def upload(
    client: TestClient,
    headers: Headers,
    name: str = "cv.txt",
    content: bytes = TEXT,
    **form: str,
) -> Any:
    return client.post(
        BASE,
        files={"file": (name, content, "application/octet-stream")},
        data=form,
        headers=headers,
    )


def uploaded(client: TestClient, headers: Headers, **options: Any) -> dict[str, Any]:
    response = upload(client, headers, **options)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("cv.pdf", pdf_bytes("Senior Python engineer, Kubernetes"), "application/pdf"),
        (
            "cv.docx",
            docx_bytes("Senior Python engineer, Kubernetes"),
            resume_files.MEDIA_TYPES["docx"],
        ),
        ("cv.txt", b"Senior Python engineer, Kubernetes", "text/plain; charset=utf-8"),
    ],
)
def test_an_upload_is_read_stored_privately_and_downloads_as_sent(
    client: TestClient,
    db: DatabaseManager,
    data_dir: Path,
    name: str,
    content: bytes,
    media_type: str,
) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    response = upload(client, ada, name, content)
    assert response.status_code == 201, response.text
    created = response.json()
    assert response.headers["location"] == f"{BASE}/{created['id']}"
    assert (created["filename"], created["file_type"], created["is_active"]) == (
        name,
        name.rsplit(".", 1)[1],
        True,
    )
    assert created["skills_extracted"] == ["Python", "Kubernetes"]
    assert "Senior Python engineer" in created["parsed_text"]
    assert "file_path" not in created and "user_id" not in created

    with db.session_scope() as session:
        resume = resumes.get(session, created["id"])
        assert resume is not None
        stored = Path(resume.file_path)
    assert stored.parent == data_dir / "resumes" / str(user_id)
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600

    download = client.get(f"{BASE}/{created['id']}/file", headers=ada)
    assert download.status_code == 200
    assert download.content == content
    assert download.headers["content-type"] == media_type
    assert download.headers["content-disposition"].startswith(f'attachment; filename="{name}"')
    assert download.headers["x-content-type-options"] == "nosniff"
    assert client.get(f"{BASE}/{created['id']}", headers=ada).json() == created


def test_a_hostile_file_name_stays_a_label_and_never_a_path(
    client: TestClient, db: DatabaseManager, data_dir: Path
) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    created = uploaded(client, ada, name="../../..\\secret\\\u00e9t\u00e9 cv.txt")
    assert created["filename"] == "\u00e9t\u00e9 cv.txt"
    with db.session_scope() as session:
        resume = resumes.get(session, created["id"])
        assert resume is not None
        assert Path(resume.file_path).parent == data_dir / "resumes" / str(user_id)
    written = [p for p in data_dir.parent.rglob("*") if p.is_file() and p.is_relative_to(data_dir)]
    assert [p.parent for p in written] == [data_dir / "resumes" / str(user_id)]
    assert not [p for p in data_dir.parent.rglob("*") if "secret" in p.name or "cv" in p.name]
    disposition = client.get(f"{BASE}/{created['id']}/file", headers=ada).headers[
        "content-disposition"
    ]
    assert (
        disposition
        == "attachment; filename=\"_t_ cv.txt\"; filename*=UTF-8''%C3%A9t%C3%A9%20cv.txt"
    )


def test_labels_and_download_names_carry_no_path_quote_or_control_character() -> None:
    assert resume_files.safe_label('a/b\\"x"\r\n\x00y.txt', "txt") == '"x"y.txt'
    assert resume_files.safe_label("../..", "pdf") == "resume.pdf"
    assert resume_files.safe_label(None, "docx") == "resume.docx"
    assert len(resume_files.safe_label("x" * 300 + ".txt", "txt")) == resume_files.MAX_LABEL
    assert content_disposition('"x"\u00e9.txt') == (
        "attachment; filename=\"_x__.txt\"; filename*=UTF-8''%22x%22%C3%A9.txt"
    )


@pytest.mark.parametrize(
    ("name", "content", "rule"),
    [
        ("cv.exe", TEXT, "must be named .pdf, .docx or .txt"),
        ("cv", TEXT, "must be named .pdf, .docx or .txt"),
        ("cv.pdf", TEXT, "is named .pdf but its content is txt"),
        ("cv.txt", pdf_bytes("Python"), "is named .txt but its content is pdf"),
        (
            "cv.pdf",
            b"\x89PNG\r\n\x1a\n\x00\x00",
            "must be a PDF, a Word (.docx) document or UTF-8 text",
        ),
        ("cv.pdf", b"%PDF-1.7 garbage", "is not a readable PDF"),
        ("cv.docx", b"PK\x03\x04not a zip", "is a zip archive but not a Word (.docx) document"),
        ("cv.txt", b"", "is empty"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_422_and_nothing_is_stored(
    client: TestClient, data_dir: Path, name: str, content: bytes, rule: str
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    response = upload(client, ada, name, content)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["field"] == "file"
    assert response.json()["rule"].startswith(rule)
    assert client.get(BASE, headers=ada).headers["x-total-count"] == "0"
    assert not (data_dir / "resumes").exists()


def test_a_file_over_the_upload_limit_is_413_and_nothing_is_stored(
    client: TestClient, data_dir: Path
) -> None:
    _, ada = signed_in(client, "ada@example.com")
    # Just over the file limit (inside the body allowance): the route refuses it.
    just_over = upload(client, ada, content=b"a" * (resume_files.MAX_BYTES + 1))
    # Far over: the body limit refuses it before the route runs.
    far_over = upload(client, ada, content=b"a" * (resume_files.MAX_BYTES * 2))
    for response in (just_over, far_over):
        assert response.status_code == 413
        assert response.headers["content-type"] == "application/problem+json"
    assert not (data_dir / "resumes").exists()
    # Uploads may exceed the 1 MiB of other bodies.
    assert upload(client, ada, content=b"b" * (2 * 1024 * 1024)).status_code == 201


def test_a_missing_file_part_is_422_naming_it(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    response = client.post(BASE, data={"is_active": "true"}, headers=ada)
    assert response.status_code == 422
    assert response.json()["field"] == "file"


def test_listing_pages_activation_and_active_only(client: TestClient) -> None:
    _, ada = signed_in(client, "ada@example.com")
    first = uploaded(client, ada, name="one.txt", content=TEXT + b" 1")
    second = uploaded(client, ada, name="two.txt", is_active="false", content=TEXT + b" 2")
    third = uploaded(client, ada, name="three.txt", is_active="false", content=TEXT + b" 3")
    listing = client.get(BASE, headers=ada)
    assert listing.headers["x-total-count"] == "3"
    assert [r["id"] for r in listing.json()] == [third["id"], second["id"], first["id"]]
    page = client.get(BASE, params={"limit": 2, "offset": 2}, headers=ada)
    assert [r["id"] for r in page.json()] == [first["id"]]
    assert "parsed_text" not in page.json()[0]

    activated = client.post(f"{BASE}/{second['id']}/activate", headers=ada)
    assert activated.status_code == 200
    assert activated.json()["is_active"] is True
    active = client.get(BASE, params={"active_only": "true"}, headers=ada)
    assert [r["id"] for r in active.json()] == [second["id"]]
    assert active.headers["x-total-count"] == "1"
    for params, field in (({"limit": 0}, "limit"), ({"offset": -1}, "offset")):
        refused = client.get(BASE, params=params, headers=ada)
        assert refused.status_code == 422
        assert refused.json()["field"] == field


def test_the_same_file_uploaded_again_is_the_same_resume(
    client: TestClient, data_dir: Path
) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    first = uploaded(client, ada, name="cv.txt", is_active="false")
    again = uploaded(client, ada, name="cv-copy.txt", is_active="true")
    assert again["id"] == first["id"] and again["is_active"] is True
    other = uploaded(client, ada, content=TEXT + b" And Go.")
    assert other["id"] != first["id"]
    assert client.get(BASE, headers=ada).headers["x-total-count"] == "2"
    assert len(list((data_dir / "resumes" / str(user_id)).iterdir())) == 2
    _, bob = signed_in(client, "bob@example.com")
    assert uploaded(client, bob)["id"] not in {first["id"], other["id"]}


def test_delete_removes_the_resume_and_its_file(client: TestClient, data_dir: Path) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    created = uploaded(client, ada)
    folder = data_dir / "resumes" / str(user_id)
    assert len(list(folder.iterdir())) == 1
    assert client.delete(f"{BASE}/{created['id']}", headers=ada).status_code == 204
    assert list(folder.iterdir()) == []
    for method, suffix in (("GET", ""), ("GET", "/file"), ("DELETE", "")):
        assert (
            client.request(method, f"{BASE}/{created['id']}{suffix}", headers=ada).status_code
            == 404
        )


def test_a_resume_whose_file_is_gone_downloads_as_404(client: TestClient, data_dir: Path) -> None:
    user_id, ada = signed_in(client, "ada@example.com")
    created = uploaded(client, ada)
    for stored in (data_dir / "resumes" / str(user_id)).iterdir():
        stored.unlink()
    assert client.get(f"{BASE}/{created['id']}/file", headers=ada).status_code == 404
    assert client.get(f"{BASE}/{created['id']}", headers=ada).status_code == 200


def test_another_person_and_even_a_coach_get_404_and_the_resume_stays(
    client: TestClient, db: DatabaseManager
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    _, bob = signed_in(client, "bob@example.com")
    coach = coach_of(client, db, ada_id, "ada@example.com")
    created = uploaded(client, ada)
    url = f"{BASE}/{created['id']}"
    for headers in (bob, coach):
        attempts = [
            client.get(url, headers=headers),
            client.get(f"{url}/file", headers=headers),
            client.post(f"{url}/activate", headers=headers),
            client.delete(url, headers=headers),
        ]
        assert [response.status_code for response in attempts] == [404] * 4
        assert attempts[0].json() == client.get(f"{BASE}/999999", headers=headers).json()
        assert client.get(BASE, headers=headers).headers["x-total-count"] == "0"
    assert client.get(url, headers=ada).json() == created
    assert client.get(f"{url}/file", headers=ada).content == TEXT


def test_a_read_only_api_key_reads_and_downloads_but_does_not_write(
    client: TestClient, db: DatabaseManager, data_dir: Path
) -> None:
    ada_id, ada = signed_in(client, "ada@example.com")
    created = uploaded(client, ada)
    key = read_only_key(db, ada_id)
    url = f"{BASE}/{created['id']}"
    assert client.get(url, headers=key).status_code == 200
    assert client.get(f"{url}/file", headers=key).content == TEXT
    refused = [
        upload(client, key),
        client.post(f"{url}/activate", headers=key),
        client.delete(url, headers=key),
    ]
    assert [response.status_code for response in refused] == [403] * 3
    assert client.get(BASE, headers=ada).headers["x-total-count"] == "1"
    assert len(list((data_dir / "resumes" / str(ada_id)).iterdir())) == 1


def test_resume_routes_refuse_a_request_without_credentials(client: TestClient) -> None:
    for method, url in (
        ("GET", BASE),
        ("POST", BASE),
        ("GET", f"{BASE}/1"),
        ("GET", f"{BASE}/1/file"),
        ("POST", f"{BASE}/1/activate"),
        ("DELETE", f"{BASE}/1"),
    ):
        assert client.request(method, url).status_code == 401, (method, url)
