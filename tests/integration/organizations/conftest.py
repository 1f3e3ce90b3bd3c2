"""An organization with one person in every role, and an outsider who owns another one."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from database.connection import DatabaseManager
from database.domain import organizations
from database.models import Membership, OrganizationRole, User

#: (name in the team, role in the organization); the outsider is in none of them.
ROLES = [
    ("owner", OrganizationRole.OWNER),
    ("owner2", OrganizationRole.OWNER),
    ("admin", OrganizationRole.ADMIN),
    ("admin2", OrganizationRole.ADMIN),
    ("coach", OrganizationRole.COACH),
    ("member", OrganizationRole.MEMBER),
    ("target", OrganizationRole.MEMBER),
]


@dataclass(frozen=True)
class Team:
    """The ids of the people and of the two organizations."""

    org: int
    other_org: int
    ids: dict[str, int]

    def __getitem__(self, name: str) -> int:
        return self.ids[name]


@pytest.fixture
def team(db: DatabaseManager) -> Team:
    with db.session_scope() as session:
        people = {name: User(email=f"{name}@team.org") for name, _ in ROLES}
        people["outsider"] = User(email="outsider@other.org")
        session.add_all(people.values())
        session.flush()
        ids = {name: user.id for name, user in people.items()}
        org = organizations.create_organization(session, ids["owner"], "Career Centre")
        for name, role in ROLES[1:]:
            session.add(Membership(organization_id=org.id, user_id=ids[name], role=role))
        other = organizations.create_organization(session, ids["outsider"], "Other Bootcamp")
        session.flush()
        return Team(org=org.id, other_org=other.id, ids=ids)
