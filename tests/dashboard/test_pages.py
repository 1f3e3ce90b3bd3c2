"""Every page of the dashboard under AppTest: it renders, its main actions work,
and errors show as messages next to their field, never as tracebacks."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from database.models import ApplicationStatus
from database.services.demo import DEMO_EMAIL, load_demo_data
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import errors, move_on_board, no_exceptions, successes

Start = Callable[..., AppTest]


@pytest.fixture
def demo_id(db: object) -> int:
    load_demo_data()
    user = DatabaseUtils.get_user_by_email(DEMO_EMAIL)
    assert user is not None
    return user.id


def _titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


# -- first start and profiles ------------------------------------------------------


def test_first_start_explains_how_to_begin(app: Start) -> None:
    at = app()
    no_exceptions(at)
    assert "Welcome to Auto Applyer" in _titles(at)
    assert at.button(key="welcome.demo").label == "Load demo data"
    assert at.text_input(key="new_profile.email").label == "Email"


def test_a_bad_email_is_reported_next_to_the_email_field(app: Start) -> None:
    at = app()
    at.text_input(key="new_profile.email").set_value("not-an-email")
    at.button(key="FormSubmitter:new_profile-Create profile").click().run()
    no_exceptions(at)
    assert errors(at) == ["Email must be a valid email address like name@example.com"]
    assert at.session_state["user_id"] is None


def test_creating_a_profile_opens_the_applications_page(app: Start) -> None:
    at = app()
    at.text_input(key="new_profile.email").set_value("zoe@example.com")
    at.text_input(key="new_profile.first_name").set_value("Zoe")
    at.button(key="FormSubmitter:new_profile-Create profile").click().run()
    no_exceptions(at)
    user = DatabaseUtils.get_user_by_email("zoe@example.com")
    assert user is not None and user.first_name == "Zoe"
    assert at.session_state["user_id"] == user.id
    assert "Applications" in _titles(at)


def test_demo_data_loads_with_one_click(app: Start) -> None:
    at = app()
    at.button(key="welcome.demo").click().run()
    no_exceptions(at)
    assert "Applications" in _titles(at)
    assert len(at.dataframe[0].value) == 12


def test_the_profile_selector_switches_between_local_profiles(app: Start, user_id: int) -> None:
    other = DatabaseUtils.create_user("bob@example.com", first_name="Bob").id
    DatabaseUtils.add_job_application(other, "Chef", "Bistro")
    at = app(user_id)
    assert any("No applications match" in i.value for i in at.info)
    at.sidebar.selectbox(key="profile_select").set_value(other).run()
    no_exceptions(at)
    assert at.session_state["user_id"] == other
    assert list(at.dataframe[0].value["Company"]) == ["Bistro"]


# -- analytics and search ------------------------------------------------------------


def test_analytics_shows_every_figure_from_the_database(app: Start, demo_id: int) -> None:
    at = app(demo_id, "Analytics")
    no_exceptions(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Applications"] == "12"
    assert metrics["Employers responded"] == "8"
    assert [s.value for s in at.subheader] == [
        "Status breakdown",
        "Funnel",
        "Applications per week",
        "Time in each stage (days)",
        "By source",
        "By resume",
        "By tag",
        "To follow up (no change for 14+ days)",
    ]
    funnel = at.dataframe[0].value
    assert list(funnel["stage"]) == ["applied", "screening", "interview", "offer", "accepted"]
    assert list(funnel["applications"]) == [12, 6, 4, 1, 0]
    follow_up = at.dataframe[-1].value
    assert list(follow_up["company"]) == ["Acme Labs", "CloudNine", "WebWorks", "TechCorp"]


def test_analytics_counts_a_status_change_at_once(app: Start, demo_id: int) -> None:
    at = app(demo_id, "Analytics")
    before = {m.label: m.value for m in at.metric}["Employers responded"]
    newest = DatabaseUtils.get_user_applications(demo_id, limit=1)[0]
    at.session_state["page"] = "Applications"
    at.run()
    move_on_board(at, newest.id, ApplicationStatus.SCREENING)
    at.sidebar.radio[0].set_value("Analytics").run()
    after = {m.label: m.value for m in at.metric}["Employers responded"]
    assert (before, after) == ("8", "9")


def test_search_highlights_matches_and_opens_an_application(app: Start, demo_id: int) -> None:
    at = app(demo_id, "Search")
    at.text_input(key="search.query").set_value("python").run()
    no_exceptions(at)
    from dashboard.views.search import highlighted

    hit = DatabaseUtils.search_applications(demo_id, "python")[0]
    (resume,) = DatabaseUtils.search_resumes(demo_id, "python")
    shown = [m.value for m in at.markdown]
    assert highlighted(hit["snippet"]) in shown and "**Python**" in highlighted(hit["snippet"])
    assert highlighted(resume["snippet"]) in shown and "**Python**" in highlighted(
        resume["snippet"]
    )
    at.button(key=f"search.open.{hit['id']}").click().run()
    assert "Applications" in _titles(at)
    assert at.selectbox(key="selected_application").value == hit["id"]


def test_a_query_with_no_word_is_a_message_not_a_traceback(app: Start, demo_id: int) -> None:
    at = app(demo_id, "Search")
    at.text_input(key="search.query").set_value("***").run()
    no_exceptions(at)
    assert errors(at) == ["Search must contain at least one word (letters or digits)"]


def test_snippet_text_from_the_database_is_not_markup() -> None:
    from dashboard.views.search import highlighted

    assert highlighted("a **[link](x)** <b>") == r"a **\[link\]\(x\)** \<b\>"


# -- resumes ------------------------------------------------------------------------------


def _upload(at: AppTest, name: str, content: bytes, mime: str) -> None:
    at.file_uploader(key="upload_resume.file").set_value((name, content, mime))
    at.button(key="FormSubmitter:upload_resume-Upload").click().run()


def test_uploading_a_resume_stores_it_privately_with_its_skills(
    app: Start, user_id: int, _private_data_dir: Path
) -> None:
    at = app(user_id, "Resumes")
    _upload(at, "../../cv.txt", b"Python and SQL developer; Docker, AWS.", "text/plain")
    no_exceptions(at)
    assert successes(at) == [r"Uploaded \.\./\.\./cv\.txt."]
    (resume,) = DatabaseUtils.get_user_resumes(user_id)
    assert resume.skills_extracted == ["Python", "SQL", "AWS", "Docker"]
    stored = Path(resume.file_path)
    assert stored.parent == _private_data_dir / "resumes" / str(user_id)
    assert stored.name != "cv.txt" and stored.suffix == ".txt"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert any("✅ **active**" in m.value for m in at.markdown)


def test_the_same_file_twice_is_one_resume_and_its_original_downloads(
    app: Start, user_id: int
) -> None:
    at = app(user_id, "Resumes")
    _upload(at, "cv.txt", b"Rust developer", "text/plain")
    _upload(at, "cv.txt", b"Rust developer", "text/plain")
    no_exceptions(at)
    assert len(DatabaseUtils.get_user_resumes(user_id, active_only=False)) == 1
    assert [b.proto.label for b in at.get("download_button")] == ["Download the original"]


def test_a_file_that_is_not_what_it_claims_is_refused(app: Start, user_id: int) -> None:
    at = app(user_id, "Resumes")
    _upload(at, "cv.pdf", b"\x89PNG\r\n\x1a\n\x00\x00binary", "application/pdf")
    no_exceptions(at)
    assert errors(at) == ["File must be a PDF, a Word (.docx) document or UTF-8 text"]
    assert DatabaseUtils.get_user_resumes(user_id, active_only=False) == []


def test_another_resume_can_be_made_active_and_deleted(app: Start, user_id: int) -> None:
    at = app(user_id, "Resumes")
    _upload(at, "old.txt", b"Java developer", "text/plain")
    _upload(at, "new.txt", b"Go developer", "text/plain")
    old, new = sorted(
        DatabaseUtils.get_user_resumes(user_id, active_only=False), key=lambda r: r.id
    )
    at.button(key=f"resume.active.{old.id}").click().run()
    assert [r.id for r in DatabaseUtils.get_user_resumes(user_id)] == [old.id]
    at.checkbox(key=f"resume.confirm.{new.id}").check().run()
    at.button(key=f"resume.delete.{new.id}").click().run()
    no_exceptions(at)
    assert [r.id for r in DatabaseUtils.get_user_resumes(user_id, active_only=False)] == [old.id]
    assert not Path(new.file_path).exists()


# -- profile, search history, settings, backups -------------------------------------------


def test_profile_and_preferences_are_saved(app: Start, user_id: int) -> None:
    at = app(user_id, "Profile & preferences")
    no_exceptions(at)
    at.text_input(key="profile.location").set_value("Porto")
    at.text_input(key="profile.skills").set_value("Python, SQL")
    at.button(key="FormSubmitter:profile-Save profile").click().run()
    assert successes(at) == ["Profile saved."]
    at.text_input(key="preferences.preferred_locations").set_value("Porto, Remote")
    at.number_input(key="preferences.salary_min").set_value(40000)
    at.button(key="FormSubmitter:preferences-Save preferences").click().run()
    no_exceptions(at)
    user = DatabaseUtils.get_user_by_id(user_id)
    prefs = DatabaseUtils.get_user_preferences(user_id)
    assert user is not None and prefs is not None
    assert (user.location, user.skills) == ("Porto", ["Python", "SQL"])
    assert (prefs.preferred_locations, prefs.salary_min) == (["Porto", "Remote"], 40000)


def test_a_bad_currency_is_reported_next_to_its_field(app: Start, user_id: int) -> None:
    at = app(user_id, "Profile & preferences")
    at.text_input(key="preferences.salary_currency").set_value("EURO")
    at.button(key="FormSubmitter:preferences-Save preferences").click().run()
    no_exceptions(at)
    assert errors(at) == ["Currency must be a 3-letter code like EUR"]
    prefs = DatabaseUtils.get_user_preferences(user_id)
    assert prefs is not None and prefs.salary_currency is None


def test_search_history_lists_and_records_searches(app: Start, demo_id: int) -> None:
    at = app(demo_id, "Search history")
    no_exceptions(at)
    assert list(at.dataframe[0].value["Job title"]) == ["Python Developer"]
    at.text_input(key="record_search.job_title").set_value("Data Engineer")
    at.text_input(key="record_search.sources").set_value("linkedin, indeed")
    at.number_input(key="record_search.total_results").set_value(12)
    at.button(key="FormSubmitter:record_search-Record search").click().run()
    no_exceptions(at)
    latest = DatabaseUtils.get_search_history(demo_id, limit=1)[0]
    assert (latest.job_title, latest.sources_searched, latest.total_results) == (
        "Data Engineer",
        ["linkedin", "indeed"],
        12,
    )


def test_settings_are_saved_and_the_database_is_described(app: Start, user_id: int) -> None:
    at = app(user_id, "Settings")
    no_exceptions(at)
    at.number_input(key="settings.stale_days").set_value(30)
    at.button(key="FormSubmitter:settings-Save settings").click().run()
    assert successes(at) == ["Settings saved."]
    assert DatabaseUtils.get_setting("dashboard.stale_days") == 30
    table = at.table[0].value
    assert "Schema version" in list(table.iloc[:, 0])
    at.button(key="settings.purge").click().run()
    assert successes(at) == ["Removed 0 expired cache entries."]


def test_backups_create_verify_and_restore_with_typed_confirmation(
    app: Start, demo_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "backups"
    monkeypatch.setenv("AUTO_APPLYER_BACKUP_DIR", str(folder))
    at = app(demo_id, "Backups")
    no_exceptions(at)
    at.text_input(key="backup_create.name").set_value("before-cleanup")
    at.button(key="FormSubmitter:backup_create-Create backup").click().run()
    assert successes(at) == ["Backup created: before-cleanup.json"]
    assert (folder / "before-cleanup.json").is_file()
    at.button(key="backup.verify").click().run()
    no_exceptions(at)
    assert successes(at)[0].startswith("before-cleanup.json verifies")

    victim = DatabaseUtils.get_user_applications(demo_id)[0]
    DatabaseUtils.delete_application(victim.id)
    at.run()
    assert at.button(key="backup.restore").disabled
    at.text_input(key="backup_restore.typed").set_value("before-cleanup.json").run()
    at.button(key="backup.restore").click().run()
    no_exceptions(at)
    assert successes(at)[0].startswith("Restored before-cleanup.json")
    assert DatabaseUtils.get_application(victim.id) is not None


def test_a_backup_name_that_escapes_its_folder_is_refused(
    app: Start, user_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTO_APPLYER_BACKUP_DIR", str(tmp_path / "backups"))
    at = app(user_id, "Backups")
    at.text_input(key="backup_create.name").set_value("../outside")
    at.button(key="FormSubmitter:backup_create-Create backup").click().run()
    no_exceptions(at)
    assert len(errors(at)) == 1
    assert not (tmp_path / "outside.json").exists()


def test_analytics_lists_applications_waiting_for_a_follow_up(app: Start, demo_id: int) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from database.connection import db_session_scope
    from database.core.column_types import utcnow
    from database.models import JobApplication

    with db_session_scope() as session:
        session.execute(
            update(JobApplication)
            .where(JobApplication.company.in_(["Acme Labs", "Insight Co"]))
            .values(status_changed_at=utcnow() - timedelta(days=40))
        )
    at = app(demo_id, "Analytics")
    no_exceptions(at)
    stale = at.dataframe[-1].value
    days = dict(zip(stale["company"], stale["days_since_change"], strict=True))
    assert sorted(days) == ["Acme Labs", "CloudNine", "Insight Co", "TechCorp", "WebWorks"]
    assert (days["Acme Labs"], days["Insight Co"]) == (40, 40)


def test_deleting_a_profile_needs_its_email_typed(app: Start, user_id: int) -> None:
    other = DatabaseUtils.create_user("bob@example.com").id
    at = app(user_id, "Profile & preferences")
    delete = next(b for b in at.button if b.label == "Erase my account and all my data")
    assert delete.disabled
    at.text_input(key="delete_profile.confirm").set_value("ANN@example.com").run()
    next(b for b in at.button if b.label == "Erase my account and all my data").click().run()
    no_exceptions(at)
    assert DatabaseUtils.get_user_by_id(user_id) is None
    assert at.session_state["user_id"] == other
