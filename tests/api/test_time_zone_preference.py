"""``/me/preferences``' time zone, and the calendar feed that names it; datetimes stay UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from icalendar import Calendar

from database.core.column_types import utcnow
from tests.support.api import bearer, register, sign_in

API = "/api/v1"


def signed_in(client: TestClient, email: str) -> dict[str, str]:
    register(client, email)
    return bearer(sign_in(client, email))


def test_the_time_zone_is_read_changed_and_checked(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    assert client.get(f"{API}/me/preferences", headers=ann).json()["time_zone"] == "UTC"
    changed = client.patch(f"{API}/me/preferences", json={"time_zone": "Europe/Paris"}, headers=ann)
    assert changed.status_code == 200 and changed.json()["time_zone"] == "Europe/Paris"
    refused = client.patch(f"{API}/me/preferences", json={"time_zone": "Mars/Base"}, headers=ann)
    assert refused.status_code == 422
    assert "IANA time zone" in refused.text and "time_zone" in refused.text
    replaced = client.put(f"{API}/me/preferences", json={"follow_up_days": 7}, headers=ann)
    assert replaced.status_code == 200 and replaced.json()["time_zone"] == "UTC"


def test_datetimes_stay_utc_and_the_feed_names_the_persons_zone(client: TestClient) -> None:
    ann = signed_in(client, "ann@example.com")
    client.patch(f"{API}/me/preferences", json={"time_zone": "America/New_York"}, headers=ann)
    interview = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    created = client.post(
        f"{API}/applications",
        json={
            "job_title": "Engineer",
            "company": "Initech",
            "interview_date": interview.isoformat(),
        },
        headers=ann,
    )
    assert created.status_code == 201, created.text
    stored = datetime.fromisoformat(created.json()["interview_date"].replace("Z", "+00:00"))
    assert stored.utcoffset() == timedelta(0) and stored == interview
    url = client.post(f"{API}/calendar/feed", headers=ann).json()["url"]
    feed = client.get(url.removeprefix("http://testserver"))
    assert feed.status_code == 200
    calendar = Calendar.from_ical(feed.content)
    assert calendar["X-WR-TIMEZONE"] == "America/New_York"
    assert f"DTSTART:{interview.astimezone(UTC):%Y%m%dT%H%M%SZ}".encode() in feed.content
