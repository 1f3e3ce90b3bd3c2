"""A world of people with a row in every table of a person, and dumps to compare it by.

:func:`fill_person` gives one person a row (or more) in every table that can
hold theirs, with a stored resume file; :func:`dump` reads every row of every
table; :func:`rows_of` picks those that name a person through any column
referring to ``users``; :func:`expected_after_erasure` applies the schema's
own ``ON DELETE`` actions to a dump, so a test can tell what an erasure
should have left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.domain import applications, notes, search_history, users
from database.domain.accounts import create_api_key, sign_up
from database.domain.accounts.tokens import issue
from database.domain.notifications import calendar
from database.domain.organizations import accept_invitation, create_organization, invite
from database.domain.resumes import add as add_resume
from database.domain.webhooks import WebhookSettings, register
from database.io import resume_files
from database.models import TABLES, IdempotencyKey, Membership, OrganizationRole, TokenKind
from tests.support.tracker_objects import tracker_rows

Dump = dict[str, dict[Any, dict[str, Any]]]


@dataclass
class Person:
    """One person of the world and the secrets a test must never find in an archive."""

    user_id: int
    email: str
    resume_file: Path
    secrets: list[str] = field(default_factory=list)


def fill_person(session: Session, email: str, data_root: Path, label: str) -> Person:
    """An account with preferences, a stored resume, an application with history and a note,
    a contact, a tag and a cover letter, a search, a reminder, a calendar feed, tokens, an API
    key, a webhook with a delivery, an idempotency key, and a solo organization of their own."""
    user = sign_up(session, email, "correct horse battery staple")
    users.update_preferences(session, user.id, {"preferred_locations": [f"{label} city"]})
    stored = resume_files.store(data_root, user.id, f"{label} resume text".encode(), "cv.txt")
    resume = add_resume(session, user.id, {
        "filename": stored.label, "file_path": str(stored.path), "file_type": stored.kind,
        "parsed_text": stored.text,
    })  # fmt: skip
    application = applications.add(session, user.id, {
        "job_title": f"{label} engineer", "company": f"{label} corp", "resume_id": resume.id,
        "interview_date": utcnow() + timedelta(hours=2),
    })  # fmt: skip
    applications.change_status(session, application.id, "screening", f"{label} moved")
    notes.add(session, application.id, f"{label} called the recruiter")
    tracker_rows(session, user.id, application.id)
    search_history.add(session, user.id, {"job_title": f"{label} search"})
    feed_secret = calendar.rotate_secret(session, user.id)
    key = create_api_key(session, user.id, f"{label} key", {"read"})
    access = issue(session, user.id, TokenKind.ACCESS, expires_at=utcnow() + timedelta(hours=1))
    hook = register(session, user.id, "https://example.com/hook", ["application.created"],
                    settings=WebhookSettings(allow_private=True))  # fmt: skip
    assert hook is not None
    session.add(IdempotencyKey(
        user_id=user.id, key=f"{label}-key", method="POST", path="/api/v1/applications",
        request_digest="0" * 64, status_code=201, response_body=f'{{"token": "{key.token}"}}',
        media_type="application/json", expires_at=utcnow() + timedelta(days=1),
    ))  # fmt: skip
    create_organization(session, user.id, f"{label} solo")
    session.flush()
    secrets = [key.token, access.token, feed_secret, hook.secret, user.password_hash or ""]
    return Person(user.id, email, stored.path, [s for s in secrets if s])


def join_with_invitation(
    session: Session, inviter: int, organization_id: int, person: Person
) -> str:
    """``inviter`` (an owner) invites ``person`` by email, and they accept; the token."""
    made = invite(session, inviter, organization_id, person.email, "member")
    assert made is not None
    accept_invitation(session, person.user_id, made[1])
    return made[1]


def add_member(
    session: Session, organization_id: int, user_id: int, role: OrganizationRole
) -> None:
    """Make ``user_id`` a member with ``role``."""
    session.add(Membership(organization_id=organization_id, user_id=user_id, role=role))
    session.flush()


def found(session: Session, user_id: int, name: str) -> int:
    """A new organization of ``user_id``'s (its owner)."""
    return create_organization(session, user_id, name).id


def _key(table: Table, row: Any) -> Any:
    (column,) = table.primary_key.columns
    return row._mapping[column.name]


def dump(manager: DatabaseManager) -> Dump:
    """Every row of every table, by table name and primary key, as column -> value."""
    with manager.engine.connect() as conn:
        return {
            table.name: {
                _key(table, row): dict(row._mapping) for row in conn.execute(select(table))
            }
            for table in TABLES
        }


def user_columns(table: Table) -> list[str]:
    """The columns of ``table`` that refer to ``users.id``."""
    return [
        column.name
        for column in table.columns
        if any(key.column.table.name == "users" for key in column.foreign_keys)
    ]


def rows_of(everything: Dump, user_id: int) -> dict[str, dict[Any, dict[str, Any]]]:
    """The rows naming ``user_id`` in any column referring to ``users`` (and their users row)."""
    found_rows: dict[str, dict[Any, dict[str, Any]]] = {}
    for table in TABLES:
        columns = user_columns(table)
        rows = everything[table.name]
        mine = {
            key: row
            for key, row in rows.items()
            if any(row[c] == user_id for c in columns) or (table.name == "users" and key == user_id)
        }
        if mine:
            found_rows[table.name] = mine
    return found_rows


def expected_after_erasure(before: Dump, removed: dict[str, set[Any]]) -> Dump:
    """``before`` less the ``removed`` rows and what their removal cascades to (``ON DELETE``)."""
    gone = {name: set(keys) for name, keys in removed.items()}
    after = {name: {k: dict(v) for k, v in rows.items()} for name, rows in before.items()}
    changed = True
    while changed:
        changed = False
        for name, keys in gone.items():
            for key in keys:
                if after[name].pop(key, None) is not None:
                    changed = True
        for table in TABLES:
            for column in table.columns:
                for foreign in column.foreign_keys:
                    target = foreign.column.table.name
                    for key, row in after[table.name].items():
                        if row[column.name] is None or row[column.name] not in gone.get(target, ()):
                            continue
                        if foreign.ondelete == "CASCADE":
                            if key not in gone.setdefault(table.name, set()):
                                gone[table.name].add(key)
                                changed = True
                        else:
                            row[column.name] = None
    return after
