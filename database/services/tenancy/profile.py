"""A person's own profile, preferences and search history, as the API may read and change them.

All three are owner-only: no organization role reaches them (a coach reads a
member's applications, status history and analytics, never their profile
settings or their searches). A person changes them only with a credential of
scope ``write``; a search entry of somebody else's is "not found" (``False`` /
``None``), so that its existence is not revealed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from database.domain import search_history, users
from database.domain.accounts import DEFAULT_POLICY, Actor, ThrottlePolicy, confirm_password
from database.domain.schemas import UserUpdate, validate
from database.models import SearchHistory, User, UserPreferences
from database.services.tenancy.guards import require_write_scope
from utils.errors import AuthenticationError, ValidationError

#: Profile fields a person may set on themselves: the account's state is the server's.
SELF_SET_FIELDS = frozenset(UserUpdate.model_fields) - {"is_active"}
ACCOUNT_GONE = "the account of these credentials no longer exists"
#: The body field that re-confirms the account's password for an email change.
CURRENT_PASSWORD = "current_password"  # noqa: S105 (a field name, no secret)


def get_profile(session: Session, actor: Actor) -> User:
    """The actor's own profile; :class:`AuthenticationError` if the account is gone."""
    user = users.get(session, actor.user_id)
    if user is None:  # deleted since the credential was checked
        raise AuthenticationError(ACCOUNT_GONE)
    return user


def update_profile(
    session: Session,
    actor: Actor,
    changes: Mapping[str, Any],
    current_password: str | None = None,
    *,
    policy: ThrottlePolicy = DEFAULT_POLICY,
) -> User:
    """Apply ``changes`` (fields of :data:`SELF_SET_FIELDS`) to the actor's own profile.

    A new email must not belong to another account, in any letter case
    (:class:`ValidationError` on ``email``), and needs the account's
    ``current_password``: a stolen token alone cannot move the account (and
    its password resets) to another mailbox. A missing or wrong one is a
    :class:`ValidationError` on ``current_password``, a wrong one counted as a
    failed sign-in of the account (see
    :func:`~database.domain.accounts.confirm_password`; the caller commits
    the count before it answers). A field outside the allowed ones is a
    :class:`ValidationError` naming it. No field changes on any of them.
    """
    require_write_scope(actor)
    for name in changes:
        if name not in SELF_SET_FIELDS:
            raise ValidationError(name, "is not a field you may change")
    user = get_profile(session, actor)
    # Checked as the update will check it first, so a malformed email is named as such.
    new_email = validate(UserUpdate, changes).email
    if new_email is not None and new_email != user.email:
        _confirm_password(session, user, current_password, policy)
    return users.update(session, actor.user_id, changes)


def _confirm_password(
    session: Session, user: User, current_password: str | None, policy: ThrottlePolicy
) -> None:
    if current_password is None:
        raise ValidationError(CURRENT_PASSWORD, "is required to change the email")
    if not confirm_password(session, user, current_password, policy=policy):
        raise ValidationError(CURRENT_PASSWORD, "is not the account's password")


def get_preferences(session: Session, actor: Actor) -> UserPreferences | None:
    """The actor's own preferences, or ``None`` if none were ever stored."""
    return users.get_preferences(session, actor.user_id)


def update_preferences(
    session: Session, actor: Actor, changes: Mapping[str, Any]
) -> UserPreferences:
    """Apply ``changes`` (fields of ``update_user_preferences``) to the actor's own preferences."""
    require_write_scope(actor)
    return users.update_preferences(session, actor.user_id, changes)


def list_searches(
    session: Session, actor: Actor, limit: int | None = None, offset: int = 0
) -> tuple[list[SearchHistory], int]:
    """One page of the actor's own searches (newest first) and how many there are in all."""
    found = search_history.list_for_user(session, actor.user_id, limit, offset)
    return found, search_history.count(session, actor.user_id)


def record_search(session: Session, actor: Actor, fields: Mapping[str, Any]) -> SearchHistory:
    """Record a search the actor ran (``fields`` as ``add_search_history`` takes)."""
    require_write_scope(actor)
    return search_history.add(session, actor.user_id, fields)


def get_search(session: Session, actor: Actor, entry_id: int) -> SearchHistory | None:
    """One of the actor's own searches, else ``None`` (also when it is somebody else's)."""
    entry = search_history.get(session, entry_id)
    if entry is None or entry.user_id != actor.user_id:
        return None
    return entry


def delete_search(session: Session, actor: Actor, entry_id: int) -> bool:
    """Delete one of the actor's own searches; ``False`` when it is not theirs or not there."""
    if get_search(session, actor, entry_id) is None:
        return False
    require_write_scope(actor)
    return search_history.remove(session, entry_id)
