"""``/calendar``: a secret address per person serving their upcoming interviews as RFC 5545."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar

import api.routes.notifications  # noqa: F401 (installs the access log's filter)
from database.core.column_types import utcnow
from tests.support.api import bearer, register, sign_in

API = "/api/v1"
TRICKY_COMPANY = "Smith, Jones; Partners \\ Co"
LONG_TITLE = "Senior Staff Platform Reliability Engineer (Databases)\nsecond line — ünïcode " * 2


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    register(client, email)
    return bearer(sign_in(client, email))


def add(
    client: TestClient,
    headers: dict[str, str],
    company: str,
    interview: datetime | None,
    job_title: str = "Engineer",
) -> int:
    body = {"job_title": job_title, "company": company, "interview_type": "video"}
    if interview is not None:
        body["interview_date"] = interview.isoformat()
    response = client.post(f"{API}/applications", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def feed_url(client: TestClient, headers: dict[str, str]) -> str:
    response = client.post(f"{API}/calendar/feed", headers=headers)
    assert response.status_code == 201, response.text
    url = str(response.json()["url"])
    assert url.startswith("http://testserver/api/v1/calendar/aacal_") and url.endswith(".ics")
    return url


def test_the_feed_is_an_rfc_5545_calendar_of_the_owners_upcoming_interviews_only(
    client: TestClient,
) -> None:
    ann = signed_in(client, "ann@example.com")
    bob = signed_in(client, "bob@example.com")
    soon = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    tricky = add(client, ann, TRICKY_COMPANY, soon, LONG_TITLE)
    later = add(client, ann, "Globex", soon + timedelta(days=3))
    add(client, ann, "Past", utcnow() - timedelta(days=1))
    add(client, ann, "No interview", None)
    add(client, bob, "Bob's interview", soon)
    url = feed_url(client, ann)

    response = client.get(url)  # no credentials: the secret is the credential
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    raw = response.content
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # every line ends with CRLF
    lines = raw.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75  # folded at 75 octets
    assert any(line.startswith(b" ") for line in lines)  # the long summary is folded
    unfolded = raw.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:Smith\\, Jones\\; Partners \\\\ Co — Senior Staff" in unfolded
    assert "(Databases)\\nsecond line — ünïcode" in unfolded

    calendar = Calendar.from_ical(raw)
    assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar
    events = calendar.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == [
        f"application-{tricky}@auto-applyer",
        f"application-{later}@auto-applyer",
    ]
    first = events[0]
    assert str(first["SUMMARY"]) == f"{TRICKY_COMPANY} — {LONG_TITLE}"
    assert first.decoded("DTSTART") == soon.astimezone(UTC)
    assert "DTSTART:" + soon.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") in unfolded
    assert "DTSTAMP" in first
    assert "Bob" not in unfolded and "Past" not in unfolded and "No interview" not in unfolded


def test_rotating_the_secret_makes_the_old_address_a_404(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    first = feed_url(client, ann)
    assert client.get(first).status_code == 200
    second = feed_url(client, ann)
    assert second != first
    gone = client.get(first)
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert client.get(second).status_code == 200


def test_an_unknown_or_malformed_secret_is_a_404(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    real = feed_url(client, ann).rsplit("/", 1)[1].removesuffix(".ics")
    for secret in (real[:-2] + "xx", "aacal_nothing", "anything", "x" * 300):
        assert client.get(f"{API}/calendar/{secret}.ics").status_code == 404, secret


def test_the_access_log_never_shows_a_feed_secret() -> None:
    secret = "aacal_0123abcd_" + "S3cr3t-value_x" * 3
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/api/v1/calendar/{secret}.ics", "1.1", 200), None,
    )  # fmt: skip
    assert logging.getLogger("uvicorn.access").filter(record)
    line = record.getMessage()
    assert "S3cr3t" not in line and "/api/v1/calendar/aacal_0123abcd_….ics" in line
