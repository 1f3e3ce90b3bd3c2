"""A small demo dataset, loaded once into an empty database.

Its applications span the past ten weeks, and every status move is dated (days
apart, a few hours into a working day), so the analytics have something to
show: time in each stage, applications to follow up, a funnel and weekly
counts. The dataset is the same on every load apart from being relative to
today (the hours come from a seeded random generator).
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from database.core.column_types import utcnow
from database.models import ApplicationStatus
from database.utilities import DatabaseUtils

DEMO_EMAIL = "demo@auto-applyer.example"
_SEED = 20240601

S = ApplicationStatus
#: (status entered, days after the previous move, notes)
_Moves = tuple[tuple[ApplicationStatus, int, str | None], ...]
#: (title, company, location, source, match score, applied days ago, later moves)
_APPLICATIONS: tuple[tuple[str, str, str, str, float, int, _Moves], ...] = (
    ("Python Backend Developer", "Fintechly", "Cape Town", "linkedin", 85.0, 68, (
        (S.SCREENING, 5, "Recruiter call"),
        (S.INTERVIEW_SCHEDULED, 4, "First interview booked"),
        (S.INTERVIEWED, 3, None),
        (S.TECHNICAL_TEST, 2, "Take-home exercise"),
        (S.REJECTED, 6, "Went with a more senior candidate"),
    )),
    ("Backend Engineer", "DataWorks", "Remote", "indeed", 81.0, 64, (
        (S.REJECTED, 9, "Position filled internally"),
    )),
    ("Platform Engineer", "CloudNine", "Remote", "linkedin", 88.0, 55, (
        (S.SCREENING, 6, None),
        (S.INTERVIEWED, 8, "Went well"),
        (S.OFFER_RECEIVED, 12, "Offer: 120k"),
    )),
    ("DevOps Engineer", "ShipIt", "Remote", "indeed", 70.0, 50, (
        (S.REJECTED, 14, None),
    )),
    ("Software Engineer", "BigBank", "Johannesburg", "glassdoor", 60.0, 44, (
        (S.WITHDRAWN, 10, "Role needs relocation"),
    )),
    ("Full Stack Developer", "Acme Labs", "Johannesburg", "company_site", 74.0, 38, ()),
    ("Django Developer", "WebWorks", "Cape Town", "company_site", 79.0, 31, (
        (S.SCREENING, 3, "Sent portfolio"),
    )),
    ("Senior Python Developer", "TechCorp", "Cape Town", "linkedin", 92.5, 24, (
        (S.SCREENING, 4, "Recruiter call booked"),
        (S.INTERVIEW_SCHEDULED, 5, "Technical interview on Monday"),
    )),
    ("Data Engineer", "Insight Co", "Durban", "glassdoor", 65.5, 18, (
        (S.SCREENING, 6, None),
    )),
    ("Site Reliability Engineer", "NetOps", "Remote", "linkedin", 77.0, 10, (
        (S.SCREENING, 2, None),
        (S.INTERVIEW_SCHEDULED, 4, "Panel interview"),
    )),
    ("API Developer", "Connectly", "Durban", "indeed", 68.0, 5, ()),
    ("Python Developer", "StartHub", "Cape Town", "linkedin", 83.0, 2, ()),
)  # fmt: skip


def demo_applications(now: datetime, resume_id: int | None = None) -> list[dict[str, Any]]:
    """The demo applications as ``bulk_add_job_applications`` rows, dated back from ``now``."""
    rng = random.Random(_SEED)

    def at(days_ago: int) -> datetime:
        day = (now - timedelta(days=days_ago)).replace(hour=0, minute=0, second=0, microsecond=0)
        return day + timedelta(hours=rng.randint(8, 17), minutes=rng.randint(0, 59))

    rows = []
    for title, company, location, source, score, applied, moves in _APPLICATIONS:
        days_ago = applied
        history = [{"status": S.APPLIED, "at": at(days_ago), "notes": None}]
        for status, gap, notes in moves:
            days_ago -= gap
            history.append({"status": status, "at": at(days_ago), "notes": notes})
        row: dict[str, Any] = {
            "job_title": title, "company": company, "location": location, "source": source,
            "match_score": score, "resume_id": resume_id, "is_remote": location == "Remote",
            "application_date": history[0]["at"], "status_history": history,
        }  # fmt: skip
        if history[-1]["status"] is S.INTERVIEW_SCHEDULED:
            row["interview_date"] = at(-3)
            row["interview_type"] = "video"
        rows.append(row)
    return rows


def load_demo_data() -> bool:
    """Create the demo user and its data unless it exists; returns whether it loaded."""
    if DatabaseUtils.get_user_by_email(DEMO_EMAIL) is not None:
        return False
    user = DatabaseUtils.create_user(
        email=DEMO_EMAIL,
        first_name="Demo",
        last_name="User",
        location="Cape Town",
        job_title="Software Developer",
        experience_years=5,
        skills=["Python", "SQL", "Django", "PostgreSQL"],
    )
    DatabaseUtils.update_user_preferences(
        user.id,
        preferred_job_titles=["Senior Developer", "Backend Engineer"],
        preferred_locations=["Cape Town", "Remote"],
        salary_min=90000,
        salary_max=140000,
        remote_work_preference=True,
    )
    resume = DatabaseUtils.add_resume(
        user_id=user.id,
        filename="demo_resume.txt",
        file_path="demo/demo_resume.txt",
        file_size=2048,
        file_type="txt",
        parsed_text="Python developer with five years of Django and PostgreSQL experience.",
        skills_extracted=["Python", "Django", "PostgreSQL"],
        experience_level="Mid",
    )
    DatabaseUtils.bulk_add_job_applications(user.id, demo_applications(utcnow(), resume.id))
    DatabaseUtils.add_search_history(
        user_id=user.id,
        job_title="Python Developer",
        location="Cape Town",
        keywords="Python Django PostgreSQL",
        sources_searched=["linkedin", "indeed"],
        max_results=100,
        total_results=85,
        filtered_results=25,
        applications_made=3,
        search_duration=5.2,
    )
    return True
