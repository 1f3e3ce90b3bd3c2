"""Webhooks behind row-level security: as the application role, an actor sees only their own.

Queries are deliberately unfiltered: what comes back is what the policies of
revision 003.8 let through.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.core.tenant import bind_actor
from database.domain.organizations import create_organization
from database.domain.webhooks import register
from database.domain.webhooks.deliveries import enqueue_new
from database.utilities import DatabaseUtils

pytestmark = pytest.mark.parametrize("engine_name", ["postgresql"])

INSERT = text(
    "INSERT INTO webhook_endpoints (user_id, organization_id, url, event_kinds, secret)"
    " VALUES (:user_id, :organization_id, 'https://example.com/', '[]', 'x')"
)


@dataclass(frozen=True)
class People:
    ann: int  # founded the Lab
    bob: int
    lab: int


@pytest.fixture
def people(db: DatabaseManager) -> People:
    ann, bob = (DatabaseUtils.create_user(f"{n}@example.com").id for n in ("ann", "bob"))
    with db.session_scope() as session:
        lab = create_organization(session, ann, "Lab").id
        for user_id in (ann, bob):
            register(session, user_id, "https://example.com/hook", ["application.created"])
    for user_id in (ann, bob):
        DatabaseUtils.add_job_application(user_id, "Engineer", "Acme")
    with db.session_scope() as session:
        assert enqueue_new(session, utcnow()) == 2
    return People(ann, bob, lab)


def test_a_person_sees_only_their_endpoints_and_deliveries(
    people: People, app_engine: Engine
) -> None:
    with app_engine.begin() as conn:
        bind_actor(conn, people.bob)
        assert set(conn.scalars(text("SELECT user_id FROM webhook_endpoints"))) == {people.bob}
        assert set(conn.scalars(text("SELECT user_id FROM webhook_deliveries"))) == {people.bob}
        assert conn.execute(text("DELETE FROM webhook_deliveries")).rowcount == 1
    with app_engine.begin() as conn:
        assert conn.scalar(text("SELECT count(*) FROM webhook_endpoints")) == 0


def test_nobody_registers_for_another_person_or_an_organization_they_do_not_manage(
    people: People, app_engine: Engine
) -> None:
    with pytest.raises(DBAPIError, match="row-level security"), app_engine.begin() as conn:
        bind_actor(conn, people.bob)
        conn.execute(INSERT, {"user_id": people.ann, "organization_id": None})
    with pytest.raises(DBAPIError, match="row-level security"), app_engine.begin() as conn:
        bind_actor(conn, people.bob)
        conn.execute(INSERT, {"user_id": people.bob, "organization_id": people.lab})
    with app_engine.begin() as conn:
        bind_actor(conn, people.ann)
        conn.execute(INSERT, {"user_id": people.ann, "organization_id": people.lab})
