"""Contacts through ``DatabaseUtils``: their fields and rules, listings, search, links, erasure."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager, db_session_scope
from database.core.column_types import utcnow
from database.models import ApplicationContact, Contact, Event, EventKind, JobApplication, User
from database.utilities import DatabaseUtils
from tests.support.checks import existing
from tests.support.snapshot import snapshot
from utils.errors import ValidationError


@pytest.fixture
def user(db: DatabaseManager) -> User:
    return DatabaseUtils.create_user(email="owner@example.com")


@pytest.fixture
def application(user: User) -> JobApplication:
    return DatabaseUtils.add_job_application(user.id, "Data Engineer", "Acme")


def contact_events(application_id: int) -> list[dict[str, Any]]:
    """The payloads of the application's contact events, oldest first."""
    with db_session_scope() as session:
        rows = session.scalars(
            select(Event.payload)
            .where(Event.entity == "application", Event.entity_id == application_id)
            .where(Event.kind == EventKind.APPLICATION_UPDATED.value)
            .order_by(Event.id)
        )
        return [p for p in map(json.loads, rows) if "contact" in p]


def test_a_contact_keeps_its_details_and_blank_optional_fields_are_none(user: User) -> None:
    met = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    contact = DatabaseUtils.add_contact(
        user.id, "Ada Lovelace", company="Analytical Engines", role="Hiring manager",
        email=" ada@engines.example ", phone="+44 20 7946 0958",
        linkedin_url="https://www.linkedin.com/in/ada", notes="Met at PyCon",
        last_contacted_at=met,
    )  # fmt: skip
    stored = existing(DatabaseUtils.get_contact(contact.id))
    assert (stored.user_id, stored.name, stored.company, stored.role) == (
        user.id, "Ada Lovelace", "Analytical Engines", "Hiring manager",
    )  # fmt: skip
    assert (stored.email, stored.phone, stored.linkedin_url) == (
        "ada@engines.example", "+44 20 7946 0958", "https://www.linkedin.com/in/ada",
    )  # fmt: skip
    assert stored.notes == "Met at PyCon" and stored.last_contacted_at == met
    bare = DatabaseUtils.add_contact(user.id, "Bob", company="", email="  ", phone="")
    assert (bare.company, bare.email, bare.phone, bare.last_contacted_at) == (None,) * 4


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Ann", "email": "not-an-address"}, "email"),
        ({"name": "Ann", "linkedin_url": "javascript:alert(1)"}, "linkedin_url"),
        ({"name": "Ann", "linkedin_url": "https://example.com/in/ann"}, "linkedin_url"),
        ({"name": "Ann", "phone": "call me"}, "phone"),
        ({"name": "Ann", "company": "a\x00b"}, "company"),
        ({"name": "Ann", "last_contacted_at": utcnow() + timedelta(hours=1)}, "last_contacted_at"),
    ],
)
def test_a_bad_field_is_refused_by_name_and_nothing_is_written(
    user: User, fields: dict[str, Any], field: str
) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.add_contact(user.id, **fields)
    assert info.value.field == field
    assert snapshot() == before


def test_an_update_changes_the_given_fields_and_an_empty_text_clears_one(user: User) -> None:
    contact = DatabaseUtils.add_contact(user.id, "Ann", company="Acme", role="Recruiter")
    changed = existing(DatabaseUtils.update_contact(contact.id, role="", email="ann@acme.example"))
    assert (changed.name, changed.company, changed.role, changed.email) == (
        "Ann", "Acme", None, "ann@acme.example",
    )  # fmt: skip
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.update_contact(contact.id, name="")
    assert info.value.field == "name"
    assert existing(DatabaseUtils.get_contact(contact.id)).name == "Ann"


def test_a_missing_contact_is_none_or_false_but_bad_input_is_still_an_error(
    db: DatabaseManager,
) -> None:
    assert DatabaseUtils.get_contact(999_999) is None
    assert DatabaseUtils.update_contact(999_999, name="Zed") is None
    assert DatabaseUtils.mark_contacted(999_999) is None
    assert DatabaseUtils.delete_contact(999_999) is False
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.update_contact(999_999, email="nope")
    assert info.value.field == "email"
    with pytest.raises(ValidationError):
        DatabaseUtils.add_contact(999_999, "Nobody's")


def test_mark_contacted_records_now_or_the_given_time_but_not_the_future(user: User) -> None:
    contact = DatabaseUtils.add_contact(user.id, "Ann")
    before = utcnow()
    marked = existing(DatabaseUtils.mark_contacted(contact.id))
    assert marked.last_contacted_at is not None
    assert before <= marked.last_contacted_at <= utcnow()
    earlier = datetime(2025, 12, 1, 8, tzinfo=UTC)
    assert existing(DatabaseUtils.mark_contacted(contact.id, earlier)).last_contacted_at == earlier
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.mark_contacted(contact.id, utcnow() + timedelta(days=2))
    assert info.value.field == "last_contacted_at"


def test_listing_orders_by_name_ignoring_case_and_matches_any_script(user: User) -> None:
    other = DatabaseUtils.create_user(email="other@example.com")
    DatabaseUtils.add_contact(other.id, "Émile Other", company="Straße AG")
    names = ["émile Zola", "Bob", "Ángel", "alice", "ÉMILE Dupont"]
    companies = ["Straße AG", "Globex", None, "straße ag", "Initech"]
    for name, company in zip(names, companies, strict=True):
        DatabaseUtils.add_contact(user.id, name, company=company, role="Recruiter")

    def listed(**criteria: Any) -> list[str]:
        return [c.name for c in DatabaseUtils.list_contacts(user.id, **criteria)]

    assert listed() == ["alice", "Ángel", "Bob", "ÉMILE Dupont", "émile Zola"]
    assert listed(q="émile") == ["ÉMILE Dupont", "émile Zola"]
    assert listed(q="STRASSE") == ["alice", "émile Zola"]  # ß folds to ss
    assert listed(company="STRASSE ag") == ["alice", "émile Zola"]
    assert listed(q="recruit", limit=2, offset=1) == ["Ángel", "Bob"]
    assert listed(q="nobody") == []


def test_search_finds_every_word_anywhere_names_first(user: User) -> None:
    DatabaseUtils.add_contact(user.id, "Zoë Notes", notes="knows the Python team lead")
    DatabaseUtils.add_contact(user.id, "Yann", company="Python Software", role="Team lead")
    DatabaseUtils.add_contact(user.id, "Python Team Pat")
    DatabaseUtils.add_contact(user.id, "Unrelated", notes="Java")
    found = DatabaseUtils.search_contacts(user.id, "python TEAM")
    assert [c.name for c in found] == ["Python Team Pat", "Yann", "Zoë Notes"]
    assert [c.name for c in DatabaseUtils.search_contacts(user.id, "ZOË")] == ["Zoë Notes"]
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.search_contacts(user.id, "   ")
    assert info.value.field == "query"


def test_a_link_is_made_once_recorded_as_a_change_and_listed_both_ways(
    user: User, application: JobApplication
) -> None:
    ann = DatabaseUtils.add_contact(user.id, "Ann")
    bob = DatabaseUtils.add_contact(user.id, "bob")
    later = DatabaseUtils.add_job_application(user.id, "Analyst", "Acme")
    assert DatabaseUtils.link_contact(application.id, bob.id) is True
    assert DatabaseUtils.link_contact(application.id, ann.id) is True
    assert DatabaseUtils.link_contact(application.id, ann.id) is False  # idempotent
    assert DatabaseUtils.link_contact(later.id, ann.id) is True
    assert [c.name for c in DatabaseUtils.get_application_contacts(application.id)] == [
        "Ann",
        "bob",
    ]
    assert {a.id for a in DatabaseUtils.get_contact_applications(ann.id)} == {
        application.id, later.id,
    }  # fmt: skip
    assert [c.name for c in DatabaseUtils.list_contacts(user.id, application_id=later.id)] == [
        "Ann"
    ]
    with db_session_scope() as session:
        links = session.scalars(select(ApplicationContact)).all()
        assert {link.user_id for link in links} == {user.id} and len(links) == 3
    assert contact_events(application.id) == [
        {"contact": "linked", "contact_id": bob.id},
        {"contact": "linked", "contact_id": ann.id},
    ]
    assert DatabaseUtils.unlink_contact(application.id, ann.id) is True
    assert DatabaseUtils.unlink_contact(application.id, ann.id) is False
    assert contact_events(application.id)[-1] == {"contact": "unlinked", "contact_id": ann.id}
    assert [c.name for c in DatabaseUtils.get_application_contacts(application.id)] == ["bob"]


def test_another_persons_contact_cannot_be_linked(user: User, application: JobApplication) -> None:
    stranger = DatabaseUtils.create_user(email="stranger@example.com")
    theirs = DatabaseUtils.add_contact(stranger.id, "Their contact")
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        DatabaseUtils.link_contact(application.id, theirs.id)
    assert info.value.field == "contact_id"
    assert snapshot() == before
    with pytest.raises(ValidationError) as unknown:
        DatabaseUtils.link_contact(999_999, theirs.id)
    assert unknown.value.field == "application_id"


def test_deleting_a_contact_or_an_application_removes_their_links(
    user: User, application: JobApplication
) -> None:
    ann = DatabaseUtils.add_contact(user.id, "Ann")
    bob = DatabaseUtils.add_contact(user.id, "Bob")
    other = DatabaseUtils.add_job_application(user.id, "Analyst", "Initech")
    for app_id in (application.id, other.id):
        DatabaseUtils.link_contact(app_id, ann.id)
    DatabaseUtils.link_contact(other.id, bob.id)
    assert DatabaseUtils.delete_contact(ann.id) is True
    assert contact_events(application.id)[-1] == {"contact": "unlinked", "contact_id": ann.id}
    assert [c.name for c in DatabaseUtils.get_application_contacts(other.id)] == ["Bob"]
    DatabaseUtils.delete_application(other.id)
    assert existing(DatabaseUtils.get_contact(bob.id)).name == "Bob"
    assert DatabaseUtils.get_contact_applications(bob.id) == []


def test_erasing_a_person_removes_their_contacts_and_links(
    user: User, application: JobApplication
) -> None:
    keeper = DatabaseUtils.create_user(email="keeper@example.com")
    kept = DatabaseUtils.add_contact(keeper.id, "Kept")
    ann = DatabaseUtils.add_contact(user.id, "Ann")
    DatabaseUtils.link_contact(application.id, ann.id)
    assert DatabaseUtils.erase_user(user.id) is True
    with db_session_scope() as session:
        assert session.scalars(select(Contact.id)).all() == [kept.id]
        assert session.scalars(select(ApplicationContact.id)).all() == []
