"""A small demo dataset, loaded once into an empty database."""

from __future__ import annotations

from datetime import timedelta

from database.column_types import utcnow
from database.models import ApplicationStatus
from database.utilities import DatabaseUtils

DEMO_EMAIL = "demo@auto-applyer.example"

_Moves = list[tuple[ApplicationStatus, str | None]]
_APPLICATIONS: tuple[tuple[str, str, str, str, float, _Moves], ...] = (
    ("Senior Python Developer", "TechCorp", "Cape Town", "linkedin", 92.5, [
        (ApplicationStatus.SCREENING, "Recruiter call booked"),
        (ApplicationStatus.INTERVIEW_SCHEDULED, "Technical interview on Monday"),
    ]),
    ("Backend Engineer", "DataWorks", "Remote", "indeed", 81.0, [
        (ApplicationStatus.REJECTED, "Position filled internally"),
    ]),
    ("Full Stack Developer", "Acme Labs", "Johannesburg", "company_site", 74.0, []),
    ("Platform Engineer", "CloudNine", "Remote", "linkedin", 88.0, [
        (ApplicationStatus.SCREENING, None),
        (ApplicationStatus.INTERVIEWED, "Went well"),
        (ApplicationStatus.OFFER_RECEIVED, "Offer: 120k"),
    ]),
    ("Data Engineer", "Insight Co", "Durban", "glassdoor", 65.5, []),
)  # fmt: skip


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
    start = utcnow() - timedelta(days=20)
    for offset, (title, company, location, source, score, moves) in enumerate(_APPLICATIONS):
        app = DatabaseUtils.add_job_application(
            user_id=user.id,
            job_title=title,
            company=company,
            location=location,
            source=source,
            match_score=score,
            resume_id=resume.id,
            is_remote=location == "Remote",
            application_date=start + timedelta(days=3 * offset),
        )
        for status, notes in moves:
            DatabaseUtils.update_application_status(app.id, status, notes=notes)
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
