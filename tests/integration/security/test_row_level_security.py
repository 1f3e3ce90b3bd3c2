"""The second wall: as the application role, PostgreSQL shows a transaction its actor's rows only.

Every query here is deliberately unfiltered (``SELECT user_id FROM <table>``):
what comes back is what row-level security lets through, whatever the code
above it forgets. Row-level security is PostgreSQL's alone, so these tests
run there; ``test_history_owner.py`` covers every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.core.tenant import bind_actor
from database.domain.organizations import accept_invitation, create_organization, invite
from database.models import IdempotencyKey
from database.utilities import DatabaseUtils
from tests.support.notification_objects import reminder_of
from tests.support.tracker_objects import tracker_rows
from tests.support.webhook_objects import WEBHOOK_MAKERS

pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"])


@dataclass(frozen=True)
class People:
    member: int  # a member of the organization, with a row in every table
    stranger: int  # in no organization, with a row in every table
    coach: int  # the organization's coach


def tables_with_user_id(conn: Connection) -> list[str]:
    """Every table of the live schema with a ``user_id`` column (a new one included)."""
    return list(
        conn.scalars(
            text(
                "SELECT table_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND column_name = 'user_id'"
                " ORDER BY table_name"
            )
        )
    )


def give_a_row_of_everything(db: DatabaseManager, user_id: int) -> None:
    application = DatabaseUtils.add_job_application(user_id, job_title="Engineer", company="Acme")
    DatabaseUtils.update_application_status(application.id, "screening", notes="call")
    DatabaseUtils.add_application_note(application.id, "a note")
    DatabaseUtils.update_user_preferences(user_id, preferred_locations=["Berlin"])
    DatabaseUtils.add_resume(user_id, "cv.pdf", "/tmp/cv.pdf")
    DatabaseUtils.add_search_history(user_id, job_title="Engineer")
    DatabaseUtils.rotate_calendar_feed(user_id)
    with db.session_scope() as session:
        reminder_of(session, user_id, application.id)
        for make in WEBHOOK_MAKERS.values():
            make(session, user_id)
        tracker_rows(session, user_id, application.id)
        session.add(
            IdempotencyKey(
                user_id=user_id, key=f"key-{user_id}", method="POST", path="/x",
                request_digest="0" * 64, expires_at=utcnow() + timedelta(hours=1),
            )
        )  # fmt: skip


@pytest.fixture
def people(db: DatabaseManager) -> People:
    member = DatabaseUtils.create_user("member@example.com").id
    stranger = DatabaseUtils.create_user("stranger@example.com").id
    coach = DatabaseUtils.create_user("coach@example.com").id
    with db.session_scope() as session:
        organization = create_organization(session, coach, "Career Lab")
        # The founder is the owner; a second staff member who is only a coach:
        invited = invite(session, coach, organization.id, "member@example.com", "member")
        assert invited is not None
        accept_invitation(session, member, invited[1])
    for user_id in (member, stranger):
        give_a_row_of_everything(db, user_id)
    return People(member, stranger, coach)


def owners_seen(conn: Connection, table: str) -> set[int]:
    return set(conn.scalars(text(f"SELECT user_id FROM {table}")))


def test_an_unfiltered_select_as_the_app_role_returns_only_the_actors_rows(
    people: People, app_engine: Engine
) -> None:
    with app_engine.begin() as conn:
        bind_actor(conn, people.member)
        tables = tables_with_user_id(conn)
        assert {"job_applications", "application_status_history", "auth_tokens"} <= set(tables)
        seen = {table: owners_seen(conn, table) for table in tables}
        assert conn.scalar(text("SELECT count(*) FROM users")) >= 1
        assert set(conn.scalars(text("SELECT id FROM users"))) == {people.member}
    for table, owners in seen.items():
        assert people.stranger not in owners, table
        if table not in ("auth_tokens", "invitations"):  # the member has none of those
            assert people.member in owners, table


def test_with_no_actor_bound_the_app_role_sees_no_rows_at_all(
    people: People, app_engine: Engine
) -> None:
    with app_engine.begin() as conn:
        for table in [*tables_with_user_id(conn), "users", "organizations"]:
            assert conn.scalar(text(f"SELECT count(*) FROM {table}")) == 0, table


def test_the_binding_ends_with_its_transaction(people: People, app_engine: Engine) -> None:
    with app_engine.connect() as conn:
        with conn.begin():
            bind_actor(conn, people.member)
            assert owners_seen(conn, "job_applications") == {people.member}
        with conn.begin():
            assert owners_seen(conn, "job_applications") == set()


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO job_applications (user_id, job_title, company, status, application_date,"
        " status_changed_at, is_remote) VALUES (:other, 't', 'c', 'applied', now(), now(), false)",
        "INSERT INTO search_history (user_id, search_date) VALUES (:other, now())",
        "INSERT INTO application_status_history (application_id, user_id, to_status, changed_at)"
        " SELECT id, :other, 'applied', now() FROM job_applications",
    ],
)
def test_writing_a_row_for_someone_else_fails(
    people: People, app_engine: Engine, statement: str
) -> None:
    with pytest.raises(DBAPIError, match="row-level security"), app_engine.begin() as conn:
        bind_actor(conn, people.member)
        conn.execute(text(statement), {"other": people.stranger})


def test_someone_elses_rows_cannot_be_changed_or_deleted(
    people: People, app_engine: Engine
) -> None:
    with app_engine.begin() as conn:
        bind_actor(conn, people.member)
        changed = conn.execute(text("UPDATE job_applications SET company = 'x'"))
        assert changed.rowcount == 1  # the member's own only
        assert (
            conn.execute(
                text("DELETE FROM search_history WHERE user_id <> :me"), {"me": people.member}
            ).rowcount
            == 0
        )
    assert {a.company for a in DatabaseUtils.get_user_applications(people.stranger)} == {"Acme"}


def test_a_coach_reads_the_members_applications_but_not_a_strangers_and_changes_none(
    people: People, app_engine: Engine
) -> None:
    with app_engine.begin() as conn:
        bind_actor(conn, people.coach)
        staff_read = ("job_applications", "application_status_history", "application_notes",
                      "tags", "application_tags")  # fmt: skip
        for table in staff_read:
            assert owners_seen(conn, table) == {people.member}, table
        private = ("resumes", "search_history", "user_preferences", "idempotency_keys",
                   "contacts", "application_contacts", "cover_letters")  # fmt: skip
        for table in private:
            assert owners_seen(conn, table) <= {people.coach}, table
        assert conn.execute(text("UPDATE job_applications SET company = 'x'")).rowcount == 0
        assert conn.execute(text("DELETE FROM application_notes")).rowcount == 0
        assert conn.execute(text("DELETE FROM application_tags")).rowcount == 0
