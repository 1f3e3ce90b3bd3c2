"""Resumes, exports, the CSV import, new applications and closing the account, in hosted mode.

Each goes through the actor-scoped services for the signed-in person: these
tests make every ``DatabaseUtils`` call fail once the data is in place, so a
page that still used the trusted local API would show it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest

from database.connection import DatabaseManager
from database.models import OrganizationRole, Resume, SignInThrottle, User
from database.utilities import DatabaseUtils
from tests.dashboard.helpers import errors, no_exceptions, successes
from tests.dashboard.hosted import ORGANIZATION, account, go, organization, run_as, signed_in
from tests.support.api import PASSWORD

LOCAL_API_USED = "the trusted local API was called in hosted mode"


@pytest.fixture(autouse=True)
def _hosted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTO_APPLYER_MODE", "hosted")


def _forbid_local_api(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, any ``DatabaseUtils`` call raises (and shows as the run's exception)."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(LOCAL_API_USED)

    for name in dir(DatabaseUtils):
        if not name.startswith("_") and callable(getattr(DatabaseUtils, name)):
            monkeypatch.setattr(DatabaseUtils, name, staticmethod(refuse))


def _resume_of(user_id: int, name: str) -> Resume:
    return DatabaseUtils.add_resume(user_id, name, f"/nowhere/{name}", parsed_text="Rust")


def _resumes(db: DatabaseManager, user_id: int) -> list[Resume]:
    with db.session_scope() as session:
        return list(session.query(Resume).filter_by(user_id=user_id).order_by(Resume.id))


def _upload(at: AppTest, name: str, content: bytes) -> AppTest:
    at.file_uploader(key="upload_resume.file").set_value((name, content, "text/plain"))
    return at.button(key="FormSubmitter:upload_resume-Upload").click().run()


def test_the_resumes_page_uploads_lists_activates_and_deletes_through_tenancy(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch, _private_data_dir: Path
) -> None:
    ann = account(db, "ann@example.com")
    bob = account(db, "bob@example.com")
    _resume_of(bob, "bob-secret.txt")
    _forbid_local_api(monkeypatch)
    at = signed_in("ann@example.com", "Resumes")
    no_exceptions(at)
    assert any("No resume yet" in i.value for i in at.info)
    _upload(at, "old.txt", b"Java developer")
    at = _upload(at, "new.txt", b"Go developer")
    no_exceptions(at)
    old, new = _resumes(db, ann)
    assert (old.is_active, new.is_active) == (False, True)
    assert Path(new.file_path).parent == _private_data_dir / "resumes" / str(ann)
    shown = "\n".join(m.value for m in at.markdown)
    assert "old" in shown and "new" in shown and "bob" not in shown
    at = at.button(key=f"resume.active.{old.id}").click().run()
    assert [r.is_active for r in _resumes(db, ann)] == [True, False]
    at.checkbox(key=f"resume.confirm.{new.id}").check().run()
    at = at.button(key=f"resume.delete.{new.id}").click().run()
    no_exceptions(at)
    assert [r.id for r in _resumes(db, ann)] == [old.id]
    assert not Path(new.file_path).exists()
    at = go(at, "Search")
    at.text_input(key="search.query").set_value("rust").run()
    no_exceptions(at)
    assert "bob" not in "\n".join(m.value for m in at.markdown)


def _act_on_resume(resume_id: int) -> None:
    """A run that tries to activate and delete one resume by its id, reporting each outcome."""
    import streamlit as st

    from dashboard import scope
    from database.models import Resume
    from utils.errors import ValidationError

    resume = Resume(id=resume_id, user_id=0, filename="x", file_path="/nowhere/x")

    attempts: dict[str, Callable[[], None]] = {
        "activate": lambda: scope.activate_resume(resume.id),
        "delete": lambda: scope.delete_resume(resume),
    }
    for name, attempt in attempts.items():
        try:
            attempt()
        except ValidationError as exc:
            st.error(f"{name}: {exc.field} {exc.rule}")
        else:
            st.success(name)


def test_another_persons_resume_is_not_found_by_id(db: DatabaseManager) -> None:
    account(db, "ann@example.com")
    bob = account(db, "bob@example.com")
    bobs = _resume_of(bob, "bob.txt")
    DatabaseUtils.add_resume(bob, "bob-active.txt", "/nowhere/bob-active.txt")
    at = run_as(signed_in("ann@example.com"), _act_on_resume, bobs.id)
    no_exceptions(at)
    missing = f"resume_id no resume with id {bobs.id}"
    assert errors(at) == [f"activate: {missing}", f"delete: {missing}"]
    assert [r.is_active for r in _resumes(db, bob)] == [False, True]


def test_the_csv_import_adds_to_the_signed_in_persons_applications(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = account(db, "ann@example.com")
    bob = account(db, "bob@example.com")
    _forbid_local_api(monkeypatch)
    content = b"job_title,company,user_id\nAnalyst,Globex," + str(bob).encode() + b"\n"
    at = signed_in("ann@example.com")
    at.file_uploader(key="import_csv.file").set_value(("mine.csv", content, "text/csv"))
    at = at.button(key="FormSubmitter:import_csv-Import").click().run()
    no_exceptions(at)
    assert successes(at) == [r"Imported mine\.csv: 1 added, 0 duplicates skipped, 0 rejected."]
    monkeypatch.undo()
    assert [a.company for a in DatabaseUtils.get_user_applications(ann)] == ["Globex"]
    assert DatabaseUtils.get_user_applications(bob) == []


def _export_for(user_id: int) -> None:
    """A run that builds the Excel and PDF exports as the page would for ``user_id``."""
    import streamlit as st

    from dashboard import queries
    from dashboard.views import transfers

    criteria = queries.ApplicationFilter()
    st.session_state["xlsx"] = transfers._xlsx(user_id, criteria)
    st.session_state["pdf"] = transfers._pdf(user_id, criteria)


def test_the_excel_and_pdf_exports_hold_only_the_signed_in_persons_records(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = account(db, "ann@example.com", first_name="Ann")
    bob = account(db, "bob@example.com", first_name="Bob")
    DatabaseUtils.add_job_application(ann, "Baker", "Ann Bakery")
    DatabaseUtils.add_job_application(bob, "Pilot", "Bob Airways")
    _forbid_local_api(monkeypatch)
    at = run_as(signed_in("ann@example.com"), _export_for, bob)  # the page's id is ignored
    no_exceptions(at)
    sheet = openpyxl.load_workbook(io.BytesIO(at.session_state["xlsx"]))["Applications"]
    column = [c.value for c in sheet[1]].index("company")
    companies = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert companies == ["Ann Bakery"]
    pdf = PdfReader(io.BytesIO(at.session_state["pdf"]))
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "Ann Bakery" in text and "ann@example.com" in text
    assert "Bob" not in text


def test_a_new_application_is_the_signed_in_persons_own(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = account(db, "ann@example.com")
    _forbid_local_api(monkeypatch)
    at = signed_in("ann@example.com")
    at.text_input(key="add_application.job_title").set_value("Baker")
    at.text_input(key="add_application.company").set_value("Crumbs")
    at = at.button(key="FormSubmitter:add_application-Add application").click().run()
    no_exceptions(at)
    assert successes(at) == ["Added Baker at Crumbs."]
    monkeypatch.undo()
    assert [a.company for a in DatabaseUtils.get_user_applications(ann)] == ["Crumbs"]


def _close_account(at: AppTest, email: str) -> AppTest:
    at = go(at, "Profile & preferences")
    at.text_input(key="delete_profile.confirm").set_value(email).run()
    return next(b for b in at.button if b.label == "Erase my account and all my data").click().run()


def test_closing_the_account_deletes_it_with_its_files_and_signs_out(
    db: DatabaseManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = account(db, "ann@example.com")
    bob = account(db, "bob@example.com")
    DatabaseUtils.add_job_application(bob, "Pilot", "Bob Airways")
    organization(db, bob, {ann: OrganizationRole.MEMBER})
    at = _upload(signed_in("ann@example.com", "Resumes"), "cv.txt", b"Python developer")
    (resume,) = _resumes(db, ann)
    _forbid_local_api(monkeypatch)
    at = _close_account(at, "ann@example.com")
    no_exceptions(at)
    assert [t.value for t in at.title] == ["Sign in to Auto Applyer"]
    assert successes(at) == ["Account and all its data erased."]
    with db.session_scope() as session:
        assert session.get(User, ann) is None and session.get(User, bob) is not None
    assert not Path(resume.file_path).exists()
    monkeypatch.undo()
    assert [a.company for a in DatabaseUtils.get_user_applications(bob)] == ["Bob Airways"]


def test_the_last_owner_of_an_organization_cannot_close_the_account(
    db: DatabaseManager,
) -> None:
    ann = account(db, "ann@example.com")
    bob = account(db, "bob@example.com")
    organization(db, ann, {bob: OrganizationRole.MEMBER})
    at = _close_account(signed_in("ann@example.com"), "ann@example.com")
    no_exceptions(at)
    assert errors(at) == [f"Role the organization {ORGANIZATION!r} would be left without an owner"
                          ": it has other members but no admin to take it over; make one of"
                          " them an owner or admin first"]  # fmt: skip
    with db.session_scope() as session:
        assert session.get(User, ann) is not None


def _save_profile(at: AppTest, email: str, password: str | None) -> AppTest:
    at.text_input(key="profile.email").set_value(email)
    if password is not None:
        at.text_input(key="profile.current_password").set_value(password)
    return at.button(key="FormSubmitter:profile-Save profile").click().run()


def test_a_new_email_needs_the_current_password_and_a_wrong_one_is_counted(
    db: DatabaseManager,
) -> None:
    ann = account(db, "ann@example.com")
    at = signed_in("ann@example.com", "Profile & preferences")
    at = _save_profile(at, "ann.new@example.com", "not the password")
    no_exceptions(at)
    assert any("current_password" in e or "password" in e for e in errors(at)), errors(at)
    with db.session_scope() as session:
        assert session.get(User, ann).email == "ann@example.com"  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(SignInThrottle)) == 1
    at = _save_profile(at, "ann.new@example.com", PASSWORD)
    no_exceptions(at)
    assert successes(at) == ["Profile saved."]
    with db.session_scope() as session:
        assert session.get(User, ann).email == "ann.new@example.com"  # type: ignore[union-attr]
