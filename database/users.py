"""Users and their preferences. Functions take a session; the caller owns the transaction."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from database.models import User, UserPreferences
from database.records import apply_changes, check_salary_range
from database.schemas import PreferencesUpdate, UserCreate, UserUpdate, require_id, validate
from utils.errors import ValidationError

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password``, as ``scrypt$salt$hash`` in hex."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches the stored hash (constant-time comparison)."""
    if not stored or stored.count("$") != 2:
        return False
    _scheme, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **_SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest)


def find_by_email(session: Session, email: str) -> User | None:
    """The user with ``email`` in any letter case (preferences loaded), or ``None``."""
    if not isinstance(email, str):
        raise ValidationError("email", "must be a string", email)
    query = select(User).where(func.lower(User.email) == email.strip().lower())
    return session.scalar(query.options(selectinload(User.preferences)))


def get(session: Session, user_id: int) -> User | None:
    """The user with ``user_id`` (preferences loaded), or ``None``."""
    require_id(user_id, "user_id")
    return session.get(User, user_id, options=[selectinload(User.preferences)])


def require(session: Session, user_id: int, field: str = "user_id") -> User:
    """The user with ``user_id`` (preferences loaded), or :class:`ValidationError`."""
    require_id(user_id, field)
    user = session.get(User, user_id, options=[selectinload(User.preferences)])
    if user is None:
        raise ValidationError(field, f"no user with id {user_id}", user_id)
    return user


def list_all(session: Session) -> list[User]:
    """Every user, by first name then email (preferences loaded)."""
    query = select(User).order_by(User.first_name, User.email)
    return list(session.scalars(query.options(selectinload(User.preferences))))


def ensure_exists(session: Session, user_id: int, field: str = "user_id") -> None:
    """Raise :class:`ValidationError` on ``field`` unless the user exists (one index probe)."""
    found = session.scalar(select(User.id).where(User.id == require_id(user_id, field)))
    if found is None:
        raise ValidationError(field, f"no user with id {user_id}", user_id)


def _ensure_email_free(session: Session, email: str, user_id: int | None = None) -> None:
    other = find_by_email(session, email)
    if other is not None and other.id != user_id:
        raise ValidationError("email", "is already registered (emails are case-insensitive)", email)


def create(session: Session, email: str, fields: Mapping[str, Any]) -> User:
    """A new user with an empty preferences row."""
    data = validate(UserCreate, {"email": email, **fields})
    _ensure_email_free(session, data.email)
    values = data.model_dump(exclude_none=True, exclude={"password"})
    user = User(**values)
    if data.password is not None:
        user.password_hash = hash_password(data.password)
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
    user.password_hash = hash_password(data.password)
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
