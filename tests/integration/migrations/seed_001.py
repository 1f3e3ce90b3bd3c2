"""A fixed, varied data set as a database at revision 001 holds it, written with plain SQL.

The rows exercise what later revisions derive or rewrite: email identities that
fold together (the newer account gets no key), posting addresses with tracking
parameters, accents and punctuation in company names, a status move whose note
overwrote the application's notes, and searchable text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection


def at(day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A fixed instant in January 2024, UTC."""
    return datetime(2024, 1, day, hour, minute, tzinfo=UTC)


STAMPS = {"created_at": at(1, 9), "updated_at": at(2, 9)}

USERS: list[dict[str, Any]] = [
    {"id": 1, "email": "Mixed.Case@Example.COM", "password_hash": "pbkdf2$x", "first_name": "Ana",
     "last_name": "Lí", "phone": "+34 600 000 000", "location": "Sevilla", "job_title": "Dev",
     "experience_years": 7, "skills": ["Python", "SQL", "Ñandú"], "summary": "Backend & data",
     "linkedin_url": "https://linkedin.example/ana", "is_active": True, "last_login": at(5)},
    # NFC and NFD spellings of one address: the newer account gets no email key.
    {"id": 2, "email": "émile@example.org", "skills": [], "is_active": True},
    {"id": 3, "email": "e\u0301mile@example.org", "skills": [], "is_active": False},
    # Full case folding: ß is "ss", so these two are one identity too.
    {"id": 4, "email": "STRASSE@example.de", "skills": ["Go"], "is_active": True},
    {"id": 5, "email": "straße@example.de", "skills": [], "is_active": True},
    # NFKC: full-width letters are their plain forms.
    {"id": 6, "email": "\uff26\uff55\uff4c\uff4c@example.jp", "skills": [], "is_active": True},
]  # fmt: skip
PREFERENCES: list[dict[str, Any]] = [
    {"id": 1, "user_id": 1, "preferred_job_titles": ["Data Engineer"],
     "preferred_locations": ["Paris", "Zürich"], "preferred_companies": [],
     "preferred_job_types": ["full-time"], "salary_min": 50000, "salary_max": 90000,
     "salary_currency": "EUR", "remote_work_preference": True, "email_notifications": False},
]  # fmt: skip
RESUMES: list[dict[str, Any]] = [
    {"id": 1, "user_id": 1, "filename": "backend_cv.pdf", "file_path": "/r/backend_cv.pdf",
     "file_size": 2048, "file_type": "pdf", "parsed_text": "Kafka streaming specialist",
     "skills_extracted": ["Kafka"], "experience_level": "senior", "is_active": True,
     "upload_date": at(1)},
    {"id": 2, "user_id": 1, "filename": "old.docx", "file_path": "/r/old.docx", "file_size": None,
     "file_type": "docx", "parsed_text": None, "skills_extracted": [], "experience_level": None,
     "is_active": False, "upload_date": at(1, 11)},
]  # fmt: skip
MOVED = "Moved on the board"
OWN = "Referral from Tom, contact Anna"
APPLICATIONS: list[dict[str, Any]] = [
    {"id": 1, "user_id": 1, "resume_id": 1, "job_title": "Data Engineer",
     "company": "Société Générale", "location": "Paris",
     "job_description": "Airflow pipelines", "source": "linkedin", "status": "screening",
     "job_url": "https://www.jobs.example/view/42?utm_source=news&utm_medium=mail&ref=abc",
     "salary_min": 60000, "salary_max": 80000, "salary_currency": "EUR", "job_type": "full-time",
     "is_remote": True, "match_score": 87.5, "notes": OWN, "interview_date": at(20, 14),
     "interview_type": "video"},
    # The same posting again: equal address once normalised, equal folded company/title.
    {"id": 2, "user_id": 1, "job_title": "data  engineer", "company": "SOCIETE GENERALE!",
     "location": "paris", "job_url": "http://jobs.example/view/42/#apply", "status": "applied"},
    # A status move later wrote its note over the application's notes.
    {"id": 3, "user_id": 1, "job_title": "Backend Dev (Python)",
     "company": "Zürich Versicherung AG", "status": "rejected", "notes": MOVED,
     "job_url": "http://x.example:8080/job?id=7&gclid=zzz&b=2#frag", "match_score": 0.25},
    {"id": 4, "user_id": 1, "job_title": "Senior  Dev", "company": "Ácme, Inc.",
     "location": "Zürich", "status": "pending"},
    {"id": 5, "user_id": 2, "job_title": "QA", "company": "Initech", "job_url": "   ",
     "status": "applied"},
    {"id": 6, "user_id": 2, "job_title": "Ops", "company": "Initech", "job_url": "[broken",
     "status": "withdrawn"},
    {"id": 7, "user_id": 4, "job_title": "Analyst", "company": "Hooli",
     "job_url": "HTTPS://WWW.Example.COM:443/Path/?Q=1&fbclid=x&utm_campaign=y",
     "status": "offer_received"},
]  # fmt: skip
APPLICATION_DEFAULTS: dict[str, Any] = {
    "resume_id": None, "location": None, "job_description": None, "job_url": None,
    "source": None, "salary_min": None, "salary_max": None, "salary_currency": None,
    "job_type": None, "is_remote": False, "match_score": None, "notes": None,
    "interview_date": None, "interview_type": None,
}  # fmt: skip
HISTORY: list[dict[str, Any]] = [
    {"id": 1, "application_id": 1, "from_status": None, "to_status": "applied",
     "changed_at": at(3), "notes": OWN},
    {"id": 2, "application_id": 1, "from_status": "applied", "to_status": "screening",
     "changed_at": at(4), "notes": "Phone screen booked"},
    {"id": 3, "application_id": 2, "from_status": None, "to_status": "applied",
     "changed_at": at(3, 12), "notes": None},
    {"id": 4, "application_id": 3, "from_status": None, "to_status": "applied",
     "changed_at": at(3, 13), "notes": None},
    {"id": 5, "application_id": 3, "from_status": "applied", "to_status": "rejected",
     "changed_at": at(6), "notes": MOVED},
    {"id": 6, "application_id": 7, "from_status": None, "to_status": "offer_received",
     "changed_at": at(7), "notes": None},
]  # fmt: skip
SEARCHES: list[dict[str, Any]] = [
    {"id": 1, "user_id": 1, "job_title": "Data Engineer", "location": "Paris",
     "keywords": "airflow, spark", "sources_searched": ["linkedin", "indeed"], "max_results": 50,
     "total_results": 40, "filtered_results": 12, "applications_made": 2,
     "search_duration": 1.25, "search_date": at(2, 8)},
    {"id": 2, "user_id": 4, "job_title": None, "location": None, "keywords": None,
     "sources_searched": [], "max_results": None, "total_results": 0, "filtered_results": 0,
     "applications_made": 0, "search_duration": None, "search_date": at(2, 9)},
]  # fmt: skip
SETTINGS: list[dict[str, Any]] = [
    {"id": 1, "setting_key": "app.name", "setting_value": "Auto Applyer", "setting_type": "string",
     "description": "Shown in the title"},
    {"id": 2, "setting_key": "search.max", "setting_value": "100", "setting_type": "integer",
     "description": None},
    {"id": 3, "setting_key": "ui.dark", "setting_value": "true", "setting_type": "boolean",
     "description": None},
    {"id": 4, "setting_key": "ai.models", "setting_value": '["a", "b"]', "setting_type": "json",
     "description": "Ünïcode description"},
]  # fmt: skip
CACHE: list[dict[str, Any]] = [
    {"id": 1, "cache_key": "match:1:1", "analysis_type": "match",
     "results": {"score": 0.5, "skills": ["SQL"], "nested": {"ok": True, "n": None}},
     "expires_at": at(30)},
]  # fmt: skip
#: table -> rows, in the order their references need.
DATA_001: dict[str, list[dict[str, Any]]] = {
    "users": USERS,
    "user_preferences": PREFERENCES,
    "resumes": RESUMES,
    "job_applications": [
        {**APPLICATION_DEFAULTS, "application_date": at(3), "status_changed_at": at(4), **row}
        for row in APPLICATIONS
    ],
    "application_status_history": HISTORY,
    "search_history": SEARCHES,
    "system_settings": SETTINGS,
    "ai_analysis_cache": CACHE,
}
#: Tables whose rows carry ``created_at`` and ``updated_at``.
_STAMPED = {"users", "user_preferences", "resumes", "job_applications", "search_history",
            "system_settings", "ai_analysis_cache"}  # fmt: skip


def _stored(value: Any, dialect: str) -> Any:
    # As the application stores them: JSON as text, SQLite timestamps as naive UTC text.
    if isinstance(value, list | dict):
        return json.dumps(value)
    if isinstance(value, datetime) and dialect == "sqlite":
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def seed(conn: Connection) -> None:
    """Insert :data:`DATA_001` into a database at revision 001."""
    dialect = conn.dialect.name
    for table, rows in DATA_001.items():
        for row in rows:
            values = {**STAMPS, **row} if table in _STAMPED else row
            names = ", ".join(values)
            params = ", ".join(f":{name}" for name in values)
            conn.execute(
                text(f"INSERT INTO {table} ({names}) VALUES ({params})"),
                {name: _stored(value, dialect) for name, value in values.items()},
            )
