"""Contacts in a person's files: the personal backup (out and back in) and the full export."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from database.connection import DatabaseManager
from database.domain import applications, contact_links, contacts, users
from database.io.personal_backup import export_personal
from database.io.personal_import import import_personal
from database.models import Contact
from database.utilities import DatabaseUtils
from utils.errors import ValidationError

MET = datetime(2026, 2, 3, 14, tzinfo=UTC)


@pytest.fixture
def owners(db: DatabaseManager) -> tuple[int, int]:
    """Ann, with two contacts, one on two applications; Bob with nothing."""
    with db.session_scope() as session:
        ann = users.create(session, "ann@example.com", {}).id
        bob = users.create(session, "bob@example.com", {}).id
        first = applications.add(session, ann, {"job_title": "Engineer", "company": "Acme"})
        second = applications.add(session, ann, {"job_title": "Lead", "company": "Acme"})
        ada = contacts.create(
            session, ann, {"name": "Ada", "email": "ada@acme.example", "last_contacted_at": MET}
        )
        contacts.create(session, ann, {"name": "Zed", "notes": "no application yet"})
        contact_links.link(session, first.id, ada.id)
        contact_links.link(session, second.id, ada.id)
        return ann, bob


def test_a_personal_backup_brings_the_contacts_and_their_links_into_another_account(
    db: DatabaseManager, owners: tuple[int, int], tmp_path: Path
) -> None:
    ann, bob = owners
    with db.session_scope() as session:
        document = export_personal(session, ann, tmp_path)
        assert [c["name"] for c in document["contacts"]] == ["Ada", "Zed"]
        assert "user_id" not in document["contacts"][0]
        counts = import_personal(session, bob, json.loads(json.dumps(document)), tmp_path)
    assert counts["contacts"] == 2
    with db.session_scope() as session:
        theirs = session.scalars(select(Contact).where(Contact.user_id == bob)).all()
        by_name = {c.name: c for c in theirs}
        assert by_name["Ada"].last_contacted_at == MET
        assert by_name["Ada"].email == "ada@acme.example"
        linked = contact_links.applications_of(session, by_name["Ada"].id)
        assert sorted(a.job_title for a in linked) == ["Engineer", "Lead"]
        assert {a.user_id for a in linked} == {bob}
        assert contact_links.applications_of(session, by_name["Zed"].id) == []


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["applications"][0].update(contact_ids=[999]),
         "backup.applications[0].contact_ids[0]"),
        (lambda d: d["contacts"][0].update(email="not an address"), "backup.contacts[0].email"),
        (lambda d: d["contacts"][1].update(id=d["contacts"][0]["id"]), "backup.contacts[1].id"),
    ],
)  # fmt: skip
def test_a_bad_contact_in_a_backup_is_named_and_nothing_is_imported(
    db: DatabaseManager, owners: tuple[int, int], tmp_path: Path, change: object, where: str
) -> None:
    ann, bob = owners
    with db.session_scope() as session:
        document = json.loads(json.dumps(export_personal(session, ann, tmp_path)))
    change(document)  # type: ignore[operator]
    with pytest.raises(ValidationError) as info, db.session_scope() as session:
        import_personal(session, bob, document, tmp_path)
    assert info.value.field == where
    assert DatabaseUtils.list_contacts(bob) == []


def test_the_personal_export_holds_the_contacts_and_links(owners: tuple[int, int]) -> None:
    ann, _ = owners
    archive = DatabaseUtils.export_user_data(ann)
    assert isinstance(archive, bytes)
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        names = [c["name"] for c in json.loads(opened.read("tables/contacts.json"))]
        links = json.loads(opened.read("tables/application_contacts.json"))
    assert names == ["Ada", "Zed"] and len(links) == 2
