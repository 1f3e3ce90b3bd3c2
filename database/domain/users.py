"""Users and their preferences. Functions take a session; the caller owns the transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, selectinload

from database.core.keys import email_key
from database.domain import passwords
from database.domain.records import apply_changes, check_salary_range
from database.domain.schemas import PreferencesUpdate, UserCreate, UserUpdate, require_id, validate
from database.models import Resume, User, UserPreferences
from utils.errors import ValidationError

#: What a returned user has loaded: the small relationships. Applications and searches
#: are unbounded (10,000 applications take ~400 ms to load on SQLite), so they have
#: their own paged calls. The way back (``resume.user``) comes from the identity map.
_LOADED = [
    selectinload(User.preferences).immediateload(UserPreferences.user),
    selectinload(User.resumes).immediateload(Resume.user),
]


def find_by_email(session: Session, email: str) -> User | None:
    """The user whose email is ``email`` in any case or Unicode form, or ``None``.

    Preferences and resumes are loaded. Identity is :func:`database.core.keys.email_key`.
    """
    query = select(User).where(User.email_key == _key_of(email))
    return session.scalar(query.options(*_LOADED))


def check_password(session: Session, email: str, password: str) -> bool:
    """Whether ``password`` is the password of the user with ``email``.

    An unknown email costs what a wrong password costs. On success, a hash made
    with an older scheme or weaker parameters is replaced by a current one in the
    caller's transaction.
    """
    key = _key_of(email)
    if not isinstance(password, str):
        raise ValidationError("password", "must be a string")
    user = session.scalar(select(User).where(User.email_key == key))
    if user is None:
        passwords.burn_time(password)
        return False
    check = passwords.verify(password, user.password_hash, subject=f"user {user.id}")
    if check.matches and check.needs_rehash:
        user.password_hash = passwords.hash_password(password)
        session.flush()
    return check.matches


def _key_of(email: str) -> str:
    if not isinstance(email, str):
        raise ValidationError("email", "must be a string", email)
    return email_key(email)


def get(session: Session, user_id: int) -> User | None:
    """The user with ``user_id`` (preferences and resumes loaded), or ``None``."""
    require_id(user_id, "user_id")
    return session.get(User, user_id, options=_LOADED)


def require(session: Session, user_id: int, field: str = "user_id") -> User:
    """The user with ``user_id`` (preferences and resumes loaded), or :class:`ValidationError`."""
    require_id(user_id, field)
    user = session.get(User, user_id, options=_LOADED)
    if user is None:
        raise ValidationError(field, f"no user with id {user_id}", user_id)
    return user


def list_all(session: Session) -> list[User]:
    """Every user, by first name then email (preferences loaded)."""
    query = select(User).order_by(User.first_name, User.email)
    return list(session.scalars(query.options(selectinload(User.preferences))))


def ensure_exists(session: Session | Connection, user_id: int, field: str = "user_id") -> None:
    """Raise :class:`ValidationError` on ``field`` unless the user exists (one index probe).

    Takes a session or a Core connection alike.
    """
    found = session.scalar(_USER_EXISTS, {"user_id": require_id(user_id, field)})
    if found is None:
        raise ValidationError(field, f"no user with id {user_id}", user_id)


# Built once: building the expression costs more than the index probe.
_USER_EXISTS = select(User.id).where(User.id == bindparam("user_id"))


def _ensure_email_free(session: Session, email: str, user_id: int | None = None) -> None:
    # A concurrent insert can still win between this probe and the flush; the unique
    # index uq_users_email_key then refuses it (see database.core.errors).
    other = session.scalar(select(User.id).where(User.email_key == _key_of(email)))
    if other is not None and other != user_id:
        raise ValidationError("email", "is already registered (emails are case-insensitive)", email)


def create(session: Session, email: str, fields: Mapping[str, Any]) -> User:
    """A new user with an empty preferences row."""
    data = validate(UserCreate, {"email": email, **fields})
    _ensure_email_free(session, data.email)
    values = data.model_dump(exclude_none=True, exclude={"password"})
    user = User(**values)
    if data.password is not None:
        user.password_hash = passwords.hash_password(data.password)
    user.preferences = UserPreferences()
    session.add(user)
    session.flush()
    return user


def update(session: Session, user_id: int, fields: Mapping[str, Any]) -> User:
    """Apply the known, unprotected ``fields`` to the user."""
    user = require(session, user_id)
    data = validate(UserUpdate, fields)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("email") is None:
        changes.pop("email", None)
    else:
        _ensure_email_free(session, changes["email"], user.id)
    apply_changes(user, changes)
    session.flush()
    return user


def set_password(session: Session, user_id: int, password: str) -> None:
    """Store a new password hash for the user."""
    user = require(session, user_id)
    data = validate(UserCreate, {"email": user.email, "password": password})
    assert data.password is not None
    user.password_hash = passwords.hash_password(data.password)
    session.flush()


def remove(session: Session, user_id: int) -> None:
    """Delete the user; the database cascades to everything the user owns."""
    ensure_exists(session, user_id)
    session.execute(delete(User).where(User.id == user_id))


def get_preferences(session: Session, user_id: int) -> UserPreferences | None:
    """The user's preferences, or ``None`` when the user does not exist."""
    require_id(user_id, "user_id")
    return session.scalar(select(UserPreferences).where(UserPreferences.user_id == user_id))


def update_preferences(
    session: Session, user_id: int, fields: Mapping[str, Any]
) -> UserPreferences:
    """Apply ``fields`` to the user's preferences, creating the row if missing."""
    ensure_exists(session, user_id)
    data = validate(PreferencesUpdate, fields)
    prefs = get_preferences(session, user_id)
    if prefs is None:
        prefs = UserPreferences(user_id=user_id)
        session.add(prefs)
    changes = data.model_dump(exclude_unset=True)
    check_salary_range(prefs, changes)
    apply_changes(prefs, changes)
    session.flush()
    return prefs
