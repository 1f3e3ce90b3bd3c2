"""The bodies of the credential routes: password change and reset, personal API keys.

Write models forbid unknown fields; read models never carry a key or its hash.
The raw key of a new API key is in :class:`ApiKeyCreated`, the one response
that shows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from api.schemas import ReadModel, WriteModel

Scope = Literal["read", "write"]


class PasswordChange(WriteModel):
    """The signed-in person's current password and the new one."""

    current_password: str
    new_password: str


class PasswordResetRequest(WriteModel):
    """The email of the account whose password is forgotten."""

    email: str


class PasswordResetConfirm(WriteModel):
    """The code from the reset mail and the new password."""

    token: str
    new_password: str


class ApiKeyCreate(WriteModel):
    """A new personal API key: ``scopes`` is ``["read"]`` or ``["read", "write"]``."""

    name: str
    scopes: list[Scope] = ["read"]
    expires_at: datetime | None = None


class ApiKeyRead(ReadModel):
    """An API key as a list shows it: never the key itself nor its hash."""

    id: int
    name: str | None
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


class ApiKeyCreated(ApiKeyRead):
    """A key just created: ``key`` is its raw value, shown only in this response."""

    key: str
