"""The world of the API's authorization tests: people, organizations, credentials, objects.

:func:`build_world` signs up the actors of ``tests/api/access_rules.py`` once
(org A: a founder who owns it, the data ``owner`` and a ``member`` as plain
members, a ``coach``, an ``admin``; org B: ``other``; a ``server_admin`` in no
organization). Credentials and objects are made fresh for each call through
the domain, so that what one case writes, deletes or revokes never reaches
the next: :meth:`World.credential` mints the actor's token (a revoked one, one
whose expiry is already past, a read-only API key...) and :data:`OBJECT_MAKERS`
make the objects a route's path and body name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import count
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from database.connection import DatabaseManager
from database.core.column_types import utcnow
from database.domain import applications, notes, resumes, search_history
from database.domain.accounts import ACCESS_TOKEN_LIFETIME, create_api_key, sign_out, sign_up
from database.domain.accounts.tokens import issue
from database.domain.organizations.directory import create_organization
from database.domain.users import create as create_user
from database.models import ApplicationNote, Membership, OrganizationRole, TokenKind, User
from tests.api.access_rules import Access
from tests.support.api import PASSWORD, bearer
from tests.support.contact_objects import CONTACT_MAKERS
from tests.support.cover_letter_objects import COVER_LETTER_MAKERS
from tests.support.notification_objects import NOTIFICATION_MAKERS
from tests.support.organization_objects import ORGANIZATION_MAKERS
from tests.support.resume_objects import RESUME_MAKERS
from tests.support.tag_objects import TAG_MAKERS
from tests.support.webhook_objects import WEBHOOK_MAKERS

#: The people of the world, by the name the access rules give them.
PEOPLE = ("founder", "owner", "member", "coach", "admin", "other", "server_admin")
#: The roles in org A of those who belong to it.
ORG_A_ROLES = {
    "founder": OrganizationRole.OWNER,
    "owner": OrganizationRole.MEMBER,
    "member": OrganizationRole.MEMBER,
    "coach": OrganizationRole.COACH,
    "admin": OrganizationRole.ADMIN,
}
#: Actors who send no live credential of their own (the last two are the owner's dead tokens).
CREDENTIAL_LESS = ("anonymous", "revoked", "expired")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_WHOLE = re.compile(r"\{(\w+)\}\Z")


class PinnedManager(DatabaseManager):
    """A manager that outlives the tests of a module: ``close`` waits for :meth:`release`.

    The tests' teardown closes the global manager after each test, which would
    lose an in-memory database; the module's world must survive it.
    """

    def close(self) -> None:
        """Keep the connections: the module is not over."""

    def release(self) -> None:
        """Release every pooled connection, for good."""
        super().close()


class RecordingMailer:
    """A mail sender that keeps what it is asked to send, for a test to read."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    def send(self, to: str, subject: str, body: str) -> None:
        """Keep the message."""
        self.sent.append((to, subject, body))


@dataclass
class World:
    """The people and organizations of the tests, and the client that calls the API."""

    manager: DatabaseManager
    client: TestClient
    users: dict[str, int]
    emails: dict[str, str]
    organization_id: int
    other_organization_id: int
    _serial: count[int] = field(default_factory=count)

    def unique(self) -> str:
        """A value no earlier call returned."""
        return f"{next(self._serial)}"

    def person_of(self, actor: str) -> int | None:
        """The account behind ``actor``'s credential (``None`` for ``anonymous``)."""
        if actor == "anonymous":
            return None
        if actor in self.users:
            return self.users[actor]
        return self.users["owner"]

    def credential(self, actor: str, stand_in: bool = False) -> dict[str, str]:
        """The ``Authorization`` header ``actor`` sends, minted for this one call.

        ``stand_in``: for a fresh account with the same organization roles, so
        that a route closing the caller's account leaves the world's people be.
        """
        if actor == "anonymous":
            return {}
        with self.manager.session_scope() as session:
            person = self.users.get(actor, self.users["owner"])
            if stand_in:
                person = _stand_in(session, person, self.unique())
            return bearer(_mint(session, actor, person))

    def make(self, name: str, actor: str) -> Any:
        """A fresh object ``name`` (see :data:`OBJECT_MAKERS`) for the call of ``actor``."""
        if name == "organization":
            return self.organization_id
        maker = OBJECT_MAKERS.get(name)
        if maker is None:
            raise KeyError(f"no maker for the object {name!r}: add one to OBJECT_MAKERS")
        caller = self.person_of(actor) if name.startswith("own_") else None
        with self.manager.session_scope() as session:
            return maker(session, caller or self.users["owner"])

    def call(self, method: str, template: str, access: Access, actor: str) -> Response:
        """Call the route of ``template`` as ``actor``, the way ``access`` says."""
        made: dict[str, Any] = {}

        def value(name: str) -> Any:
            if name not in made:
                made[name] = self._placeholder(name, actor)
            return made[name]

        path = template
        for parameter, name in access.params.items():
            path = path.replace(f"{{{parameter}}}", str(value(name)))
        response: Response = self.client.request(
            method,
            path,
            headers=self.credential(actor, access.stand_in),
            json=_filled(access.json, value),
            data=_filled(access.form, value),
            params=_filled(access.query, value),
            files=dict(access.files) if access.files else None,
        )
        return response

    def _placeholder(self, name: str, actor: str) -> Any:
        fixed = {
            "password": PASSWORD,
            "owner_email": self.emails["owner"],
            "unique": self.unique(),
        }
        return fixed[name] if name in fixed else self.make(name, actor)


def _filled(template: Any, value: Callable[[str], Any]) -> Any:
    """``template`` with its placeholders replaced (see ``tests/api/access_rules.py``)."""
    if isinstance(template, str):
        whole = _WHOLE.match(template)
        if whole:
            return value(whole.group(1))
        return _PLACEHOLDER.sub(lambda m: str(value(m.group(1))), template)
    if isinstance(template, Mapping):
        return {key: _filled(item, value) for key, item in template.items()}
    if isinstance(template, list | tuple):
        return [_filled(item, value) for item in template]
    return template


def _stand_in(session: Session, user_id: int, unique: str) -> int:
    """A new account in the organizations of ``user_id``, with the same roles."""
    person = create_user(session, f"stand-in-{unique}@example.com", {}).id
    for organization_id, role in session.execute(
        select(Membership.organization_id, Membership.role).where(Membership.user_id == user_id)
    ):
        session.add(Membership(organization_id=organization_id, user_id=person, role=role))
    session.flush()
    return person


def _mint(session: Session, actor: str, user_id: int) -> str:
    """A raw credential of ``actor``'s kind for ``user_id``."""
    now = utcnow()
    if actor == "read_only_key":
        return create_api_key(session, user_id, "read-only", {"read"}).token
    if actor == "expired":
        return issue(
            session, user_id, TokenKind.ACCESS, expires_at=now - timedelta(minutes=1)
        ).token
    token = issue(session, user_id, TokenKind.ACCESS, expires_at=now + ACCESS_TOKEN_LIFETIME).token
    if actor == "revoked":
        sign_out(session, token)
    return token


def _application(session: Session, user_id: int) -> int:
    """An application with a status move in its history and a note."""
    application = applications.add(
        session, user_id, {"job_title": "Engineer", "company": "Acme", "location": "Paris"}
    )
    applications.change_status(session, application.id, "applied", "sent")
    notes.add(session, application.id, "called the recruiter")
    return application.id


def _latest_note(session: Session, user_id: int) -> int:
    """The newest note of the user's: that of the application made just before it."""
    newest = select(ApplicationNote.id).where(ApplicationNote.user_id == user_id)
    return int(session.scalars(newest.order_by(ApplicationNote.id.desc()).limit(1)).one())


def _api_key(session: Session, user_id: int) -> int:
    return create_api_key(session, user_id, "spare", {"read", "write"}).token_id


def _reset_token(session: Session, user_id: int) -> str:
    expiry = utcnow() + timedelta(hours=1)
    return issue(session, user_id, TokenKind.PASSWORD_RESET, expires_at=expiry).token


def _resume(session: Session, user_id: int) -> int:
    fields = {"filename": "cv.txt", "file_path": "cv.txt", "file_type": "txt"}
    return resumes.add(session, user_id, fields).id


def _search_entry(session: Session, user_id: int) -> int:
    return search_history.add(session, user_id, {"job_title": "Engineer"}).id


#: Object name -> a function of (session, owner's id) making one and returning its id
#: (``own_*`` objects get the caller's id instead of the owner's).
OBJECT_MAKERS: dict[str, Callable[[Session, int], Any]] = {
    "application": _application,
    "latest_note": _latest_note,
    "own_api_key": _api_key,
    "reset_token": _reset_token,
    "resume": _resume,
    "search_entry": _search_entry,
    **ORGANIZATION_MAKERS,
    **RESUME_MAKERS,
    **COVER_LETTER_MAKERS,
    **WEBHOOK_MAKERS,
    **NOTIFICATION_MAKERS,
    **CONTACT_MAKERS,
    **TAG_MAKERS,
}


def build_world(manager: DatabaseManager, client: TestClient) -> World:
    """Sign the people up and found org A and org B, in one transaction."""
    emails = {name: f"{name.replace('_', '-')}@example.com" for name in PEOPLE}
    with manager.session_scope() as session:
        users = {name: sign_up(session, emails[name], PASSWORD).id for name in PEOPLE}
        session.execute(
            update(User).where(User.id == users["server_admin"]).values(is_server_admin=True)
        )
        org_a = create_organization(session, users["founder"], "Career Centre A").id
        org_b = create_organization(session, users["other"], "Bootcamp B").id
        for name, role in ORG_A_ROLES.items():
            if name != "founder":
                session.add(Membership(organization_id=org_a, user_id=users[name], role=role))
    return World(manager, client, users, emails, org_a, org_b)
