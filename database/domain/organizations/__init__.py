"""Organizations, their members and invitations: the authorization layer of shared data.

Every function takes the session and the acting user's id first and checks the
actor's membership and role itself before it reads or writes, so the API and
the dashboard add no rules of their own. Roles, most powerful first: ``owner``,
``admin``, ``coach``, ``member``. A target the actor cannot see is ``None``
(not found, so that its existence is not revealed); a target they can see but
may not change raises :class:`~utils.errors.PermissionDeniedError`. Functions
never open or commit a transaction: the caller does.
"""

from __future__ import annotations

from database.domain.organizations.access import (
    can_read_member_data,
    can_write_member_data,
    readable_user_ids,
    visible_user_ids,
)
from database.domain.organizations.directory import (
    create_organization,
    get_organization,
    list_my_organizations,
)
from database.domain.organizations.invitations import (
    DEFAULT_LIFETIME,
    accept_invitation,
    invite,
    list_invitations,
    revoke_invitation,
)
from database.domain.organizations.members import change_role, leave, list_members, remove_member

__all__ = [
    "DEFAULT_LIFETIME",
    "accept_invitation",
    "can_read_member_data",
    "can_write_member_data",
    "change_role",
    "create_organization",
    "get_organization",
    "invite",
    "leave",
    "list_invitations",
    "list_members",
    "list_my_organizations",
    "readable_user_ids",
    "remove_member",
    "revoke_invitation",
    "visible_user_ids",
]
