"""The calls of the pages about a person's data, as the person using the dashboard may make them.

In local mode a call goes straight to ``DatabaseUtils`` (the trusted local
API). In hosted mode it goes through the actor-scoped services
(:mod:`database.services.tenancy`) for the signed-in person, whatever
``user_id`` the page holds: an application they may not read is reported
exactly like one that does not exist, and figures and the profile are always
their own.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from dashboard import auth, mode, resume_files, state
from database.domain import events, notes
from database.domain.accounts import Actor
from database.domain.listing import ApplicationFilter
from database.io.csv_io import ImportReport
from database.models import (
    ApplicationNote,
    Event,
    JobApplication,
    Notification,
    Resume,
    SearchHistory,
    User,
)
from database.services.tenancy import account, analytics, archiving, profile, records, resumes
from database.services.tenancy import applications as tenancy
from database.services.tenancy import notifications as inbox
from database.services.tenancy import tags as tag_access
from database.services.tenancy.events import events_since
from database.utilities import DatabaseUtils
from utils.errors import ValidationError

T = TypeVar("T")

#: The ``DatabaseUtils`` analytics calls of the pages and their actor-scoped twins.
ANALYTICS: dict[str, Callable[..., Any]] = {
    "get_application_statistics": analytics.statistics,
    "get_response_stats": analytics.response_stats,
    "get_application_funnel": analytics.funnel,
    "get_applications_per_week": analytics.applications_per_week,
    "get_conversion_by_source": analytics.conversion_by_source,
    "get_conversion_by_resume": analytics.conversion_by_resume,
    "get_time_in_stage": analytics.time_in_stage,
    "get_stale_applications": analytics.stale_applications,
    "get_application_sources": analytics.sources,
    "get_tag_statistics": tag_access.statistics,
}


def _missing(application_id: int) -> ValidationError:
    return ValidationError(
        "application_id", f"no application with id {application_id}", application_id
    )


def _as_actor(work: Callable[[Session, Actor], T]) -> T:
    """Run ``work`` in one transaction for the signed-in person."""
    actor = auth.require_actor()
    with state.ensure_database().session_scope() as session:
        return work(session, actor)


def _found(value: T | None, application_id: int) -> T:
    if value is None:
        raise _missing(application_id)
    return value


def get_application(application_id: int) -> JobApplication | None:
    """The application if this session may read it, else ``None``."""
    if not mode.is_hosted():
        return DatabaseUtils.get_application(application_id)
    return _as_actor(lambda s, a: tenancy.get_application(s, a, application_id))


def change_status(
    application_id: int,
    status: str,
    notes_text: str | None = None,
    interview_date: datetime | None = None,
    interview_type: str | None = None,
) -> JobApplication:
    """Move the application to ``status`` (see ``update_application_status``)."""
    if not mode.is_hosted():
        return DatabaseUtils.update_application_status(
            application_id, status, notes_text, interview_date, interview_type
        )
    moved = _as_actor(
        lambda s, a: tenancy.change_status(
            s, a, application_id, status, notes_text, interview_date, interview_type
        )
    )
    return _found(moved, application_id)


def update_application(application_id: int, fields: Mapping[str, Any]) -> JobApplication:
    """Change the application's details."""
    if not mode.is_hosted():
        return DatabaseUtils.update_application(application_id, **fields)
    changed = _as_actor(lambda s, a: tenancy.update_application(s, a, application_id, fields))
    return _found(changed, application_id)


def delete_application(application_id: int) -> None:
    """Delete the application and its timeline."""
    if not mode.is_hosted():
        DatabaseUtils.delete_application(application_id)
        return
    if not _as_actor(lambda s, a: tenancy.delete_application(s, a, application_id)):
        raise _missing(application_id)


def archive_application(application_id: int, archived: bool = True) -> JobApplication:
    """Archive the application (``archived``) or restore it to the active set."""
    if not mode.is_hosted():
        call = (
            DatabaseUtils.archive_application if archived else DatabaseUtils.unarchive_application
        )
        return _found(call(application_id), application_id)
    change = archiving.archive_application if archived else archiving.unarchive_application
    return _found(_as_actor(lambda s, a: change(s, a, application_id)), application_id)


def archive_applications(user_id: int, statuses: tuple[str, ...]) -> int:
    """Archive every active application in ``statuses``; how many."""
    if not mode.is_hosted():
        return DatabaseUtils.archive_applications(user_id, statuses)
    return _as_actor(lambda s, a: archiving.archive_applications(s, a, statuses))


def add_note(application_id: int, body: str) -> ApplicationNote:
    """Add a dated note to the application's log."""
    if not mode.is_hosted():
        return DatabaseUtils.add_application_note(application_id, body)

    def work(session: Session, actor: Actor) -> ApplicationNote:
        # No actor-scoped notes call yet: the write check is the applications' own.
        _found(tenancy.writable(session, actor, application_id), application_id)
        return notes.add(session, application_id, body)

    return _as_actor(work)


def timeline(application_id: int) -> list[dict[str, Any]]:
    """The application's status moves and notes in time order."""
    if not mode.is_hosted():
        return DatabaseUtils.get_application_timeline(application_id)

    def work(session: Session, actor: Actor) -> list[dict[str, Any]]:
        _found(tenancy.readable(session, actor, application_id), application_id)
        return notes.timeline(session, application_id)

    return _as_actor(work)


def figures(name: str, user_id: int, **options: Any) -> Any:
    """``DatabaseUtils.<name>(user_id, **options)``: one of :data:`ANALYTICS`."""
    if not mode.is_hosted():
        call: Callable[..., Any] = getattr(DatabaseUtils, name)
        return call(user_id, **options)
    return _as_actor(lambda s, a: ANALYTICS[name](s, a, **options))


def get_user(user_id: int) -> User | None:
    """The profile (preferences and resumes loaded); in hosted mode the signed-in person's."""
    if not mode.is_hosted():
        return DatabaseUtils.get_user_by_id(user_id)
    return _as_actor(profile.get_profile)


def update_user(
    user_id: int, fields: Mapping[str, Any], current_password: str | None = None
) -> User:
    """Change profile fields (see ``update_user``).

    In hosted mode a new email also needs the account's ``current_password``.
    """
    if not mode.is_hosted():
        return DatabaseUtils.update_user(user_id, **fields)
    refused: ValidationError | None = None

    def update(session: Session, actor: Actor) -> User | None:
        nonlocal refused
        try:
            return profile.update_profile(session, actor, fields, current_password)
        except ValidationError as exc:
            if exc.field != profile.CURRENT_PASSWORD:
                raise
            refused = exc  # raised once the transaction has kept the failed attempt
            return None

    changed = _as_actor(update)
    if changed is None:
        assert refused is not None
        raise refused
    return changed


def update_preferences(user_id: int, fields: Mapping[str, Any]) -> Any:
    """Change job-search preferences (see ``update_user_preferences``)."""
    if not mode.is_hosted():
        return DatabaseUtils.update_user_preferences(user_id, **fields)
    return _as_actor(lambda s, a: profile.update_preferences(s, a, fields))


def searches(user_id: int, limit: int) -> list[SearchHistory]:
    """The searches recorded, newest first."""
    if not mode.is_hosted():
        return DatabaseUtils.get_search_history(user_id, limit=limit)
    return _as_actor(lambda s, a: profile.list_searches(s, a, limit)[0])


def record_search(user_id: int, fields: Mapping[str, Any]) -> SearchHistory:
    """Record a job search that was run (see ``add_search_history``)."""
    if not mode.is_hosted():
        return DatabaseUtils.add_search_history(user_id, **fields)
    return _as_actor(lambda s, a: profile.record_search(s, a, fields))


def own_applications(
    criteria: ApplicationFilter, limit: int | None, offset: int = 0
) -> tuple[list[JobApplication], int]:
    """Hosted mode: one page of the signed-in person's matching applications, and the total."""
    filters = asdict(criteria)
    return _as_actor(lambda s, a: tenancy.list_applications(s, a, filters, limit, offset))


def search_applications(user_id: int, query: str, limit: int) -> list[dict[str, Any]]:
    """The applications matching ``query``, best first (see ``search_applications``)."""
    if not mode.is_hosted():
        return DatabaseUtils.search_applications(user_id, query, limit=limit)
    return _as_actor(lambda s, a: tenancy.search_applications(s, a, query, limit=limit))


def add_application(
    user_id: int, job_title: str, company: str, fields: Mapping[str, Any]
) -> JobApplication:
    """Track a new application (see ``add_job_application``)."""
    if not mode.is_hosted():
        return DatabaseUtils.add_job_application(user_id, job_title, company, **fields)
    given = {"job_title": job_title, "company": company, **fields}
    return _as_actor(lambda s, a: tenancy.create_application(s, a, given))


def _no_resume(resume_id: int) -> ValidationError:
    return ValidationError("resume_id", f"no resume with id {resume_id}", resume_id)


def list_resumes(user_id: int) -> list[Resume]:
    """Every resume of the profile, newest upload first."""
    if not mode.is_hosted():
        return DatabaseUtils.get_user_resumes(user_id, active_only=False)
    return _as_actor(lambda s, a: resumes.list_resumes(s, a)[0])


def upload_resume(user_id: int, content: bytes, filename: str, is_active: bool) -> Resume:
    """Check and store an uploaded file as a new resume (a bad file: ``ValidationError``).

    The same content again is the resume stored the first time, not a duplicate.
    """
    if mode.is_hosted():
        return _as_actor(lambda s, a: resumes.upload_resume(s, a, filename, content, is_active))
    owned = DatabaseUtils.get_user_resumes(user_id, active_only=False)
    same = resume_files.same_content(state.data_dir(), owned, content)
    if same is not None:
        activate = is_active and not same.is_active
        return DatabaseUtils.set_active_resume(same.id) if activate else same
    stored = resume_files.store(state.data_dir(), user_id, content, filename)
    try:
        return DatabaseUtils.add_resume(
            user_id=user_id,
            filename=stored.label,
            file_path=str(stored.path),
            file_size=stored.size,
            file_type=stored.kind,
            parsed_text=stored.text,
            skills_extracted=stored.skills,
            is_active=is_active,
        )
    except BaseException:
        resume_files.remove(state.data_dir(), str(stored.path))
        raise


def resume_content(resume: Resume) -> bytes | None:
    """The original file of the resume as uploaded; ``None`` when it is gone."""
    if mode.is_hosted():
        found = _as_actor(lambda s, a: resumes.read_resume_file(s, a, resume.id))
        return None if found is None else found.content
    return resume_files.read(state.data_dir(), resume.file_path)


def activate_resume(resume_id: int) -> None:
    """Make the resume its owner's one active resume."""
    if not mode.is_hosted():
        DatabaseUtils.set_active_resume(resume_id)
        return
    if _as_actor(lambda s, a: resumes.activate_resume(s, a, resume_id)) is None:
        raise _no_resume(resume_id)


def delete_resume(resume: Resume) -> None:
    """Delete the resume and its stored file."""
    if not mode.is_hosted():
        DatabaseUtils.delete_resume(resume.id)
        resume_files.remove(state.data_dir(), resume.file_path)
        return
    if not _as_actor(lambda s, a: resumes.delete_resume(s, a, resume.id)):
        raise _no_resume(resume.id)


def search_resumes(user_id: int, query: str, limit: int) -> list[dict[str, Any]]:
    """The resumes matching ``query``, best first (see ``search_resumes``)."""
    if not mode.is_hosted():
        return DatabaseUtils.search_resumes(user_id, query, limit=limit)
    return _as_actor(lambda s, a: account.search_resumes(s, a, query, limit=limit))


def import_csv(user_id: int, content: bytes) -> ImportReport:
    """Import a CSV file's bytes as applications of the profile; the report of each row."""
    if mode.is_hosted():
        return _as_actor(lambda s, a: records.import_csv(s, a, content))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "import.csv"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        return DatabaseUtils.import_applications_csv(user_id, path)


def own_xlsx(criteria: ApplicationFilter) -> bytes:
    """Hosted mode: the Excel workbook of the signed-in person's matching applications."""
    filters = asdict(criteria)
    return _as_actor(lambda s, a: records.export_xlsx(s, a, filters))


def own_pdf(criteria: ApplicationFilter) -> bytes:
    """Hosted mode: the signed-in person's job search record over the matching applications."""
    filters = asdict(criteria)
    return _as_actor(lambda s, a: records.export_pdf(s, a, filters))


def delete_user(user_id: int) -> None:
    """Erase the profile with every row and resume file of it; in hosted mode the signed-in
    account (see ``erase_user``)."""
    if not mode.is_hosted():
        DatabaseUtils.erase_user(user_id)
        return
    _as_actor(account.delete_account)
    auth.forget()


def export_my_data(user_id: int) -> bytes:
    """The personal export (a ZIP archive) of the profile; in hosted mode the signed-in one's."""
    if mode.is_hosted():
        return _as_actor(account.export_data)
    archive = DatabaseUtils.export_user_data(user_id)
    assert isinstance(archive, bytes)
    return archive


def newest_event_id() -> int:
    """The newest event id of the whole database: where a page starts watching for changes."""
    with state.ensure_database().session_scope() as session:
        return events.last_id(session)


def events_after(user_id: int, since: int, limit: int = 100) -> list[Event]:
    """The events after ``since`` this session may see: the profile's own (local mode),
    or all the signed-in person may see (hosted: their organization's members' too)."""
    if not mode.is_hosted():
        return DatabaseUtils.get_events(user_id, since=since, limit=limit)
    return _as_actor(lambda s, a: events_since(s, a, since, limit))


def notifications(user_id: int, limit: int) -> list[Notification]:
    """The person's newest notifications, unread first."""
    if not mode.is_hosted():
        return DatabaseUtils.get_notifications(user_id, limit=limit)
    return _as_actor(lambda s, a: inbox.list_notifications(s, a, limit=limit)[0])


def unread_notifications(user_id: int) -> int:
    """How many of the person's notifications are unread."""
    if not mode.is_hosted():
        return DatabaseUtils.count_unread_notifications(user_id)
    return _as_actor(inbox.unread_count)


def mark_notification_read(user_id: int, notification_id: int) -> None:
    """Mark one of the person's notifications read (nothing when it is not theirs)."""
    if not mode.is_hosted():
        DatabaseUtils.mark_notification_read(user_id, notification_id)
        return
    _as_actor(lambda s, a: inbox.mark_read(s, a, notification_id))


def mark_all_notifications_read(user_id: int) -> None:
    """Mark every unread notification of the person read."""
    if not mode.is_hosted():
        DatabaseUtils.mark_all_notifications_read(user_id)
        return
    _as_actor(inbox.mark_all_read)
